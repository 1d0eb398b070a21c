// An in-process network: nodes of one process exchange envelopes through it, with fault hooks
// (drop, duplicate, delay, reorder, partitions, one-way links) for tests and simulations.
// Deliveries are always asynchronous, so a send never re-enters the sender: scheduled on a clock,
// or, in manual mode, held until the test delivers them one by one (scenario files do).
import type { TimerClock } from '../base/clock.js';
import type { Envelope } from '../paxos/messages.js';
import { systemRandom, type RandomSource } from '../base/random.js';
import type { Transport } from './transport.js';

export interface LinkFaults {
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a delivered message is delivered twice. */
  readonly duplicateRate: number;
  /** Each delivery waits a uniform draw in [minMs, maxMs]; different draws reorder messages. */
  readonly delayMs: { readonly min: number; readonly max: number };
  /** With probability `rate`, a delivery waits up to `maxMs` more: the long tail of real networks. */
  readonly longTail: { readonly rate: number; readonly maxMs: number };
}

export const NO_FAULTS: LinkFaults = {
  dropRate: 0,
  duplicateRate: 0,
  delayMs: { min: 0, max: 0 },
  longTail: { rate: 0, maxMs: 0 },
};

export type Verdict = 'deliver' | 'drop';
export type EnvelopeFilter = (envelope: Envelope) => Verdict;
export type NetworkEventKind = 'sent' | 'delivered' | 'dropped' | 'duplicated';
export type NetworkListener = (kind: NetworkEventKind, envelope: Envelope) => void;

export interface MemoryNetworkOptions {
  /** Schedules deliveries; without it they run on Node's event loop (`setImmediate`/`setTimeout`). */
  readonly clock?: TimerClock;
  /** Draws fault decisions; seed it to replay a run. */
  readonly random?: RandomSource;
  readonly faults?: Partial<LinkFaults>;
  /**
   * `'scheduled'` (default): each message is delivered by a timer after its drawn delay.
   * `'manual'`: messages that pass the faults wait in `inFlight()` until `deliverNext` hands them
   * over, so a test chooses every interleaving; delays and the long tail are ignored.
   */
  readonly delivery?: 'scheduled' | 'manual';
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
}

interface Endpoint {
  receiver: ((envelope: Envelope) => void) | null;
}

export class MemoryNetwork {
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly blocked = new Set<string>();
  private readonly filters = new Set<EnvelopeFilter>();
  private readonly listeners = new Set<NetworkListener>();
  private groups: Map<string, number> | null = null;
  /** Manual delivery: messages sent and not yet delivered, oldest first. */
  private readonly held: Envelope[] = [];
  private faults: LinkFaults;
  private readonly random: RandomSource;

  constructor(private readonly options: MemoryNetworkOptions = {}) {
    this.random = options.random ?? systemRandom;
    this.faults = { ...NO_FAULTS, ...options.faults };
  }

  /** The transport of node `id`. Connecting an id again replaces its endpoint (a restarted node). */
  connect(id: string): Transport {
    const endpoint: Endpoint = { receiver: null };
    this.endpoints.set(id, endpoint);
    let closed = false;
    return {
      nodeId: id,
      send: (envelope) => {
        if (!closed) this.send({ ...envelope, from: id });
      },
      listen: (receiver) => {
        endpoint.receiver = receiver;
      },
      close: async () => {
        closed = true;
        endpoint.receiver = null;
        if (this.endpoints.get(id) === endpoint) this.endpoints.delete(id);
      },
      // A stopped or crashed node is known to be gone, as a refused connection tells a real
      // node; a partition or a paused node stays silent, as on a real network.
      isLinkUp: (peer) => this.endpoints.has(peer),
    };
  }

  /** Cuts the network into groups; nodes in different groups cannot reach each other. Unlisted nodes form one more group. */
  partition(...groups: readonly (readonly string[])[]): void {
    this.groups = new Map();
    groups.forEach((group, index) => group.forEach((id) => this.groups?.set(id, index)));
  }

