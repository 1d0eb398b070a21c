// Random sources. The core takes a seed in its input; the runtime draws seeds (and network
// fault decisions) from a `RandomSource`, which tests make seeded so any run can be replayed
// (`seededRandom` in paxos/prng.ts: the core's own generator).

export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
}

export const systemRandom: RandomSource = { next: () => Math.random() };

/** A 32-bit seed for a child generator. */
export function drawSeed(random: RandomSource): number {
  return Math.floor(random.next() * 0x1_0000_0000) | 0;
}
