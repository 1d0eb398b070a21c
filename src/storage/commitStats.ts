// Group-commit counters of a store: how many commits, how many keys each carried, how long each
// took to become durable. Fixed-bucket histograms, so metrics export them as-is.
import { Histogram, type HistogramSnapshot } from '../base/histogram.js';

/** Commit latency buckets, in milliseconds: an fsync takes from tens of µs to hundreds of ms. */
export const COMMIT_LATENCY_BUCKETS_MS: readonly number[] = [
  0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500,
];

/** Keys-per-commit buckets: powers of two. */
export const KEYS_PER_COMMIT_BUCKETS: readonly number[] = [
  1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192,
];

/** One commit, as reported to `onCommit` observers. */
export interface CommitInfo {
  /** Distinct keys the commit made durable. */
  readonly keys: number;
  /** Writes it carried (a key written twice in one commit counts twice). */
  readonly writes: number;
  /** From the first of its writes being issued to the commit being durable (fsync'd). */
  readonly latencyMs: number;
}

export interface DurableCommitStats {
  /** Commits that made writes durable. */
  readonly commits: number;
  /** Commits that failed (each fails every write it carried). */
  readonly failedCommits: number;
  /** Writes issued. */
  readonly writes: number;
  /** Sum over commits of the distinct keys each made durable. */
  readonly keysCommitted: number;
  readonly commitLatencyMs: HistogramSnapshot;
  readonly keysPerCommit: HistogramSnapshot;
}

/** Accumulates the counters of `DurableCommitStats`. */
export class CommitStatsRecorder {
  private commits = 0;
  private failedCommits = 0;
  private writes = 0;
  private keysCommitted = 0;
  private readonly latency = new Histogram(COMMIT_LATENCY_BUCKETS_MS);
  private readonly keys = new Histogram(KEYS_PER_COMMIT_BUCKETS);

  wrote(): void {
    this.writes++;
  }

  committed(commit: CommitInfo): void {
    this.commits++;
    this.keysCommitted += commit.keys;
    this.latency.observe(commit.latencyMs);
    this.keys.observe(commit.keys);
  }

  failed(): void {
    this.failedCommits++;
  }

  snapshot(): DurableCommitStats {
    return {
      commits: this.commits,
      failedCommits: this.failedCommits,
      writes: this.writes,
      keysCommitted: this.keysCommitted,
      commitLatencyMs: this.latency.snapshot(),
      keysPerCommit: this.keys.snapshot(),
    };
  }
}
