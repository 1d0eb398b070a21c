// Random sources. The core takes a seed in its input; the runtime draws seeds (and network
// fault decisions) from a `RandomSource`, which tests make seeded so any run can be replayed.
import { drawRandom } from '../paxos/prng.js';

export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
}

/** A deterministic source: the same seed gives the same sequence. */
export function seededRandom(seed: number): RandomSource {
  let state = seed | 0;
  return {
    next() {
      const draw = drawRandom(state);
      state = draw.state;
      return draw.value;
    },
  };
}

export const systemRandom: RandomSource = { next: () => Math.random() };

/** A 32-bit seed for a child generator. */
export function drawSeed(random: RandomSource): number {
  return Math.floor(random.next() * 0x1_0000_0000) | 0;
}
