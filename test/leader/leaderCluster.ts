// N nodes in one process on one VirtualClock, each with a gen-paxos node, a runtime node linked
// to the others by MemoryRouters, and a leader process of one group. Paxos messages and runtime
// links ride two in-memory networks (a network endpoint belongs to one transport), both cut by
// `partition`. For the API tests and the fencing example.
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { startLeader, type GenLeader, type StartLeaderOptions } from '../../src/leader/startLeader.js';
import type { LeaderEmitted } from '../../src/leader/leaderEvents.js';
import { createActorNode, type ActorNode } from '../../src/runtime/actorNode.js';
import { createMemoryRouter, type MemoryRouter } from '../../src/transport/distribution/memoryRouter.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork, type MemoryNetwork } from '../../src/transport/memoryNetwork.js';
import { runFor, runToSettle, runUntil } from '../support/settle.js';

export const GROUP = 'g';

export interface LeaderNode {
  readonly id: string;
  readonly paxos: GenPaxosNode;
  readonly node: ActorNode;
  readonly router: MemoryRouter;
  readonly leader: GenLeader;
}

export type LeaderOptions = Partial<Omit<StartLeaderOptions, 'paxos' | 'node' | 'clock' | 'random'>>;

export class LeaderCluster {
  readonly clock = new VirtualClock();
  readonly paxosNet: MemoryNetwork;
  readonly runtimeNet: MemoryNetwork;
  readonly ids: readonly string[];
  readonly events: LeaderEmitted[] = [];
  private readonly running = new Map<string, LeaderNode>();
  /** Each node's disk: kept across crashes, so a restart resumes from what it had committed. */
  readonly storages = new Map<string, MemoryStorage>();
  private starts = 0;

  constructor(
    size: number,
    private readonly leaderOptions: LeaderOptions = {},
    /** Extra runtime nodes (no Paxos, no leader), such as a resource the leaders write to. */
    readonly extraNodes: readonly string[] = [],
  ) {
    this.paxosNet = createMemoryNetwork({ clock: this.clock, faults: { delayMs: { min: 1, max: 1 } } });
    this.runtimeNet = createMemoryNetwork({ clock: this.clock, faults: { delayMs: { min: 1, max: 1 } } });
    this.ids = Array.from({ length: size }, (_, i) => String.fromCharCode(97 + i));
  }

  async start(): Promise<this> {
    for (const id of this.ids) await this.startNode(id);
    return this;
  }

  get(id: string): LeaderNode {
    const node = this.running.get(id);
    if (!node) throw new Error(`node ${id} is not running`);
    return node;
  }

  get nodes(): LeaderNode[] {
    return [...this.running.values()];
  }

  /** A runtime node linked to every other node (leaders and extras). */
  runtimeNode(name: string): { node: ActorNode; router: MemoryRouter } {
    const router = createMemoryRouter(this.runtimeNet, name, {
      peers: [...this.ids, ...this.extraNodes].filter((peer) => peer !== name),
      clock: this.clock,
    });
    return { node: createActorNode({ name, clock: this.clock, router, onCrash: () => {} }), router };
  }

  async startNode(id: string): Promise<LeaderNode> {
    this.starts++;
    const paxos = await startLink({
      id,
      members: this.ids,
      transport: this.paxosNet.connect(id),
      storage: this.storageOf(id),
      clock: this.clock,
      random: seededRandom(this.starts * 17),
    });
    const { node, router } = this.runtimeNode(id);
    const leader = startLeader(GROUP, {
      leaseMs: 1000,
      driftBound: 0.01,
      candidates: this.ids,
      ...this.leaderOptions,
      paxos,
      node,
      clock: this.clock,
      random: seededRandom(this.starts * 31),
    });
    for (const type of ['elected', 'renewed', 'steppedDown', 'surrendered', 'leaderChanged'] as const)
      leader.on(type, (event) => this.events.push(event));
    const started: LeaderNode = { id, paxos, node, router, leader };
    this.running.set(id, started);
    return started;
  }

  private storageOf(id: string): MemoryStorage {
    let storage = this.storages.get(id);
    if (!storage) this.storages.set(id, (storage = new MemoryStorage()));
    return storage;
  }

  /** The node that leads, once exactly one does and every node of `among` (default: all running) names it. */
  async leader(
    among: readonly string[] = [...this.running.keys()],
    maxVirtualMs = 10_000,
  ): Promise<LeaderNode> {
    const agreed = () => {
      const [leader, ...more] = this.leaders();
      return (
        leader !== undefined &&
        more.length === 0 &&
        among.every((id) => this.running.get(id)?.leader.leader()?.node === leader.id)
      );
    };
    await runUntil(this.clock, agreed, { maxVirtualMs });
    return this.leaders()[0] as LeaderNode;
  }

  leaders(): LeaderNode[] {
    return this.nodes.filter((n) => n.leader.isLeader());
  }

  /** Kills node `id` as a crash would: Paxos node, leader process and links stop at once. */
  crash(id: string): void {
    const n = this.get(id);
    n.leader.halt();
    n.paxos.halt();
    void n.router.close();
    this.storages.get(id)?.crash();
    this.running.delete(id);
  }

  partition(...groups: readonly (readonly string[])[]): void {
    this.paxosNet.partition(...groups);
    this.runtimeNet.partition(...groups);
  }

  heal(): void {
    this.paxosNet.heal();
    this.runtimeNet.heal();
  }

  run(ms: number): Promise<void> {
    return runFor(this.clock, ms);
  }

  settle<T>(promise: Promise<T>, maxVirtualMs = 20_000): Promise<T> {
    return runToSettle(this.clock, promise, { maxVirtualMs });
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) {
      n.leader.halt();
      await n.paxos.stop();
      await n.router.close();
    }
    this.running.clear();
  }
}
