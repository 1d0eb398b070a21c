// Keeps one peer dialled: while no link to the peer is up (in either direction), dial it, and
// after each failure wait a jittered exponential backoff (backoff.ts, the same "equal jitter"
// the proposers use) so a restarted cluster does not reconnect in lockstep. After a permanent
// refusal (wrong secret, member mismatch, amnesia…: retrying cannot help until someone fixes the
// configuration) it waits `refusedMs`, about a minute, instead.
import { backoffDelayMs } from '../../paxos/backoff.js';
import type { RandomSource } from '../../base/random.js';

export interface RedialOptions {
  readonly baseMs: number;
  readonly maxMs: number;
  /** The wait after a permanent refusal (jittered by up to a tenth). */
  readonly refusedMs: number;
  readonly random: RandomSource;
}

/** What one dial attempt came to: a link is up (ours or the peer's), or not, or refused for good. */
export type DialOutcome = 'up' | 'failed' | 'refused';

export class Redialler {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private dialling = false;
  private stopped = false;

  constructor(
    private readonly dial: () => Promise<DialOutcome>,
    /** True while some link to the peer is up: then there is nothing to do. */
    private readonly isUp: () => boolean,
    private readonly options: RedialOptions,
  ) {}

  /** Dials now (at start). */
  start(): void {
    void this.run();
  }

  /** The link went down: dial again after a short jittered wait. */
  linkDown(): void {
    if (this.stopped || this.dialling || this.timer !== null) return;
    this.attempt = 0;
    this.later();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private later(refused = false): void {
    const delayMs = refused
      ? this.options.refusedMs * (0.9 + 0.1 * this.options.random.next())
      : backoffDelayMs(this.options.baseMs, this.options.maxMs, this.attempt, this.options.random.next());
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.run();
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.stopped || this.dialling) return;
    if (this.isUp()) {
      this.attempt = 0;
      return;
    }
    this.dialling = true;
    let outcome: DialOutcome = 'failed';
    try {
      outcome = await this.dial();
    } finally {
      this.dialling = false;
    }
    if (this.stopped) return;
    if (outcome === 'up' || this.isUp()) {
      this.attempt = 0;
      return;
    }
    this.attempt++;
    this.later(outcome === 'refused');
  }
}
