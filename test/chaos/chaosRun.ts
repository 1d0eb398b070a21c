// One chaos schedule on real processes: start a durable cluster, let the clients work while the
// nemesis injects faults for `chaosMs`, heal everything, let pending asks finish, make every node
// answer and read every key, then check the recorded history with the write-once register
// checker. The history is written as it happens under reports/chaos/; a passing run deletes it,
// a failing one keeps it (with the nemesis's trace and the node logs) and says where.
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../../src/paxos/prng.js';
import { checkHistory, formatHistoryCheck } from '../support/history/checker.js';
import type { HistoryOp } from '../support/history/history.js';
import { appendToFile } from '../support/history/fileSink.js';
import { HistoryRecorder } from '../support/history/recorder.js';
import { ChaosCluster, sleep } from './chaosCluster.js';
import { converge } from './convergence.js';
import { atExit } from './exitGuard.js';
import { answersNotFinal } from './finalAnswers.js';
import { Nemesis, NEMESIS_KINDS, type NemesisKind, type NemesisOptions } from './nemesis.js';
import { REPORTS_DIR } from './paths.js';
import { Workload, type WorkloadCounts, type WorkloadOptions } from './workload.js';

export interface ChaosOptions {
  readonly seed: number;
  readonly nodes: number;
  /** How long the nemesis works (the clients work as long). */
  readonly chaosMs: number;
  readonly kinds?: readonly NemesisKind[];
  readonly nemesis?: Partial<Omit<NemesisOptions, 'kinds' | 'random' | 'log'>>;
  readonly workload?: Partial<Omit<WorkloadOptions, 'recorder' | 'random'>>;
  /** After healing, how long every node has to answer every key. Default 90 s. */
  readonly convergeMs?: number;
  /** Keep the history even when the run passes. */
  readonly keepHistory?: boolean;
  /** The nodes' `--decided-log-entries` (default theirs, 100,000). */
  readonly decidedLogEntries?: number;
  /** Progress lines (the nemesis's trace), as they happen. */
  readonly onLog?: (line: string) => void;
}

export interface ChaosResult {
  readonly seed: number;
  readonly nodes: number;
  readonly wallMs: number;
  readonly faults: Readonly<Record<NemesisKind, number>>;
  /** Client operations of the chaos phase (not the probes and reads after healing). */
  readonly counts: Readonly<WorkloadCounts>;
  /** Every operation recorded, probes and final reads included. */
  readonly recorded: number;
  /** The recorded history itself (also in `history.jsonl` while the run lasts). */
  readonly history: readonly HistoryOp[];
  readonly keys: number;
  /** Keys every node holds the same value for after healing. */
  readonly decidedKeys: number;
  /** Answers (ok asks and reads that found a value) compared with their key's final value. */
  readonly answersChecked: number;
  /** How the workload read: quorum reads (checked for linearizability) or local ones. */
  readonly reads: 'quorum' | 'local';
  /** Reads in the history (workload and convergence) that answered "not decided". */
  readonly readsNotDecided: number;
  readonly violations: readonly string[];
  /** The checker's verdict line and any violations with their operations. */
  readonly verdict: string;
  /** Where the history, trace and node logs were kept, or null (deleted after passing). */
  readonly keptIn: string | null;
  /** Lines nodes logged at level "error" (reported, not violations by themselves). */
  readonly nodeErrors: number;
}

