// The nodes' own CPU per decision, without sockets or other processes: a group of nodes in this
// process on the in-memory network, each with its own store (LMDB data directories, or memory),
// `--depth` asks in flight on fresh keys spread over the nodes. Imports a compiled build
// (`--dist`, default this tree's dist/), so two builds can be compared A-B-A in one sitting, and
// `node --cpu-prof bench/inProcessLoad.mjs` profiles exactly the nodes' code. A benchmark script,
// never a test.
//
//   node bench/inProcessLoad.mjs [--dist DIR] [--nodes 3] [--depth 256] [--asks 20000]
//                                [--storage lmdb|memory] [--rounds 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL, URL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: new URL('../dist', import.meta.url).pathname },
    nodes: { type: 'string', default: '3' },
    depth: { type: 'string', default: '256' },
    asks: { type: 'string', default: '20000' },
    warmup: { type: 'string', default: '5000' },
    storage: { type: 'string', default: 'lmdb' },
    rounds: { type: 'string', default: '1' },
    'phase-timeout': { type: 'string' },
  },
});

const dist = pathToFileURL(`${resolve(values.dist)}/`);
const { startLink } = await import(new URL('node/genPaxos.js', dist).href);
const { createMemoryNetwork } = await import(new URL('transport/memoryNetwork.js', dist).href);

const members = Array.from({ length: Number(values.nodes) }, (_, i) => `n${i + 1}`);
const value = (i) => `value-${i}-`.padEnd(256, 'v');

async function load(nodes, prefix, depth, count) {
  let next = 0;
  let errors = 0;
  const worker = async (w) => {
    const node = nodes[w % nodes.length];
    while (next < count) {
      const i = next++;
      try {
        await node.ask(`${prefix}-${i}`, value(i));
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: depth }, (_, w) => worker(w)));
  return errors;
}

for (let round = 1; round <= Number(values.rounds); round++) {
  const dir = mkdtempSync(join(tmpdir(), 'gen-paxos-inproc-load-'));
  const network = createMemoryNetwork();
  const nodes = [];
  try {
    for (const id of members)
      nodes.push(
        await startLink({
          id,
          members,
          transport: network.connect(id),
          ...(values['phase-timeout']
            ? {
                adaptiveTiming: false,
                timing: {
                  phaseTimeoutMs: Number(values['phase-timeout']),
                  takeoverMs: 2 * Number(values['phase-timeout']),
                  backoffMaxMs: 8 * Number(values['phase-timeout']),
                },
              }
            : {}),
          ...(values.storage === 'lmdb' ? { dataDir: join(dir, id) } : {}),
        }),
      );
    await load(nodes, `w${round}`, 32, Number(values.warmup));
    const asks = Number(values.asks);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const errors = await load(nodes, `r${round}`, Number(values.depth), asks);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const micros = (cpu.user + cpu.system) / asks;
    const sum = (name) => nodes.reduce((total, node) => total + (node.stats[name] ?? 0), 0);
    const writes = nodes.reduce((total, node) => total + (node.storageStats?.writes ?? 0), 0);
    const commits = nodes.reduce((total, node) => total + (node.storageStats?.commits ?? 0), 0);
    process.stderr.write(
      `  per decision: ${((network.stats.sent / sum('decided')) * members.length).toFixed(2)} messages, ` +
        `${(sum('spawned') / asks).toFixed(2)} instances spawned, ${(sum('ballotsStarted') / asks).toFixed(2)} ballots, ` +
        `${(sum('retries') / asks).toFixed(3)} retries; writes ${writes}, commits ${commits} (whole run)\n`,
    );
    process.stdout.write(
      `${values.dist} round ${round}: ${(asks / seconds).toFixed(0)} asks/s, ` +
        `${micros.toFixed(1)} µs CPU per decision, ${errors} errors, load average ${loadavg()[0].toFixed(2)}\n`,
    );
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
