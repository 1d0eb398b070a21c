// Catch-up on running nodes (src/node/catchup/): a member that was down while keys were decided
// reads them after its restart without anyone asking them again, its progress says so, and a
// member whose store contradicts a peer's decided log raises PAXOS_ERR_DISAGREEMENT and stops
// voting while the others keep deciding. In-process: Paxos and runtime frames on memory networks,
// one virtual clock.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import type { GenPaxosNodeEmitted } from '../../src/node/nodeEvents.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { createActorNode } from '../../src/runtime/actorNode.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryRouter, type MemoryRouter } from '../../src/transport/distribution/memoryRouter.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { runUntil } from '../support/settle.js';

const MEMBERS = ['a', 'b', 'c'];
const TIMING = { phaseTimeoutMs: 20, takeoverMs: 40, backoffMaxMs: 400 };

class Cluster {
  readonly clock = new VirtualClock();
  readonly network = createMemoryNetwork({
    clock: this.clock,
    random: seededRandom(7),
    faults: { delayMs: { min: 1, max: 2 } },
  });
  readonly links = createMemoryNetwork({
    clock: this.clock,
    random: seededRandom(8),
    faults: { delayMs: { min: 1, max: 2 } },
  });
  readonly storages: Map<string, MemoryStorage>;
  constructor(decidedLogEntries?: number) {
    const options = { clock: this.clock, ...(decidedLogEntries ? { decidedLogEntries } : {}) };
    this.storages = new Map(MEMBERS.map((id) => [id, new MemoryStorage(options)]));
  }
  readonly nodes = new Map<string, GenPaxosNode>();
  private readonly routers = new Map<string, MemoryRouter>();
  private starts = 0;

  async start(id: string): Promise<GenPaxosNode> {
    const router = createMemoryRouter(this.links, id, {
      peers: MEMBERS.filter((p) => p !== id),
      clock: this.clock,
    });
    this.routers.set(id, router);
    const node = await startLink({
      id,
      members: MEMBERS,
      transport: this.network.connect(id),
      storage: this.storages.get(id)!,
      clock: this.clock,
      random: seededRandom(this.starts++),
      runtime: createActorNode({ name: id, clock: this.clock, router }),
      timing: TIMING,
      catchup: { pollMs: 500 },
    });
    this.nodes.set(id, node);
    return node;
  }

  /** The node dies with its runtime: its peers see its links go down. */
  async crash(id: string): Promise<void> {
    this.nodes.get(id)?.halt();
    this.nodes.delete(id);
    this.storages.get(id)!.crash();
    await this.routers.get(id)?.close();
  }

  settle<T>(promise: Promise<T>): Promise<T> {
    let done = false;
    const result = promise.finally(() => (done = true));
    return runUntil(this.clock, () => done, { maxVirtualMs: 60_000 }).then(() => result);
  }

  async stopAll(): Promise<void> {
    for (const node of this.nodes.values()) await node.stop();
    for (const router of this.routers.values()) await router.close();
  }
}

