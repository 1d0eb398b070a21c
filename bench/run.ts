// `npm run bench`: a cluster of node processes on loopback (durable LMDB storage, real
// WebSocket links) under the scenarios of issue 7, each figure printed beside the floor measured
// in the same run. Options: --nodes 3|5|7, --quick (smaller counts, no 1M-key memory run),
// --json FILE. Progress goes to stderr; the table to stdout. Never part of `npm test`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LocalCluster } from '../src/cli/localCluster.js';
import { connectClient, type GenPaxosClient } from '../src/transport/client/client.js';
import { measureCommit, measureRoundTrip } from './floors.js';
import { inProcessDecided } from './inProcess.js';
import { renderReport, type BenchReport } from './report.js';
import { concurrent, contended, decidedKeys, sequential } from './scenarios.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const nodeCount = Number(values.nodes);
if (![3, 5, 7].includes(nodeCount)) throw new Error('--nodes must be 3, 5 or 7');
const quick = values.quick === true;
const scale = quick ? 0.2 : 1;
const n = (full: number) => Math.max(100, Math.round(full * scale));
const progress = (line: string) => process.stderr.write(`  ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-bench-'));
const mainPath = new URL('../dist/cli/main.js', import.meta.url).pathname;
let cluster: LocalCluster | undefined;
const clients: GenPaxosClient[] = [];

async function clusterCounter(name: string): Promise<number> {
  const statuses = await Promise.all(clients.map((c) => c.status()));
  return statuses.reduce((sum, s) => sum + (s.counters[name] ?? 0), 0);
}

async function memoryAfter(decidedTotal: number): Promise<BenchReport['memory'][number]> {
  const statuses = await Promise.all(clients.map((c) => c.status()));
  return {
    decidedKeys: decidedTotal,
    perNode: statuses.map((s) => ({
      node: s.node,
      rssMb: (s.counters['process.rssBytes'] ?? 0) / 1e6,
      liveInstances: s.counters['node.liveInstances'] ?? 0,
    })),
  };
}

try {
  progress('measuring floors: WebSocket + msgpack round trip between two processes, storage commit');
  const rtt = await measureRoundTrip(n(2000));
  const commit = await measureCommit(n(500));

  progress(`starting ${nodeCount} node processes (LMDB data directories, WebSocket links)`);
  cluster = await LocalCluster.start({ size: nodeCount, mainPath, dir, durable: true });
  for (const id of cluster.ids) {
    clients.push(
      await connectClient(cluster.urls[id] as string, {
        secret: cluster.clientSecret,
        cluster: cluster.cluster,
      }),
    );
  }
  // Warm up links, JIT and caches before measuring.
  await concurrent(clients, 'warmup', 32, n(2000));

  progress('sequential fresh asks from one client');
  const seq = await sequential(clients[0] as GenPaxosClient, 'seq', n(2000));
  const inFlight: BenchReport['concurrent'][number][] = [];
  for (const depth of [16, 64, 256]) {
    progress(`${depth} asks in flight, spread over the nodes`);
    inFlight.push({ inFlight: depth, ...(await concurrent(clients, `c${depth}`, depth, n(depth * 100))) });
  }
  progress('contended keys: every node asks the same keys at once');
  const hot = await contended(clients, 'hot', n(2000), 32, () => clusterCounter('node.retries'));
  progress('decided keys: asked again and read, through the client protocol and in-process');
  const decidedRemote = await decidedKeys(clients[0] as GenPaxosClient, 'seq', Math.min(seq.asks, n(1000)));
  const decidedLocal = await inProcessDecided(n(2000));

  const memory: BenchReport['memory'][number][] = [];
  let decidedTotal = await clusterCounter('node.decided');
  decidedTotal = Math.round(decidedTotal / nodeCount);
  for (const target of quick ? [100_000] : [100_000, 1_000_000]) {
    const missing = Math.max(0, target - decidedTotal);
    progress(`deciding ${missing} more keys to reach ${target} decided (memory per node)`);
    const fill = await concurrent(clients, `fill${target}`, 256, missing, (done) =>
      progress(`  ${done}/${missing}`),
    );
    decidedTotal += fill.asks;
    memory.push(await memoryAfter(decidedTotal));
  }

  const report: BenchReport = {
    nodes: nodeCount,
    quick,
    floors: { roundTrip: rtt, commit },
    sequential: seq,
    concurrent: inFlight,
    contended: hot,
    decided: { remote: decidedRemote, inProcess: decidedLocal },
    memory,
  };
  process.stdout.write(renderReport(report));
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    progress(`wrote ${values.json}`);
  }
} finally {
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
