// Summarises V8 CPU profiles (`node --cpu-prof`, as `bench/ab.ts --prof-dir` writes them): the
// share of samples by function (self time) and by where the code lives (this project's folders,
// xstate, lmdb, msgpackr, ws, node internals, GC, idle). A benchmark helper, never a test.
//
//   npx tsx bench/profileSummary.ts DIR_OR_FILES… [--top 40]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '40' } },
  allowPositionals: true,
});

function files(paths: readonly string[]): string[] {
  return paths.flatMap((path) =>
    statSync(path).isDirectory()
      ? readdirSync(path, { recursive: true })
          .map(String)
          .filter((name) => name.endsWith('.cpuprofile'))
          .map((name) => join(path, name))
      : [path],
  );
}

/** Where a frame's code lives, coarsely. */
function areaOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'gc';
  if (name === '(idle)') return 'idle';
  if (name === '(program)') return 'program (native, unattributed)';
  if (url === '') return `native: ${name}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg ${pkg[1]}`;
  const own = /\/dist\/([^/]+)\/(?:([^/]+)\/)?/.exec(url);
  if (own) return `src/${own[1]}${own[2] && !own[2].endsWith('.js') ? `/${own[2]}` : ''}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url;
}

const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
let total = 0;
for (const file of files(positionals)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i] as number);
    if (!node) continue;
    const micros = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(url, functionName);
    const file = url.split('/').slice(-1)[0] ?? '';
    const label = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(label, (byFunction.get(label) ?? 0) + micros);
    byArea.set(area, (byArea.get(area) ?? 0) + micros);
    total += micros;
  }
}

const top = Number(values.top);
const show = (title: string, map: Map<string, number>, limit: number) => {
  process.stdout.write(`\n${title}\n`);
  for (const [label, micros] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit))
    process.stdout.write(`${((100 * micros) / total).toFixed(1).padStart(5)} %  ${label}\n`);
};
process.stdout.write(`${(total / 1e6).toFixed(1)} s of samples\n`);
show('by area (self time)', byArea, 40);
show('by function (self time)', byFunction, top);
