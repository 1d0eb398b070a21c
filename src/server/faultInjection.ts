// A transport decorator that injects faults on a node's own links — blocks in either direction,
// random loss, delay — for the live demo's controls and the real-process chaos tests. Only a node
// started with fault injection allowed accepts `faults` requests; everything else passes through.
import type { Envelope } from '../paxos/messages.js';
import { NO_LINK_FAULTS, type LinkFaultSpec } from '../transport/wire/frames.js';
import type { Transport, TransportStats } from '../transport/transport.js';

export interface InjectedFaultStats {
  blockedOut: number;
  blockedIn: number;
  dropped: number;
  delayed: number;
}

export class FaultInjectingTransport implements Transport {
  readonly injected: InjectedFaultStats = { blockedOut: 0, blockedIn: 0, dropped: 0, delayed: 0 };
  private faults: LinkFaultSpec = NO_LINK_FAULTS;
  private blockOut = new Set<string>();
  private blockIn = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly inner: Transport,
    private readonly random: () => number = Math.random,
  ) {}

  get nodeId(): string {
    return this.inner.nodeId;
  }

  get current(): LinkFaultSpec {
    return this.faults;
  }

  /** Replaces the faults in force. */
  set(faults: LinkFaultSpec): LinkFaultSpec {
    this.faults = faults;
    this.blockOut = new Set(faults.blockOut);
    this.blockIn = new Set(faults.blockIn);
    return faults;
  }

  /** The real link's state: injected faults are silent, as a real network's are. */
  isLinkUp(peer: string): boolean {
    return this.inner.isLinkUp?.(peer) ?? true;
  }

  send(envelope: Envelope): void {
    if (this.blockOut.has(envelope.to)) {
      this.injected.blockedOut++;
      return;
    }
    const { dropRate, delayMs, jitterMs } = this.faults;
    if (dropRate > 0 && this.random() < dropRate) {
      this.injected.dropped++;
      return;
    }
    const waitMs = delayMs + (jitterMs > 0 ? this.random() * jitterMs : 0);
    if (waitMs <= 0) {
      this.inner.send(envelope);
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
      },
      messagesRefused: {
        ...inner.messagesRefused,
        ...(this.injected.blockedIn > 0 ? { injected_block: this.injected.blockedIn } : {}),
      },
    };
  }
}
