// Properties of the retry timing: jittered exponential backoff and the seeded generator behind
// it. Jitter is what breaks duelling proposers' lockstep, so it must really vary and stay in range.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/paxos/backoff.js';
import { drawRandom } from '../../src/paxos/prng.js';
import { assertProperty } from '../support/property.js';

const base = fc.integer({ min: 1, max: 10_000 });
const attempt = fc.integer({ min: 0, max: 100 });
const random01 = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoff (fast-check)', () => {
  it('stays in [ceiling/2, ceiling] where ceiling = min(max, base·2^attempt), and at least 1 ms', () => {
    assertProperty(
      'backoff range',
      fc.property(base, base, attempt, random01, (baseMs, maxMs, n, r) => {
        const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(n, 30));
        const delay = backoffDelayMs(baseMs, maxMs, n, r);
        expect(delay).toBeGreaterThanOrEqual(Math.max(1, Math.floor(ceiling / 2)));
        expect(delay).toBeLessThanOrEqual(Math.max(1, ceiling));
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
  });

  it('grows with the attempt and with the draw, never shrinks', () => {
    assertProperty(
      'backoff monotone',
      fc.property(base, base, attempt, random01, random01, (baseMs, maxMs, n, r1, r2) => {
        const [lo, hi] = r1 <= r2 ? [r1, r2] : [r2, r1];
        expect(backoffDelayMs(baseMs, maxMs, n, lo)).toBeLessThanOrEqual(
          backoffDelayMs(baseMs, maxMs, n, hi),
        );
        // The same draw one attempt later waits at least as long.
        expect(backoffDelayMs(baseMs, maxMs, n, r1)).toBeLessThanOrEqual(
          backoffDelayMs(baseMs, maxMs, n + 1, r1),
        );
      }),
    );
  });
});

describe('seeded generator (fast-check)', () => {
  it('draws in [0, 1), replays from its state, and keeps its state a 32-bit integer', () => {
    assertProperty(
      'prng range and replay',
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (seed) => {
        let state = seed;
        const values: number[] = [];
        for (let i = 0; i < 50; i++) {
          const draw = drawRandom(state);
          expect(draw.value).toBeGreaterThanOrEqual(0);
          expect(draw.value).toBeLessThan(1);
          expect(draw.state | 0).toBe(draw.state);
          expect(drawRandom(state)).toEqual(draw);
          values.push(draw.value);
          state = draw.state;
        }
        // Not stuck: fifty draws are not all alike, and their mean is not far off ½.
        expect(new Set(values).size).toBeGreaterThan(40);
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        expect(Math.abs(mean - 0.5)).toBeLessThan(0.25);
      }),
    );
  });
});
