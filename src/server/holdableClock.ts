// A node clock that can be made to stand still: the teaching mode's "deliver by hand" holds
// every outbound message until a person releases it, and stops the node's time with it. Timers
// stand still, so no phase timeout or takeover fires behind their back while they read; held
// timers keep what was left of their wait and resume with it. `now()` stands still too and goes
// on from there, so what the node measures never counts the time a person took: a phase run by
// hand takes no time on this clock, and cannot stretch the node's adaptive phase timeouts
// (node/adaptiveTiming.ts) to a minute for the keys asked after it. Used only by nodes started
// with fault injection allowed.
import { systemClock, type RuntimeClock } from '../base/clock.js';

interface Timer {
  readonly fn: (...args: unknown[]) => void;
  /** Left to wait while held; the whole wait until armed. */
  remainingMs: number;
  dueAt: number;
  handle: unknown;
}

export class HoldableClock implements RuntimeClock {
  private holding = false;
  private readonly timers = new Set<Timer>();
  /** Time held so far, on the base clock, not counting the hold going on now. */
  private heldMs = 0;
  /** The base clock's time when the current hold began. */
  private heldSince = 0;

  constructor(private readonly base: RuntimeClock = systemClock) {}

  get held(): boolean {
    return this.holding;
  }

  /** Timers waiting, armed or held (for tests and status). */
  get pending(): number {
    return this.timers.size;
  }

  /** The base clock's time less every hold: while held, the time the hold began. */
  now(): number {
    return (this.holding ? this.heldSince : this.base.now()) - this.heldMs;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown {
    const timer: Timer = { fn, remainingMs: Math.max(0, timeoutMs), dueAt: 0, handle: null };
    this.timers.add(timer);
    if (!this.holding) this.arm(timer);
    return timer;
  }

  clearTimeout(id: unknown): void {
    const timer = id as Timer;
    if (!this.timers.delete(timer)) return;
    if (timer.handle !== null) this.base.clearTimeout(timer.handle);
  }

  /** Stops every timer where it is. */
  hold(): void {
    if (this.holding) return;
    this.holding = true;
    const now = this.base.now();
    this.heldSince = now;
    for (const timer of this.timers) {
      if (timer.handle === null) continue;
      this.base.clearTimeout(timer.handle);
      timer.handle = null;
      timer.remainingMs = Math.max(0, timer.dueAt - now);
    }
  }

  /** Lets the timers run on, each with what was left of its wait. */
  resume(): void {
    if (!this.holding) return;
    this.holding = false;
    this.heldMs += this.base.now() - this.heldSince;
    for (const timer of this.timers) this.arm(timer);
  }

  private arm(timer: Timer): void {
    timer.dueAt = this.base.now() + timer.remainingMs;
    timer.handle = this.base.setTimeout(() => {
      this.timers.delete(timer);
      timer.fn();
    }, timer.remainingMs);
  }
}
