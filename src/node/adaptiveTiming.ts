// Phase timeouts that adapt to what the node observes, so a slow network (a long delay, a loaded
// disk) does not make every proposer time out for ever; never below the configured phase timeout,
// so a phase merely slow under load is not retried (AdaptiveTimingBounds). The estimator is RFC 6298's (TCP's retransmission timeout): each phase one of
// this node's instances completes — phase 1 (preparing → proposing) or phase 2 (proposing →
// decided) — is a sample of how long a phase takes; the retransmission timeout is the smoothed time
// plus four smoothed deviations. An instance waits a jittered draw in [T/2, T) of its phase timeout
// T (paxos/backoff.ts), so T is twice that, within bounds. Instances read it when they start (paxos/instanceMachine.ts
// draws each wait, jittered, from it), and the takeover timers of keys without an instance too.
// A phase that times out backs the timer off (RFC 6298 §5.5): T doubles, up to the timing's
// `timeoutBackoffMaxMs`, and stays backed off until a phase completes again. Without this, a round
// trip longer than every wait would never complete a phase, so never give a sample.
import { DEFAULT_TIMING, type InstanceTiming } from '../paxos/instanceMachine.js';

export interface AdaptiveTimingBounds {
  /**
   * The shortest phase timeout, however fast the phases run. Default: the configured
   * `phaseTimeoutMs` (150 ms unless set), as TCP keeps a minimum retransmission timeout (RFC 6298
   * (2.4); Linux 200 ms): a phase's time under load has a long tail the smoothed estimate does not
   * cover, and a timeout below it is a retry of a phase that was merely slow — more messages, more
   * load, longer phases. Measured at 256 asks in flight (3 members, loopback, LMDB), a floor of
   * 10 ms retried one ask in five; 200 ms, one in twenty-five.
   */
  readonly minPhaseTimeoutMs?: number;
  /** The longest phase timeout, however slow. */
  readonly maxPhaseTimeoutMs: number;
}

export const DEFAULT_TIMING_BOUNDS: AdaptiveTimingBounds = { maxPhaseTimeoutMs: 60_000 };

export class AdaptiveTiming {
  private smoothedMs: number | null = null;
  private deviationMs = 0;
  private samples = 0;
  /** Phase timeouts since the last sample: the exponent of the backoff. */
  private backoffs = 0;

  /**
   * `configured`: the timing until the first sample (and, with `adaptive` off, always); its
   * `backoffMaxMs` stays the floor of the backoff ceiling.
   */
  constructor(
    private readonly configured: InstanceTiming = DEFAULT_TIMING,
    private readonly adaptive = true,
    private readonly bounds: AdaptiveTimingBounds = DEFAULT_TIMING_BOUNDS,
  ) {}

  /** A phase completed in `durationMs` (RFC 6298 §2: α = 1/8, β = 1/4). */
  observe(durationMs: number): void {
    if (!Number.isFinite(durationMs) || durationMs < 0) return;
    this.samples++;
    this.backoffs = 0;
    if (this.smoothedMs === null) {
      this.smoothedMs = durationMs;
      this.deviationMs = durationMs / 2;
      return;
    }
    this.deviationMs = 0.75 * this.deviationMs + 0.25 * Math.abs(this.smoothedMs - durationMs);
    this.smoothedMs = 0.875 * this.smoothedMs + 0.125 * durationMs;
  }

  /**
   * A phase of one of this node's instances timed out: back the timer off until the next sample
   * (RFC 6298 §5.5). Rejections are not timeouts: contention keeps the short waits.
   * `startedWithMs`: the phase timeout the instance started with.
   */
  timedOut(startedWithMs?: number): void {
    if (!this.adaptive) return;
    // One doubling per expiry of the current timer, as TCP's one timer: an instance that started
    // with a shorter phase timeout than the current one tells nothing the backoff has not counted.
    if (startedWithMs !== undefined && startedWithMs < this.timing().phaseTimeoutMs) return;
    this.backoffs = Math.min(this.backoffs + 1, 30);
  }

  /** Phase timeouts since the last completed phase. */
  get backedOff(): number {
    return this.backoffs;
  }

  /** Phases observed so far. */
  get observed(): number {
    return this.samples;
  }

  /** The timing an instance starting now gets. */
  timing(): InstanceTiming {
    if (!this.adaptive || (this.smoothedMs === null && this.backoffs === 0)) return this.configured;
    const { maxPhaseTimeoutMs } = this.bounds;
    const minPhaseTimeoutMs = this.bounds.minPhaseTimeoutMs ?? this.configured.phaseTimeoutMs;
    const measuredMs =
      this.smoothedMs === null
        ? this.configured.phaseTimeoutMs
        : Math.min(
            maxPhaseTimeoutMs,
            Math.max(minPhaseTimeoutMs, 2 * (this.smoothedMs + 4 * this.deviationMs)),
          );
    // Backed off: doubled per timeout, never past the bound (nor below the measured value).
    const backedOffMs = Math.min(
      Math.max(measuredMs, this.configured.timeoutBackoffMaxMs),
      measuredMs * 2 ** this.backoffs,
    );
    const phaseTimeoutMs = Math.round(backedOffMs);
    return {
      phaseTimeoutMs,
      // Waiting for another proposer covers its two phases.
      takeoverMs: 2 * phaseTimeoutMs,
      // The backoff ceiling must stay above a phase, or duelling proposers never finish one; and
      // within the bound of every wait.
      backoffMaxMs: Math.max(
        this.configured.backoffMaxMs,
        Math.min(8 * phaseTimeoutMs, Math.max(phaseTimeoutMs, this.configured.timeoutBackoffMaxMs)),
      ),
      timeoutBackoffMaxMs: this.configured.timeoutBackoffMaxMs,
    };
  }
}
