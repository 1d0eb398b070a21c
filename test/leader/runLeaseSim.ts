// `npm run sim:leader -- [--seed S | --seeds N --from S] [--scenario faults|crash|quiet]
// [--nodes N] [--drift ρ'] [--bound ρ]`: runs lease simulations. With --seed, prints that run's
// trace (the same seed prints the same trace); otherwise a summary of N runs.
import { parseArgs } from 'node:util';
import { replayCommand, runLeaseSimulation, type LeaseScenario } from './leaseSim.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string', default: '50' },
    from: { type: 'string', default: '1' },
    scenario: { type: 'string', default: 'faults' },
    nodes: { type: 'string', default: '3' },
    drift: { type: 'string' },
    bound: { type: 'string' },
  },
});
const scenario = values.scenario as LeaseScenario;
const nodes = Number(values.nodes);
const driftBound = values.bound !== undefined ? Number(values.bound) : undefined;
const actualDrift = values.drift !== undefined ? Number(values.drift) : undefined;
const options = {
  scenario,
  nodes,
  ...(driftBound !== undefined ? { driftBound } : {}),
  ...(actualDrift !== undefined ? { actualDrift } : {}),
};

if (values.seed !== undefined) {
  const result = await runLeaseSimulation({ seed: Number(values.seed), ...options });
  for (const line of result.trace) console.log(line);
  console.log(`trace digest ${result.traceDigest}`);
  console.log(`elections ${result.elections} failover ${result.failoverMs} recovery ${result.recoveryMs}`);
  for (const violation of result.violations) console.log(`VIOLATION ${violation}`);
  process.exit(result.violations.length === 0 ? 0 : 1);
}

const from = Number(values.from);
let failed = 0;
const failovers: number[] = [];
const recoveries: number[] = [];
let elections = 0;
for (let seed = from; seed < from + Number(values.seeds); seed++) {
  const result = await runLeaseSimulation({ seed, ...options });
  elections += result.elections;
  if (result.failoverMs !== null) failovers.push(result.failoverMs);
  if (result.recoveryMs !== null) recoveries.push(result.recoveryMs);
  if (result.violations.length > 0) {
    failed++;
    console.log(`seed ${seed} FAILED — replay: ${replayCommand(result)}`);
    for (const v of result.violations) console.log(`  ${v}`);
  }
}
const stats = (xs: number[]) => {
  if (xs.length === 0) return '-';
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number).toFixed(0);
  return `min ${at(0)} median ${at(0.5)} p95 ${at(0.95)} max ${at(1)}`;
};
console.log(`runs ${values.seeds} failed ${failed} elections ${elections}`);
console.log(`failover ms: ${stats(failovers)}`);
console.log(`recovery after healing ms: ${stats(recoveries)}`);
process.exit(failed === 0 ? 0 : 1);
