// Drives a deterministic run: drains promise callbacks, then fires the virtual clock's next
// timer, until a condition holds. Nothing here reads wall-clock time.
import type { VirtualClock } from '../../src/base/virtualClock.js';

/** Lets every queued promise callback (and the callbacks they queue) run. */
export function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface RunOptions {
  /** Give up (throw) once virtual time passes this many ms from the start of the call. */
  readonly maxVirtualMs?: number;
  /** Give up after this many timers, to catch runs that never quiesce. */
  readonly maxSteps?: number;
}

/**
 * Runs the clock until `done()` holds. Throws if time or steps run out, or if nothing is left
 * to run while `done()` is still false (a stuck run).
 */
export async function runUntil(
  clock: VirtualClock,
  done: () => boolean,
  options: RunOptions = {},
): Promise<void> {
  const deadline = clock.now() + (options.maxVirtualMs ?? 120_000);
  const maxSteps = options.maxSteps ?? 1_000_000;
  for (let step = 0; ; step++) {
    await drainMicrotasks();
    if (done()) return;
    const next = clock.nextDueMs();
    if (next === undefined)
      throw new Error(`run is stuck at ${clock.now()} ms: no timer left and the condition is false`);
    if (next > deadline) throw new Error(`condition still false at the deadline (${deadline} ms virtual)`);
    if (step >= maxSteps) throw new Error(`condition still false after ${maxSteps} steps`);
    clock.runNext();
  }
}

/** Runs every timer due within the next `ms` of virtual time. */
export async function runFor(clock: VirtualClock, ms: number): Promise<void> {
  const until = clock.now() + ms;
  for (;;) {
    await drainMicrotasks();
    const next = clock.nextDueMs();
    if (next === undefined || next > until) break;
    clock.runNext();
  }
  clock.advance(until - clock.now());
  await drainMicrotasks();
}

/** Awaits `promise` while running the clock; fails if it never settles. */
export async function runToSettle<T>(
  clock: VirtualClock,
  promise: Promise<T>,
  options: RunOptions = {},
): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => {});
  await runUntil(clock, () => settled, options);
  return tracked;
}
