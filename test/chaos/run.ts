// `npm run chaos -- [--minutes M] [--nodes N] [--seed S] [--schedule-seconds T] [--kinds K,…]
// [--max-unavailable U] [--reads quorum|local] [--decided-log-entries N] [--keep] [--verbose]`: chaos
// schedules on real node processes, back to back for about M minutes (default 1), then a summary table. Each schedule draws its faults and
// operations from its seed (S, S+1, …; S is random unless given). Real processes are not deterministic, so a seed replays the same
// intentions, not the same interleaving. A failing schedule keeps its history, trace and node
// logs under reports/chaos/ and prints where; the exit status is then 1.
import { parseArgs } from 'node:util';
import setup from '../globalSetup.js';
import { runChaos, type ChaosResult } from './chaosRun.js';
import { NEMESIS_KINDS, type NemesisKind } from './nemesis.js';
import { exitOnSignals } from './exitGuard.js';
import { describeRun, summarizeChaos } from './summary.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    nodes: { type: 'string', default: '5' },
    seed: { type: 'string' },
    'schedule-seconds': { type: 'string', default: '40' },
    kinds: { type: 'string' },
    'max-unavailable': { type: 'string' },
    reads: { type: 'string', default: 'quorum' },
    'decided-log-entries': { type: 'string' },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const kinds = (values.kinds?.split(',') ?? NEMESIS_KINDS) as NemesisKind[];
const unknown = kinds.filter((kind) => !NEMESIS_KINDS.includes(kind));
if (unknown.length > 0 || kinds.length === 0) {
  console.error(`--kinds: one or more of ${NEMESIS_KINDS.join(',')} (not ${unknown.join(',')})`);
  process.exit(2);
}
if (values.reads !== 'quorum' && values.reads !== 'local') {
  console.error(`--reads: quorum (linearizable, checked for stale reads) or local (not ${values.reads})`);
  process.exit(2);
}
const reads = values.reads;
const maxUnavailable =
  values['max-unavailable'] !== undefined ? Number(values['max-unavailable']) : undefined;

exitOnSignals();
// The nodes run the compiled CLI: bring dist/ up to date as `npm test` does.
setup();

const budgetMs = Number(values.minutes) * 60_000;
const scheduleMs = Number(values['schedule-seconds']) * 1000;
const nodes = Number(values.nodes);
const firstSeed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 1_000_000);
const started = Date.now();
const results: ChaosResult[] = [];
console.log(
  `chaos: ${nodes} nodes, schedules of ${scheduleMs / 1000} s, about ${values.minutes} min, seeds from ${firstSeed}; ` +
    `faults ${kinds.join(',')}, at most ${maxUnavailable ?? 'a minority of'} nodes down or paused at once`,
);
// A schedule spends about 15 s outside the nemesis's time (start, heal, converge, check).
const OVERHEAD_MS = 15_000;
const MIN_CHAOS_MS = 10_000;
for (let seed = firstSeed; ; seed++) {
  const leftMs = budgetMs - (Date.now() - started);
  if (results.length > 0 && leftMs < MIN_CHAOS_MS + OVERHEAD_MS) break;
  // The last schedule is cut to the time left (but kept long enough to mean something).
  const chaosMs = Math.max(MIN_CHAOS_MS, Math.min(scheduleMs, leftMs - OVERHEAD_MS));
  const result = await runChaos({
    seed,
    nodes,
    chaosMs,
    kinds,
    ...(maxUnavailable !== undefined ? { nemesis: { maxUnavailable } } : {}),
    workload: { reads },
    keepHistory: values.keep,
    ...(values['decided-log-entries'] !== undefined
      ? { decidedLogEntries: Number(values['decided-log-entries']) }
      : {}),
    ...(values.verbose ? { onLog: (line: string) => console.error(`  ${line}`) } : {}),
  });
  results.push(result);
  console.log(describeRun(result));
  if (result.violations.length > 0) {
    console.log(`seed ${seed} FAILED — history, trace and node logs kept in ${result.keptIn}`);
    for (const violation of result.violations.slice(0, 20)) console.log(`  ${violation}`);
    console.log(result.verdict);
  }
}
console.log(summarizeChaos(results));
console.log(`wall time ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(results.some((r) => r.violations.length > 0) ? 1 : 0);
