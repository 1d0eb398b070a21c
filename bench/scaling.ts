// `npm run bench -- --scaling`: how the cost of a decision grows with the group. For 3, 5 and 7
// members in turn, a fresh cluster of node processes (durable, as `npm run bench` runs them) takes
// fresh asks at 256 in flight from routed clients (each ask to its key's owner); the table gives
// throughput, latency, CPU per decision (every node and the client, summed), that CPU per member,
// the envelopes the nodes sent each other per decision and the retries (ballots beyond a key's
// first) per decision. All members share the machine's cores, so throughput falls with the group
// whatever the protocol does; CPU and messages per decision are what should grow only linearly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalCluster } from '../src/cli/localCluster.js';
import { formatTable } from '../src/cli/table.js';
import { connectClient, type GenPaxosClient } from '../src/transport/client/client.js';
import type { CountedLoad } from './report.js';
import type { BenchRunOptions } from './runOptions.js';
import { concurrent, measuringCpu, WARMUP_ASKS } from './scenarios.js';

export interface ScalingRow {
  readonly nodes: number;
  readonly load: CountedLoad;
}

export const SCALING_SIZES: readonly number[] = [3, 5, 7];
const DEPTH = 256;

async function measureSize(nodeCount: number, options: BenchRunOptions): Promise<ScalingRow> {
  const { scale: n, mainPath, dir, progress } = options;
  const clients: GenPaxosClient[] = [];
  let cluster: LocalCluster | undefined;
  const stop = async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await cluster?.stop();
  };
  const forget = options.cleanup.add(stop);
  try {
    progress(`${nodeCount} nodes: starting, warming up, then ${n(DEPTH * 100)} asks at ${DEPTH} in flight`);
    const clusterDir = join(dir, `scaling-${nodeCount}`);
    mkdirSync(clusterDir, { recursive: true });
    cluster = await LocalCluster.start({
      size: nodeCount,
      mainPath,
      dir: clusterDir,
      durable: true,
      // A node's last words, should one die under load (a bench must not hide a crash).
      onStderr: (id, line) => progress(`${id}: ${line}`),
    });
    const urls = cluster.ids.map((id) => cluster?.urls[id] as string);
    for (const i of urls.keys()) {
      const client = await connectClient([...urls.slice(i), ...urls.slice(0, i)], {
        secret: cluster.clientSecret,
        cluster: cluster.cluster,
      });
      await client.routed();
      clients.push(client);
    }
    const counter = async (name: string) =>
      (await Promise.all(clients.map((c) => c.status()))).reduce(
        (sum, s) => sum + (s.counters[name] ?? 0),
        0,
      );
    await concurrent(clients, 'warmup', 32, n(WARMUP_ASKS));
    const pids = cluster.nodes.map((node) => node.child.pid as number);
    const messagesBefore = await counter('wire.envelopesSent');
    const commitsBefore = await counter('storage.commits');
    const retriesBefore = await counter('node.retries');
    options.signal.throwIfAborted();
    const measured = await measuringCpu(pids, () => concurrent(clients, `c${DEPTH}`, DEPTH, n(DEPTH * 100)));
    const decisions = Math.max(1, measured.asks);
    return {
      nodes: nodeCount,
      load: {
        ...measured,
        messagesPerDecision: ((await counter('wire.envelopesSent')) - messagesBefore) / decisions,
        commitsPerDecision: ((await counter('storage.commits')) - commitsBefore) / decisions,
        retriesPerDecision: ((await counter('node.retries')) - retriesBefore) / decisions,
      },
    };
  } finally {
    await stop();
    forget();
  }
}

export async function runScaling(options: BenchRunOptions): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  for (const size of SCALING_SIZES) {
    options.signal.throwIfAborted();
    rows.push(await measureSize(size, options));
  }
  return rows;
}

export function renderScaling(rows: readonly ScalingRow[], quick: boolean): string {
  const base = rows[0];
  const table = formatTable(
    [
      'nodes',
      'asks',
      'per s',
      'p50 ms',
      'p99 ms',
      'CPU µs/decision',
      'per member µs',
      'CPU vs 3 nodes',
      'messages/decision',
      'commits/decision',
      'retries/decision',
      'errors',
    ],
    rows.map(({ nodes, load }) => {
      const asks = Math.max(1, load.asks);
      return [
        String(nodes),
        String(load.asks),
        load.throughput.toFixed(0),
        load.latency.p50.toFixed(2),
        load.latency.p99.toFixed(2),
        load.cpuPerDecision.toFixed(0),
        (load.cpu.serversMicros / asks / nodes).toFixed(0),
        base
          ? `${(load.cpuPerDecision / base.load.cpuPerDecision).toFixed(2)}× (members ${(nodes / base.nodes).toFixed(2)}×)`
          : '-',
        load.messagesPerDecision.toFixed(2),
        load.commitsPerDecision.toFixed(2),
        load.retriesPerDecision.toFixed(3),
        String(load.errors),
      ];
    }),
  );
  return [
    `gen-paxos, cost of a decision by group size: fresh asks at ${DEPTH} in flight, routed clients, node processes on 127.0.0.1, LMDB${quick ? ' (quick run)' : ''}`,
    '',
    table,
    '',
    'CPU µs/decision: user+system CPU of every node process and of the client process, summed, per answered ask;',
    "per member: the nodes' share divided by the group size. messages: envelopes the nodes sent each other;",
    "commits: storage commits (each an fsync) of every node. retries: ballots beyond a key's first.",
    '',
  ].join('\n');
}
