// Time sources for the runtime. The core never reads time: XState hands its delayed
// transitions to the actor system's clock, and the runtime uses the same clock for ask
// timeouts and restart intensity, so one injected clock drives everything.

/** XState's clock contract (the `clock` option of `createActor`), which xstate does not export. */
export interface TimerClock {
  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): unknown;
  clearTimeout(id: unknown): void;
}

/** A timer clock that also tells the time. XState's `SimulatedClock` satisfies it. */
export interface RuntimeClock extends TimerClock {
  now(): number;
}

/** Wall-clock time and Node's timers. */
export const systemClock: RuntimeClock = {
  now: () => Date.now(),
  setTimeout: (fn, timeoutMs) => setTimeout(fn, timeoutMs),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};
