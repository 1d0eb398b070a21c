// Ballots: (epoch, round, node) triples compared lexicographically. Pure.
// Unique per node because the node id breaks ties; a node never reuses a round for a key
// because its own promise of that ballot is persisted before the ballot leaves the node.
// The epoch counts changes of the voter set (docs/membership.md §4.2): every ballot of a newer
// voter set is above every ballot of an older one. Epoch 0 is written by leaving the field out,
// so a group with one configuration keeps the ballots, records and frames it had before epochs.

/** A Paxos ballot number ("proposal number" in Paxos Made Simple). */
export interface Ballot {
  /** The voter set's epoch (docs/membership.md §4.2): compared first; absent means 0. */
  readonly epoch?: number;
  readonly round: number;
  readonly node: string;
}

/** The ballot's epoch: 0 when the field is absent. */
export function epochOf(ballot: Ballot): number {
  return ballot.epoch ?? 0;
}

/** Negative, zero or positive as `a` is below, equal to or above `b`. `null` is below every ballot. */
export function compareBallots(a: Ballot | null, b: Ballot | null): number {
  if (a === null) return b === null ? 0 : -1;
  if (b === null) return 1;
  const epochs = epochOf(a) - epochOf(b);
  if (epochs !== 0) return epochs;
  if (a.round !== b.round) return a.round - b.round;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

export function ballotsEqual(a: Ballot | null, b: Ballot | null): boolean {
  return compareBallots(a, b) === 0;
}

/**
 * The lowest ballot owned by `node` above `highestSeenRound` in `epoch` (default 0). A node that
 * adopts a newer epoch passes 0 as the highest round seen in it: its first ballot there is round 1,
 * round 0 staying the owner's (owner.ts).
 */
export function nextBallot(node: string, highestSeenRound: number, epoch = 0): Ballot {
  return withEpoch({ round: highestSeenRound + 1, node }, epoch);
}

/** `ballot` in `epoch`: the field is left out for epoch 0, so epoch-0 ballots keep their old shape. */
export function withEpoch(ballot: { readonly round: number; readonly node: string }, epoch: number): Ballot {
  return epoch === 0
    ? { round: ballot.round, node: ballot.node }
    : { epoch, round: ballot.round, node: ballot.node };
}

/** `1.b` for traces and logs (round then node); `2:1.b` in epoch 2. */
export function formatBallot(ballot: Ballot | null): string {
  if (ballot === null) return '⊥';
  const epoch = epochOf(ballot);
  return epoch === 0 ? `${ballot.round}.${ballot.node}` : `${epoch}:${ballot.round}.${ballot.node}`;
}
