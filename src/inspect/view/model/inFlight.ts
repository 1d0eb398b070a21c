// Messages in flight: each `send` reported by one node is matched with the `recv` reported by
// its destination. The two reports come over different feeds, so a receive may reach the
// aggregator before its send: it waits as an orphan until the send shows up. Messages are
// matched oldest first by (from, to, key, type, ballot): links are FIFO, and two messages with
// the same signature are interchangeable for the view. A message never received is declared
// lost when its deadline passes, or at once when the view knows it cannot arrive (no link, the
// destination is down, a block). Browser-safe, deterministic: time is the events' `t`.
import type { ViewMessageType } from './viewEvents.js';

export interface InFlightMessage {
  /** Unique within this tracker, in send order. */
  readonly id: number;
  readonly t: number;
  readonly from: string;
  readonly to: string;
  readonly key: string;
  readonly msg: ViewMessageType;
  readonly ballot: string | null;
  /** Declared lost if not received by then. */
  readonly deadline: number;
}

export type LostReason = 'timeout' | 'no link' | 'node down' | 'blocked' | 'overflow' | 'dropped';

export interface InFlightCounts {
  sent: number;
  delivered: number;
  lost: number;
}

export interface InFlightOptions {
  /** A message not received this long after it was sent is lost. Default 3000. */
  readonly lostAfterMs?: number;
  /** A receive whose send has not shown up after this long is forgotten. Default 2000. */
  readonly orphanMs?: number;
  /** Most messages kept in flight; beyond, the oldest are declared lost. Default 20 000. */
  readonly maxInFlight?: number;
}

/** Plain data for snapshots (checkpoints, resync to a page). */
export interface InFlightData {
  readonly nextId: number;
  readonly messages: readonly InFlightMessage[];
  readonly orphans: readonly { readonly signature: string; readonly t: number }[];
  readonly counts: InFlightCounts;
}

type Signature = string;

const signatureOf = (m: {
  from: string;
  to: string;
  key: string;
  msg: string;
  ballot: string | null;
}): Signature => `${m.from}>${m.to}|${m.msg}|${m.ballot ?? ''}|${m.key}`;

export class InFlightTracker {
  readonly counts: InFlightCounts = { sent: 0, delivered: 0, lost: 0 };
  /** In send order (Map keeps insertion order): the oldest first. */
  private readonly messages = new Map<number, InFlightMessage>();
  private readonly bySignature = new Map<Signature, number[]>();
  private orphans: { signature: Signature; t: number }[] = [];
  private nextId = 1;
  private readonly lostAfterMs: number;
  private readonly orphanMs: number;
  private readonly maxInFlight: number;

  constructor(options: InFlightOptions = {}) {
    this.lostAfterMs = options.lostAfterMs ?? 3000;
    this.orphanMs = options.orphanMs ?? 2000;
    this.maxInFlight = options.maxInFlight ?? 20_000;
  }

  get size(): number {
    return this.messages.size;
  }

  /** Oldest first. */
  list(): InFlightMessage[] {
    return [...this.messages.values()];
  }

  /**
   * A send. Returns the message now in flight, or null when its receive was already seen.
   * `extraDelayMs` (injected delay) pushes the deadline out.
   */
  sent(m: Omit<InFlightMessage, 'id' | 'deadline'>, extraDelayMs = 0): InFlightMessage | null {
    this.counts.sent++;
    const signature = signatureOf(m);
    const orphan = this.orphans.findIndex((o) => o.signature === signature);
    if (orphan >= 0) {
      this.orphans.splice(orphan, 1);
      this.counts.delivered++;
      return null;
    }
    const message: InFlightMessage = {
      ...m,
      id: this.nextId++,
      deadline: m.t + this.lostAfterMs + extraDelayMs,
    };
    this.messages.set(message.id, message);
    const queue = this.bySignature.get(signature);
    if (queue) queue.push(message.id);
    else this.bySignature.set(signature, [message.id]);
    return message;
  }

  /** A receive: the oldest matching message in flight arrived. Returns it (null: an orphan for now). */
  received(m: {
    t: number;
    from: string;
    to: string;
    key: string;
    msg: string;
    ballot: string | null;
  }): InFlightMessage | null {
    const signature = signatureOf(m);
    const id = this.bySignature.get(signature)?.[0];
    if (id === undefined) {
      this.orphans.push({ signature, t: m.t });
      return null;
    }
    const message = this.messages.get(id) as InFlightMessage;
    this.remove(message);
    this.counts.delivered++;
    return message;
  }

  /** The network lost the oldest matching message in flight: returns it, if there was one. */
  dropped(m: {
    from: string;
    to: string;
    key: string;
    msg: string;
    ballot: string | null;
  }): InFlightMessage | null {
    const id = this.bySignature.get(signatureOf(m))?.[0];
    if (id === undefined) return null;
    const message = this.messages.get(id) as InFlightMessage;
    this.remove(message);
    this.counts.lost++;
    return message;
  }

  /** Declares message `id` lost (without scanning what is in flight); returns it. */
  loseById(id: number): InFlightMessage | null {
    const message = this.messages.get(id);
    if (!message) return null;
    this.remove(message);
    this.counts.lost++;
    return message;
  }

  /** Declares lost every message matching `predicate` (scans them all); returns them. */
  lose(predicate: (m: InFlightMessage) => boolean): InFlightMessage[] {
    const lost = [...this.messages.values()].filter(predicate);
    for (const message of lost) this.remove(message);
    this.counts.lost += lost.length;
    return lost;
  }

  /** Declares lost what passed its deadline, or overflows the bound; forgets old orphans. */
  expire(now: number): InFlightMessage[] {
    const lost: InFlightMessage[] = [];
    for (const message of this.messages.values()) {
      if (message.deadline > now && this.messages.size - lost.length <= this.maxInFlight) continue;
      lost.push(message);
    }
    for (const message of lost) this.remove(message);
    this.counts.lost += lost.length;
    if (this.orphans.length > 0 && (this.orphans[0]?.t ?? now) + this.orphanMs <= now) {
      this.orphans = this.orphans.filter((o) => o.t + this.orphanMs > now);
    }
    return lost;
  }

  toData(): InFlightData {
    return {
      nextId: this.nextId,
      messages: this.list(),
      orphans: this.orphans.map((o) => ({ ...o })),
      counts: { ...this.counts },
    };
  }

  static fromData(data: InFlightData, options: InFlightOptions = {}): InFlightTracker {
    const tracker = new InFlightTracker(options);
    tracker.nextId = data.nextId;
    tracker.orphans = data.orphans.map((o) => ({ ...o }));
    Object.assign(tracker.counts, data.counts);
    for (const message of data.messages) {
      tracker.messages.set(message.id, message);
      const signature = signatureOf(message);
      const queue = tracker.bySignature.get(signature);
      if (queue) queue.push(message.id);
      else tracker.bySignature.set(signature, [message.id]);
    }
    return tracker;
  }

  private remove(message: InFlightMessage): void {
    this.messages.delete(message.id);
    const signature = signatureOf(message);
    const queue = this.bySignature.get(signature);
    if (!queue) return;
    const at = queue.indexOf(message.id);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) this.bySignature.delete(signature);
  }
}
