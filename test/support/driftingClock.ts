// A node's clock that runs at `rate` times real time: what a drifting quartz does. Built on the
// simulation's VirtualClock (real time, to the simulation), it reports local time and converts
// local delays into real ones, so a fast clock (rate > 1) fires its timers early in real time.
// The rate stays within a bound: the model docs/leader.md assumes. `setRate` changes it from now
// on (timers already set keep their real due time, so they may fire early or late by local time:
// code on this clock must read `now()` when woken, never trust the wake-up itself).
import type { RuntimeClock } from '../../src/base/clock.js';
import type { VirtualClock } from '../../src/base/virtualClock.js';

export class DriftingClock implements RuntimeClock {
  private originRealMs: number;
  private currentRate: number;

  constructor(
    private readonly real: VirtualClock,
    /** Local ms per real ms: 1.001 runs 1000 ppm fast. */
    rate: number,
    /** Local time at creation; clocks of different nodes need not agree on it. */
    private originLocalMs = 0,
  ) {
    if (!(rate > 0)) throw new Error(`a clock rate must be positive, got ${rate}`);
    this.currentRate = rate;
    this.originRealMs = real.now();
  }

  get rate(): number {
    return this.currentRate;
  }

  /** Runs at `rate` from now on; the local time does not jump. */
  setRate(rate: number): void {
    if (!(rate > 0)) throw new Error(`a clock rate must be positive, got ${rate}`);
    this.originLocalMs = this.now();
    this.originRealMs = this.real.now();
    this.currentRate = rate;
  }

  now(): number {
    return this.originLocalMs + (this.real.now() - this.originRealMs) * this.currentRate;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown {
    return this.real.setTimeout(fn, Math.max(0, timeoutMs) / this.currentRate);
  }

  clearTimeout(id: unknown): void {
    this.real.clearTimeout(id);
  }

  /** The real (simulation) time at which this clock shows `localMs`, if its rate stays as it is. */
  realTimeOf(localMs: number): number {
    return this.originRealMs + (localMs - this.originLocalMs) / this.currentRate;
  }
}
