// The load scenarios of the benchmark, each driven through the client protocol against a
// cluster of node processes: sequential asks, asks in flight, contended keys, decided keys.
import { summarize, type LatencySummary } from '../src/inspect/percentiles.js';
import type { PaxosValue } from '../src/paxos/messages.js';
import type { GenPaxosClient } from '../src/transport/client/client.js';
import { cpuPerDecision, startCpuMeter, type CpuSpent } from './cpu.js';

/**
 * Asks (32 in flight) before anything is measured, in every mode of the bench, for every system.
 * The nodes are JIT-compiled, and V8 was still optimizing their hot paths after 2,000: its
 * compiler threads stayed busy through the sequential asks that followed, whose p50 fell from
 * 1.59 to 1.30 ms between 2,000 and 15,000 warm-up asks (3 nodes, sequential warm-up, one build).
 * A production node runs for days, not for seconds.
 */
export const WARMUP_ASKS = 10_000;

/**
 * What the load scenarios drive: a write-once ask of a fresh key. A gen-paxos client is one; so is
 * the adapter over another store that `--compare` measures with the same workload.
 */
export interface Asker {
  ask(key: string, value: PaxosValue): Promise<unknown>;
}

export interface LoadOptions {
  /** The value asked for key number `i`. Default: `i` itself. */
  readonly value?: (i: number) => PaxosValue;
  /** Told how many asks finished, now and then. */
  readonly onProgress?: (done: number) => void;
}

export interface LoadResult {
  readonly asks: number;
  readonly seconds: number;
  /** Asks answered per second. */
  readonly throughput: number;
  readonly latency: LatencySummary;
  readonly errors: number;
}

function result(latencies: number[], errors: number, startedMs: number): LoadResult {
  const seconds = (performance.now() - startedMs) / 1000;
  return {
    asks: latencies.length,
    seconds,
    throughput: latencies.length / seconds,
    latency: summarize(latencies),
    errors,
  };
}

/** A load phase with the CPU it cost: every server process and this client process. */
export interface MeasuredLoad extends LoadResult {
  readonly cpu: CpuSpent;
  /** (servers + client) CPU µs per answered ask. */
  readonly cpuPerDecision: number;
}

/** Runs `load`, counting the CPU of `serverPids` and of this process around it. */
export async function measuringCpu(
  serverPids: readonly number[],
  load: () => Promise<LoadResult>,
): Promise<MeasuredLoad> {
  const stop = startCpuMeter(serverPids);
  const result = await load();
  const cpu = stop();
  return { ...result, cpu, cpuPerDecision: cpuPerDecision(cpu, result.asks) };
}

/** `count` asks on fresh keys, one after the other, from one client. */
export async function sequential(
  client: Asker,
  prefix: string,
  count: number,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const value = options.value ?? ((i: number) => i);
  const latencies: number[] = [];
  let errors = 0;
  const startedMs = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    try {
      await client.ask(`${prefix}-${i}`, value(i));
      latencies.push(performance.now() - t);
    } catch {
      errors++;
    }
  }
  return result(latencies, errors, startedMs);
}

/**
 * `count` asks on fresh keys with `inFlight` outstanding at all times, spread over the clients
 * (one per node), worker `w` always through client `w mod clients`.
 */
export async function concurrent(
  clients: readonly Asker[],
  prefix: string,
  inFlight: number,
  count: number,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const { onProgress } = options;
  const value = options.value ?? ((i: number) => i);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const startedMs = performance.now();
  const worker = async (w: number) => {
    const client = clients[w % clients.length] as Asker;
    while (next < count) {
      const i = next++;
      const t = performance.now();
      try {
        await client.ask(`${prefix}-${i}`, value(i));
        latencies.push(performance.now() - t);
      } catch {
        errors++;
      }
      if (onProgress && (latencies.length + errors) % 10_000 === 0) onProgress(latencies.length + errors);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
  return result(latencies, errors, startedMs);
}

export interface ContendedResult {
  readonly keys: number;
  readonly seconds: number;
  readonly keysPerSecond: number;
  readonly latency: LatencySummary;
  readonly retriesPerDecision: number;
  readonly disagreements: number;
}

/**
 * Every node asks the same keys at once, each with its own value, `keysInFlight` keys at a time.
 * `retries()` reads the cluster's retry counter (ballots beyond a key's first).
 */
export async function contended(
  clients: readonly GenPaxosClient[],
  prefix: string,
  keys: number,
  keysInFlight: number,
  retries: () => Promise<number>,
): Promise<ContendedResult> {
  const before = await retries();
  const latencies: number[] = [];
  let disagreements = 0;
  let next = 0;
  const startedMs = performance.now();
  const worker = async () => {
    while (next < keys) {
      const key = `${prefix}-${next++}`;
      const t = performance.now();
      const answers = await Promise.all(
        clients.map((client, i) => client.ask(key, `value-from-${i}`).catch(() => null)),
      );
      latencies.push(performance.now() - t);
      if (new Set(answers.map((a) => JSON.stringify(a))).size !== 1) disagreements++;
    }
  };
  await Promise.all(Array.from({ length: keysInFlight }, worker));
  const seconds = (performance.now() - startedMs) / 1000;
  const after = await retries();
  return {
    keys,
    seconds,
    keysPerSecond: keys / seconds,
    latency: summarize(latencies),
    retriesPerDecision: (after - before) / keys,
    disagreements,
  };
}

/** Asks again, then reads, keys already decided: the register's fast answers. */
export async function decidedKeys(
  client: GenPaxosClient,
  prefix: string,
  count: number,
): Promise<{ reAsk: LatencySummary; read: LatencySummary }> {
  const reAsk: number[] = [];
  const read: number[] = [];
  for (let i = 0; i < count; i++) {
    let t = performance.now();
    await client.ask(`${prefix}-${i}`, 'again');
    reAsk.push(performance.now() - t);
    t = performance.now();
    await client.read(`${prefix}-${i}`);
    read.push(performance.now() - t);
  }
  return { reAsk: summarize(reAsk), read: summarize(read) };
}