describe('catch-up on running nodes', () => {
  it('a restarted member reads what was decided while it was down, without asking again', async () => {
    const cluster = new Cluster();
    for (const id of MEMBERS) await cluster.start(id);
    const a = cluster.nodes.get('a')!;
    expect(await cluster.settle(a.ask('before', 'b0'))).toBe('b0');
    await cluster.crash('c');

    const keys = Array.from({ length: 40 }, (_, i) => `while-down-${i}`);
    for (const key of keys) expect(await cluster.settle(a.ask(key, `${key}=v`))).toBe(`${key}=v`);

    const c = await cluster.start('c');
    expect(c.read(keys[0]!)).toBeUndefined(); // it missed them
    await runUntil(cluster.clock, () => c.catchupProgress?.caughtUp === true, { maxVirtualMs: 30_000 });
    for (const key of keys) expect(c.read(key)).toBe(`${key}=v`);
    expect(c.askStats.started).toBe(0); // nobody asked c anything
    const progress = c.catchupProgress!;
    expect(progress.disagreements).toBe(0);
    const pulled = Object.values(progress.sources).reduce((sum, source) => sum + source.keys, 0);
    expect(pulled).toBeGreaterThanOrEqual(keys.length);
    for (const source of Object.values(progress.sources)) expect(source.lagKeys).toBe(0);
    // Durable: c's store holds the decisions and c's cursors, so a second restart pulls nothing new.
    expect(cluster.storages.get('c')!.catchupCursor('a')).toBeGreaterThan(0);
    expect(cluster.storages.get('c')!.load(keys[39]!)?.decided?.value).toBe(`${keys[39]}=v`);
    await cluster.stopAll();
  });

  it('a member that missed more than its peers’ logs keep reads their decided keys in key order, then their logs', async () => {
    const cluster = new Cluster(8); // each store's log keeps its last 8 numbers
    for (const id of MEMBERS) await cluster.start(id);
    const a = cluster.nodes.get('a')!;
    await cluster.crash('c');
    const keys = Array.from({ length: 30 }, (_, i) => `missed-${i}`);
    for (const key of keys) expect(await cluster.settle(a.ask(key, `${key}=v`))).toBe(`${key}=v`);
    expect(
      cluster.storages.get('a')!.decidedSince(0, { maxKeys: 100, maxBytes: 1 << 20 }).floor,
    ).toBeGreaterThan(0);

    const c = await cluster.start('c');
    await runUntil(cluster.clock, () => c.catchupProgress?.caughtUp === true, { maxVirtualMs: 30_000 });
    for (const key of keys) expect(c.read(key)).toBe(`${key}=v`);
    expect(c.askStats.started).toBe(0);
    for (const [peer, source] of Object.entries(c.catchupProgress!.sources)) {
      expect(source.keyOrderReads).toBe(1);
      expect(source.lagKeys).toBe(0);
      expect(cluster.storages.get('c')!.catchupCursor(peer)).toBe(cluster.storages.get(peer)!.decidedHead());
    }

    // Decisions it missed later, within what the logs keep, come from the logs: no second read in key order.
    await cluster.crash('c');
    for (const key of ['later-1', 'later-2']) expect(await cluster.settle(a.ask(key, key))).toBe(key);
    const again = await cluster.start('c');
    await runUntil(cluster.clock, () => again.catchupProgress?.caughtUp === true, { maxVirtualMs: 30_000 });
    expect(again.read('later-2')).toBe('later-2');
    for (const source of Object.values(again.catchupProgress!.sources)) expect(source.keyOrderReads).toBe(0);
    await cluster.stopAll();
  });

  it('a store that contradicts a peer’s decided log raises a disagreement: no node that sees it votes again', async () => {
    const cluster = new Cluster();
    // A store that says "k was decided 'forged'": what a broken disk or a bug would leave.
    const forged = { promised: null, accepted: null, decided: { value: 'forged' } };
    await cluster.settle(cluster.storages.get('c')!.write('k', forged));
    for (const id of ['a', 'b']) await cluster.start(id);
    const a = cluster.nodes.get('a')!;
    expect(await cluster.settle(a.ask('k', 'chosen'))).toBe('chosen');
    expect(await cluster.settle(a.ask('unrelated', 'u'))).toBe('u');

    const seen = new Map<string, GenPaxosNodeEmitted>();
    const c = await cluster.start('c');
    for (const [id, node] of cluster.nodes) node.on('disagreement', (event) => seen.set(id, event));
    await runUntil(cluster.clock, () => seen.size === 3, { maxVirtualMs: 30_000 });
    // c meets the decided 'chosen'; a and b meet c's 'forged' when they pull from c.
    expect(seen.get('c')).toMatchObject({
      type: 'disagreement',
      key: 'k',
      local: 'forged',
      theirs: 'chosen',
    });
    expect(seen.get('a')).toMatchObject({ key: 'k', peer: 'c', local: 'chosen', theirs: 'forged' });
    expect(c.catchupProgress?.disagreements).toBe(1);
    for (const node of cluster.nodes.values()) {
      const outcome = await cluster.settle(node.ask('new', 1).catch((error: { code: string }) => error.code));
      expect(outcome).toBe('PAXOS_ERR_DISAGREEMENT');
    }
    // What was decided stays readable: the alarm stops new decisions, not reads.
    expect(a.read('unrelated')).toBe('u');
    expect(c.read('unrelated')).toBe('u');
    await cluster.stopAll();
  });

  it('stopping the node forgets its peers’ links: a runtime that outlives it keeps no watcher', async () => {
    const clock = new VirtualClock();
    const links = createMemoryNetwork({ clock });
    const router = createMemoryRouter(links, 'a', { peers: ['b', 'c'], clock });
    const runtime = createActorNode({ name: 'a', clock, router });
    const live = new Set<unknown>();
    const monitor = runtime.monitorNode.bind(runtime);
    const demonitor = runtime.demonitorNode.bind(runtime);
    runtime.monitorNode = (node, watcher) => {
      const ref = monitor(node, watcher);
      live.add(ref);
      return ref;
    };
    runtime.demonitorNode = (ref) => live.delete(ref) && demonitor(ref);
    const node = await startLink({
      id: 'a',
      members: MEMBERS,
      transport: createMemoryNetwork({ clock }).connect('a'),
      storage: new MemoryStorage({ clock }),
      clock,
      runtime,
      timing: TIMING,
    });
    expect(node.catchupProgress).not.toBeNull();
    expect(live.size).toBe(2); // one per peer: b and c
    await node.stop();
    expect(live.size).toBe(0);
    await router.close();
  });

  it('is off with catchup: false, and without a runtime that can link to peers', async () => {
    const clock = new VirtualClock();
    const network = createMemoryNetwork({ clock, random: seededRandom(1) });
    const plain = await startLink({ id: 'a', members: MEMBERS, transport: network.connect('a'), clock });
    expect(plain.catchupProgress).toBeNull();
    const links = createMemoryNetwork({ clock, random: seededRandom(2) });
    const router = createMemoryRouter(links, 'b', { peers: ['a', 'c'], clock });
    const off = await startLink({
      id: 'b',
      members: MEMBERS,
      transport: network.connect('b'),
      clock,
      runtime: createActorNode({ name: 'b', clock, router }),
      catchup: false,
    });
    expect(off.catchupProgress).toBeNull();
    await expect(
      startLink({
        id: 'c',
        members: MEMBERS,
        transport: network.connect('c'),
        clock,
        catchup: { pollMs: -1 },
      }),
    ).rejects.toMatchObject({ code: 'PAXOS_ERR_BAD_OPTION', message: expect.stringMatching(/pollMs/) });
    await Promise.all([plain.stop(), off.stop(), router.close()]);
  });
});
