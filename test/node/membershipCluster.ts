// The cluster the membership tests run on (membershipChange.test.ts, issue15Counterexample.test.ts):
// nodes on one memory network and one virtual clock, seeded, with stores that outlive their nodes
// (a crash keeps what was committed; `loseDisk` drops the store too).
import { VirtualClock } from '../../src/base/virtualClock.js';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { runUntil } from '../support/settle.js';

const TIMING = { phaseTimeoutMs: 20, takeoverMs: 40, backoffMaxMs: 400 };

/** Nodes on one memory network and one virtual clock, each with a store that outlives it. */
export class Cluster {
  readonly clock = new VirtualClock();
  readonly network = createMemoryNetwork({
    clock: this.clock,
    random: seededRandom(11),
    faults: { delayMs: { min: 1, max: 3 } },
  });
  readonly storages = new Map<string, MemoryStorage>();
  readonly nodes = new Map<string, GenPaxosNode>();
  private starts = 0;

  constructor(
    readonly initial: readonly string[],
    private readonly ownerFastPath = true,
  ) {}

  async start(id: string, join = false): Promise<GenPaxosNode> {
    let storage = this.storages.get(id);
    if (storage === undefined) this.storages.set(id, (storage = new MemoryStorage({ clock: this.clock })));
    const node = await startLink({
      id,
      members: join ? [id] : this.initial,
      join,
      transport: this.network.connect(id),
      storage,
      clock: this.clock,
      random: seededRandom(100 + this.starts++),
      timing: TIMING,
      catchup: false,
      ownerFastPath: this.ownerFastPath,
      askTimeoutMs: 30_000,
    });
    this.nodes.set(id, node);
    return node;
  }

  node(id: string): GenPaxosNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  /** The node dies and its data directory with it. */
  loseDisk(id: string): void {
    this.node(id).halt();
    this.nodes.delete(id);
    this.storages.delete(id);
  }

  settle<T>(promise: Promise<T>): Promise<T> {
    let done = false;
    const result = promise.finally(() => (done = true));
    result.catch(() => {}); // rejected while the clock runs: handled by the caller's await
    return runUntil(this.clock, () => done, { maxVirtualMs: 120_000 }).then(() => result);
  }

  complete(id: string): boolean {
    return this.node(id).internals.membership.current?.complete === true;
  }

  async stopAll(): Promise<void> {
    for (const node of this.nodes.values()) await node.stop();
  }
}

/** What a promise came to: its value, or its error's code and message. */
export const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
  );
