// `npm run sim:view -- --seed S [--nodes N] [--keys K] [--fast-path] [--out FILE]`: runs one
// simulation seed and writes its run in the cluster view's recording format (JSON lines), to
// open with `gen-paxos view --replay FILE` (or the page's "open recording…").
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { recordingHeaderLine, recordingLine } from '../../src/inspect/view/model/recording.js';
import { simulationView } from './simulationView.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    nodes: { type: 'string' },
    keys: { type: 'string' },
    'fast-path': { type: 'boolean' },
    out: { type: 'string' },
  },
});
if (values.seed === undefined) {
  console.error('usage: npm run sim:view -- --seed S [--nodes N] [--keys K] [--fast-path] [--out FILE]');
  process.exit(2);
}
const seed = Number(values.seed);
const out = values.out ?? `sim-seed-${seed}.jsonl`;
const view = await simulationView({
  seed,
  ...(values.nodes ? { nodes: Number(values.nodes) } : {}),
  ...(values.keys ? { keys: Number(values.keys) } : {}),
  ...(values['fast-path'] ? { acceptorFastPath: true } : {}),
});
writeFileSync(
  out,
  recordingHeaderLine(`simulation seed ${seed}`, view.nodes) + view.events.map(recordingLine).join(''),
);
console.log(
  `seed ${seed}: ${view.events.length} view events, ${view.result.violations.length} violations, ` +
    `${view.result.virtualMs} virtual ms; wrote ${out}\nopen it: node dist/cli/main.js view --replay ${out}`,
);
