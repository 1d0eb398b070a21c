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

/**
 * The ceiling of an instance's backoff after `timeouts` phase timeouts: `maxMs` (which keeps
 * duelling proposers' waits short) doubled on each timeout, up to `timeoutMaxMs` (RFC 6298 §5.5:
 * a timer that expires is backed off, bounded). A round trip longer than `maxMs` still fits after
 * a few timeouts; rejections alone never lift it.
 */
export function backoffCeilingMs(maxMs: number, timeoutMaxMs: number, timeouts: number): number {
  return Math.max(maxMs, Math.min(timeoutMaxMs, maxMs * 2 ** Math.min(timeouts, 30)));
}
