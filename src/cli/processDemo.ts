// `gen-paxos demo`: a local cluster of real node processes (localCluster.ts), each with its data
// directory in a temp dir, asked keys through the client protocol from different nodes, every third key contended by all nodes at once;
// then every key is read on every node to check agreement, and a summary table is printed.
// Everything it starts (processes, temp dir) is stopped and removed, also on SIGINT.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize } from '../inspect/percentiles.js';
import type { PaxosValue } from '../paxos/messages.js';
import { connectClient, type GenPaxosClient } from '../transport/client/client.js';
import type { LogLevel } from '../base/log.js';
import type { CliIo } from './io.js';
import { LocalCluster } from './localCluster.js';
import { Progress } from './progress.js';
import { onStopSignals } from './stopSignals.js';
import { formatTable } from './table.js';

export interface ProcessDemoOptions {
  readonly nodes: number;
  readonly keys: number;
  readonly logLevel: LogLevel;
  readonly json: boolean;
}

export interface ProcessDemoResult {
  readonly decided: number;
  readonly agreed: boolean;
  readonly disagreements: readonly string[];
}

/** Asks in flight at once: enough to batch well, few enough to keep latencies meaningful. */
const MAX_IN_FLIGHT = 256;
/** How long agreement checks wait for a node to learn a decision still in flight. */
const LEARN_WAIT_MS = 10_000;

interface Ask {
  readonly key: string;
  readonly node: number;
  readonly value: string;
}

export async function runProcessDemo(options: ProcessDemoOptions, io: CliIo): Promise<ProcessDemoResult> {
  const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-demo-'));
  const mainPath = fileURLToPath(new URL('./main.js', import.meta.url));
  let cluster: LocalCluster | null = null;
  const clients: GenPaxosClient[] = [];
  let interrupting = false;
  const interrupted = () => {
    if (interrupting) return;
    interrupting = true;
    io.err('gen-paxos demo: interrupted, stopping the node processes\n');
    // The children got the same SIGINT from the terminal; make sure, then clean up and go.
    void (cluster?.stop(2000) ?? Promise.resolve()).finally(() => {
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  const removeSignalListeners = onStopSignals(interrupted);
  try {
    const say = (line: string) => void (options.json ? io.err(`${line}\n`) : io.out(`${line}\n`));
    say(
      `gen-paxos demo: ${options.nodes} node processes on 127.0.0.1 with durable state (LMDB in a temp dir), ` +
        `${options.keys} keys (every third asked by all nodes at once)`,
    );
    cluster = await LocalCluster.start({
      size: options.nodes,
      mainPath,
      dir,
      cluster: 'demo',
      durable: true,
      logLevel: options.logLevel,
      onStderr: (_id, line) => io.err(`${line}\n`),
    });
    for (const node of cluster.nodes) say(`  ${node.id}  pid ${node.child.pid}  ${node.url}`);
    for (const node of cluster.nodes) {
      clients.push(await connectClient(node.url, { secret: cluster.clientSecret, cluster: cluster.cluster }));
    }
    await waitForLinks(clients, options.nodes - 1);
    say(`links up: every node sees its ${options.nodes - 1} peers`);

    const asks = plan(options.keys, options.nodes);
    const latencies: number[][] = clients.map(() => []);
    const answers = new Map<string, Set<string>>();
    const progress = new Progress(
      io,
      options.json ? 'quiet' : io.isTTY ? 'redraw' : 'lines',
      'asks',
      asks.length,
    );
    const startedMs = performance.now();
    await pool(asks, MAX_IN_FLIGHT, async (ask) => {
      const t0 = performance.now();
      const decided = await (clients[ask.node] as GenPaxosClient).ask(ask.key, ask.value);
      latencies[ask.node]?.push(performance.now() - t0);
      const seen = answers.get(ask.key) ?? new Set<string>();
      seen.add(JSON.stringify(decided));
      answers.set(ask.key, seen);
      progress.tick();
    });
    const elapsedMs = performance.now() - startedMs;
    progress.done();
    say(`asked ${asks.length} times in ${(elapsedMs / 1000).toFixed(2)} s; reading every key on every node…`);

    const { disagreements, known, unlearned } = await checkAgreement(clients, options.keys, answers);
    const rows = clients.map((client, i) => {
      const l = summarize(latencies[i] ?? []);
      return [client.node, String(l.count), ms(l.p50), ms(l.p90), ms(l.p99), `${known[i]}/${options.keys}`];
    });
    const all = summarize(latencies.flat());
    rows.push(['all', String(all.count), ms(all.p50), ms(all.p90), ms(all.p99), '']);
    const decided = options.keys - disagreements.length;
    const agreed = disagreements.length === 0 && unlearned === 0;
    if (options.json) {
      io.out(
        `${JSON.stringify({ nodes: options.nodes, keys: options.keys, decided, agreed, disagreements, asks: all.count, elapsedMs: Math.round(elapsedMs), latencyMs: { p50: all.p50, p90: all.p90, p99: all.p99, max: all.max } })}\n`,
      );
    } else {
      io.out(`\n${formatTable(['node', 'asks', 'p50 ms', 'p90 ms', 'p99 ms', 'keys known'], rows)}\n\n`);
      io.out(
        `${formatTable(
          ['keys decided', 'agreement', 'asks/s'],
          [
            [
              `${decided}/${options.keys}`,
              agreement(options.nodes, disagreements, unlearned),
              (all.count / (elapsedMs / 1000)).toFixed(0),
            ],
          ],
        )}\n`,
      );
    }
    return { decided, agreed, disagreements };
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => {})));
    const stopped = (await cluster?.stop()) ?? [];
    rmSync(dir, { recursive: true, force: true });
    removeSignalListeners();
    const unclean = stopped.filter((node) => node.code !== 0);
    const line = `stopped ${stopped.length} node processes${unclean.length ? ` (${unclean.map((n) => `${n.id}: ${n.signal ?? n.code}`).join(', ')})` : ', all cleanly'}`;
    if (options.json) io.err(`${line}\n`);
    else io.out(`${line}\n`);
  }
}

