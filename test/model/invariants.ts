// The safety properties of Paxos (Paxos Made Simple §2.1), over the model's ghost history.
//   agreement: at most one value is chosen, and every learned value is that one;
//   validity: only a value that has been proposed may be chosen or learned;
//   learnedIsChosen: a learner learns a value only once it is chosen.
// "Chosen" is the paper's definition: accepted by a majority of acceptors in one ballot; for the
// owner's round 0, a fast round (Fast Paxos §3) the owner does not vote in, by every other member.
import { bitsKey, forEachBit, popcount, type Bits } from './bitset.js';
import type { Interner } from './canonical.js';
import type { InvariantName } from './config.js';
import type { Acceptance } from './nodeSteps.js';
import type { World } from './world.js';
import { majority } from '../../src/paxos/quorum.js';

export class Invariants {
  private readonly chosenCache = new Map<string, number>();

  constructor(
    private readonly acceptances: Interner<Acceptance>,
    private readonly memberCount: number,
    private readonly checked: readonly InvariantName[],
    private readonly describeValues: (mask: number) => string,
  ) {}

  /** Bit v: value v was accepted by a majority of acceptors in some single ballot. */
  chosen(acceptanceBits: Bits): number {
    const key = bitsKey(acceptanceBits);
    const cached = this.chosenCache.get(key);
    if (cached !== undefined) return cached;
    const voters = new Map<string, Set<string>>();
    forEachBit(acceptanceBits, (id) => {
      const acceptance = this.acceptances.get(id);
      const vote = `${acceptance.ballot}|${acceptance.value}`;
      let nodes = voters.get(vote);
      if (nodes === undefined) voters.set(vote, (nodes = new Set()));
      nodes.add(acceptance.node);
    });
    let mask = 0;
    for (const [vote, nodes] of voters) {
      const [ballot, value] = vote.split('|') as [string, string];
      if (nodes.size >= this.quorumOf(ballot)) mask |= 1 << Number(value);
    }
    this.chosenCache.set(key, mask);
    return mask;
  }

  /**
   * Acceptances that choose a value in `ballot` (formatted `round.node`): a majority; in the owner's
   * round 0, a fast round the owner does not vote in, every member but the owner (quorum.ts).
   */
  private quorumOf(ballot: string): number {
    return ballot.startsWith('0.') ? this.memberCount - 1 : majority(this.memberCount);
  }

  /** The first violated invariant, described, or null. */
  violation(world: World): string | null {
    const chosen = this.chosen(world.acceptances);
    const known = chosen | world.learned;
    for (const name of this.checked) {
      switch (name) {
        case 'agreement':
          if (popcount(known) > 1)
            return (
              `agreement violated: ${this.describeValues(known)} are all chosen or learned ` +
              `(chosen: ${this.describeValues(chosen)}; learned: ${this.describeValues(world.learned)})`
            );
          break;
        case 'validity':
          if ((known & ~world.askedValues) !== 0)
            return `validity violated: ${this.describeValues(known & ~world.askedValues)} chosen or learned but never proposed`;
          break;
        case 'learnedIsChosen':
          if ((world.learned & ~chosen) !== 0)
            return `learnedIsChosen violated: ${this.describeValues(world.learned & ~chosen)} learned but not accepted by a majority in any ballot`;
          break;
      }
    }
    return null;
  }
}
