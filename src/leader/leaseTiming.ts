// The lease's arithmetic (docs/leader.md, "Why leases never overlap"). Every duration is measured
// on one node's own clock; no absolute time is ever compared across nodes. The assumption is a
// bound ρ (`driftBound`) on every clock's *rate*: a local duration D lasts between D/(1+ρ) and
// D/(1−ρ) of real time.
//
// The holder acts while its clock shows less than `leaseMs` since its first ask for the slot.
// Any other node takes over only once its clock shows `leaseMs + guardMs` since it learned the
// slot's decision. Learning happens after that first ask, so the holder's last moment,
// first ask + leaseMs/(1−ρ) in real time, comes before the earliest takeover,
// learned + (leaseMs + guardMs)/(1+ρ), whenever guardMs ≥ 2ρ·leaseMs/(1−ρ).

export interface LeaseTimingOptions {
  /** How long a lease lasts on the holder's clock, from its first ask for the slot. */
  readonly leaseMs: number;
  /** ρ: the most any clock's rate may differ from real time (0.0001 = 100 ppm). In [0, 0.5]. */
  readonly driftBound: number;
  /** When the holder asks to renew, on its clock from the first ask of its current lease. Default leaseMs/2. */
  readonly renewAfterMs?: number;
  /** Added to the guard interval, for what the drift bound does not model. Default 0. */
  readonly extraGuardMs?: number;
  /**
   * Candidate number i (0-based, in the order given) waits i × this much more before taking
   * over, so the first live candidate usually takes over alone instead of duelling with the
   * others (gen_leader too prefers earlier candidates). Waiting longer is always safe. Default
   * leaseMs/20.
   */
  readonly takeoverStaggerMs?: number;
}

export interface LeaseTiming {
  readonly leaseMs: number;
  readonly driftBound: number;
  readonly renewAfterMs: number;
  readonly extraGuardMs: number;
  readonly takeoverStaggerMs: number;
  /** ⌈2ρ·leaseMs/(1−ρ)⌉ + extraGuardMs: what another node waits beyond the lease itself. */
  readonly guardMs: number;
}

/**
 * The guard interval for a lease of `leaseMs` under clock-rate drift `driftBound`.
 *
 * @example
 * guardIntervalMs(10_000, 0.0001); // 3: ten-second leases, 100 ppm clocks
 * guardIntervalMs(1_000, 0.05); // 106
 */
export function guardIntervalMs(leaseMs: number, driftBound: number): number {
  return Math.ceil((2 * driftBound * leaseMs) / (1 - driftBound));
}

/**
 * How long, on its own clock, a node waits after learning a lease of `leaseMs` (the holder's, as
 * written in the record) before it may take it over.
 */
export function takeoverAfterMs(leaseMs: number, timing: LeaseTiming): number {
  return leaseMs + guardIntervalMs(leaseMs, timing.driftBound) + timing.extraGuardMs;
}

/** The timing, or a message saying which option is wrong. */
export function leaseTiming(options: LeaseTimingOptions): LeaseTiming | string {
  const { leaseMs, driftBound } = options;
  if (typeof leaseMs !== 'number' || !Number.isFinite(leaseMs) || leaseMs <= 0)
    return `leaseMs must be a positive number of milliseconds, got ${String(leaseMs)}`;
  if (typeof driftBound !== 'number' || !(driftBound >= 0 && driftBound <= 0.5))
    return `driftBound must be a rate in [0, 0.5] (0.0001 is 100 ppm), got ${String(driftBound)}`;
  const renewAfterMs = options.renewAfterMs ?? leaseMs / 2;
  if (typeof renewAfterMs !== 'number' || !(renewAfterMs > 0 && renewAfterMs < leaseMs))
    return `renewAfterMs must be in (0, leaseMs), got ${String(renewAfterMs)}`;
  const extra = options.extraGuardMs ?? 0;
  if (typeof extra !== 'number' || !(extra >= 0) || !Number.isFinite(extra))
    return `extraGuardMs must be a number >= 0, got ${String(extra)}`;
  const stagger = options.takeoverStaggerMs ?? leaseMs / 20;
  if (typeof stagger !== 'number' || !(stagger >= 0) || !Number.isFinite(stagger))
    return `takeoverStaggerMs must be a number >= 0, got ${String(stagger)}`;
  return {
    leaseMs,
    driftBound,
    renewAfterMs,
    extraGuardMs: extra,
    takeoverStaggerMs: stagger,
    guardMs: guardIntervalMs(leaseMs, driftBound) + extra,
  };
}
