// The architecture of src/ (layers.config.js, docs/design.md "Map"), checked on every run: no
// cycle between files or folders, every import between top-level folders allowed by the layer
// table, and lint failing on a new violation. Each check has a control that must fail.
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../layers.config.js';
import { cycles, folderEdges, importEdges } from './importGraph.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = `${root}src`;
const layers: Record<string, readonly string[]> = LAYERS;

describe('the import graph of src/', () => {
  const edges = importEdges(src);

  it('has no cycle between files', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(cycles(edges)).toEqual([]);
  });

  it('has no cycle between folders, at any depth', () => {
    for (const depth of [1, 2, 3]) expect(cycles(folderEdges(edges, depth)), `depth ${depth}`).toEqual([]);
  });

  it('imports between top-level folders only downwards, as the layer table allows', () => {
    const offending = folderEdges(edges, 1)
      .filter(({ from, to }) => from in layers && to in layers && !layers[from]?.includes(to))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(offending).toEqual([]);
    // Every folder of src/ has a row, so a new folder cannot slip past the table.
    const folders = new Set(folderEdges(edges, 1).flatMap((e) => [e.from, e.to]));
    for (const folder of folders) if (!folder.endsWith('.ts')) expect(layers).toHaveProperty(folder);
  });

  it('keeps the generic runtime free of Paxos, transport and storage', () => {
    const fromRuntime = edges.filter((e) => e.from.startsWith('runtime/')).map((e) => e.to.split('/')[0]);
    expect(new Set(fromRuntime)).toEqual(new Set(['runtime', 'base']));
  });

  it('control: the cycle check reports a known file cycle', () => {
    const fixture = fileURLToPath(new URL('../fixtures/layering', import.meta.url));
    expect(cycles(importEdges(fixture))).toEqual([['cycle/a.ts', 'cycle/b.ts']]);
  });
});

describe('lint', () => {
  const eslint = new ESLint({ cwd: root });
  const problems = async (filePath: string, code: string): Promise<string[]> => {
    const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  };

  it('fails on an upward import, for every folder', async () => {
    expect(
      await problems('src/runtime/bad.ts', "export { startLink } from '../node/genPaxos.js';\n"),
    ).toEqual([expect.stringMatching(/not node/)]); // a re-export is an import too
    const runtimeIntoNode = await problems(
      'src/runtime/genFsm/bad.ts',
      "import { startLink } from '../../node/genPaxos.js';\nexport const start = startLink;\n",
    );
    expect(runtimeIntoNode).toEqual([
      expect.stringMatching(/no-restricted-imports: .*src\/runtime may import only base/),
    ]);
    const storageIntoTransport = await problems(
      'src/storage/bad.ts',
      "import type { Transport } from '../transport/transport.js';\nexport type T = Transport;\n",
    );
    expect(storageIntoTransport).toEqual([expect.stringMatching(/not transport/)]);
    const baseIntoPaxos = await problems(
      'src/base/bad.ts',
      "import type { Ballot } from '../paxos/ballot.js';\nexport type B = Ballot;\n",
    );
    expect(baseIntoPaxos).toEqual([
      expect.stringMatching(/src\/base may import only nothing of the project/),
    ]);
  });

  it('allows what the table allows', async () => {
    expect(
      await problems(
        'src/node/ok.ts',
        "import type { Ballot } from '../paxos/ballot.js';\nimport type { RuntimeClock } from '../base/clock.js';\nexport type T = [Ballot, RuntimeClock];\n",
      ),
    ).toEqual([]);
  });

  it('keeps src/paxos pure: no I/O, no clock, no randomness', async () => {
    expect(
      await problems(
        'src/paxos/bad.ts',
        "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
      ),
    ).toEqual([expect.stringMatching(/src\/paxos is pure/)]);
    expect(await problems('src/paxos/bad.ts', 'export const now = (): number => Date.now();\n')).toEqual([
      expect.stringMatching(/no-restricted-properties/),
    ]);
  });
});
