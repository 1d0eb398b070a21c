// The effect runner: the one place where "persist before reply" is enforced (DESIGN.md §2).
// It carries out the core's effects (paxos/effects.ts), from instances and from the per-key rules
// alike. Writes are issued at once (the store groups them into commits); every other effect of a
// key waits until all writes of that key issued before it are durable — but for the write of a
// decided key's record: the value is chosen, so on a majority's disks already, and nothing revealed
// rests on this copy. That write is lazy (storage.ts): it rides the store's next commit instead of
// causing one, and holds nothing up. Effects of other keys are never held up. After a failed write
// the node stops voting: nothing held or later is carried out.
import { assertNever, envelopesOf, type Effect, type RefusedEffect } from '../paxos/effects.js';
import type { PaxosMessage, PaxosValue } from '../paxos/messages.js';
import type { Storage } from '../storage/storage.js';
import type { SendOptions, Transport } from '../transport/transport.js';

const LAZY: SendOptions = { lazy: true };

export interface EffectRunnerOptions {
  readonly self: string;
  readonly members: readonly string[];
  /**
   * Where a broadcast of `message` goes, when it depends on the node's configuration
   * (docs/membership.md §4.3: prepares to the old and new voters in transition); default `members`.
   */
  readonly targets?: (message: PaxosMessage) => readonly string[];
  readonly storage: Storage;
  readonly transport: Transport;
  /** A decision is learned here and everything it depends on is durable. */
  readonly onDecided: (key: string, value: PaxosValue) => void;
  /** A decided key's value, for the asks waiting here (a re-ask), once the key's writes are durable. */
  readonly onAnswer?: (key: string, value: PaxosValue) => void;
  /** A message was refused by a rule of the protocol (not held: it reveals nothing). */
  readonly onRefused?: (effect: RefusedEffect) => void;
  /** Every write of `key` issued so far is durable (after the effects that waited for them ran). */
  readonly onWritesDurable?: (key: string) => void;
  /** A write failed: from now on this node must not vote. Called once. */
  readonly onStorageFailure: (error: Error) => void;
  /**
   * Where a write's outcome goes: the node's actor passes it through its mailbox and calls
   * `settle`, so the effects it releases run inside the actor's own steps. Default: `settle` at once.
   */
  readonly onSettled?: (write: SettledWrite) => void;
}

/** A write that completed (`error` absent) or failed, by the token the runner gave it. */
export interface SettledWrite {
  readonly token: number;
  readonly error?: Error;
}

export interface EffectRunnerStats {
  /** Effects that had to wait for a write of their key. */
  held: number;
  /** Effects dropped because storage failed. */
  droppedAfterFailure: number;
  /** Envelopes handed to the transport. */
  envelopesSent: number;
}

interface KeyBarrier {
  /** Writes of this key issued and not yet durable that later effects wait for. */
  pending: number;
  /** Lazy writes (a decided record) of this key issued and not yet durable: nothing waits for them. */
  lazy: number;
  /** Effects waiting for `pending` to reach zero, in emission order. */
  readonly held: Effect[];
  /** The node's own callbacks (afterWrites): they wait for the lazy writes too, after the held effects. */
  readonly callbacks: (() => void)[];
}

export class EffectRunner {
  readonly stats: EffectRunnerStats = { held: 0, droppedAfterFailure: 0, envelopesSent: 0 };
  private readonly barriers = new Map<string, KeyBarrier>();
  /** Writes issued and not yet settled, by token: their key and barrier. */
  private readonly writes = new Map<
    number,
    { readonly key: string; readonly barrier: KeyBarrier; readonly lazy: boolean }
  >();
  private nextToken = 1;
  private failure: Error | null = null;

  constructor(private readonly options: EffectRunnerOptions) {}

  /** True once a write failed; the node no longer votes. */
  get storageFailed(): boolean {
    return this.failure !== null;
  }

  /** Carries out one effect, in emission order with the other effects of its key. */
  run(effect: Effect): void {
    if (this.failure !== null) {
      this.stats.droppedAfterFailure++;
      return;
    }
    switch (effect.type) {
      case 'persist':
        this.persist(effect.key, effect);
        return;
      case 'refused':
        // A refusal changes nothing and reveals nothing: it need not wait.
        this.options.onRefused?.(effect);
        return;
      default:
        this.afterWritesOf(effect);
    }
  }

