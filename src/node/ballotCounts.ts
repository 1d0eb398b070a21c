// How many ballots this node started for each key until it was decided: retries are counted as
// they happen, and each decision's count goes into a histogram (/metrics: paxos_decision_rounds).
import { Histogram } from '../base/histogram.js';
import type { SupervisorStats } from './nodeEvents.js';

/** Buckets of the ballots a node started per decision it proposed. */
export const DECISION_ROUND_BUCKETS: readonly number[] = [1, 2, 3, 4, 5, 8, 13, 21];

export class BallotCounts {
  /** Ballots this node started per decision it took part in as a proposer. */
  readonly decisionRounds = new Histogram(DECISION_ROUND_BUCKETS);
  /** Ballots started per key not yet decided here. */
  private readonly started = new Map<string, number>();

  constructor(private readonly stats: SupervisorStats) {}

  /** This node started a ballot for `key` (its prepare, or the owner's round-0 propose). */
  ballotStarted(key: string): void {
    const started = (this.started.get(key) ?? 0) + 1;
    this.started.set(key, started);
    this.stats.ballotsStarted++;
    if (started > 1) this.stats.retries++;
  }

  /** `key` was decided: its ballots are one sample of the histogram. Returns how many there were. */
  decided(key: string): number {
    const rounds = this.started.get(key) ?? 0;
    this.started.delete(key);
    if (rounds > 0) this.decisionRounds.observe(rounds);
    return rounds;
  }

  /** `key` is no longer worked on here (retired idle, or given up): forget its count. */
  forget(key: string): void {
    this.started.delete(key);
  }

  clear(): void {
    this.started.clear();
  }
}
