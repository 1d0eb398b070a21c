// `npm run bench` without `--compare`: a cluster of node processes on loopback (durable LMDB
// storage, real WebSocket links) under the scenarios of issue 7, each figure printed beside the
// floor measured in the same run, and the CPU per decision of the load phases.
import { LocalCluster } from '../src/cli/localCluster.js';
import { connectClient, type GenPaxosClient } from '../src/transport/client/client.js';
import { measureCommit, measureRoundTrip } from './floors.js';
import { inProcessDecided } from './inProcess.js';
import type { BenchReport, CountedLoad } from './report.js';
import type { BenchRunOptions } from './runOptions.js';
import { concurrent, contended, decidedKeys, measuringCpu, sequential, WARMUP_ASKS } from './scenarios.js';

export interface StandardOptions extends BenchRunOptions {
  readonly nodes: number;
}

export async function runStandard(options: StandardOptions): Promise<BenchReport> {
  const { nodes: nodeCount, quick, scale: n, mainPath, dir, progress, signal } = options;
  let cluster: LocalCluster | undefined;
  /** One client per node, through that node only: contended keys, counters, decided keys. */
  const clients: GenPaxosClient[] = [];
  /** One client per node, knowing every endpoint (its own first): asks go to their keys' owners. */
  const routed: GenPaxosClient[] = [];
  const stop = async () => {
    await Promise.all([...clients, ...routed].map((c) => c.close().catch(() => {})));
    await cluster?.stop();
  };
  const forget = options.cleanup.add(stop);

  async function clusterCounter(name: string): Promise<number> {
    const statuses = await Promise.all(clients.map((c) => c.status()));
    return statuses.reduce((sum, s) => sum + (s.counters[name] ?? 0), 0);
  }

  /** Runs a load phase, counting CPU, envelopes sent between nodes, commits and retries around it. */
  async function counted(
    pids: readonly number[],
    load: () => ReturnType<typeof concurrent>,
  ): Promise<CountedLoad> {
    const names = ['wire.envelopesSent', 'storage.commits', 'node.retries'] as const;
    const before = await Promise.all(names.map(clusterCounter));
    const measured = await measuringCpu(pids, load);
    const after = await Promise.all(names.map(clusterCounter));
    const per = (i: number) => ((after[i] as number) - (before[i] as number)) / Math.max(1, measured.asks);
    return {
      ...measured,
      messagesPerDecision: per(0),
      commitsPerDecision: per(1),
      retriesPerDecision: per(2),
    };
  }

  async function memoryAfter(decidedTotal: number): Promise<BenchReport['memory'][number]> {
    const statuses = await Promise.all(clients.map((c) => c.status()));
    return {
      decidedKeys: decidedTotal,
      perNode: statuses.map((s) => ({
        node: s.node,
        rssMb: (s.counters['process.rssBytes'] ?? 0) / 1e6,
        ...(s.counters['process.rssFileBytes'] === undefined
          ? {}
          : { fileMb: s.counters['process.rssFileBytes'] / 1e6 }),
        liveInstances: s.counters['node.liveInstances'] ?? 0,
      })),
    };
  }

  try {
    signal.throwIfAborted();
    progress('measuring floors: WebSocket + msgpack round trip between two processes, storage commit');
    const rtt = await measureRoundTrip(n(2000));
    const commit = await measureCommit(n(500));

    signal.throwIfAborted();
    progress(`starting ${nodeCount} node processes (LMDB data directories, WebSocket links)`);
    cluster = await LocalCluster.start({ size: nodeCount, mainPath, dir, durable: true });
    const options = { secret: cluster.clientSecret, cluster: cluster.cluster };
    const urls = cluster.ids.map((id) => cluster?.urls[id] as string);
    for (const [i, url] of urls.entries()) {
      clients.push(await connectClient(url, options));
      const client = await connectClient([...urls.slice(i), ...urls.slice(0, i)], options);
      await client.routed();
      routed.push(client);
    }
    // Warm up links, JIT and caches before measuring.
    await concurrent(routed, 'warmup', 32, n(WARMUP_ASKS));

    const pids = cluster.nodes.map((node) => node.child.pid as number);
    signal.throwIfAborted();
    progress('sequential fresh asks from one client');
    const seq = await counted(pids, () => sequential(routed[0] as GenPaxosClient, 'seq', n(2000)));
    const inFlight: BenchReport['concurrent'][number][] = [];
    for (const depth of [16, 64, 256]) {
      signal.throwIfAborted();
      progress(`${depth} asks in flight, spread over the nodes`);
      const load = await counted(pids, () => concurrent(routed, `c${depth}`, depth, n(depth * 100)));
      inFlight.push({ inFlight: depth, ...load });
    }
    signal.throwIfAborted();
    progress('contended keys: every node asks the same keys at once');
    const hot = await contended(clients, 'hot', n(2000), 32, () => clusterCounter('node.retries'));
    signal.throwIfAborted();
    progress('decided keys: asked again and read, through the client protocol and in-process');
    const decidedRemote = await decidedKeys(clients[0] as GenPaxosClient, 'seq', Math.min(seq.asks, n(1000)));
    const decidedLocal = await inProcessDecided(n(2000));

    const memory: BenchReport['memory'][number][] = [];
    let decidedTotal = await clusterCounter('node.decided');
    decidedTotal = Math.round(decidedTotal / nodeCount);
    for (const target of quick ? [100_000] : [100_000, 1_000_000]) {
      const missing = Math.max(0, target - decidedTotal);
      signal.throwIfAborted();
      progress(`deciding ${missing} more keys to reach ${target} decided (memory per node)`);
      const fill = await concurrent(routed, `fill${target}`, 256, missing, {
        onProgress: (done) => progress(`  ${done}/${missing}`),
      });
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
    return report;
  } finally {
    await stop();
    forget();
  }
}
