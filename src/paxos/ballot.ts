// Ballots: (round, node) pairs compared lexicographically. Pure.
// Unique per node because the node id breaks ties; a node never reuses a round for a key
// because its own promise of that ballot is persisted before the ballot leaves the node.

/** A Paxos ballot number ("proposal number" in Paxos Made Simple). */
export interface Ballot {
  readonly round: number;
  readonly node: string;
}

/** Negative, zero or positive as `a` is below, equal to or above `b`. `null` is below every ballot. */
export function compareBallots(a: Ballot | null, b: Ballot | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  if (a.round !== b.round) return a.round - b.round;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

export function ballotsEqual(a: Ballot | null, b: Ballot | null): boolean {
  return compareBallots(a, b) === 0;
}

/** The lowest ballot owned by `node` that is above every round in `seenRounds`. */
export function nextBallot(node: string, highestSeenRound: number): Ballot {
  return { round: highestSeenRound + 1, node };
}

/** `b1` for traces and logs: round then node. */
export function formatBallot(ballot: Ballot | null): string {
  return ballot === null ? '⊥' : `${ballot.round}.${ballot.node}`;
}
