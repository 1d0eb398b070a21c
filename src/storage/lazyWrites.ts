// Lazy writes (storage.ts `WriteOptions.lazy`) held back until the next write that is not lazy, or
// for at most `maxWaitMs`: they ride that write's commit instead of causing a commit, and an fsync,
// of their own. The store releases them before the write that releases them is issued, so issue
// order stays durability order.
export class LazyWrites {
  private readonly held: Array<() => void> = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly maxWaitMs: number) {}

  /** Holds `issue` back; the promise settles as the write it issues does. */
  hold(issue: () => Promise<void>): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.held.push(() => issue().then(resolve, reject));
    });
    this.timer ??= setTimeout(() => this.release(), this.maxWaitMs);
    return done;
  }

  /** Issues every held write now, in the order they were held. */
  release(): void {
    if (this.held.length === 0) return; // every write calls this: most find nothing held back
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const issue of this.held.splice(0)) issue();
  }
}
