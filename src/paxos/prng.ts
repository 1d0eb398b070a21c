// A seeded pseudo-random generator whose whole state is one 32-bit number, so it can live in
// an instance's context (plain data) and make every run replayable. Pure. mulberry32.

export interface RandomDraw {
  /** Uniform in [0, 1). */
  readonly value: number;
  readonly state: number;
}

export function drawRandom(state: number): RandomDraw {
  const next = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(next ^ (next >>> 15), 1 | next);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}

/**
 * A seeded random source (`{ next() }`, uniform in [0, 1)) over the same generator: the same seed
 * gives the same sequence, so simulations and tests replay from their printed seed.
 */
export function seededRandom(seed: number): { next(): number } {
  let state = seed | 0;
  return {
    next() {
      const draw = drawRandom(state);
      state = draw.state;
      return draw.value;
    },
  };
}