export const DEFAULT_KINDS: readonly NemesisKind[] = NEMESIS_KINDS;

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const startedMs = Date.now();
  const runDir = join(REPORTS_DIR, `seed-${options.seed}-n${options.nodes}-${process.pid}-${startedMs}`);
  mkdirSync(runDir, { recursive: true });
  const traceFile = join(runDir, 'trace.log');
  const log = (line: string) => {
    const stamped = `+${((Date.now() - startedMs) / 1000).toFixed(3)}s ${line}`;
    appendFileSync(traceFile, `${stamped}\n`);
    options.onLog?.(stamped);
  };
  log(
    `chaos seed=${options.seed} nodes=${options.nodes} chaosMs=${options.chaosMs} kinds=${(options.kinds ?? DEFAULT_KINDS).join(',')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-chaos-'));
  const recorder = new HistoryRecorder({
    // Every event is recorded in this one process, so one clock orders them all.
    now: () => performance.timeOrigin + performance.now(),
    onRecord: appendToFile(join(runDir, 'history.jsonl')),
  });
  const random = seededRandom(options.seed);
  let cluster: ChaosCluster | null = null;
  let keep = true;
  // Killed or interrupted half-way, the run leaves its evidence behind and says where.
  const cancelNotice = atExit(() =>
    process.stderr.write(
      `chaos run seed ${options.seed} interrupted; history, trace and logs in ${runDir}\n`,
    ),
  );
  try {
    cluster = await ChaosCluster.start({
      size: options.nodes,
      dir,
      logDir: join(runDir, 'logs'),
      log,
      ...(options.decidedLogEntries !== undefined ? { decidedLogEntries: options.decidedLogEntries } : {}),
    });
    await allLinksUp(cluster, 30_000);
    log(`cluster up: ${cluster.ids.map((id) => `${id}=${cluster?.url(id)}`).join(' ')}`);

    const workload = new Workload(cluster, {
      ...options.workload,
      recorder,
      random: seededRandom(options.seed * 7919 + 1),
    });
    const nemesis = new Nemesis(cluster, {
      ...options.nemesis,
      kinds: options.kinds ?? DEFAULT_KINDS,
      random,
      log,
    });
    workload.start();
    nemesis.start(Date.now() + options.chaosMs);
    await sleep(options.chaosMs);

    log('heal: ending every fault');
    await nemesis.heal();
    log('heal done; waiting for the asks in flight');
    await workload.stop();
    log(`clients stopped: ${JSON.stringify(workload.counts)}`);
    const violations = [...nemesis.errors];
    if (!(await allLinksUp(cluster, 30_000))) violations.push('after healing, links did not all come up');

    const keys = [...workload.keys].sort();
    log(`converging on ${keys.length} keys`);
    const converged = await converge(cluster, keys, {
      recorder,
      deadlineMs: Date.now() + (options.convergeMs ?? 90_000),
    });
    violations.push(...converged.violations);
    log(`converged: ${converged.finalValues.size} keys agreed by every node, ${converged.probes} probes`);

    // Quorum reads are linearizable: a read saying "not decided" after the value was returned is a
    // violation. The convergence step's local reads come after their node's own ask answered, so
    // read-your-writes makes them pass that check too.
    const reads = options.workload?.reads ?? 'quorum';
    const check = checkHistory(recorder.ops, { reads: reads === 'quorum' ? 'linearizable' : 'local' });
    violations.push(...check.violations.map((v) => `history ${v.rule}: ${v.message}`));
    const notFinal = answersNotFinal(recorder.ops, converged.finalValues);
    violations.push(...notFinal.violations);

    const nodeErrors = countNodeErrors(join(runDir, 'logs'));
    const kept = violations.length > 0 || options.keepHistory === true;
    log(`${violations.length} violations${kept ? `; history kept in ${runDir}` : ''}`);
    for (const violation of violations) log(`VIOLATION ${violation}`);
    keep = kept;
    return {
      seed: options.seed,
      nodes: options.nodes,
      wallMs: Date.now() - startedMs,
      faults: nemesis.injected,
      counts: workload.counts,
      recorded: recorder.ops.length,
      history: recorder.ops,
      keys: keys.length,
      decidedKeys: converged.finalValues.size,
      answersChecked: notFinal.checked,
      reads,
      readsNotDecided: check.counts.readsNotDecided,
      violations,
      verdict: formatHistoryCheck(check),
      keptIn: kept ? runDir : null,
      nodeErrors,
    };
  } catch (error) {
    // A run that could not even be carried out keeps everything for a look.
    log(`run error: ${(error as Error).stack ?? String(error)}`);
    throw Object.assign(
      new Error(`chaos run seed ${options.seed} failed (kept in ${runDir}): ${(error as Error).message}`),
      {
        cause: error,
      },
    );
  } finally {
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (!keep) rmSync(runDir, { recursive: true, force: true });
    cancelNotice();
  }
}

/** Waits until every node reports every link up; false if that did not happen in time. */
async function allLinksUp(cluster: ChaosCluster, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  const expected = cluster.ids.length - 1;
  for (;;) {
    const ups = await Promise.all(
      cluster.ids.map((id) =>
        cluster.status(id).then(
          (status) => status.links.filter((link) => link.state === 'up').length === expected,
          () => false,
        ),
      ),
    );
    if (ups.every(Boolean)) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/** Lines the nodes logged at level "error" (their stderr, one file per node). */
function countNodeErrors(logDir: string): number {
  if (!existsSync(logDir)) return 0;
  return readdirSync(logDir)
    .map((file) => readFileSync(join(logDir, file), 'utf8'))
    .reduce((n, text) => n + text.split('\n').filter((line) => line.includes('"level":"error"')).length, 0);
}
