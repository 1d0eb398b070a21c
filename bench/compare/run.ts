// `npm run bench -- --compare etcd`: the floors, then the same workload against etcd, gen-paxos and
// etcd again (A-B-A), each system started fresh for its run and stopped before the next starts, so
// only the one measured uses the CPU. Every phase counts the CPU of the server processes and of
// this client process.
import { ensureEtcd } from '../etcd/install.js';
import { measureCommit, measureRoundTrip } from '../floors.js';
import type { BenchRunOptions } from '../runOptions.js';
import { concurrent, measuringCpu, sequential, WARMUP_ASKS } from '../scenarios.js';
import {
  abaRuns,
  benchValue,
  comparePhases,
  mergeRuns,
  roundRobin,
  type ComparePhase,
  type CompareRun,
  type PhaseResult,
  type RunResult,
} from './plan.js';
import type { CompareReport } from './report.js';
import { startEtcd, startGenPaxos, type GenPaxosClientMode, type RunningSystem } from './systems.js';

export interface CompareOptions extends BenchRunOptions {
  /** How gen-paxos's askers reach its members (systems.ts): `routed` unless `--client per-node`. */
  readonly genPaxosClient: GenPaxosClientMode;
}

export async function runComparison(options: CompareOptions): Promise<CompareReport> {
  const { scale, progress } = options;
  const etcd = ensureEtcd(progress);
  progress(`etcd ${etcd.version} at ${etcd.path}`);
  progress('measuring floors: WebSocket + msgpack round trip between two processes, storage commit');
  const floors = { roundTrip: await measureRoundTrip(scale(2000)), commit: await measureCommit(scale(500)) };

  const phases = comparePhases(scale);
  const runs: RunResult[] = [];
  for (const run of abaRuns()) {
    options.signal.throwIfAborted();
    progress(`${run.system}, run ${run.pass}: starting 3 members`);
    const system =
      run.system === 'etcd'
        ? await startEtcd(etcd.path, options.dir)
        : await startGenPaxos(options.mainPath, options.dir, options.genPaxosClient);
    const forget = options.cleanup.add(system.stop);
    try {
      runs.push({ run, phases: await runPhases(system, run, phases, options) });
    } finally {
      await system.stop();
      forget();
    }
  }
  return {
    etcdVersion: etcd.version,
    quick: options.quick,
    genPaxosClient: options.genPaxosClient,
    floors,
    runs,
    phases: mergeRuns(phases, runs),
  };
}

async function runPhases(
  system: RunningSystem,
  run: CompareRun,
  phases: readonly ComparePhase[],
  { scale, progress, signal }: CompareOptions,
): Promise<PhaseResult[]> {
  // Warm up connections, JIT and caches before measuring, as `npm run bench` does.
  await concurrent(system.askers, `${run.keyPrefix}-warmup`, 32, scale(WARMUP_ASKS), {
    value: benchValue,
  });
  const results: PhaseResult[] = [];
  for (const phase of phases) {
    signal.throwIfAborted();
    progress(`${run.system}, run ${run.pass}: ${phase.label}, ${phase.asks} asks`);
    const prefix = `${run.keyPrefix}-${phase.id}`;
    const load = await measuringCpu(system.serverPids, () =>
      phase.inFlight === 1
        ? sequential(roundRobin(system.askers), prefix, phase.asks, { value: benchValue })
        : concurrent(system.askers, prefix, phase.inFlight, phase.asks, { value: benchValue }),
    );
    results.push({ phase: phase.id, ...load });
  }
  return results;
}
