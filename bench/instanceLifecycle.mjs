// CPU of one owner-path instance actor's whole life, without a node around it: create, start,
// ask, two round-0 acknowledgements, decided, stop — N times in a loop, three rounds. Imports a
// compiled build (`--dist`, default this tree's dist/), so two builds can be compared, and
// `node --cpu-prof bench/instanceLifecycle.mjs` profiles the machine alone; `--allocations`
// prints the bytes allocated per lifecycle instead (V8's sampling heap profiler, which counts
// bytes, not time, so it is steady on a loaded machine). A benchmark script, never a test.
//
//   node bench/instanceLifecycle.mjs [--dist DIR] [--count 40000] [--allocations]
import { resolve } from 'node:path';
import { pathToFileURL, URL } from 'node:url';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { createActor } from 'xstate';

const { values } = parseArgs({
  options: {
    dist: { type: 'string', default: new URL('../dist', import.meta.url).pathname },
    count: { type: 'string', default: '40000' },
    allocations: { type: 'boolean', default: false },
  },
});
const dist = pathToFileURL(`${resolve(values.dist)}/`);
const { instanceMachine } = await import(new URL('paxos/instanceMachine.js', dist).href);
const { ownerOf } = await import(new URL('paxos/owner.js', dist).href);
const members = ['a', 'b', 'c'];
const count = Number(values.count);
// Keys that `a` owns: only the owner may take round 0 (owner.ts).
const keys = [];
for (let i = 0; keys.length < count; i++) if (ownerOf(`k${i}`, members) === 'a') keys.push(`k${i}`);

function lifecycle(i) {
  const key = keys[i];
  const input = { key, node: 'a', members, record: null, seed: i, ownerFastPath: true, owner: 'a', boot: 1 };
  const actor = createActor(instanceMachine, { id: key, input });
  let effects = 0;
  actor.on('*', () => effects++);
  actor.subscribe({ next: () => {}, error: () => {} });
  actor.start();
  actor.send({ type: 'ask', value: `v${i}`, ownerReachable: true });
  for (const from of ['b', 'c'])
    actor.send({ type: 'acknowledge', from, ballot: { round: 0, node: 'a' }, boot: 1 });
  if (actor.getSnapshot().value !== 'decided') throw new Error(`not decided: ${actor.getSnapshot().value}`);
  actor.stop();
  return effects;
}

/** Bytes allocated by `count` lifecycles, from the sampling heap profiler (objects freed included). */
async function allocatedBytes() {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let i = 0; i < count; i++) lifecycle(i);
  const { profile } = await session.post('HeapProfiler.stopSampling');
  session.disconnect();
  const total = (node) => node.selfSize + node.children.reduce((sum, child) => sum + total(child), 0);
  return total(profile.head);
}

if (values.allocations) {
  for (let i = 0; i < count; i++) lifecycle(i); // warm up first: compiled code allocates less
  const bytes = await allocatedBytes();
  process.stdout.write(`${(bytes / count / 1024).toFixed(1)} KiB allocated per instance lifecycle\n`);
} else {
  for (let round = 1; round <= 3; round++) {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) lifecycle(i);
    const cpu = process.cpuUsage(before);
    process.stdout.write(
      `round ${round}: ${((cpu.user + cpu.system) / count).toFixed(1)} µs CPU per instance lifecycle\n`,
    );
  }
}
