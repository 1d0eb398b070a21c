// Liveness after the faults heal, for the simulation (simulation.ts): within the liveness window,
// every ask made after healing is answered, and every key — asked during the faults or not,
// whatever became of those asks — is decided on every node. An ask of the fault window may time
// out without blame, but its key may not stay undecided: it is probed again after healing.
// Safety invariants cannot see a node that stalls; this can.

/** An ask the tracker follows, by name (`a ask k1=a-3`, `b probe k1`). */
interface TrackedAsk {
  readonly key: string;
  readonly afterHealing: boolean;
}

export interface LivenessReport {
  /** Every way the run failed to make progress after healing; empty when it did. */
  readonly violations: readonly string[];
  /** Asks neither answered nor failed by the end of the window. */
  readonly stuck: readonly string[];
  /** Keys asked during the faults whose every ask there went unanswered (re-asked after healing). */
  readonly reasked: readonly string[];
  /** Virtual time from healing to the last answer, when every ask after healing was answered. */
  readonly recoveredMs: number | null;
}

/** At most this many liveness violations are listed: one stall tends to fail every probe. */
const MAX_LISTED = 20;

export class LivenessTracker {
  private readonly waiting = new Map<string, TrackedAsk>();
  /** Per key asked during the faults: how many of those asks were answered. */
  private readonly faultAsks = new Map<string, { asked: number; answered: number }>();
  private readonly failures: string[] = [];
  private healedAtMs: number | null = null;
  private lastAnswerMs: number | null = null;

  constructor(
    private readonly now: () => number,
    /** How long after healing every ask must be answered (the simulation's `settleMs`). */
    private readonly windowMs: number,
  ) {}

  /** Asks neither answered nor failed yet. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /** The faults stopped: from now on every new ask must be answered, within the window. */
  healed(): void {
    this.healedAtMs = this.now();
  }

  get deadlineMs(): number {
    if (this.healedAtMs === null) throw new Error('liveness: the faults have not healed yet');
    return this.healedAtMs + this.windowMs;
  }

  asked(op: string, key: string): void {
    const afterHealing = this.healedAtMs !== null;
    this.waiting.set(op, { key, afterHealing });
    if (afterHealing) return;
    const counts = this.faultAsks.get(key) ?? { asked: 0, answered: 0 };
    this.faultAsks.set(key, { ...counts, asked: counts.asked + 1 });
  }

  answered(op: string): void {
    const ask = this.waiting.get(op);
    if (!ask) return;
    this.waiting.delete(op);
    if (this.healedAtMs !== null) this.lastAnswerMs = this.now();
    if (ask.afterHealing) return;
    const counts = this.faultAsks.get(ask.key);
    if (counts) this.faultAsks.set(ask.key, { ...counts, answered: counts.answered + 1 });
  }

  /** The ask rejected with `code`: the outcome is unknown, which only the fault window excuses. */
  failed(op: string, code: string): void {
    const ask = this.waiting.get(op);
    if (!ask) return;
    this.waiting.delete(op);
    if (ask.afterHealing) this.failures.push(`liveness: ${op}, made after healing, failed with ${code}`);
  }

  /** Keys asked during the faults of which no ask was answered: only the probes can settle them. */
  unansweredKeys(): string[] {
    return [...this.faultAsks].filter(([, c]) => c.answered === 0).map(([key]) => key);
  }

  /**
   * The verdict at the end of the window. `undecidedOn(key)` names the nodes that do not hold a
   * durable decision of `key`; every key in `keys` must be decided on every node.
   */
  report(keys: readonly string[], undecidedOn: (key: string) => readonly string[]): LivenessReport {
    const reasked = this.unansweredKeys();
    const stuck = [...this.waiting.keys()];
    const violations = [
      ...[...this.waiting].map(([op, ask]) =>
        ask.afterHealing
          ? `liveness: ${op} not answered within ${this.windowMs} ms of healing`
          : `liveness: ${op}, made during the faults, neither answered nor timed out by the end of the window`,
      ),
      ...this.failures,
    ];
    for (const key of keys) {
      const nodes = undecidedOn(key);
      if (nodes.length === 0) continue;
      const why = reasked.includes(key) ? ' (every ask of it in the fault window went unanswered)' : '';
      violations.push(`liveness: ${key}${why} is not decided on ${nodes.join(', ')} after healing`);
    }
    const recoveredMs =
      violations.length === 0 && this.healedAtMs !== null
        ? (this.lastAnswerMs ?? this.healedAtMs) - this.healedAtMs
        : null;
    const listed =
      violations.length > MAX_LISTED
        ? [...violations.slice(0, MAX_LISTED), `liveness: … and ${violations.length - MAX_LISTED} more`]
        : violations;
    return { violations: listed, stuck, reasked, recoveredMs };
  }
}
