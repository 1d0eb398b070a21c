// An ask for a key whose owner is down. The asking node knows it has no link to the owner, so it
// proposes itself at once (phase 1, as a takeover would) instead of forwarding into the void and
// waiting out the takeover delay. Here that delay is set far beyond the ask's timeout, so only the
// direct proposal can answer in time: the test does not measure speed, it tells the paths apart.
import { afterEach, describe, expect, it } from 'vitest';
import { startLink, type GenPaxosNode } from '../../src/index.js';
import { ownerAmongSorted } from '../../src/paxos/owner.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import { linksSettled, startTransports, waitFor } from '../wire/helpers.js';

const ids = ['a', 'b', 'c'];
const TAKEOVER_MS = 120_000;
const ASK_TIMEOUT_MS = 10_000;

let nodes: GenPaxosNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  nodes = [];
});

async function startCluster(acceptorFastPath: boolean): Promise<{
  node: (id: string) => GenPaxosNode;
  transports: Record<string, WebSocketTransport>;
}> {
  const { transports } = await startTransports(ids);
  await waitFor(() => linksSettled(transports), 'links settled');
  nodes = await Promise.all(
    ids.map((id) =>
      startLink({
        id,
        members: ids,
        transport: transports[id] as WebSocketTransport,
        timing: { takeoverMs: TAKEOVER_MS, backoffMaxMs: TAKEOVER_MS },
        acceptorFastPath,
      }),
    ),
  );
  return { node: (id) => nodes[ids.indexOf(id)] as GenPaxosNode, transports };
}

/** The `n`th key (0, 1, …) that `owner` owns among `ids`. */
function keyOwnedBy(owner: string, n: number): string {
  for (let i = 0, found = 0; ; i++) {
    const key = `key-${i}`;
    if (ownerAmongSorted(key, [...ids].sort()) === owner && found++ === n) return key;
  }
}

describe.each([true, false])('an ask whose key owner is down (acceptor fast path %s)', (acceptorFastPath) => {
  it('is proposed by the asking node at once, not forwarded to the missing owner', async () => {
    const { node, transports } = await startCluster(acceptorFastPath);

    // Control: with c up, a forwards c's keys to c, which decides them.
    const before = keyOwnedBy('c', 0);
    expect(await node('a').ask(before, 'while c is up', { timeoutMs: ASK_TIMEOUT_MS })).toBe('while c is up');

    await node('c').stop();
    await waitFor(() => transports.a?.isLinkUp('c') === false, 'a sees its link to c down');

    const after = keyOwnedBy('c', 1);
    expect(await node('a').ask(after, 'c is down', { timeoutMs: ASK_TIMEOUT_MS })).toBe('c is down');
    expect(node('b').read(after) ?? (await waitForRead(node('b'), after))).toBe('c is down');
    // a ran phase 1 itself: one ballot for the key it could not forward.
    expect(node('a').stats.ballotsStarted).toBe(1);
  });
});

async function waitForRead(node: GenPaxosNode, key: string): Promise<unknown> {
  await waitFor(() => node.read(key) !== undefined, `${node.id} learns ${key}`);
  return node.read(key);
}
