// `npm run bench`: real node processes on loopback under load, every figure beside the floor
// measured in the same run (bench/standard.ts); with `--compare etcd`, the same workload against a
// 3-member etcd and gen-paxos side by side, A-B-A (bench/compare/); with `--scaling`, the cost of a
// decision at 3, 5 and 7 members (bench/scaling.ts). Options: --nodes 3|5|7,
// --quick (smaller counts, no 1M-key memory run), --compare etcd [--client routed|per-node],
// --json FILE. Progress goes to
// stderr; the table to stdout. Ctrl-C stops every process it started and removes its
// directories. Never part of `npm test`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { onStopSignals } from '../src/cli/stopSignals.js';
import { Cleanup } from './cleanup.js';
import { renderComparison } from './compare/report.js';
import { runComparison } from './compare/run.js';
import { GEN_PAXOS_CLIENT_MODES } from './compare/systems.js';
import { renderReport } from './report.js';
import { renderScaling, runScaling } from './scaling.js';
import { runStandard } from './standard.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    compare: { type: 'string' },
    client: { type: 'string', default: 'routed' },
    json: { type: 'string' },
    scaling: { type: 'boolean', default: false },
    main: { type: 'string' },
  },
});
const nodes = Number(values.nodes);
if (![3, 5, 7].includes(nodes)) throw new Error('--nodes must be 3, 5 or 7');
if (values.compare !== undefined && values.compare !== 'etcd')
  throw new Error(`--compare knows only etcd, not ${JSON.stringify(values.compare)}`);
if (values.compare !== undefined && nodes !== 3) throw new Error('--compare runs 3 members of each system');
const genPaxosClient = GEN_PAXOS_CLIENT_MODES.find((mode) => mode === values.client);
if (genPaxosClient === undefined)
  throw new Error(
    `--client must be ${GEN_PAXOS_CLIENT_MODES.join(' or ')}, not ${JSON.stringify(values.client)}`,
  );
if (values.client !== 'routed' && values.compare === undefined)
  throw new Error('--client goes with --compare etcd');
const quick = values.quick === true;
const scale = (full: number) => Math.max(100, Math.round(full * (quick ? 0.2 : 1)));
const progress = (line: string) => process.stderr.write(`  ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-bench-'));
// `--main`: another build's CLI for the nodes (an A/B against an older build); default this tree's.
const mainPath = values.main ?? new URL('../dist/cli/main.js', import.meta.url).pathname;
const cleanup = new Cleanup();
cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
const cleanUp = () => cleanup.run((error) => progress(`cleaning up: ${String(error)}`));
// On a signal the run starts nothing more (it checks `aborted` between steps) while the cleanup
// stops what runs; then the process exits, whatever the run was awaiting.
const abort = new AbortController();
const uninstallSignals = onStopSignals((signal) => {
  if (abort.signal.aborted) return;
  abort.abort(new Error(`stopped by ${signal}`));
  progress(`${signal}: stopping the processes started and removing their directories`);
  void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
});

try {
  const options = { quick, scale, mainPath, dir, cleanup, progress, signal: abort.signal };
  const [text, report] = values.scaling
    ? await runScaling(options).then((r) => [renderScaling(r, quick), r] as const)
    : values.compare === undefined
      ? await runStandard({ ...options, nodes }).then((r) => [renderReport(r), r] as const)
      : await runComparison({ ...options, genPaxosClient }).then((r) => [renderComparison(r), r] as const);
  process.stdout.write(text);
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    progress(`wrote ${values.json}`);
  }
} finally {
  await cleanUp();
  uninstallSignals();
}
