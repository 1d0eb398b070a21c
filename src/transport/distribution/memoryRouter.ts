// A RemoteRouter over the in-process MemoryNetwork, for tests and single-process demos. Like the
// WebSocket links it stands in for, it learns that a peer is up from its heartbeats and declares
// it down when they stop (a closed node, a partition), and it copies every message as a wire
// would, so nothing but plain data crosses between nodes.
import type { PaxosMessage } from '../../paxos/messages.js';
import type { MemoryNetwork } from '../memoryNetwork.js';
import type { Transport } from '../transport.js';
import type { RuntimeClock } from '../../base/clock.js';
import type { DistMessage, RemoteRouter, RouterListener } from '../../runtime/distribution/remoteRouter.js';

/** The envelope key of runtime frames, apart from any Paxos key. */
export const RUNTIME_FRAME_KEY = '$runtime';

type Frame = { readonly kind: 'heartbeat' } | { readonly kind: 'data'; readonly message: DistMessage };

export interface MemoryRouterOptions {
  /** The other nodes this one links to. */
  readonly peers: readonly string[];
  /** Drives heartbeats; give the network the same clock. */
  readonly clock: RuntimeClock;
  /** Heartbeat period. Default 100 ms. */
  readonly heartbeatMs?: number;
  /** A peer silent this long is down. Default three heartbeats. */
  readonly downAfterMs?: number;
}

export interface MemoryRouterStats {
  sent: number;
  received: number;
  /** Messages dropped because their peer was down. */
  droppedDown: number;
  /** Messages dropped because they were not plain data. */
  droppedUnserializable: number;
}

export class MemoryRouter implements RemoteRouter {
  readonly stats: MemoryRouterStats = { sent: 0, received: 0, droppedDown: 0, droppedUnserializable: 0 };
  private readonly up = new Set<string>();
  private readonly lastSeenMs = new Map<string, number>();
  private readonly heartbeatMs: number;
  private readonly downAfterMs: number;
  private readonly transport: Transport;
  private listener: RouterListener | null = null;
  private timer: unknown = undefined;
  private closed = false;

  constructor(
    network: MemoryNetwork,
    readonly node: string,
    private readonly options: MemoryRouterOptions,
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 100;
    this.downAfterMs = options.downAfterMs ?? 3 * this.heartbeatMs;
    this.transport = network.connect(node);
    this.transport.listen((envelope) => {
      if (envelope.key !== RUNTIME_FRAME_KEY || this.closed) return;
      this.received(envelope.from, envelope.message as unknown as Frame);
    });
    this.tick();
  }

  send(to: string, message: DistMessage): void {
    if (this.closed || !this.up.has(to)) {
      this.stats.droppedDown++;
      return;
    }
    let copy: DistMessage;
    try {
      copy = structuredClone(message);
    } catch {
      // A function or a class instance in an event or reply: a real wire could not carry it either.
      this.stats.droppedUnserializable++;
      return;
    }
    this.stats.sent++;
    this.emit(to, { kind: 'data', message: copy });
  }

  listen(listener: RouterListener): void {
    this.listener = listener;
  }

  isConnected(node: string): boolean {
    return this.up.has(node);
  }

  connectedNodes(): string[] {
    return [...this.up].sort();
  }

  /** Stops heartbeats and links: peers see this node go down after their `downAfterMs`. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    for (const peer of [...this.up]) this.down(peer);
    await this.transport.close();
  }

  private received(from: string, frame: Frame): void {
    if (!this.options.peers.includes(from)) return;
    this.lastSeenMs.set(from, this.options.clock.now());
    if (!this.up.has(from)) {
      this.up.add(from);
      this.listener?.nodeup(from);
    }
    if (frame.kind === 'data') {
      this.stats.received++;
      this.listener?.message(from, frame.message);
    }
  }

  private tick(): void {
    if (this.closed) return;
    const now = this.options.clock.now();
    for (const peer of [...this.up]) {
      if (now - (this.lastSeenMs.get(peer) ?? now) > this.downAfterMs) this.down(peer);
    }
    for (const peer of this.options.peers) this.emit(peer, { kind: 'heartbeat' });
    this.timer = this.options.clock.setTimeout(() => this.tick(), this.heartbeatMs);
  }

  private down(peer: string): void {
    if (!this.up.delete(peer)) return;
    this.listener?.nodedown(peer);
  }

  private emit(to: string, frame: Frame): void {
    // The network's envelope is typed for Paxos messages; runtime frames ride under their own key.
    this.transport.send({
      from: this.node,
      to,
      key: RUNTIME_FRAME_KEY,
      message: frame as unknown as PaxosMessage,
    });
  }
}

/**
 * A router for node `node` over `network`.
 *
 * @example
 * const clock = new VirtualClock();
 * const network = createMemoryNetwork({ clock });
 * const a = createActorNode({ clock, router: createMemoryRouter(network, 'a', { peers: ['b'], clock }) });
 */
export function createMemoryRouter(
  network: MemoryNetwork,
  node: string,
  options: MemoryRouterOptions,
): MemoryRouter {
  return new MemoryRouter(network, node, options);
}
