// A deterministic in-process cluster for tests: N gen-paxos nodes on one VirtualClock, a
// seeded in-memory network and in-memory storage per node, with crash and restart.
import type { InspectionEvent } from 'xstate';
import type { InstanceMachine, InstanceTiming } from '../../src/paxos/instanceMachine.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { type RandomSource } from '../../src/base/random.js';
import { seededRandom } from '../../src/paxos/prng.js';
import type { RestartIntensity } from '../../src/runtime/restartIntensity.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import {
  createMemoryNetwork,
  type LinkFaults,
  type MemoryNetwork,
} from '../../src/transport/memoryNetwork.js';
import { runToSettle, runUntil, type RunOptions } from './settle.js';

export interface ClusterOptions {
  readonly size: number;
  readonly seed?: number;
  readonly faults?: Partial<LinkFaults>;
  readonly timing?: Partial<InstanceTiming>;
  /** Virtual milliseconds per storage commit. */
  readonly commitDelayMs?: number;
  readonly instanceLogic?: InstanceMachine;
  readonly restartIntensity?: RestartIntensity;
  readonly askTimeoutMs?: number;
  /** False: every key gets an instance actor on every node it reaches (default true). */
  readonly acceptorFastPath?: boolean;
  /** False: every proposal runs both phases, no owner ballot 0 (default true). */
  readonly ownerFastPath?: boolean;
  /** Receives every node's XState inspection events. */
  readonly inspect?: (nodeId: string, event: InspectionEvent) => void;
  /** False: `inspect` sees live instances only, not keys handled without one (default true). */
  readonly inspectInstanceLess?: boolean;
  /** False: phase timeouts stay as `timing` gives them, not adapted to measured phases (default true). */
  readonly adaptiveTiming?: boolean;
}

export class TestCluster {
  readonly clock = new VirtualClock();
  readonly random: RandomSource;
  readonly network: MemoryNetwork;
  readonly members: readonly string[];
  readonly storages = new Map<string, MemoryStorage>();
  private readonly nodes = new Map<string, GenPaxosNode>();

  constructor(readonly options: ClusterOptions) {
    this.random = seededRandom(options.seed ?? 1);
    this.network = createMemoryNetwork({
      clock: this.clock,
      random: this.random,
      faults: { delayMs: { min: 1, max: 1 }, ...options.faults },
    });
    this.members = Array.from({ length: options.size }, (_, i) => String.fromCharCode(97 + i)); // a, b, c…
    for (const id of this.members) {
      this.storages.set(
        id,
        new MemoryStorage({ clock: this.clock, commitDelayMs: options.commitDelayMs ?? 0 }),
      );
    }
  }

  async start(): Promise<this> {
    for (const id of this.members) await this.startNode(id);
    return this;
  }

  node(id: string): GenPaxosNode {
    const node = this.nodes.get(id);
    if (!node) throw new Error(`node ${id} is not running`);
    return node;
  }

  get running(): GenPaxosNode[] {
    return [...this.nodes.values()];
  }

  /** Asks through node `id` and runs the clock until the ask settles. */
  ask(
    id: string,
    key: string,
    value: PaxosValue,
    options: RunOptions & { timeoutMs?: number } = {},
  ): Promise<PaxosValue> {
    const asked = this.node(id).ask(key, value, options.timeoutMs ? { timeoutMs: options.timeoutMs } : {});
    return runToSettle(this.clock, asked, options);
  }

  /** Runs the clock until every promise settles. */
  async settle<T>(
    promises: readonly Promise<T>[],
    options: RunOptions = {},
  ): Promise<PromiseSettledResult<T>[]> {
    const all = Promise.allSettled(promises);
    return runToSettle(this.clock, all, options);
  }

  runUntil(done: () => boolean, options: RunOptions = {}): Promise<void> {
    return runUntil(this.clock, done, options);
  }

  /** A crash: the node stops at once, and writes it had not committed are lost. */
  crash(id: string): void {
    this.node(id).halt();
    this.nodes.delete(id);
    this.storages.get(id)?.crash();
  }

  /** Starts node `id` again on its storage (what it had committed). */
  async restart(id: string): Promise<GenPaxosNode> {
    return this.startNode(id);
  }

  /** The values nodes have decided for `key` (read locally), one entry per running node that knows it. */
  decisions(key: string): Map<string, PaxosValue> {
    const out = new Map<string, PaxosValue>();
    for (const [id, node] of this.nodes) {
      const value = node.read(key);
      if (value !== undefined) out.set(id, value);
    }
    return out;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => node.stop()));
    this.nodes.clear();
  }

  private async startNode(id: string): Promise<GenPaxosNode> {
    const node = await startLink({
      id,
      members: this.members,
      transport: this.network.connect(id),
      storage: this.storages.get(id) as MemoryStorage,
      clock: this.clock,
      random: this.random,
      ...(this.options.timing ? { timing: this.options.timing } : {}),
      ...(this.options.instanceLogic ? { instanceLogic: this.options.instanceLogic } : {}),
      ...(this.options.restartIntensity ? { restartIntensity: this.options.restartIntensity } : {}),
      ...(this.options.ownerFastPath !== undefined ? { ownerFastPath: this.options.ownerFastPath } : {}),
      ...(this.options.acceptorFastPath !== undefined
        ? { acceptorFastPath: this.options.acceptorFastPath }
        : {}),
      ...(this.options.askTimeoutMs ? { askTimeoutMs: this.options.askTimeoutMs } : {}),
      ...(this.options.adaptiveTiming !== undefined ? { adaptiveTiming: this.options.adaptiveTiming } : {}),
      ...(this.options.inspect
        ? { inspect: (event: InspectionEvent) => this.options.inspect?.(id, event) }
        : {}),
      ...(this.options.inspectInstanceLess !== undefined
        ? { inspectInstanceLess: this.options.inspectInstanceLess }
        : {}),
    });
    this.nodes.set(id, node);
    return node;
  }
}

export async function startCluster(options: ClusterOptions): Promise<TestCluster> {
  return new TestCluster(options).start();
}
