// Membership changes over real WebSocket transports (docs/membership.md §5.4, issue 15): the
// transport's peers follow the configuration (a member added is dialled and learns the decided
// values; links to a removed member close once the transition completed) and the handshake
// refuses a removed member (WIRE_ERR_REMOVED), a joining node nobody added (WIRE_ERR_NOT_A_MEMBER)
// and an id that was never a member (WIRE_ERR_UNKNOWN_NODE), a removed node refuses everyone
// (WIRE_ERR_PEER_REMOVED), while the group keeps deciding.
// Loopback, ports picked at run time, one process; each node keeps its store across restarts.
import { afterEach, describe, expect, it } from 'vitest';
import type { GenPaxosNode } from '../../src/node/genPaxos.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { WebSocketTransport } from '../../src/transport/peer/webSocketTransport.js';
import type { LinkStatus } from '../../src/transport/wire/frames.js';
import { CLOSE_CODES } from '../../src/transport/wire/wireErrors.js';
import { RawPeer, waitFor } from '../wire/helpers.js';
import { failure, WsCluster } from './membershipCluster.js';

const WAIT_MS = 20_000;

/** `id`'s transport's view of its link to `peer`. */
function linkOf(node: GenPaxosNode | WebSocketTransport, peer: string): LinkStatus | undefined {
  const transport = 'linkStatus' in node ? node : (node.internals.options.transport as WebSocketTransport);
  return transport.linkStatus().find((link) => link.peer === peer);
}

function transportOf(node: GenPaxosNode): WebSocketTransport {
  return node.internals.options.transport as WebSocketTransport;
}

let cluster: WsCluster | null = null;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = null;
});