  /** Blocks messages from `from` to `to` only (a one-way link failure). */
  block(from: string, to: string): void {
    this.blocked.add(`${from}\u0000${to}`);
  }

  unblock(from: string, to: string): void {
    this.blocked.delete(`${from}\u0000${to}`);
  }

  /** Removes partitions and one-way blocks. Probabilistic faults stay as set. */
  heal(): void {
    this.groups = null;
    this.blocked.clear();
  }

  setFaults(faults: Partial<LinkFaults>): void {
    this.faults = { ...this.faults, ...faults };
  }

  /** Adds a filter that may drop envelopes; returns its remover. */
  addFilter(filter: EnvelopeFilter): () => void {
    this.filters.add(filter);
    return () => this.filters.delete(filter);
  }

  /** Observes every envelope sent, delivered, dropped or duplicated; returns the remover. */
  observe(listener: NetworkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Messages sent and not yet delivered, oldest first (manual delivery; empty otherwise). */
  inFlight(): readonly Envelope[] {
    return [...this.held];
  }

  /**
   * Manual delivery: delivers the oldest in-flight message that `match` accepts (any, by
   * default) and returns it, or returns `undefined` if none matches. A partition still cuts it
   * (and a stopped receiver loses it), as for a scheduled delivery.
   */
  deliverNext(match: (envelope: Envelope) => boolean = () => true): Envelope | undefined {
    const index = this.held.findIndex(match);
    if (index < 0) return undefined;
    const [envelope] = this.held.splice(index, 1) as [Envelope];
    this.deliver(envelope);
    return envelope;
  }

  /** Whether a message from `from` would currently reach `to` (partitions and blocks only). */
  canReach(from: string, to: string): boolean {
    if (this.blocked.has(`${from}\u0000${to}`)) return false;
    if (this.groups === null) return true;
    return (this.groups.get(from) ?? -1) === (this.groups.get(to) ?? -1);
  }

  private send(envelope: Envelope): void {
    this.stats.sent++;
    this.notify('sent', envelope);
    if (!this.canReach(envelope.from, envelope.to) || this.random.next() < this.faults.dropRate) {
      this.drop(envelope);
      return;
    }
    for (const filter of this.filters) {
      if (filter(envelope) === 'drop') {
        this.drop(envelope);
        return;
      }
    }
    this.schedule(envelope);
    if (this.faults.duplicateRate > 0 && this.random.next() < this.faults.duplicateRate) {
      this.stats.duplicated++;
      this.notify('duplicated', envelope);
      this.schedule(envelope);
    }
  }

  private schedule(envelope: Envelope): void {
    if (this.options.delivery === 'manual') {
      this.held.push(envelope);
      return;
    }
    const { min, max } = this.faults.delayMs;
    let delayMs = max > min ? min + this.random.next() * (max - min) : min;
    const tail = this.faults.longTail;
    if (tail.rate > 0 && this.random.next() < tail.rate) delayMs += this.random.next() * tail.maxMs;
    const deliver = () => this.deliver(envelope);
    if (this.options.clock) this.options.clock.setTimeout(deliver, delayMs);
    else if (delayMs > 0) setTimeout(deliver, delayMs);
    else setImmediate(deliver);
  }

  private deliver(envelope: Envelope): void {
    // Partitions also cut messages already in flight.
    const receiver = this.endpoints.get(envelope.to)?.receiver;
    if (!receiver || !this.canReach(envelope.from, envelope.to)) {
      this.drop(envelope);
      return;
    }
    this.stats.delivered++;
    this.notify('delivered', envelope);
    receiver(envelope);
  }

  private drop(envelope: Envelope): void {
    this.stats.dropped++;
    this.notify('dropped', envelope);
  }

  private notify(kind: NetworkEventKind, envelope: Envelope): void {
    for (const listener of this.listeners) listener(kind, envelope);
  }
}

/** An in-process network for nodes of one process. */
export function createMemoryNetwork(options: MemoryNetworkOptions = {}): MemoryNetwork {
  return new MemoryNetwork(options);
}
