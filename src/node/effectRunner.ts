// The effect runner: the one place where "persist before reply" is enforced (DESIGN.md §2).
// Writes are issued at once (the store groups them into commits); every other effect of a key
// waits until all writes of that key issued before it are durable. Effects of other keys are
// never held up. After a failed write the node stops voting: nothing held or later is sent.
import { assertNever, envelopesOf, type Effect } from '../paxos/effects.js';
import type { Envelope, PaxosValue } from '../paxos/messages.js';
import type { Storage } from '../storage/storage.js';
import type { Transport } from '../transport/transport.js';

export interface EffectRunnerOptions {
  readonly self: string;
  readonly members: readonly string[];
  readonly storage: Storage;
  readonly transport: Transport;
  /** A decision is known here and everything it depends on is durable. */
  readonly onDecided: (key: string, value: PaxosValue) => void;
  /** A write failed: from now on this node must not vote. Called once. */
  readonly onStorageFailure: (error: Error) => void;
}

export interface EffectRunnerStats {
  /** Effects that had to wait for a write of their key. */
  held: number;
  /** Effects dropped because storage failed. */
  droppedAfterFailure: number;
  /** Envelopes handed to the transport. */
  envelopesSent: number;
}

type Deferred =
  | { readonly kind: 'effect'; readonly effect: Effect }
  | { readonly kind: 'envelope'; readonly envelope: Envelope }
  | { readonly kind: 'callback'; readonly run: () => void };

interface KeyBarrier {
  /** Writes of this key issued and not yet durable. */
  pending: number;
  /** Effects waiting for `pending` to reach zero, in emission order. */
  readonly held: Deferred[];
}

export class EffectRunner {
  readonly stats: EffectRunnerStats = { held: 0, droppedAfterFailure: 0, envelopesSent: 0 };
  private readonly barriers = new Map<string, KeyBarrier>();
  private failure: Error | null = null;

  constructor(private readonly options: EffectRunnerOptions) {}

  /** True once a write failed; the node no longer votes. */
  get storageFailed(): boolean {
    return this.failure !== null;
  }

  /** Carries out one effect emitted by an instance, in emission order. */
  run(effect: Effect): void {
    if (this.failure !== null) {
      this.stats.droppedAfterFailure++;
      return;
    }
    if (effect.type === 'persist') {
      this.persist(effect.key, effect);
      return;
    }
    this.afterWritesOf(effect.key, { kind: 'effect', effect });
  }

  /**
   * Sends an envelope built outside an instance (a decided key answered from the store), still
   * behind any write of its key that is not yet durable.
   */
  sendAfterWrites(envelope: Envelope): void {
    if (this.failure !== null) {
      this.stats.droppedAfterFailure++;
      return;
    }
    this.afterWritesOf(envelope.key, { kind: 'envelope', envelope });
  }

  /**
   * Runs `reveal` once every write of `key` issued so far is durable: for answers built outside
   * an instance (a client told the decision from the store). Dropped if storage fails.
   */
  afterWrites(key: string, reveal: () => void): void {
    if (this.failure !== null) {
      this.stats.droppedAfterFailure++;
      return;
    }
    this.afterWritesOf(key, { kind: 'callback', run: reveal });
  }

  /** True while a write of `key` is issued and not yet durable. */
  hasPendingWrites(key: string): boolean {
    return this.barriers.has(key);
  }

  /** Keys with writes in flight (for inspection and tests). */
  keysAwaitingWrites(): string[] {
    return [...this.barriers.keys()];
  }

  private persist(key: string, effect: Extract<Effect, { type: 'persist' }>): void {
    let barrier = this.barriers.get(key);
    if (barrier === undefined) {
      barrier = { pending: 0, held: [] };
      this.barriers.set(key, barrier);
    }
    barrier.pending++;
    const owner = barrier;
    this.options.storage.write(key, effect.record).then(
      () => this.written(key, owner),
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  private written(key: string, barrier: KeyBarrier): void {
    barrier.pending--;
    if (barrier.pending > 0 || this.failure !== null) return;
    this.barriers.delete(key);
    for (const deferred of barrier.held) this.execute(deferred);
  }

  private afterWritesOf(key: string, deferred: Deferred): void {
    const barrier = this.barriers.get(key);
    if (barrier !== undefined) {
      this.stats.held++;
      barrier.held.push(deferred);
      return;
    }
    this.execute(deferred);
  }

  private execute(deferred: Deferred): void {
    if (deferred.kind === 'envelope') {
      this.stats.envelopesSent++;
      this.options.transport.send(deferred.envelope);
      return;
    }
    if (deferred.kind === 'callback') {
      deferred.run();
      return;
    }
    const effect = deferred.effect;
    switch (effect.type) {
      case 'send':
      case 'broadcast':
        for (const envelope of envelopesOf(effect, this.options.self, this.options.members)) {
          this.stats.envelopesSent++;
          this.options.transport.send(envelope);
        }
        return;
      case 'decided':
        this.options.onDecided(effect.key, effect.value);
        return;
      case 'persist':
        throw new Error('persist effects are never deferred');
      default:
        assertNever(effect);
    }
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    for (const barrier of this.barriers.values()) this.stats.droppedAfterFailure += barrier.held.length;
    this.barriers.clear();
    this.options.onStorageFailure(error);
  }
}
