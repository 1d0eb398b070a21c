// Copies each marked region into the docs' samples (see test/support/docSamples.ts).
// Usage: npm run docs:samples (a test fails when a sample is stale).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { refreshSamples } from '../test/support/docSamples.js';

const root = new URL('..', import.meta.url).pathname;
for (const doc of [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
]) {
  const path = join(root, doc);
  const before = readFileSync(path, 'utf8');
  const after = refreshSamples(before, root);
  if (after !== before) {
    writeFileSync(path, after);
    console.log(`refreshed ${doc}`);
  }
}
