// `gen-paxos demo --in-process`: a cluster of nodes in this process on the in-memory network,
// asked keys from different nodes (some contended by several), with agreement checked.
import { startLink, type GenPaxosNode } from '../node/genPaxos.js';
import { createMemoryNetwork } from '../transport/memoryNetwork.js';
import { summarize } from '../inspect/percentiles.js';
import { formatTable } from './table.js';

export interface DemoOptions {
  readonly nodes: number;
  readonly keys: number;
  readonly print: (line: string) => void;
}

export interface DemoResult {
  readonly decided: number;
  readonly agreed: boolean;
  readonly disagreements: readonly string[];
}

export async function runInProcessDemo(options: DemoOptions): Promise<DemoResult> {
  const members = Array.from({ length: options.nodes }, (_, i) => `n${i + 1}`);
  const network = createMemoryNetwork();
  const nodes: GenPaxosNode[] = await Promise.all(
    members.map((id) => startLink({ id, members, transport: network.connect(id) })),
  );
  options.print(`started ${members.length} nodes in this process: ${members.join(', ')}`);

  const latencies: number[] = [];
  const asks: Promise<void>[] = [];
  for (let k = 0; k < options.keys; k++) {
    // Every third key is contended: every node asks it, each with its own value.
    const askers = k % 3 === 0 ? nodes : [nodes[k % nodes.length] as GenPaxosNode];
    for (const node of askers) {
      const started = performance.now();
      asks.push(
        node
          .ask(`key-${k}`, `${node.id}-value-${k}`)
          .then(() => void latencies.push(performance.now() - started)),
      );
    }
  }
  await Promise.all(asks);
  // An ask resolves on its own node; the `decide` to the other nodes may still be in flight.
  const everyoneKnows = () =>
    Array.from({ length: options.keys }, (_, k) => `key-${k}`).every((key) =>
      nodes.every((node) => node.read(key) !== undefined),
    );
  const deadlineMs = performance.now() + 5000;
  while (!everyoneKnows() && performance.now() < deadlineMs) await new Promise((r) => setTimeout(r, 10));

  const disagreements: string[] = [];
  for (let k = 0; k < options.keys; k++) {
    const values = new Set(nodes.map((node) => JSON.stringify(node.read(`key-${k}`) ?? null)));
    if (values.size !== 1 || values.has('null')) disagreements.push(`key-${k}`);
  }
  const latency = summarize(latencies);
  options.print(
    formatTable(
      ['keys decided', 'asks', 'agreement', 'p50 ms', 'p90 ms', 'p99 ms'],
      [
        [
          String(options.keys - disagreements.length),
          String(latency.count),
          disagreements.length === 0 ? 'all nodes agree' : `${disagreements.length} keys disagree`,
          latency.p50.toFixed(2),
          latency.p90.toFixed(2),
          latency.p99.toFixed(2),
        ],
      ],
    ),
  );
  await Promise.all(nodes.map((node) => node.stop()));
  return { decided: options.keys - disagreements.length, agreed: disagreements.length === 0, disagreements };
}
