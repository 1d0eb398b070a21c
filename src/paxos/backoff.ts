// Jittered exponential backoff. Pure: the caller supplies the random draw.
// Jitter is what keeps duelling proposers from retrying in lockstep for ever (the original
// retried on a fixed 3 s timeout and could livelock).

/**
 * The wait before retry number `attempt` (0-based): a ceiling of `baseMs · 2^attempt`, capped at
 * `maxMs`, and a uniform draw in [ceiling/2, ceiling) ("equal jitter").
 */
export function backoffDelayMs(baseMs: number, maxMs: number, attempt: number, random01: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(1, Math.round(ceiling / 2 + (random01 * ceiling) / 2));
}