  /**
   * True while a write of `key` that what the node reveals waits for is not yet durable. A decided
   * record's own write is not one: the decision it holds is on a majority's disks already.
   */
  hasPendingWrites(key: string): boolean {
    return (this.barriers.get(key)?.pending ?? 0) > 0;
  }

  /**
   * Calls `callback` once every write of `key` issued so far is durable (at once if none is in
   * flight): what the store loads then is durable. Never called after a failed write.
   */
  afterWrites(key: string, callback: () => void): void {
    if (this.failure !== null) return;
    const barrier = this.barriers.get(key);
    if (barrier === undefined) callback();
    else barrier.callbacks.push(callback);
  }

  /** Keys with writes in flight (for inspection and tests). */
  keysAwaitingWrites(): string[] {
    return [...this.barriers.keys()];
  }

  private persist(key: string, effect: Extract<Effect, { type: 'persist' }>): void {
    let barrier = this.barriers.get(key);
    if (barrier === undefined) {
      barrier = { pending: 0, lazy: 0, held: [], callbacks: [] };
      this.barriers.set(key, barrier);
    }
    // Only a learned decision is written with its value in `decided` (learner.ts).
    const lazy = effect.record.decided !== null;
    if (lazy) barrier.lazy++;
    else barrier.pending++;
    const token = this.nextToken++;
    this.writes.set(token, { key, barrier, lazy });
    const settled = this.options.onSettled ?? ((write: SettledWrite) => this.settle(write));
    this.options.storage.write(key, effect.record, lazy ? { lazy } : undefined).then(
      () => settled({ token }),
      (error: unknown) =>
        settled({ token, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  /** A write issued by this runner completed or failed: release what waited for it, or stop. */
  settle(write: SettledWrite): void {
    const issued = this.writes.get(write.token);
    if (issued === undefined) return;
    this.writes.delete(write.token);
    if (write.error !== undefined) this.fail(write.error);
    else this.written(issued.key, issued.barrier, issued.lazy);
  }

  private written(key: string, barrier: KeyBarrier, lazy: boolean): void {
    if (lazy) barrier.lazy--;
    else barrier.pending--;
    if (barrier.pending > 0 || this.failure !== null) return;
    // Held effects wait for the writes they depend on; the node's callbacks (an answer resting on
    // this key's durable record, read-your-writes) wait for its decided record's too.
    for (const effect of barrier.held.splice(0)) this.execute(effect);
    if (barrier.lazy > 0) return;
    if (this.barriers.get(key) === barrier) this.barriers.delete(key);
    for (const callback of barrier.callbacks.splice(0)) callback();
    this.options.onWritesDurable?.(key);
  }

  private afterWritesOf(effect: Effect): void {
    const barrier = this.barriers.get(effect.key);
    if (barrier !== undefined && barrier.pending > 0) {
      this.stats.held++;
      barrier.held.push(effect);
      return;
    }
    this.execute(effect);
  }

  private execute(effect: Effect): void {
    switch (effect.type) {
      case 'send':
      case 'broadcast':
        for (const envelope of envelopesOf(effect, this.options.self, this.targetsOf(effect))) {
          this.stats.envelopesSent++;
          this.options.transport.send(
            envelope,
            effect.type === 'broadcast' && effect.lazy ? LAZY : undefined,
          );
        }
        return;
      case 'decided':
        this.options.onDecided(effect.key, effect.value);
        return;
      case 'answer':
        this.options.onAnswer?.(effect.key, effect.value);
        return;
      case 'refused':
        this.options.onRefused?.(effect);
        return;
      case 'persist':
        throw new Error('persist effects are never deferred');
      default:
        assertNever(effect);
    }
  }

  private targetsOf(effect: Extract<Effect, { type: 'send' | 'broadcast' }>): readonly string[] {
    if (effect.type === 'send' || this.options.targets === undefined) return this.options.members;
    return this.options.targets(effect.message);
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const barrier of this.barriers.values()) this.stats.droppedAfterFailure += barrier.held.length;
    this.barriers.clear();
    this.writes.clear();
    this.options.onStorageFailure(error);
  }
}
