// After healing: every node must answer an ask for every key the clients touched (liveness: a
// key left undecided by the faults gets decided now, one decided while a node was down is
// learned by it), then every node reads every key and they must all hold the same value. The
// probes and reads are recorded in the history like any client operation.
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { GenPaxosClient } from '../../src/transport/client/client.js';
import type { ChaosCluster } from './chaosCluster.js';
import { sleep } from './chaosCluster.js';
import { ClientConnection } from './clientConnection.js';
import type { HistoryRecorder } from '../support/history/recorder.js';
import { recordRead } from './recording.js';

export interface ConvergenceOptions {
  readonly recorder: HistoryRecorder;
  /** All probes and reads must be done by then (Date.now() time). */
  readonly deadlineMs: number;
  /** Probes (and reads) in flight per node. Default 16. */
  readonly concurrency?: number;
}

export interface Convergence {
  /** Each key's value, where every node read the same one. */
  readonly finalValues: ReadonlyMap<string, PaxosValue>;
  readonly violations: readonly string[];
  readonly probes: number;
}

export async function converge(
  cluster: ChaosCluster,
  keys: readonly string[],
  options: ConvergenceOptions,
): Promise<Convergence> {
  const violations: string[] = [];
  const reads = new Map<string, Map<string, PaxosValue | null>>(keys.map((key) => [key, new Map()]));
  let probes = 0;
  await Promise.all(
    cluster.ids.map(async (node) => {
      const connection = new ClientConnection(node, cluster.url(node), {
        ...cluster.clientOptions,
        name: `converge-${node}`,
        requestTimeoutMs: 10_000,
      });
      try {
        await slots(keys, options.concurrency ?? 16, async (key, slot) => {
          const answered = await probe(connection, options, `${node}/probe${slot}`, key);
          probes += answered.attempts;
          if (!answered.ok) {
            violations.push(`liveness: after healing, node ${node} never answered an ask of ${key}`);
            return;
          }
          const value = await readKnown(connection, options, `${node}/final${slot}`, key);
          (reads.get(key) as Map<string, PaxosValue | null>).set(node, value);
        });
      } finally {
        await connection.close();
      }
    }),
  );
  const finalValues = new Map<string, PaxosValue>();
  for (const [key, byNode] of reads) {
    // A node that never answered is already a liveness violation.
    if (byNode.size < cluster.ids.length) continue;
    const values = [...byNode.values()];
    const seen = new Set(values.map((value) => JSON.stringify(value)));
    if (seen.size === 1 && values[0] !== null && values[0] !== undefined) finalValues.set(key, values[0]);
    else
      violations.push(
        `agreement after healing: ${key} reads ${[...byNode].map(([node, value]) => `${node}=${JSON.stringify(value)}`).join(' ')}`,
      );
  }
  return { finalValues, violations, probes };
}

/** Asks `key` on the node until it answers or the deadline passes. */
async function probe(
  connection: ClientConnection,
  options: ConvergenceOptions,
  process: string,
  key: string,
): Promise<{ ok: boolean; attempts: number }> {
  for (let attempts = 1; ; attempts++) {
    const client = await connect(connection, options.deadlineMs);
    const left = options.deadlineMs - Date.now();
    if (client === null || left <= 0) return { ok: false, attempts: attempts - 1 };
    const timeoutMs = Math.max(1, Math.min(10_000, left));
    const value = `probe:${process}`;
    const outcome = await options.recorder.ask(process, key, value, () =>
      client.ask(key, value, { timeoutMs }),
    );
    if (outcome.type === 'ok') return { ok: true, attempts };
    if (Date.now() >= options.deadlineMs) return { ok: false, attempts };
    if (isConnectionProblem(outcome.error)) connection.lost(client);
  }
}

/**
 * Reads `key` on the node after it answered an ask for it: that node knows the decision, so a
 * null here is retried only briefly (a read racing the retirement of the instance).
 */
async function readKnown(
  connection: ClientConnection,
  options: ConvergenceOptions,
  process: string,
  key: string,
): Promise<PaxosValue | null> {
  let last: PaxosValue | null = null;
  for (let attempt = 0; attempt < 20 && Date.now() < options.deadlineMs + 10_000; attempt++) {
    const client = await connect(connection, options.deadlineMs + 10_000);
    if (client === null) return null;
    const outcome = await recordRead(options.recorder, process, key, () => client.read(key));
    if (outcome.type === 'ok') {
      last = outcome.value;
      if (last !== null) return last;
    } else if (isConnectionProblem(outcome.error)) connection.lost(client);
    await sleep(50);
  }
  return last;
}

function isConnectionProblem(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'WIRE_ERR_CONNECTION_CLOSED' || code === 'WIRE_ERR_REQUEST_TIMEOUT';
}

async function connect(connection: ClientConnection, deadlineMs: number): Promise<GenPaxosClient | null> {
  while (Date.now() < deadlineMs) {
    try {
      return await connection.get();
    } catch {
      await sleep(200);
    }
  }
  return null;
}

/** Runs `task` over `items` with `width` sequential lanes; each lane is one history process. */
async function slots<T>(items: readonly T[], width: number, task: (item: T, slot: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async (_, slot) => {
      while (next < items.length) await task(items[next++] as T, slot);
    }),
  );
}
