// Immutable bitsets over interned ids, as arrays of 32-bit words. The network and the ghost
// history are sets that only grow, so "add" copies at most one word array per step.

export type Bits = readonly number[];

export const EMPTY_BITS: Bits = [];

export function hasBit(bits: Bits, id: number): boolean {
  return (((bits[id >>> 5] ?? 0) >>> (id & 31)) & 1) === 1;
}

/** `bits` with `id` added; the same array when it was already there. */
export function withBit(bits: Bits, id: number): Bits {
  if (hasBit(bits, id)) return bits;
  const words = bits.slice();
  const index = id >>> 5;
  while (words.length <= index) words.push(0);
  words[index] = ((words[index] as number) | (1 << (id & 31))) >>> 0;
  return words;
}

/** `bits` without `id`. */
export function withoutBit(bits: Bits, id: number): Bits {
  if (!hasBit(bits, id)) return bits;
  const words = bits.slice();
  const index = id >>> 5;
  words[index] = ((words[index] as number) & ~(1 << (id & 31))) >>> 0;
  while (words.length > 0 && words[words.length - 1] === 0) words.pop();
  return words;
}

export function forEachBit(bits: Bits, visit: (id: number) => void): void {
  for (let index = 0; index < bits.length; index++) {
    let word = bits[index] as number;
    while (word !== 0) {
      const low = word & -word;
      visit(index * 32 + (31 - Math.clz32(low)));
      word = (word ^ low) >>> 0;
    }
  }
}

export function bitsToArray(bits: Bits): number[] {
  const ids: number[] = [];
  forEachBit(bits, (id) => ids.push(id));
  return ids;
}

/** A compact exact string for hashing: two UTF-16 units per word. */
export function bitsKey(bits: Bits): string {
  let key = '';
  for (const word of bits) key += String.fromCharCode(word & 0xffff, word >>> 16);
  return key;
}

export function popcount(mask: number): number {
  let count = 0;
  for (let m = mask >>> 0; m !== 0; m &= m - 1) count++;
  return count;
}
