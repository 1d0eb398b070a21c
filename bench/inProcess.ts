// Answers for decided keys inside one process (the library call, no network): a 3-node group on
// the in-memory network with LMDB data directories, asked again and read after deciding.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize, type LatencySummary } from '../src/inspect/percentiles.js';
import { startLink, type GenPaxosNode } from '../src/node/genPaxos.js';
import { createMemoryNetwork } from '../src/transport/memoryNetwork.js';

export async function inProcessDecided(
  keys: number,
): Promise<{ reAsk: LatencySummary; read: LatencySummary }> {
  const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-bench-inproc-'));
  const network = createMemoryNetwork();
  const members = ['a', 'b', 'c'];
  const nodes: GenPaxosNode[] = [];
  try {
    for (const id of members)
      nodes.push(await startLink({ id, members, transport: network.connect(id), dataDir: join(dir, id) }));
    const node = nodes[0] as GenPaxosNode;
    await Promise.all(Array.from({ length: keys }, (_, i) => node.ask(`decided-${i}`, i)));
    const reAsk: number[] = [];
    const read: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < keys; i++) {
        let t = performance.now();
        await node.ask(`decided-${i}`, 'again');
        if (round > 0) reAsk.push(performance.now() - t); // round 0 warms the caches
        t = performance.now();
        node.read(`decided-${i}`);
        if (round > 0) read.push(performance.now() - t);
      }
    }
    return { reAsk: summarize(reAsk), read: summarize(read) };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
