// The adaptive phase timeout (src/node/adaptiveTiming.ts): RFC 6298's estimator over completed
// phases, within bounds, with the backoff ceiling kept above a phase.
import { describe, expect, it } from 'vitest';
import { AdaptiveTiming } from '../../src/node/adaptiveTiming.js';
import { DEFAULT_TIMING } from '../../src/paxos/instanceMachine.js';

describe('adaptive timing', () => {
  it('keeps the configured timing until the first phase completes', () => {
    expect(new AdaptiveTiming().timing()).toEqual(DEFAULT_TIMING);
  });

  it('follows fast phases down to the floor: a silent member costs little', () => {
    const timing = new AdaptiveTiming();
    for (let i = 0; i < 50; i++) timing.observe(2);
    expect(timing.timing()).toEqual({ phaseTimeoutMs: 10, takeoverMs: 20, backoffMaxMs: 3000 });
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
});
