// `npx tsx bench/ab.ts`: two builds (or two flag sets of one build) of gen-paxos under the same load,
// alternating A B B A … in one run, so that a change is judged against the machine's drift and not
// against a figure from another hour. Each run starts a fresh cluster of node processes (durable,
// as `npm run bench` runs them), warms it up, then runs a sequential phase and an in-flight phase,
// counting the CPU of every server process and of this client process. Prints one line per run,
// then the median of each side and B/A, with the load average beside every figure. A benchmark
// script, never a test.
//
//   npx tsx bench/ab.ts --a /path/to/base/dist/cli/main.js            # B: this tree's dist
//   npx tsx bench/ab.ts --b-args "--no-owner-fast-path" --rounds 4   # one build, two flag sets
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster } from '../src/cli/localCluster.js';
import { onStopSignals } from '../src/cli/stopSignals.js';
import { formatTable } from '../src/cli/table.js';
import { connectClient, type GenPaxosClient } from '../src/transport/client/client.js';
import { Cleanup } from './cleanup.js';
import { benchValue } from './compare/plan.js';
import {
  concurrent,
  measuringCpu,
  sequential,
  WARMUP_ASKS,
  type Asker,
  type MeasuredLoad,
} from './scenarios.js';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    'a-args': { type: 'string', default: '' },
    'b-args': { type: 'string', default: '' },
    'a-client': { type: 'string', default: 'routed' },
    'b-client': { type: 'string', default: 'routed' },
    rounds: { type: 'string', default: '3' },
    nodes: { type: 'string', default: '3' },
    seq: { type: 'string', default: '1000' },
    depth: { type: 'string', default: '256' },
    asks: { type: 'string', default: '12800' },
    warmup: { type: 'string', default: String(WARMUP_ASKS) },
    'prof-dir': { type: 'string' },
  },
});

type ClientMode = 'routed' | 'per-node';
interface Side {
  readonly name: 'A' | 'B';
  readonly mainPath: string;
  readonly extraArgs: readonly string[];
  readonly client: ClientMode;
}

const defaultMain = new URL('../dist/cli/main.js', import.meta.url).pathname;
const side = (name: 'A' | 'B'): Side => {
  const lower = name.toLowerCase() as 'a' | 'b';
  const client = values[`${lower}-client`] as string;
  if (client !== 'routed' && client !== 'per-node') throw new Error(`--${lower}-client: routed or per-node`);
  return {
    name,
    mainPath: resolve(values[lower] ?? defaultMain),
    extraArgs: (values[`${lower}-args`] as string).split(/\s+/).filter((arg) => arg.length > 0),
    client,
  };
};
const sides = [side('A'), side('B')] as const;
const rounds = Number(values.rounds);
const nodes = Number(values.nodes);
const seqAsks = Number(values.seq);
const depth = Number(values.depth);
const asks = Number(values.asks);
const warmup = Number(values.warmup);
const progress = (line: string) => process.stderr.write(`  ${line}\n`);

interface RunFigures {
  readonly side: 'A' | 'B';
  readonly round: number;
  readonly seq: MeasuredLoad;
  readonly load: MeasuredLoad;
  readonly loadAverage: number;
  /** Storage commits (fsyncs) of every node per decision in the in-flight phase. */
  readonly commits: number;
  /** Envelopes between nodes per decision in the in-flight phase. */
  readonly messages: number;
  /** Storage commits of every node per decision in the sequential phase. */
  readonly seqCommits: number;
}

const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-ab-'));
const cleanup = new Cleanup();
cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
const uninstall = onStopSignals(() => void cleanup.run().finally(() => process.exit(130)));

