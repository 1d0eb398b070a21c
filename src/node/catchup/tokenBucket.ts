// A token bucket on the node's clock: catch-up spends one token per byte it pulls, and waits when
// the bucket is empty, so pulling never takes more than `bytesPerSecond` of a link on average.
// (Rate-limiting libraries read the wall clock; this one must follow a virtual clock in tests.)

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly perSecond: number,
    /** The most a burst may take at once (and what a full bucket holds). */
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.tokens = capacity;
    this.lastMs = now();
  }

  /** Spends `amount` (the bucket may go into debt); returns how long to wait before spending again. */
  take(amount: number): number {
    this.refill();
    this.tokens -= amount;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.perSecond) * 1000);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.lastMs) / 1000) * this.perSecond);
    this.lastMs = now;
  }
}
