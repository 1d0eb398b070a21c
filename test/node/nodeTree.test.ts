// The Paxos node built from the runtime's own parts (src/node/nodeTree.ts): a supervisor that
// restarts the node actor after a crash, the node registered by name and answering gen_server
// calls — locally and from another runtime node — and the handle's subscriptions that follow
// restarts.
import { describe, expect, it } from 'vitest';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { GEN_PAXOS_NAME } from '../../src/node/nodeRequests.js';
import type { GenPaxosNodeReply } from '../../src/node/nodeEvents.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { createActorNode } from '../../src/runtime/actorNode.js';
import { createGenServer } from '../../src/runtime/genServer/genServer.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { createMemoryRouter } from '../../src/transport/distribution/memoryRouter.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { runUntil } from '../support/settle.js';

/** A store whose `load` throws once when armed: an unexpected bug inside the node actor's step. */
class FlakyStorage extends MemoryStorage {
  /** Every load of this key throws: the node actor's step that handles it crashes. */
  failing: string | null = null;
  override load(key: string): KeyRecord | undefined {
    if (key === this.failing) throw new Error('injected: a bug in the node actor');
    return super.load(key);
  }
}

async function cluster(clock: VirtualClock, storages: Record<string, MemoryStorage> = {}) {
  const faults = { delayMs: { min: 1, max: 1 } };
  const network = createMemoryNetwork({ clock, random: seededRandom(3), faults });
  // The runtime's links ride a network of their own, as the Paxos and runtime frames do on one link.
  const links = createMemoryNetwork({ clock, random: seededRandom(4), faults });
  const members = ['a', 'b', 'c'];
  const runtimes = new Map(
    members.map((id) => [
      id,
      createActorNode({
        name: id,
        clock,
        router: createMemoryRouter(links, id, { peers: members.filter((p) => p !== id), clock }),
      }),
    ]),
  );
  const nodes = await Promise.all(
    members.map((id) =>
      startLink({
        id,
        members,
        transport: network.connect(id),
        clock,
        random: seededRandom(id.charCodeAt(0)),
        runtime: runtimes.get(id),
        ...(storages[id] ? { storage: storages[id] } : {}),
      }),
    ),
  );
  return { nodes: nodes as [GenPaxosNode, GenPaxosNode, GenPaxosNode], runtimes };
}

async function settle<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const result = promise.finally(() => (done = true));
  await runUntil(clock, () => done, { maxVirtualMs: 30_000 });
  return result;
}

describe('the node as a supervision tree of the runtime', () => {
  it('is registered as gen_paxos on its runtime node and answers gen_server calls', async () => {
    const clock = new VirtualClock();
    const { nodes, runtimes } = await cluster(clock);
    const a = runtimes.get('a');
    expect(a?.whereis(GEN_PAXOS_NAME)).toBe(nodes[0].actor);
    const reply = await settle(
      clock,
      createGenServer(a!).call<GenPaxosNodeReply>(GEN_PAXOS_NAME, { type: 'ask', key: 'k', value: 'v' }),
    );
    expect(reply).toEqual({ type: 'paxos.decided', key: 'k', value: 'v' });
    const read = await settle(clock, createGenServer(a!).call(GEN_PAXOS_NAME, { type: 'read', key: 'k' }));
    expect(read).toEqual({ type: 'paxos.read', key: 'k', decided: true, value: 'v' });
    const bad = await settle(clock, createGenServer(a!).call(GEN_PAXOS_NAME, { type: 'delete', key: 'k' }));
    expect(bad).toMatchObject({ type: 'paxos.failed', error: { code: 'PAXOS_ERR_BAD_OPTION' } });
    await Promise.all(nodes.map((node) => node.stop()));
  });

  it('is reachable from another member’s runtime as { name: gen_paxos, node }', async () => {
    const clock = new VirtualClock();
    const { nodes, runtimes } = await cluster(clock);
    await runUntil(clock, () => (runtimes.get('c')?.nodes().length ?? 0) === 2, { maxVirtualMs: 5000 });
    const fromC = createGenServer(runtimes.get('c')!);
    const reply = await settle(
      clock,
      fromC.call<GenPaxosNodeReply>(
        { name: GEN_PAXOS_NAME, node: 'a' },
        { type: 'ask', key: 'remote', value: 'x' },
      ),
    );
    expect(reply).toEqual({ type: 'paxos.decided', key: 'remote', value: 'x' });
    expect(nodes[0].read('remote')).toBe('x');
    await Promise.all(nodes.map((node) => node.stop()));
  });

  it('restarts a crashed node actor from its store; subscriptions follow the new incarnation', async () => {
    const clock = new VirtualClock();
    const flaky = new FlakyStorage({ clock });
    const { nodes } = await cluster(clock, { b: flaky });
    const b = nodes[1];
    const decided: string[] = [];
    b.on('decided', (event) => decided.push(`${event.key}=${String(event.value)}`));
    expect(await settle(clock, b.ask('before', 1))).toBe(1);
    const first = b.actor;
    flaky.failing = 'during'; // b's node actor throws on the ask of it
    const during = b.ask('during', 2).then(
      (value) => `decided ${String(value)}`,
      (error: { code: string }) => error.code,
    );
    const outcome = await settle(clock, during);
    flaky.failing = null;
    // The ask was in flight on the crashed incarnation: its outcome is unknown.
    expect(['PAXOS_ERR_NODE_RESTARTED', 'decided 2']).toContain(outcome);
    expect(b.actor).not.toBe(first);
    expect(b.read('before')).toBe(1); // reloaded from the store
    expect(await settle(clock, b.ask('after', 3))).toBe(3);
    expect(decided).toContain('before=1');
    expect(decided).toContain('after=3');
    await Promise.all(nodes.map((node) => node.stop()));
  });

  it('stopping the handle stops the whole tree: pending asks fail with PAXOS_ERR_STOPPED', async () => {
    const clock = new VirtualClock();
    const { nodes } = await cluster(clock);
    const [a, b, c] = nodes;
    await Promise.all([b.stop(), c.stop()]); // no quorum: a's ask waits
    const pending = a.ask('k', 'v', { timeoutMs: 60_000 }).catch((error: { code: string }) => error.code);
    await runUntil(clock, () => clock.now() > 100, { maxVirtualMs: 1000 });
    await a.stop();
    expect(await pending).toBe('PAXOS_ERR_STOPPED');
    expect(a.runtime.whereis(GEN_PAXOS_NAME)).toBeUndefined();
  });
});