async function runOnce(s: Side, round: number): Promise<RunFigures> {
  const runDir = mkdtempSync(join(dir, `${s.name}-${round}-`));
  const clients: GenPaxosClient[] = [];
  const profDir = values['prof-dir'];
  const cluster = await LocalCluster.start({
    size: nodes,
    mainPath: s.mainPath,
    dir: runDir,
    durable: true,
    extraArgs: () => s.extraArgs,
    ...(profDir ? { execArgv: ['--cpu-prof', '--cpu-prof-dir', join(profDir, `${s.name}-${round}`)] } : {}),
  });
  const stop = async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await cluster.stop();
  };
  const forget = cleanup.add(stop);
  try {
    const urls = cluster.ids.map((id) => cluster.urls[id] as string);
    const options = { secret: cluster.clientSecret, cluster: cluster.cluster };
    for (let i = 0; i < urls.length; i++) {
      // Routed: each client knows every endpoint (its own first) and sends an ask to the key's owner.
      const endpoints = s.client === 'routed' ? [...urls.slice(i), ...urls.slice(0, i)] : [urls[i] as string];
      const client = await connectClient(endpoints, { ...options, routeAsks: s.client === 'routed' });
      await client.routed();
      clients.push(client);
    }
    const askers: Asker[] = clients;
    const prefix = `${s.name}${round}`;
    await concurrent(askers, `${prefix}-warm`, 32, warmup, { value: benchValue });
    const pids = cluster.nodes.map((node) => node.child.pid as number);
    const load1 = loadavg()[0] as number;
    const counters = async () => {
      const statuses = await Promise.all(clients.map((c) => c.status()));
      const sum = (name: string) => statuses.reduce((total, st) => total + (st.counters[name] ?? 0), 0);
      return { commits: sum('storage.commits'), messages: sum('wire.envelopesSent') };
    };
    const seqBefore = await counters();
    const seq = await measuringCpu(pids, () =>
      sequential(askers[0] as Asker, `${prefix}-seq`, seqAsks, { value: benchValue }),
    );
    const seqCommits = ((await counters()).commits - seqBefore.commits) / Math.max(1, seq.asks);
    const before = await counters();
    const load = await measuringCpu(pids, () =>
      concurrent(askers, `${prefix}-c`, depth, asks, { value: benchValue }),
    );
    const after = await counters();
    const decisions = Math.max(1, load.asks);
    const commits = (after.commits - before.commits) / decisions;
    const messages = (after.messages - before.messages) / decisions;
    const loadAverage = ((loadavg()[0] as number) + load1) / 2;
    return { side: s.name, round, seq, load, loadAverage, commits, messages, seqCommits };
  } finally {
    await stop();
    forget();
  }
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '-');
const median = (xs: readonly number[]) => {
  const sorted = [...xs].sort((p, q) => p - q);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const columns = (r: RunFigures) => [
  f2(r.seq.latency.p50),
  f2(r.seq.latency.p99),
  f0(r.seq.cpuPerDecision),
  f2(r.seqCommits),
  f0(r.load.throughput),
  f2(r.load.latency.p50),
  f2(r.load.latency.p99),
  f0(r.load.cpuPerDecision),
  f0(r.load.cpu.serversMicros / Math.max(1, r.load.asks)),
  f2(r.commits),
  f2(r.messages),
  String(r.seq.errors + r.load.errors),
];
const headers = [
  'seq p50',
  'seq p99',
  'seq cpu',
  'seq commits',
  `${depth} per s`,
  `${depth} p50`,
  `${depth} p99`,
  `${depth} cpu`,
  'servers',
  'commits',
  'msgs',
  'err',
];

try {
  for (const s of sides) progress(`${s.name}: ${s.mainPath} ${s.extraArgs.join(' ')} (client ${s.client})`);
  const results: RunFigures[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? sides : ([sides[1], sides[0]] as const);
    for (const s of order) {
      progress(`round ${round}, ${s.name} (load average ${f2(loadavg()[0] as number)})`);
      results.push(await runOnce(s, round));
    }
  }
  const lines = formatTable(
    ['run', 'load avg', ...headers],
    results.map((r) => [`${r.side}${r.round}`, f2(r.loadAverage), ...columns(r)]),
  );
  const summary = sides.map((s) => {
    const mine = results.filter((r) => r.side === s.name);
    const pick = (f: (r: RunFigures) => number) => median(mine.map(f));
    return [
      pick((r) => r.loadAverage),
      pick((r) => r.seq.latency.p50),
      pick((r) => r.seq.latency.p99),
      pick((r) => r.seq.cpuPerDecision),
      pick((r) => r.seqCommits),
      pick((r) => r.load.throughput),
      pick((r) => r.load.latency.p50),
      pick((r) => r.load.latency.p99),
      pick((r) => r.load.cpuPerDecision),
      pick((r) => r.load.cpu.serversMicros / Math.max(1, r.load.asks)),
      pick((r) => r.commits),
      pick((r) => r.messages),
    ];
  });
  const [a, b] = summary as [number[], number[]];
  const medians = formatTable(
    ['median', 'load avg', ...headers.slice(0, -1)],
    [
      ['A', ...a.map((x, i) => (i === 0 || [1, 2, 4, 6, 7, 10, 11].includes(i) ? f2(x) : f0(x)))],
      ['B', ...b.map((x, i) => (i === 0 || [1, 2, 4, 6, 7, 10, 11].includes(i) ? f2(x) : f0(x)))],
      ['B/A', '', ...b.slice(1).map((x, i) => f2(x / (a[i + 1] as number)))],
    ],
  );
  process.stdout.write(
    `A: ${sides[0].mainPath} ${sides[0].extraArgs.join(' ')} (client ${sides[0].client})\n` +
      `B: ${sides[1].mainPath} ${sides[1].extraArgs.join(' ')} (client ${sides[1].client})\n` +
      `${nodes} nodes; seq: ${seqAsks} asks from one client; ${depth} in flight: ${asks} asks; ` +
      `cpu: µs per decision, servers + client; servers: the servers' share; ` +
      `commits, msgs: storage commits and envelopes between nodes per decision at ${depth} in flight\n\n${lines}\n${medians}`,
  );
} finally {
  await cleanup.run((error) => progress(`cleaning up: ${String(error)}`));
  uninstall();
}
