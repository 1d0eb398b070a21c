// Group-commit counters of a durable store: how many commits, how many keys each carried, how
// long each took to become durable. Fixed-bucket histograms, so metrics export them as-is.

/** A histogram with fixed upper bounds (Prometheus style: `le` buckets plus +Inf). */
export interface HistogramSnapshot {
  /** Upper bounds of the buckets, ascending; the last bucket (+Inf) is implied. */
  readonly upperBounds: readonly number[];
  /** Samples per bucket (not cumulative); one more entry than `upperBounds`, for +Inf. */
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number;
  readonly max: number;
}

export class Histogram {
  private readonly counts: number[];
  private count = 0;
  private sum = 0;
  private max = 0;

  constructor(private readonly upperBounds: readonly number[]) {
    this.counts = new Array<number>(upperBounds.length + 1).fill(0);
  }

  observe(value: number): void {
    let bucket = this.upperBounds.findIndex((bound) => value <= bound);
    if (bucket === -1) bucket = this.upperBounds.length;
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  snapshot(): HistogramSnapshot {
    return {
      upperBounds: this.upperBounds,
      counts: [...this.counts],
      count: this.count,
      sum: this.sum,
      max: this.max,
    };
  }
}

/**
 * The upper bound of the bucket holding percentile `p` (0–100): an over-estimate by at most one
 * bucket width; `max` when the percentile falls in the +Inf bucket. `NaN` for no samples.
 */
export function histogramPercentile(histogram: HistogramSnapshot, p: number): number {
  if (histogram.count === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * histogram.count));
  let seen = 0;
  for (let i = 0; i < histogram.counts.length; i++) {
    seen += histogram.counts[i] ?? 0;
    if (seen >= rank) return Math.min(histogram.upperBounds[i] ?? histogram.max, histogram.max);
  }
  return histogram.max;
}

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
