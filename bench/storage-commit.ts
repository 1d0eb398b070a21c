// Measures LmdbStorage group commit on this machine's disk: closed-loop writers (each issues a
// write, waits until it is durable, issues the next) at several concurrencies, on distinct keys.
// Prints commit latency (first write of a commit issued → commit fsync'd), write latency, keys
// per commit and throughput. Run: npx tsx bench/storage-commit.ts [--writes N] [--concurrency 1,16,256]
//                                  [--dir PATH] (default: a temporary directory, removed after)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '../src/cli/table.js';
import { summarize } from '../src/inspect/percentiles.js';
import type { KeyRecord } from '../src/paxos/record.js';
import type { CommitInfo } from '../src/storage/commitStats.js';
import { LmdbStorage } from '../src/storage/lmdbStorage.js';

interface Result {
  readonly concurrency: number;
  readonly writes: number;
  readonly seconds: number;
  readonly commits: readonly CommitInfo[];
  readonly writeLatencyMs: readonly number[];
}

const { values } = parseArgs({
  options: {
    writes: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '1,8,64,256,1024' },
    dir: { type: 'string' },
  },
});
const totalWrites = Number(values.writes);
const concurrencies = (values.concurrency as string).split(',').map(Number);

/** An accepted-but-undecided record, the most common write: about 60 bytes of msgpack. */
function record(round: number, value: string): KeyRecord {
  return {
    promised: { round, node: 'n1' },
    accepted: { ballot: { round, node: 'n1' }, value },
    decided: null,
  };
}

async function run(path: string, concurrency: number): Promise<Result> {
  const commits: CommitInfo[] = [];
  const storage = new LmdbStorage({ path, nodeId: 'bench', onCommit: (commit) => commits.push(commit) });
  await storage.open();
  // A single writer waits one fsync per write: fewer writes keep the run short.
  const writes = concurrency === 1 ? Math.min(totalWrites, 1000) : totalWrites;
  const writeLatencyMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < writes) {
      const i = next++;
      const issued = performance.now();
      await storage.write(`key-${concurrency}-${i}`, record(1 + (i % 7), `value-${i}`));
      writeLatencyMs.push(performance.now() - issued);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  await storage.close();
  return { concurrency, writes, seconds, commits, writeLatencyMs };
}

const base = values.dir ?? mkdtempSync(join(tmpdir(), 'gen-paxos-bench-'));
try {
  const results: Result[] = [];
  for (const concurrency of concurrencies)
    results.push(await run(join(base, `c${concurrency}`), concurrency));
  const ms = (value: number) => value.toFixed(2);
  console.log(`LmdbStorage group commit, data directory under ${base}`);
  console.log(
    formatTable(
      [
        'writers',
        'writes',
        'writes/s',
        'commits',
        'keys/commit p50',
        'mean',
        'max',
        'commit ms p50',
        'p90',
        'p99',
        'write ms p50',
        'p90',
        'p99',
      ],
      results.map((result) => {
        const commit = summarize(result.commits.map((c) => c.latencyMs));
        const keys = summarize(result.commits.map((c) => c.keys));
        const write = summarize(result.writeLatencyMs);
        const keysTotal = result.commits.reduce((sum, c) => sum + c.keys, 0);
        return [
          String(result.concurrency),
          String(result.writes),
          String(Math.round(result.writes / result.seconds)),
          String(result.commits.length),
          String(keys.p50),
          (keysTotal / result.commits.length).toFixed(1),
          String(keys.max),
          ms(commit.p50),
          ms(commit.p90),
          ms(commit.p99),
          ms(write.p50),
          ms(write.p90),
          ms(write.p99),
        ];
      }),
    ),
  );
} finally {
  if (values.dir === undefined) rmSync(base, { recursive: true, force: true });
}
