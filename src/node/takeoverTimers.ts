// The takeover timers of keys that await an outcome without an instance (paxos/keyStep.ts: a vote
// cast on the acceptor fast path, or an ask forwarded to the key's owner): the `acknowledged`
// state's timer, without the actor. When one fires, the key's step decides whether an instance
// takes over. Time comes from the node's clock, jitter from its random source.
import type { RuntimeClock } from '../base/clock.js';
import type { RandomSource } from '../base/random.js';
import { backoffDelayMs } from '../paxos/backoff.js';
import type { InstanceTiming } from '../paxos/instanceMachine.js';

export class TakeoverTimers {
  private readonly timers = new Map<string, unknown>();

  constructor(
    private readonly clock: RuntimeClock,
    private readonly random: RandomSource,
    private readonly timing: () => InstanceTiming,
    private readonly fired: (key: string) => void,
  ) {}

  /** Keys whose timer runs. */
  get size(): number {
    return this.timers.size;
  }

  keys(): IterableIterator<string> {
    return this.timers.keys();
  }

  has(key: string): boolean {
    return this.timers.has(key);
  }

  /** (Re)arms `key`'s timer with the instance's own takeover delay and jitter. */
  arm(key: string): void {
    this.clear(key);
    const { takeoverMs, backoffMaxMs } = this.timing();
    const delayMs = backoffDelayMs(takeoverMs, backoffMaxMs, 0, this.random.next());
    this.timers.set(
      key,
      this.clock.setTimeout(() => {
        this.timers.delete(key);
        this.fired(key);
      }, delayMs),
    );
  }

  clear(key: string): void {
    const timer = this.timers.get(key);
    if (timer === undefined) return;
    this.clock.clearTimeout(timer);
    this.timers.delete(key);
  }

  stop(): void {
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
  }
}
