// A transport decorator that injects faults on a node's own links — blocks in either direction,
// random loss, delay — for the live demo's controls and the real-process chaos tests, and holds
// outbound messages for delivery by hand (the demo's teaching mode), stopping the node's timers
// (its HoldableClock, `clock`) while it does. Only a node started with fault injection allowed
// accepts `faults` and `release` requests; everything else passes through.
import type { Envelope } from '../paxos/messages.js';
import { NO_LINK_FAULTS, type LinkFaultSpec, type ReleaseHow } from '../transport/wire/frames.js';
import type { SendOptions, Transport, TransportStats } from '../transport/transport.js';
import { HoldableClock } from './holdableClock.js';

export interface InjectedFaultStats {
  blockedOut: number;
  blockedIn: number;
  dropped: number;
  delayed: number;
  /** Messages held for delivery by hand, and of those, dropped by hand. */
  held: number;
  droppedByHand: number;
}

/** Told about held messages (the view feed shows them). */
export interface HoldObserver {
  held(id: number, envelope: Envelope): void;
  /** Called before a delivered message (or a duplicate) leaves. */
  released(id: number, how: ReleaseHow): void;
}

export class FaultInjectingTransport implements Transport {
  readonly injected: InjectedFaultStats = {
    blockedOut: 0,
    blockedIn: 0,
    dropped: 0,
    delayed: 0,
    held: 0,
    droppedByHand: 0,
  };
  /** Give to the node: its timers stand still while messages are held. */
  readonly clock: HoldableClock;
  private faults: LinkFaultSpec = NO_LINK_FAULTS;
  private blockOut = new Set<string>();
  private blockIn = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  /** Held messages by id, oldest first. */
  private readonly heldMessages = new Map<number, Envelope>();
  private nextHeldId = 1;
  private observer: HoldObserver | null = null;

  constructor(
    private readonly inner: Transport,
    private readonly random: () => number = Math.random,
    clock?: HoldableClock,
  ) {
    this.clock = clock ?? new HoldableClock();
  }

  /** Reports held messages to `observer` from now on. */
  observe(observer: HoldObserver): void {
    this.observer = observer;
  }

  /** Messages waiting to be delivered by hand. */
  get heldCount(): number {
    return this.heldMessages.size;
  }

  get nodeId(): string {
    return this.inner.nodeId;
  }

  get current(): LinkFaultSpec {
    return this.faults;
  }

  /** Replaces the faults in force. Ending `hold` delivers what waits, in order, then restarts the timers. */
  set(faults: LinkFaultSpec): LinkFaultSpec {
    const wasHolding = this.faults.hold;
    this.faults = faults;
    this.blockOut = new Set(faults.blockOut);
    this.blockIn = new Set(faults.blockIn);
    if (faults.hold) this.clock.hold();
    else if (wasHolding) {
      this.release('all', 'deliver');
      this.clock.resume();
    }
    return faults;
  }

  /**
   * Releases held message `id` (or every one): delivers it, drops it, or delivers a copy and
   * keeps holding it. Returns how many were released (0: no such message is held).
   */
  release(id: number | 'all', how: ReleaseHow): number {
    const ids = id === 'all' ? [...this.heldMessages.keys()] : [id];
    let released = 0;
    for (const heldId of ids) {
      const envelope = this.heldMessages.get(heldId);
      if (envelope === undefined) continue;
      released++;
      if (how !== 'duplicate') this.heldMessages.delete(heldId);
      this.observer?.released(heldId, how);
      if (how === 'drop') this.injected.droppedByHand++;
      else this.inner.send(envelope);
    }
    return released;
  }

  /** The real link's state: injected faults are silent, as a real network's are. */
  isLinkUp(peer: string): boolean {
    return this.inner.isLinkUp?.(peer) ?? true;
  }

  /** A held or delayed envelope leaves later as an ordinary one; `options` only travel at once. */
  send(envelope: Envelope, options?: SendOptions): void {
    if (this.blockOut.has(envelope.to)) {
      this.injected.blockedOut++;
      return;
    }
    if (this.faults.hold) {
      const id = this.nextHeldId++;
      this.heldMessages.set(id, envelope);
      this.injected.held++;
      this.observer?.held(id, envelope);
      return;
    }
    const { dropRate, delayMs, jitterMs } = this.faults;
    if (dropRate > 0 && this.random() < dropRate) {
      this.injected.dropped++;
      return;
    }
    const waitMs = delayMs + (jitterMs > 0 ? this.random() * jitterMs : 0);
    if (waitMs <= 0) {
      this.inner.send(envelope, options);
      return;
    }
    this.injected.delayed++;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.inner.send(envelope);
    }, waitMs);
    this.timers.add(timer);
  }

  listen(receiver: (envelope: Envelope) => void): void {
    this.inner.listen((envelope) => {
      if (this.blockIn.has(envelope.from)) {
        this.injected.blockedIn++;
        return;
      }
      receiver(envelope);
    });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.heldMessages.clear();
    await this.inner.close();
  }

  stats(): TransportStats {
    const inner = this.inner.stats?.() ?? {
      messagesSent: 0,
      messagesReceived: 0,
      messagesDropped: {},
      messagesRefused: {},
      linksUp: 0,
    };
    return {
      ...inner,
      messagesDropped: {
        ...inner.messagesDropped,
        ...(this.injected.blockedOut > 0 ? { injected_block: this.injected.blockedOut } : {}),
        ...(this.injected.dropped > 0 ? { injected_drop: this.injected.dropped } : {}),
        ...(this.injected.droppedByHand > 0 ? { dropped_by_hand: this.injected.droppedByHand } : {}),
      },
      messagesRefused: {
        ...inner.messagesRefused,
        ...(this.injected.blockedIn > 0 ? { injected_block: this.injected.blockedIn } : {}),
      },
    };
  }
}