/** Every third key is asked by every node, each with its own value; the others round-robin. */
function plan(keys: number, nodes: number): Ask[] {
  const asks: Ask[] = [];
  let next = 0;
  for (let k = 0; k < keys; k++) {
    const askers = k % 3 === 0 ? Array.from({ length: nodes }, (_, i) => i) : [next++ % nodes];
    for (const node of askers) asks.push({ key: `key-${k}`, node, value: `n${node + 1}-value-${k}` });
  }
  return asks;
}

async function pool<T>(items: readonly T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

/** Polls each node's status until it reports `peers` links up. */
async function waitForLinks(clients: readonly GenPaxosClient[], peers: number): Promise<void> {
  const deadline = performance.now() + 20_000;
  for (const client of clients) {
    for (;;) {
      const status = await client.status();
      if (status.links.filter((link) => link.state === 'up').length >= peers) break;
      if (performance.now() > deadline) throw new Error(`node ${client.node}: links not up after 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/**
 * Reads every key on every node. A node may not have learned a decision yet (the `decide`
 * message is in flight), so undecided reads are retried for a while; two different values, or
 * a value no ask returned, is a disagreement at once.
 */
async function checkAgreement(
  clients: readonly GenPaxosClient[],
  keys: number,
  answers: ReadonlyMap<string, ReadonlySet<string>>,
): Promise<{ disagreements: string[]; known: number[]; unlearned: number }> {
  const disagreements: string[] = [];
  let unlearned = 0;
  const known = clients.map(() => 0);
  const deadline = performance.now() + LEARN_WAIT_MS;
  await pool(
    Array.from({ length: keys }, (_, k) => `key-${k}`),
    64,
    async (key) => {
      const asked = answers.get(key) ?? new Set<string>();
      const values = new Set<string>(asked);
      for (const [i, client] of clients.entries()) {
        let value: PaxosValue | undefined = await client.read(key);
        while (value === undefined && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          value = await client.read(key);
        }
        if (value === undefined) {
          unlearned++;
          continue;
        }
        known[i] = (known[i] ?? 0) + 1;
        values.add(JSON.stringify(value));
      }
      if (values.size !== 1 || asked.size !== 1) disagreements.push(key);
    },
  );
  return { disagreements, known, unlearned };
}

function agreement(nodes: number, disagreements: readonly string[], unlearned: number): string {
  if (disagreements.length > 0)
    return `${disagreements.length} keys DISAGREE: ${disagreements.slice(0, 5).join(', ')}`;
  if (unlearned > 0) return `no conflicting values, but ${unlearned} key reads found no decision`;
  return `all ${nodes} nodes agree on every key`;
}

function ms(value: number): string {
  return Number.isNaN(value) ? '-' : value.toFixed(1);
}
