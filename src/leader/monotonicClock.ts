// The default clock of a leader process: monotonic time (performance.now), because lease
// safety rests on measuring durations, and Date.now() can be stepped backwards or forwards by
// NTP or an operator, which no rate bound covers. Caveat (docs/leader.md): on Linux the
// monotonic clock stops while the machine is suspended.
import { performance } from 'node:perf_hooks';
import type { RuntimeClock } from '../base/clock.js';

export const monotonicClock: RuntimeClock = {
  now: () => performance.now(),
  setTimeout: (fn, timeoutMs) => setTimeout(fn, timeoutMs),
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};
