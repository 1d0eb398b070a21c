// The README's example is executed as written (with the package import pointed at src/), so
// the README cannot drift from the code.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

function typescriptBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
}

describe('README', () => {
  afterEach(() => vi.restoreAllMocks());

  it('runs the in-process example and every line it prints is true', async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const [example] = typescriptBlocks(readme);
    expect(example).toContain("from 'gen-paxos'");
    const dir = join(import.meta.dirname, '.generated');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'readme-example.ts');
    writeFileSync(file, (example as string).replace("from 'gen-paxos'", "from '../../src/index.js'"));

    const printed: unknown[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(...args));
    await import(file);

    expect(printed).toEqual([true, true, true, true]);
  });
});
