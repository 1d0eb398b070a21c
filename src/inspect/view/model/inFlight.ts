// Messages in flight: each `send` reported by one node is matched with the `recv` reported by
// its destination. The two reports come over different feeds, so a receive may reach the
// aggregator before its send: it waits as an orphan until the send shows up. Messages are
// matched oldest first by (from, to, key, type, ballot): links are FIFO, and two messages with
// the same signature are interchangeable for the view. A message never received is declared
// lost when its deadline passes, or at once when the view knows it cannot arrive (no link, the
// destination is down, a block). A message held for delivery by hand (teaching mode) waits
// outside the matching until it is released: delivered, dropped, or duplicated (a copy goes,
// the message stays held). Browser-safe, deterministic: time is the events' `t`.
import type { ReleaseHow, ViewMessageType } from './viewEvents.js';

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
  /** Waiting in its sender to be delivered by hand: `heldId` names it there. */
  readonly heldId?: number;
  /** A copy made by duplicating a held message. */
  readonly copy?: boolean;
}

export type LostReason =
  'timeout' | 'no link' | 'node down' | 'blocked' | 'overflow' | 'dropped' | 'dropped by hand';

/** What releasing a held message did. */
export type Released =
  /** On its way (or already received: `arrived`). */
  | { readonly how: 'deliver'; readonly message: InFlightMessage; readonly arrived: boolean }
  | { readonly how: 'drop'; readonly message: InFlightMessage }
  /** `copy` is in flight (or already received: `arrived`); the original is still held. */
  | { readonly how: 'duplicate'; readonly copy: InFlightMessage; readonly arrived: boolean };

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
  /** Held messages: `sender#heldId` → message id. Absent in older snapshots. */
  readonly held?: readonly (readonly [string, number])[];
}

/** The deadline of a held message: never, but a finite number, so that it survives JSON. */
const HELD_DEADLINE = Number.MAX_SAFE_INTEGER;
const heldName = (sender: string, heldId: number): string => `${sender}#${heldId}`;

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
  /** Held messages by `heldName`: they are in `messages` but not in `bySignature`. */
  private readonly heldIds = new Map<string, number>();
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
    if (this.takeOrphan(signatureOf(m))) {
      this.counts.delivered++;
      return null;
    }
    const message: InFlightMessage = {
      ...m,
      id: this.nextId++,
      deadline: m.t + this.lostAfterMs + extraDelayMs,
    };
    this.messages.set(message.id, message);
    this.enqueue(message, 'back');
    return message;
  }

  /**
   * The newest message in flight from `m.from` matching `m` is held by its sender (the sender
   * reports its `send`, then that it holds it). Returns it, or null if there is none.
   */
  held(
    m: { from: string; to: string; key: string; msg: string; ballot: string | null },
    heldId: number,
  ): InFlightMessage | null {
    const queue = this.bySignature.get(signatureOf(m));
    const id = queue?.[queue.length - 1];
    if (id === undefined) return null;
    const message = { ...(this.messages.get(id) as InFlightMessage), heldId, deadline: HELD_DEADLINE };
    this.dequeue(message);
    this.messages.set(id, message);
    this.heldIds.set(heldName(m.from, heldId), id);
    return message;
  }

  /** The held message `heldId` of `sender`, if it is still held. */
  heldMessage(sender: string, heldId: number): InFlightMessage | undefined {
    const id = this.heldIds.get(heldName(sender, heldId));
    return id === undefined ? undefined : this.messages.get(id);
  }

  /** Releases a held message at time `t`; null if `sender` holds no message `heldId`. */
  release(sender: string, heldId: number, how: ReleaseHow, t: number): Released | null {
    const name = heldName(sender, heldId);
    const id = this.heldIds.get(name);
    const held = id === undefined ? undefined : this.messages.get(id);
    if (held === undefined) return null;
    if (how === 'duplicate') {
      const { heldId: _held, deadline: _deadline, id: _id, ...rest } = held;
      const copy: InFlightMessage = {
        ...rest,
        t,
        id: this.nextId++,
        copy: true,
        deadline: t + this.lostAfterMs,
      };
      this.counts.sent++;
      return { how, copy, arrived: this.launch(copy) };
    }
    this.heldIds.delete(name);
    if (how === 'drop') {
      this.remove(held);
      this.counts.lost++;
      return { how, message: held };
    }
    const { heldId: _held, ...rest } = held;
    const message: InFlightMessage = { ...rest, deadline: t + this.lostAfterMs };
    this.messages.delete(held.id);
    return { how, message, arrived: this.launch(message) };
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

  /** Messages held by their senders, oldest first. */
  heldList(): InFlightMessage[] {
    return this.list().filter((m) => m.heldId !== undefined);
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
      held: [...this.heldIds],
    };
  }

  static fromData(data: InFlightData, options: InFlightOptions = {}): InFlightTracker {
    const tracker = new InFlightTracker(options);
    tracker.nextId = data.nextId;
    tracker.orphans = data.orphans.map((o) => ({ ...o }));
    Object.assign(tracker.counts, data.counts);
    for (const [name, id] of data.held ?? []) tracker.heldIds.set(name, id);
    for (const message of data.messages) {
      tracker.messages.set(message.id, message);
      if (message.heldId === undefined) tracker.enqueue(message, 'back');
    }
    return tracker;
  }

  /**
   * Puts a released message (or a copy) on its way: received at once if its receive was already
   * seen (an orphan: feeds race), else in flight, first in line among its identical messages
   * (it was sent before them). True if it arrived at once.
   */
  private launch(message: InFlightMessage): boolean {
    if (this.takeOrphan(signatureOf(message))) {
      this.counts.delivered++;
      return true;
    }
    this.messages.set(message.id, message);
    this.enqueue(message, 'front');
    return false;
  }

  private takeOrphan(signature: Signature): boolean {
    const orphan = this.orphans.findIndex((o) => o.signature === signature);
    if (orphan < 0) return false;
    this.orphans.splice(orphan, 1);
    return true;
  }

  private enqueue(message: InFlightMessage, where: 'front' | 'back'): void {
    const signature = signatureOf(message);
    const queue = this.bySignature.get(signature);
    if (!queue) this.bySignature.set(signature, [message.id]);
    else if (where === 'back') queue.push(message.id);
    else queue.unshift(message.id);
  }

  private dequeue(message: InFlightMessage): void {
    const signature = signatureOf(message);
    const queue = this.bySignature.get(signature);
    if (!queue) return;
    const at = queue.indexOf(message.id);
    if (at >= 0) queue.splice(at, 1);
    if (queue.length === 0) this.bySignature.delete(signature);
  }

  private remove(message: InFlightMessage): void {
    this.messages.delete(message.id);
    this.dequeue(message);
    if (message.heldId !== undefined) this.heldIds.delete(heldName(message.from, message.heldId));
  }
}
