// Quorums: strict majorities of the configured members, counted over distinct senders.
// During a change of voters a phase-1 quorum is a majority of each of two voter sets
// (docs/membership.md §4.3), so `hasQuorum` also takes the sets themselves. Pure. Counting senders (not replies) is what makes duplicated messages harmless; the
// original counted replies, so one acceptor answering twice could make a "majority".

/** The size of a majority of `memberCount` members. */
export function majority(memberCount: number): number {
  return Math.floor(memberCount / 2) + 1;
}

/** Adds `sender` to `senders` unless present. Returns the same array when nothing changes. */
export function addSender(senders: readonly string[], sender: string): readonly string[] {
  return senders.includes(sender) ? senders : [...senders, sender];
}

/**
 * With a count: at least a majority of that many members replied (every sender is a member).
 * With voter sets: a majority of **each** set replied, counting only the senders in that set.
 */
export function hasQuorum(senders: readonly string[], of: number | readonly (readonly string[])[]): boolean {
  if (typeof of === 'number') return senders.length >= majority(of);
  return of.every((voters) => countIn(senders, voters) >= majority(voters.length));
}

function countIn(senders: readonly string[], voters: readonly string[]): number {
  let count = 0;
  for (const sender of senders) if (voters.includes(sender)) count++;
  return count;
}

/**
 * The owner's round 0 is a fast round (Fast Paxos §3) in which the owner does not vote: a value is
 * chosen in it only when every other member accepted it. Then no acceptor but the owner can hold
 * another value in that ballot, so every later phase 1 finds this one (P2c needs no change), and
 * the owner needs nothing durable of its own before proposing.
 */
export function hasFastQuorum(
  senders: readonly string[],
  owner: string,
  members: readonly string[],
): boolean {
  return members.every((member) => member === owner || senders.includes(member));
}
