// The adaptive phase timeout (src/node/adaptiveTiming.ts): RFC 6298's estimator over completed
// phases, within bounds, with the backoff ceiling kept above a phase.
import { describe, expect, it } from 'vitest';
import { AdaptiveTiming } from '../../src/node/adaptiveTiming.js';
import { backoffCeilingMs } from '../../src/paxos/backoff.js';
import { DEFAULT_TIMING } from '../../src/paxos/instanceMachine.js';

/** A 10 ms floor instead of the configured phase timeout, to follow fast phases down. */
const lowFloor = () =>
  new AdaptiveTiming(DEFAULT_TIMING, true, { minPhaseTimeoutMs: 10, maxPhaseTimeoutMs: 60_000 });

describe('adaptive timing', () => {
  it('keeps the configured timing until the first phase completes', () => {
    expect(new AdaptiveTiming().timing()).toEqual(DEFAULT_TIMING);
  });

  it('by default never goes below the configured phase timeout (a minimum RTO, RFC 6298 (2.4))', () => {
    const timing = new AdaptiveTiming();
    for (let i = 0; i < 50; i++) timing.observe(2);
    expect(timing.timing().phaseTimeoutMs).toBe(DEFAULT_TIMING.phaseTimeoutMs);
    const fast = new AdaptiveTiming({ ...DEFAULT_TIMING, phaseTimeoutMs: 40 });
    for (let i = 0; i < 50; i++) fast.observe(2);
    expect(fast.timing().phaseTimeoutMs).toBe(40);
    fast.observe(500); // srtt 2 + 62.25, rttvar 0.75·rttvar + 0.25·498: far above the floor
    expect(fast.timing().phaseTimeoutMs).toBeGreaterThan(500);
  });

  it('follows fast phases down to the floor: a silent member costs little', () => {
    const timing = lowFloor();
    for (let i = 0; i < 50; i++) timing.observe(2);
    expect(timing.timing()).toEqual({
      phaseTimeoutMs: 10,
      takeoverMs: 20,
      backoffMaxMs: 3000,
      timeoutBackoffMaxMs: 60_000,
    });
  });

  it('follows slow phases up, and lifts the backoff ceiling above them: a slow network keeps deciding', () => {
    const timing = new AdaptiveTiming();
    for (let i = 0; i < 50; i++) timing.observe(3000); // a 1500 ms delay each way
    const { phaseTimeoutMs, takeoverMs, backoffMaxMs } = timing.timing();
    // The first wait, jittered in [T/2, T), is at least a whole phase.
    expect(phaseTimeoutMs / 2).toBeGreaterThanOrEqual(3000);
    expect(takeoverMs).toBe(2 * phaseTimeoutMs);
    expect(backoffMaxMs).toBe(8 * phaseTimeoutMs);
  });

  it('is twice the smoothed time plus four deviations (RFC 6298 §2), since waits are drawn in [T/2, T)', () => {
    const timing = new AdaptiveTiming();
    timing.observe(100); // srtt 100, rttvar 50: RTO 300
    expect(timing.timing().phaseTimeoutMs).toBe(600);
    timing.observe(20); // rttvar 0.75·50 + 0.25·80 = 57.5, srtt 0.875·100 + 0.125·20 = 90: RTO 320
    expect(timing.timing().phaseTimeoutMs).toBe(640);
  });

  it('never above the ceiling, and fixed when adaptation is off', () => {
    const slow = new AdaptiveTiming();
    slow.observe(1e9);
    expect(slow.timing().phaseTimeoutMs).toBe(60_000);
    const fixed = new AdaptiveTiming(DEFAULT_TIMING, false);
    fixed.observe(5);
    expect(fixed.timing()).toEqual(DEFAULT_TIMING);
    expect(fixed.observed).toBe(1);
  });

  it('backs off on a timeout, doubling up to the bound, until a phase completes (RFC 6298 §5.5)', () => {
    const timing = lowFloor();
    for (let i = 0; i < 50; i++) timing.observe(2); // a fast network: T = 10 ms
    timing.timedOut();
    expect(timing.timing().phaseTimeoutMs).toBe(20);
    timing.timedOut();
    expect(timing.timing()).toEqual({
      phaseTimeoutMs: 40,
      takeoverMs: 80,
      backoffMaxMs: 3000,
      timeoutBackoffMaxMs: 60_000,
    });
    for (let i = 0; i < 20; i++) timing.timedOut();
    // Bounded: T (and so every wait drawn from it, and the backoff ceiling) stays within 60 s.
    expect(timing.timing().phaseTimeoutMs).toBe(60_000);
    expect(timing.timing().backoffMaxMs).toBe(60_000);
    expect(timing.backedOff).toBe(22);
    // A sample ends the backoff: the estimator's value again.
    timing.observe(2);
    expect(timing.backedOff).toBe(0);
    expect(timing.timing().phaseTimeoutMs).toBe(10);
  });

  it('doubles once per expiry of the current timer: instances started before a backoff count no more', () => {
    const timing = lowFloor();
    timing.observe(2); // srtt 2, rttvar 1: T = max(10, 2 · 6) = 12 ms
    expect(timing.timing().phaseTimeoutMs).toBe(12);
    timing.timedOut(12); // an instance that started with the current T: 24 ms
    timing.timedOut(12); // another one started with 12 ms: already counted
    expect(timing.timing().phaseTimeoutMs).toBe(24);
    timing.timedOut(24); // one started after the backoff: 48 ms
    expect(timing.timing().phaseTimeoutMs).toBe(48);
  });

  it('backs off from the configured timing before any sample, and not at all when adaptation is off', () => {
    const cold = new AdaptiveTiming();
    cold.timedOut();
    expect(cold.timing().phaseTimeoutMs).toBe(2 * DEFAULT_TIMING.phaseTimeoutMs);
    const fixed = new AdaptiveTiming(DEFAULT_TIMING, false);
    fixed.timedOut();
    expect(fixed.timing()).toEqual(DEFAULT_TIMING);
  });
});

describe('the instance backoff ceiling (paxos/backoff.ts)', () => {
  it('stays at the backoff maximum without timeouts, so contention keeps short waits', () => {
    expect(backoffCeilingMs(3000, 60_000, 0)).toBe(3000);
  });

  it('doubles with each timeout, up to the bound', () => {
    expect(backoffCeilingMs(3000, 60_000, 1)).toBe(6000);
    expect(backoffCeilingMs(3000, 60_000, 4)).toBe(48_000);
    expect(backoffCeilingMs(3000, 60_000, 5)).toBe(60_000);
    expect(backoffCeilingMs(3000, 60_000, 1000)).toBe(60_000);
    // A bound under the maximum leaves the old cap.
    expect(backoffCeilingMs(3000, 3000, 9)).toBe(3000);
  });
});
