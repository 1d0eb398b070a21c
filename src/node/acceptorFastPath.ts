// The acceptor and learner of keys with no live instance, without spawning one: a node that only
// votes on a key (most keys, on most nodes) applies the instance machine's own pure step
// functions to the stored record and emits the same effects in the same order, so the effect
// runner still writes before it replies. A key accepted this way that is not decided within a
// takeover delay gets an instance after all, which starts in `acknowledged` and pushes the
// accepted value — the liveness the instance would have provided by waiting there itself. The
// same watchdog covers an ask forwarded to the key's owner without an instance here.
import { handlePrepare, handlePropose } from '../paxos/acceptor.js';
import { backoffDelayMs } from '../paxos/backoff.js';
import type { Effect } from '../paxos/effects.js';
import type { InstanceTiming } from '../paxos/instanceMachine.js';
import type { InboundEvent } from '../paxos/messages.js';
import { EMPTY_RECORD, type KeyRecord } from '../paxos/record.js';
import type { RuntimeClock } from '../base/clock.js';
import type { RandomSource } from '../base/random.js';

export interface AcceptorFastPathOptions {
  readonly clock: RuntimeClock;
  readonly random: RandomSource;
  readonly timing: InstanceTiming;
  readonly load: (key: string) => KeyRecord | undefined;
  readonly run: (effect: Effect) => void;
  /** The key was accepted here and is still undecided after the takeover delay. */
  readonly takeOver: (key: string) => void;
}

export class AcceptorFastPath {
  private readonly watchdogs = new Map<string, unknown>();

  constructor(private readonly options: AcceptorFastPathOptions) {}

  /** Keys accepted here whose takeover watchdog is armed. */
  get watched(): number {
    return this.watchdogs.size;
  }

  /** Handles a request or decision for `key`; the caller knows no instance is live for it. */
  handle(key: string, event: InboundEvent): void {
    const record = this.options.load(key) ?? EMPTY_RECORD;
    switch (event.type) {
      case 'prepare': {
        // Phase 1b (Paxos Made Simple §2.2): persist the promise, then send it.
        const step = handlePrepare(record, event.ballot);
        if (step.changed) this.options.run({ type: 'persist', key, record: { ...record, ...step.state } });
        this.options.run({ type: 'send', key, to: event.from, message: step.reply });
        return;
      }
      case 'propose': {
        // Phase 2b: persist the acceptance, then acknowledge it.
        const step = handlePropose(record, event.ballot, event.value);
        if (step.changed) this.options.run({ type: 'persist', key, record: { ...record, ...step.state } });
        this.options.run({ type: 'send', key, to: event.from, message: step.reply });
        if (step.outcome === 'granted') this.watch(key);
        return;
      }
      case 'decide':
        this.forget(key);
        this.options.run({ type: 'decided', key, value: event.value });
        this.options.run({ type: 'persist', key, record: { ...record, decided: { value: event.value } } });
        return;
      default:
        return;
    }
  }

  /** The keys whose watchdog is armed. */
  watchedKeys(): IterableIterator<string> {
    return this.watchdogs.keys();
  }

  /** Whether `key` was accepted here and waits to learn its decision. */
  isWatching(key: string): boolean {
    return this.watchdogs.has(key);
  }

  /** The key got a live instance or a decision: its watchdog is no longer needed. */
  forget(key: string): void {
    const timer = this.watchdogs.get(key);
    if (timer === undefined) return;
    this.options.clock.clearTimeout(timer);
    this.watchdogs.delete(key);
  }

  stop(): void {
    for (const timer of this.watchdogs.values()) this.options.clock.clearTimeout(timer);
    this.watchdogs.clear();
  }

  /** Arms (or re-arms) the takeover watchdog of `key`: `takeOver` runs if no decision comes. */
  watch(key: string): void {
    this.forget(key);
    const { timing, random, clock } = this.options;
    const delayMs = backoffDelayMs(timing.takeoverMs, timing.backoffMaxMs, 0, random.next());
    this.watchdogs.set(
      key,
      clock.setTimeout(() => {
        this.watchdogs.delete(key);
        this.options.takeOver(key);
      }, delayMs),
    );
  }
}