describe('membership changes over WebSocket transports', () => {
  it('adds a member that learns and decides, removes one that is then refused, refuses strangers', async () => {
    const c3 = (cluster = await WsCluster.create(['a', 'b', 'c', 'd', 'y', 'z']));
    const start = ['a', 'b', 'c'];
    for (const id of start) await c3.start(id, { members: start });
    const a = c3.node('a');
    const b = c3.node('b');
    const decided = new Map<string, PaxosValue>();
    const askAll = async (via: GenPaxosNode, prefix: string, count: number) => {
      for (let i = 0; i < count; i++) {
        const key = `${prefix}-${i}`;
        decided.set(key, await via.ask(key, `${key}@${via.id}`));
      }
    };
    await askAll(a, 'first', 6);
    await askAll(b, 'second', 4);
    expect(decided.get('second-3')).toBe('second-3@b');

    // d joins, with a as its only hint: a refuses it until it is added.
    const d = await c3.start('d', { members: ['d'], join: true, hints: ['a'] });
    await waitFor(() => linkOf(d, 'a')?.reason?.code === 'WIRE_ERR_NOT_A_MEMBER', 'd refused by a');
    expect(linkOf(d, 'a')?.reason).toMatchObject({
      kind: 'refused',
      side: 'peer',
      detail: 'PAXOS_ERR_NOT_A_MEMBER: d is not in configuration 1: add it first with gen-paxos member add',
    });
    expect(await failure(d.ask('early', 1))).toMatchObject({ code: 'PAXOS_ERR_NOT_A_MEMBER' });

    const four = await a.changeMembers(
      { add: { id: 'd', url: c3.urls.d as string } },
      { timeoutMs: WAIT_MS },
    );
    expect(four).toMatchObject({ config: 2, epoch: 1, complete: true });
    expect(four.members).toEqual([
      { id: 'a', url: null },
      { id: 'b', url: null },
      { id: 'c', url: null },
      { id: 'd', url: c3.urls.d },
    ]);
    // Every member links d now, and d links every member: the peer lists followed the change.
    await waitFor(
      () => ['a', 'b', 'c'].every((id) => linkOf(c3.node(id), 'd')?.state === 'up'),
      'links to d',
    );
    await waitFor(() => d.internals.membership.adopted === 2, 'd adopts configuration 2');
    expect(transportOf(d).linkedMembers).toEqual(['a', 'b', 'c', 'd']);
    expect(transportOf(b).linkedMembers).toEqual(['a', 'b', 'c', 'd']);
    for (const [key, value] of decided) expect(await d.read(key, { quorum: true })).toEqual(value);
    await askAll(d, 'third', 4);
    // a learns it from the owner's decide, which may ride a later frame (lazy decides).
    await waitFor(() => a.read('third-0') === 'third-0@d', 'a learns third-0');

    // b is removed while it runs: once the transition completes the members drop their links to
    // it, after sending it the chain, so it learns that it was removed and stops asking.
    const three = await a.changeMembers({ remove: 'b' }, { timeoutMs: WAIT_MS });
    expect(three).toMatchObject({ config: 3, epoch: 2, complete: true });
    expect(three.members.map((m) => m.id)).toEqual(['a', 'c', 'd']);
    await waitFor(
      () => b.internals.membership.adopted === 3 && b.internals.membership.current?.complete === true,
      'b learns its removal',
    );
    expect(await failure(b.ask('late', 1))).toMatchObject({ code: 'PAXOS_ERR_REMOVED' });
    await waitFor(() => transportOf(a).linkedMembers.join() === 'a,c,d', 'a drops b');
    expect(transportOf(b).linkedMembers).toEqual(['b']);
    await waitFor(() => !transportOf(a).isLinkUp('b') && !transportOf(b).isLinkUp('a'), 'links to b closed');
    // b links nobody now, and tells whoever still dials it so with a code of its own (4018), not
    // WIRE_ERR_REMOVED: the dialler was not removed, b was.
    const y = await c3.transport('y', ['b']);
    c3.loose.push(y);
    await waitFor(() => linkOf(y, 'b')?.reason?.kind === 'refused', 'y refused by b');
    expect(linkOf(y, 'b')?.reason).toMatchObject({
      code: 'WIRE_ERR_PEER_REMOVED',
      side: 'peer',
      detail: 'this node was removed in configuration 3: it links nobody',
    });
    await y.close();
    // On the wire: c, a member of every configuration b knows, is refused all the same.
    const raw = await RawPeer.connect(c3.urls.b as string);
    await raw.hello({ node: 'c', members: start });
    expect(await raw.closed).toEqual({
      code: CLOSE_CODES.PEER_REMOVED,
      reason: 'WIRE_ERR_PEER_REMOVED: this node was removed in configuration 3: it links nobody',
    });
    await c3.stop('b');

    // c is down while the group removes it; restarted with its store (configuration 3), it dials
    // the members and is refused: the transition that removed it is complete.
    await c3.stop('c');
    const two = await a.changeMembers({ remove: 'c' }, { timeoutMs: WAIT_MS });
    expect(two).toMatchObject({ config: 4, epoch: 3, complete: true });
    expect(two.members.map((m) => m.id)).toEqual(['a', 'd']);
    await waitFor(
      () => d.internals.membership.adopted === 4 && d.internals.membership.current?.complete === true,
      'd complete',
    );
    expect(transportOf(a).linkedMembers).toEqual(['a', 'd']);
    const c = await c3.start('c', { members: start, fromStore: true });
    // Its transport dialled the members of its stored configuration (3) from the start.
    expect(c3.started.get('c')?.members).toEqual(['a', 'c', 'd']);
    await waitFor(() => linkOf(c, 'a')?.reason?.code === 'WIRE_ERR_REMOVED', 'c refused by a');
    expect(linkOf(c, 'a')?.reason).toMatchObject({
      kind: 'refused',
      side: 'peer',
      detail: 'PAXOS_ERR_REMOVED: node c was removed in configuration 4',
      // a proved it (a refusal frame before the close): the CLI stops c on it.
      authenticated: true,
    });
    await waitFor(() => linkOf(c, 'd')?.reason?.code === 'WIRE_ERR_REMOVED', 'c refused by d');
    expect(linkOf(a, 'c')).toBeUndefined();
    expect(transportOf(a).isLinkUp('c')).toBe(false);

    // An id that was never a member, on a start list of its own: refused by what it dials.
    const z = await c3.transport('z', ['a']);
    c3.loose.push(z);
    await waitFor(() => linkOf(z, 'a')?.reason?.code === 'WIRE_ERR_UNKNOWN_NODE', 'z refused by a');
    expect(linkOf(z, 'a')?.reason).toMatchObject({ kind: 'refused', side: 'peer' });

    // The group keeps deciding, and every value decided before is kept.
    await askAll(a, 'fourth', 4);
    for (const [key, value] of decided) expect(await d.read(key, { quorum: true })).toEqual(value);
  }, 120_000);

  it('a member that was down during a change catches up at its first handshake (§5.3)', async () => {
    const c4 = (cluster = await WsCluster.create(['a', 'b', 'c', 'd']));
    const start = ['a', 'b', 'c', 'd'];
    for (const id of start) await c4.start(id, { members: start });
    const a = c4.node('a');
    expect(await a.ask('before', 1)).toBe(1);
    await c4.stop('d');
    const three = await a.changeMembers({ remove: 'c' }, { timeoutMs: WAIT_MS });
    expect(three).toMatchObject({ config: 2, epoch: 1, complete: true });
    // The changer pushes the chain a few times, 200 ms apart, after the change: let that end, so
    // that d can only learn from its handshakes (the test passes either way once it does).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // d comes back on configuration 1 and asks nothing: the handshake with a tells it that a is
    // ahead, it fetches the chain, adopts configuration 2 and drops its link to c.
    const d = await c4.start('d', { members: start });
    await waitFor(() => d.internals.membership.adopted === 2, 'd adopts configuration 2');
    await waitFor(() => d.internals.membership.current?.complete === true, 'd complete');
    expect(transportOf(d).linkedMembers).toEqual(['a', 'b', 'd']);
    expect(await d.ask('after', 2)).toBe(2);
    expect(await d.read('before', { quorum: true })).toBe(1);
  }, 120_000);

  it('replaces a member that lost its disk in one change; the new one holds every value', async () => {
    const c3 = (cluster = await WsCluster.create(['a', 'b', 'c', 'e']));
    const start = ['a', 'b', 'c'];
    for (const id of start) await c3.start(id, { members: start });
    const decided = new Map<string, PaxosValue>();
    for (let i = 0; i < 8; i++) {
      const via = c3.node(start[i % 3] as string);
      decided.set(`k-${i}`, await via.ask(`k-${i}`, `v-${i}@${via.id}`));
    }
    // c dies with its data directory; e takes its place.
    await c3.stop('c');
    c3.storages.delete('c');
    const e = await c3.start('e', { members: ['e'], join: true, hints: [] });
    const a = c3.node('a');
    const replaced = await a.changeMembers(
      { remove: 'c', add: { id: 'e', url: c3.urls.e as string } },
      { timeoutMs: WAIT_MS },
    );
    expect(replaced).toMatchObject({ config: 2, epoch: 1, complete: true });
    expect(replaced.members.map((m) => m.id)).toEqual(['a', 'b', 'e']);
    await waitFor(() => e.internals.membership.current?.complete === true, 'e complete', WAIT_MS);
    expect(transportOf(e).linkedMembers).toEqual(['a', 'b', 'e']);
    for (const [key, value] of decided) expect(await e.read(key, { quorum: true })).toEqual(value);

    // Losing a second original member (a) leaves b and e: they still answer every key and decide.
    await c3.stop('a');
    c3.storages.delete('a');
    for (const [key, value] of decided) expect(await e.ask(key, 'overwrite?')).toEqual(value);
    expect(await c3.node('b').ask('after-all', 'yes')).toBe('yes');
  }, 120_000);
});
