// The lease simulation's options, defaults and results, and the bounds the tests assert on them
// (the simulation itself is leaseSim.ts).
import { guardIntervalMs } from '../../src/leader/leaseTiming.js';

export type LeaseScenario = 'faults' | 'crash' | 'quiet' | 'isolate';

export interface LeaseSimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly scenario: LeaseScenario;
  readonly leaseMs: number;
  /** ρ as configured: what the guard interval is computed from. */
  readonly driftBound: number;
  /** How far clock rates actually stray: within driftBound in the real runs, beyond it in the control. */
  readonly actualDrift: number;
  /** Virtual ms of the run before the end checks (faults happen in the first part). */
  readonly durationMs: number;
  /** Message delay range, ms. */
  readonly delayMs: { readonly min: number; readonly max: number };
}

export const DEFAULT_LEASE_SIM: Omit<LeaseSimOptions, 'seed'> = {
  nodes: 3,
  scenario: 'faults',
  leaseMs: 1000,
  driftBound: 0.05,
  actualDrift: 0.05,
  durationMs: 30_000,
  delayMs: { min: 1, max: 10 },
};

export interface LeaseSimResult {
  readonly seed: number;
  readonly options: LeaseSimOptions;
  readonly violations: readonly string[];
  /** Largest overlap of two nodes' tenures, real ms (0 when safe). */
  readonly worstOverlapMs: number;
  /** Elections: a (node, epoch) winning, including the first. */
  readonly elections: number;
  /** Distinct epochs held. */
  readonly epochs: number;
  /** `crash`: real ms from the leader's crash to another node's election. */
  readonly failoverMs: number | null;
  /** `faults`: real ms from healing until one leader is agreed by every node. */
  readonly recoveryMs: number | null;
  readonly faults: Readonly<Record<string, number>>;
  readonly trace: readonly string[];
  readonly traceDigest: string;
}

export function replayCommand(result: Pick<LeaseSimResult, 'seed' | 'options'>): string {
  const o = result.options;
  return `npm run sim:leader -- --seed ${result.seed} --scenario ${o.scenario} --nodes ${o.nodes} --drift ${o.actualDrift} --bound ${o.driftBound}`;
}

/** The failover bound the tests assert: a lease plus guard in the slowest clock, plus `electionMs`. */
export function failoverBoundMs(
  options: Pick<LeaseSimOptions, 'leaseMs' | 'driftBound'>,
  electionMs: number,
): number {
  const waitMs = options.leaseMs + guardIntervalMs(options.leaseMs, options.driftBound);
  return waitMs / (1 - options.driftBound) + electionMs;
}
