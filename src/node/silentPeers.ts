// Members suspected of not answering, so the owner's round 0 is not tried while one is silent.
// Round 0 needs every other member (paxos/owner.ts); a member that is gone but whose link still
// looks up (a partition the heartbeat has not noticed yet) would cost every round 0 a phase timeout.
// So a member that did not acknowledge a round-0 propose of this node that then failed is suspected
// until any message from it arrives, and meanwhile asks run both phases at once. A liveness
// heuristic, like link state: it only chooses between two safe paths.
export class SilentPeers {
  private readonly suspected = new Set<string>();
  /** Keys with a round-0 propose of this node in flight, and who acknowledged it. */
  private readonly pending = new Map<string, Set<string>>();

  constructor(
    private readonly self: string,
    /** The members round 0 needs, as the node's configuration says now. */
    private readonly members: () => readonly string[],
  ) {}

  /** Any message from `peer`: it is not silent. */
  heardFrom(peer: string): void {
    if (this.suspected.size > 0) this.suspected.delete(peer);
  }

  /** Some member is suspected now. */
  get anySuspected(): boolean {
    return this.suspected.size > 0;
  }

  /** Suspected members, for status and tests. */
  list(): string[] {
    return [...this.suspected];
  }

  /** This node sent a round-0 propose for `key`. */
  roundZeroSent(key: string): void {
    this.pending.set(key, new Set());
  }

  /** `from` acknowledged this node's round-0 propose for `key`. */
  acknowledged(key: string, from: string): void {
    this.pending.get(key)?.add(from);
  }

  /** The round-0 propose for `key` ended: decided, or given up (its members that never answered are suspected). */
  roundZeroEnded(key: string, decided: boolean): void {
    const acks = this.pending.get(key);
    if (acks === undefined) return;
    this.pending.delete(key);
    if (decided) return;
    for (const member of this.members())
      if (member !== this.self && !acks.has(member)) this.suspected.add(member);
  }
}
