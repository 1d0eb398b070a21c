// Resumes a transition nobody completes (docs/membership.md §6.2): a voter of a new epoch that has
// adopted it and sees no `\0done` within its rescan timeout (jittered) runs the rescan and decides
// `\0done` itself. Rescans are idempotent, so a rescanner that died costs time, not safety. Armed
// only while the node runs under an incomplete epoch: a group that never changes has no timer.
import type { RuntimeClock } from '../base/clock.js';
import type { RandomSource } from '../base/random.js';
import { completeTransition, type ChangeNode } from './membership/changeMembers.js';

export const DEFAULT_RESCAN_TIMEOUT_MS = 10_000;

export interface TransitionWatchOptions {
  readonly self: string;
  readonly clock: RuntimeClock;
  readonly random: RandomSource;
  readonly timeoutMs: number;
  /** A fresh port to the running node. */
  readonly port: () => ChangeNode;
  /** A change runs on this node now (its own rescan is under way). */
  readonly busy: () => boolean;
}

export class TransitionWatch {
  private timer: unknown = null;
  private running = false;
  private stopped = false;

  constructor(private readonly options: TransitionWatchOptions) {}

  /** The node runs under this view now. */
  seen(view: { readonly complete: boolean; readonly voters: readonly string[] }): void {
    if (view.complete || !view.voters.includes(this.options.self)) this.clear();
    else if (this.timer === null && !this.running) this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private arm(): void {
    if (this.stopped) return;
    const { clock, random, timeoutMs } = this.options;
    const delay = timeoutMs * (1 + random.next() / 2);
    this.timer = clock.setTimeout(() => this.fire(), delay);
  }

  private clear(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private fire(): void {
    this.timer = null;
    if (this.stopped) return;
    if (this.options.busy()) {
      this.arm();
      return;
    }
    this.running = true;
    const port = this.options.port();
    completeTransition(port, { timeoutMs: this.options.timeoutMs * 6 })
      .then(
        (view) => view,
        () => null, // not this time: armed again below while the epoch stays incomplete
      )
      .then(async (view) => {
        this.running = false;
        const now = view ?? (await port.describe().catch(() => null));
        if (now !== null) this.seen({ complete: now.complete, voters: now.members.map((m) => m.id) });
      });
  }
}
