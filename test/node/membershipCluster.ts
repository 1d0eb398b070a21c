// The clusters the membership tests run on, each node with a store that outlives it (a crash
// keeps what was committed; dropping the store loses the disk too): `Cluster`, nodes on one
// seeded memory network and one virtual clock (membershipChange.test.ts,
// issue15Counterexample.test.ts); `WsCluster`, nodes on loopback WebSocket transports with ports
// picked at run time (membershipWebSocket.test.ts).
import { VirtualClock } from '../../src/base/virtualClock.js';
import { freePorts } from '../../src/cli/freePorts.js';
import { storedTransportMembership } from '../../src/node/membership/transportMembership.js';
import { startLink, type GenPaxosNode } from '../../src/node/genPaxos.js';
import { seededRandom } from '../../src/paxos/prng.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { createMemoryNetwork } from '../../src/transport/memoryNetwork.js';
import {
  createWebSocketTransport,
  type WebSocketTransport,
} from '../../src/transport/peer/webSocketTransport.js';
import type { TransportMembership } from '../../src/transport/transport.js';
import { runUntil } from '../support/settle.js';
import { CLUSTER, SECRET } from '../wire/helpers.js';

const TIMING = { phaseTimeoutMs: 20, takeoverMs: 40, backoffMaxMs: 400 };

/** Running nodes by id, and each id's store, kept after its node stops until a test deletes it. */
abstract class NodesWithStores {
  readonly storages = new Map<string, MemoryStorage>();
  readonly nodes = new Map<string, GenPaxosNode>();

  /** `id`'s store: the one it had before, or a new one made by `create`. */
  protected storageOf(id: string, create: () => MemoryStorage): MemoryStorage {
    let storage = this.storages.get(id);
    if (storage === undefined) this.storages.set(id, (storage = create()));
    return storage;
  }

  node(id: string): GenPaxosNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }
}

/** Nodes on one memory network and one virtual clock, each with a store that outlives it. */
export class Cluster extends NodesWithStores {
  readonly clock = new VirtualClock();
  readonly network = createMemoryNetwork({
    clock: this.clock,
    random: seededRandom(11),
    faults: { delayMs: { min: 1, max: 3 } },
  });
  private starts = 0;

  constructor(
    readonly initial: readonly string[],
    private readonly ownerFastPath = true,
  ) {
    super();
  }

  async start(id: string, join = false): Promise<GenPaxosNode> {
    const storage = this.storageOf(id, () => new MemoryStorage({ clock: this.clock }));
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

/** Nodes on loopback WebSocket transports (real time), each with a store that outlives it. */
export class WsCluster extends NodesWithStores {
  readonly urls: Record<string, string> = {};
  readonly ports: Record<string, number> = {};
  /** Transports made with `transport` and no node: `stopAll` closes them. */
  readonly loose: WebSocketTransport[] = [];
  /** Each node's transport as it was before its node started. */
  readonly started = new Map<string, { readonly members: readonly string[] }>();

  private constructor(private readonly askTimeoutMs: number) {
    super();
  }

  /** A cluster whose nodes may take any of `ids`; asks time out after `askTimeoutMs` (real time). */
  static async create(ids: readonly string[], askTimeoutMs = 20_000): Promise<WsCluster> {
    const cluster = new WsCluster(askTimeoutMs);
    const free = await freePorts(ids.length);
    ids.forEach((id, i) => {
      cluster.ports[id] = free[i] as number;
      cluster.urls[id] = `ws://127.0.0.1:${free[i]}`;
    });
    return cluster;
  }

  /** A transport for `id` dialling `peers` (by id, at their URLs). */
  transport(
    id: string,
    peers: readonly string[],
    join = false,
    membership?: TransportMembership,
  ): Promise<WebSocketTransport> {
    return createWebSocketTransport({
      ...(membership ? { membership } : {}),
      cluster: CLUSTER,
      secret: SECRET,
      incarnation: `${id}-1`,
      heartbeatIntervalMs: 200,
      heartbeatTimeoutMs: 2000,
      reconnectBaseMs: 20,
      reconnectMaxMs: 200,
      refusedRedialMs: 500,
      join,
      nodeId: id,
      listen: { host: '127.0.0.1', port: this.ports[id] as number },
      peers: Object.fromEntries(peers.map((peer) => [peer, this.urls[peer] as string])),
    });
  }

  /** Starts `id` as one of the `members` the group started with, or as a new member joining it. */
  async start(
    id: string,
    options: {
      members: readonly string[];
      join?: boolean;
      hints?: readonly string[];
      /** Hand the transport the configuration the store holds, as a restarted node's server would. */
      fromStore?: boolean;
    },
  ): Promise<GenPaxosNode> {
    const join = options.join === true;
    const peers = options.hints ?? options.members.filter((peer) => peer !== id);
    const storage = this.storageOf(id, () => new MemoryStorage());
    const membership = options.fromStore ? storedTransportMembership(id, storage) : undefined;
    const transport = await this.transport(id, peers, join, membership);
    this.started.set(id, { members: transport.linkedMembers });
    const node = await startLink({
      id,
      members: join ? [id] : options.members,
      join,
      transport,
      storage,
      catchup: false,
      askTimeoutMs: this.askTimeoutMs,
    });
    this.nodes.set(id, node);
    return node;
  }

  async stop(id: string): Promise<void> {
    await this.node(id).stop();
    this.nodes.delete(id);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((node) => node.stop()));
    await Promise.all(this.loose.map((transport) => transport.close()));
    this.nodes.clear();
  }
}

/** What a promise came to: its value, or its error's code and message. */
export const failure = (promise: Promise<unknown>) =>
  promise.then(
    (value) => ({ value }),
    (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message }),
  );
