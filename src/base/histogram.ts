// Fixed-bucket histograms (Prometheus style), shared by every layer that measures something:
// storage commits, ask latency, rounds per decision. Plain data snapshots, exported as-is.

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
