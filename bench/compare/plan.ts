// The plan of `npm run bench -- --compare etcd`, and how its results are put together: the phases
// both systems run, the A-B-A order of the runs (etcd, gen-paxos, etcd again, so drift between the
// two etcd runs shows), the 256-byte values, and the merge of the runs into one row per phase.
// Pure: no processes, no clocks.
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { Asker, MeasuredLoad } from '../scenarios.js';

export type SystemName = 'etcd' | 'gen-paxos';

export interface ComparePhase {
  /** Short and unique: part of the phase's key prefix. */
  readonly id: string;
  readonly label: string;
  /** Asks outstanding at all times; 1 is one client asking sequentially. */
  readonly inFlight: number;
  readonly asks: number;
}

export interface CompareRun {
  readonly system: SystemName;
  /** 1 for a system's first run, 2 for its second (only etcd has one). */
  readonly pass: number;
  /** Every key of this run starts with it, so no run meets another's keys. */
  readonly keyPrefix: string;
}

export const VALUE_BYTES = 256;

/**
 * The phases of the table, with the counts of `npm run bench` (`scale` shrinks them for
 * `--quick`, as there).
 */
export function comparePhases(scale: (fullCount: number) => number): ComparePhase[] {
  return [
    { id: 'seq', label: '1 client, sequential', inFlight: 1, asks: scale(2000) },
    ...[16, 64, 256].map((depth) => ({
      id: `c${depth}`,
      label: `${depth} in flight`,
      inFlight: depth,
      asks: scale(depth * 100),
    })),
  ];
}

/** A-B-A: etcd, then gen-paxos, then etcd again. */
export function abaRuns(): CompareRun[] {
  return [
    { system: 'etcd', pass: 1, keyPrefix: 'etcd1' },
    { system: 'gen-paxos', pass: 1, keyPrefix: 'gp1' },
    { system: 'etcd', pass: 2, keyPrefix: 'etcd2' },
  ];
}

/** The value asked for key number `i`: 256 ASCII bytes, different for every `i`. */
export function benchValue(i: number): string {
  return `value-${i}-`.padEnd(VALUE_BYTES, 'v');
}

/**
 * One asker that sends ask number k to `askers[k mod n]`: the sequential phase's one client spreads
 * its asks over every member, so it does not matter which member leads (etcd) or owns (gen-paxos).
 */
export function roundRobin(askers: readonly Asker[]): Asker {
  if (askers.length === 0) throw new Error('roundRobin needs at least one asker');
  let next = 0;
  return {
    ask: (key: string, value: PaxosValue) => {
      const asker = askers[next] as Asker;
      next = (next + 1) % askers.length;
      return asker.ask(key, value);
    },
  };
}

export interface PhaseResult extends MeasuredLoad {
  readonly phase: string;
}

export interface RunResult {
  readonly run: CompareRun;
  readonly phases: readonly PhaseResult[];
}

export interface ComparedPhase {
  readonly phase: ComparePhase;
  /** etcd's runs, in the order they ran. */
  readonly etcd: readonly MeasuredLoad[];
  readonly genPaxos: MeasuredLoad;
}

/** One row per phase, each with every run's result for it; throws when a run lacks a phase. */
export function mergeRuns(phases: readonly ComparePhase[], runs: readonly RunResult[]): ComparedPhase[] {
  const ofSystem = (system: SystemName) =>
    runs.filter((r) => r.run.system === system).sort((a, b) => a.run.pass - b.run.pass);
  const etcdRuns = ofSystem('etcd');
  const genPaxosRuns = ofSystem('gen-paxos');
  if (etcdRuns.length === 0) throw new Error('no etcd run to compare with');
  if (genPaxosRuns.length !== 1) throw new Error(`expected one gen-paxos run, got ${genPaxosRuns.length}`);
  const pick = (run: RunResult, phase: ComparePhase): MeasuredLoad => {
    const found = run.phases.find((p) => p.phase === phase.id);
    if (!found) throw new Error(`${run.run.system} run ${run.run.pass} has no result for phase ${phase.id}`);
    return found;
  };
  return phases.map((phase) => ({
    phase,
    etcd: etcdRuns.map((run) => pick(run, phase)),
    genPaxos: pick(genPaxosRuns[0] as RunResult, phase),
  }));
}

/** `value` over the mean of `others` (NaN when that mean is 0 or not a number). */
export function ratioToMean(value: number, others: readonly number[]): number {
  const mean = others.reduce((sum, v) => sum + v, 0) / others.length;
  return Number.isFinite(mean) && mean !== 0 ? value / mean : Number.NaN;
}
