// The membership scenarios of docs/membership.md §12.1 and the must-fail controls of §12.2, over
// nodes a, b, c, f. Values v1 (asked on c, a member that leaves) and v2 (asked on f, a member that
// joins); the key is one that f owns in every configuration it belongs to, so the owner fast path
// is exercised by the newcomer.
import { ownerAmongSorted } from '../../../src/paxos/owner.js';
import type { Configuration } from '../../../src/paxos/config.js';
import type { BrokenRules, MemberScenario, Prefix } from './scenario.js';

export interface MemberBounds {
  readonly maxRound: number;
  readonly maxCrashes: number;
  readonly ownerFastPath: boolean;
  readonly crashable?: readonly string[];
}

const cfg = (number: number, epoch: number, voters: readonly string[]): Configuration => ({
  number,
  epoch,
  voters: [...voters].sort(),
  urls: {},
});

/** The first of k, k1, k2, … that f owns under every voter list given. */
function keyOwnedByF(...voterLists: readonly (readonly string[])[]): string {
  for (let i = 0; i < 1000; i++) {
    const key = i === 0 ? 'k' : `k${i}`;
    if (voterLists.every((voters) => ownerAmongSorted(key, [...voters].sort()) === 'f')) return key;
  }
  throw new Error('no key owned by f');
}

function label(name: string, bounds: MemberBounds): string {
  const who = bounds.crashable ? ` of ${bounds.crashable.join(', ')}` : '';
  return `${name} (owner fast path ${bounds.ownerFastPath ? 'on' : 'off'}, rounds ≤ ${bounds.maxRound}, crashes${who} ≤ ${bounds.maxCrashes})`;
}

const ABC = ['a', 'b', 'c'];
const ABCF = ['a', 'b', 'c', 'f'];
const ABF = ['a', 'b', 'f'];

/**
 * 3 → 4 → 3: f is added, then c removed; c asks v1 and f asks v2, in whatever epoch they are in
 * (`pinned`: c only in epoch 0 and f only in epoch 2, the smaller run for `npm test`).
 */
export function threeFourThree(
  bounds: MemberBounds,
  broken?: BrokenRules,
  name = 'threeFourThree',
  pinned = false,
): MemberScenario {
  return {
    ...(pinned ? { askUnder: { c: 0, f: 2 } } : {}),
    name: label(pinned ? `${name}, c asks in epoch 0, f in epoch 2` : name, bounds),
    chain: [cfg(0, 0, ABC), cfg(1, 1, ABCF), cfg(2, 2, ABF)],
    nodes: ['a', 'b', 'c', 'f'],
    key: keyOwnedByF(ABCF, ABF),
    asks: { c: 'v1', f: 'v2' },
    ownerFastPath: bounds.ownerFastPath,
    maxRound: bounds.maxRound,
    maxCrashes: bounds.maxCrashes,
    ...(bounds.crashable ? { crashable: bounds.crashable } : {}),
    rescanner: 'a',
    ...(broken ? { broken } : {}),
  };
}

/**
 * A replacement: c may decide v1 with a or b, then loses its disk; [a, b, c] → [a, b, f].
 * `live`: c stays up (a replacement of a live member): it may still be proposing under
 * configuration 0 while the others move on, which is what the epoch fence is for.
 */
export function replace(
  bounds: MemberBounds,
  broken?: BrokenRules,
  name = 'replace',
  live = false,
): MemberScenario {
  return {
    name: label(live ? `${name}, c stays up` : name, bounds),
    chain: [cfg(0, 0, ABC), cfg(1, 1, ABF)],
    nodes: ['a', 'b', 'c', 'f'],
    key: keyOwnedByF(ABF),
    asks: { c: 'v1', f: 'v2' },
    ownerFastPath: bounds.ownerFastPath,
    maxRound: bounds.maxRound,
    maxCrashes: bounds.maxCrashes,
    crashable: bounds.crashable ?? ['a', 'b', 'f'],
    rescanner: 'a',
    ...(live ? {} : { diskLoss: 'c' }),
    ...(broken ? { broken } : {}),
  };
}

/**
 * The issue's counterexample (docs/membership.md §11): from the scripted prefix (c decided v1 with
 * a; c→b lost; c's disk gone), replace c by f; f is asked v2. `offlineSwap`: the withdrawn
 * manual procedure instead of the protocol — configuration 1 = [a, b, f] with the same epoch, so no
 * transition, no fence and no rescan.
 */
export function issue15(
  bounds: MemberBounds,
  prefix: Prefix,
  options: { broken?: BrokenRules; offlineSwap?: boolean } = {},
  name = 'issue15',
): MemberScenario {
  const swap = options.offlineSwap === true;
  return {
    name: label(`${name}, ${prefix === 'issue15-decided' ? 'a decided v1' : 'a accepted v1'}`, bounds),
    chain: [cfg(0, 0, ABC), cfg(1, swap ? 0 : 1, ABF)],
    nodes: ['a', 'b', 'c', 'f'],
    key: keyOwnedByF(ABF),
    asks: { f: 'v2' },
    ownerFastPath: bounds.ownerFastPath,
    maxRound: bounds.maxRound,
    maxCrashes: bounds.maxCrashes,
    ...(bounds.crashable ? { crashable: bounds.crashable } : {}),
    rescanner: 'a',
    prefix,
    ...(options.broken ? { broken: options.broken } : {}),
  };
}
