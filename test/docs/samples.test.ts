// Every TypeScript sample in the README and docs/ runs: the README's is executed as written
// (test/readme.test.ts); every other one is an exact copy of a marked region of a file that the
// tests execute — an example run by its test, a test, or the source itself. Refresh the copies
// with `npm run docs:samples`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { regionOf, samplesIn } from '../support/docSamples.js';

const root = new URL('../..', import.meta.url).pathname;
const docs = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const testFiles = (dir: string): string[] =>
  readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(`${dir}/${e.name}`) : e.name.endsWith('.test.ts') ? [`${dir}/${e.name}`] : [],
  );
const allTests = testFiles('test').map((f) => readFileSync(join(root, f), 'utf8'));

describe('code samples in the docs', () => {
  it.each(docs)('%s: every sample is executed, or copied from code that is', (doc) => {
    const samples = samplesIn(readFileSync(join(root, doc), 'utf8'));
    samples.forEach((sample, index) => {
      if (doc === 'README.md' && index === 0) return; // executed by test/readme.test.ts
      expect(sample.source, `${doc} sample ${index + 1} is not marked as a copy of a region`).not.toBeNull();
      const [file, name] = (sample.source as string).split('#') as [string, string];
      expect(
        ['examples/', 'test/', 'src/'].some((dir) => file.startsWith(dir)),
        file,
      ).toBe(true);
      if (file.startsWith('examples/')) {
        const module = file.replace(/\.ts$/, '.js').replace(/^examples\//, 'examples/');
        expect(
          allTests.some((t) => t.includes(module)),
          `no test runs ${file}`,
        ).toBe(true);
      }
      const region = regionOf(readFileSync(join(root, file), 'utf8'), name);
      expect(region, `${sample.source} does not exist`).toBeDefined();
      expect(sample.body, `${doc} sample ${index + 1} is stale: npm run docs:samples`).toBe(region);
    });
  });
});
