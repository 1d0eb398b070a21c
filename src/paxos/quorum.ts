// Quorums: strict majorities of the configured members, counted over distinct senders.
// Pure. Counting senders (not replies) is what makes duplicated messages harmless; the
// original counted replies, so one acceptor answering twice could make a "majority".

/** The size of a majority of `memberCount` members. */
export function majority(memberCount: number): number {
  return Math.floor(memberCount / 2) + 1;
}

/** Adds `sender` to `senders` unless present. Returns the same array when nothing changes. */
export function addSender(senders: readonly string[], sender: string): readonly string[] {
  return senders.includes(sender) ? senders : [...senders, sender];
}

export function hasQuorum(senders: readonly string[], memberCount: number): boolean {
  return senders.length >= majority(memberCount);
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
