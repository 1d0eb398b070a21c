// Runs every scenario file in this folder (README.md): each command against real nodes on the
// in-memory network, its output compared with the expected block. A difference fails with the
// first differing line; UPDATE_SCENARIOS=1 rewrites the expected blocks instead.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatMismatch } from './compare.js';
import { runScenarioFile } from './runner.js';

const DIR = fileURLToPath(new URL('.', import.meta.url));
const FILES = readdirSync(DIR)
  .filter((file) => file.endsWith('.txt'))
  .sort();
const REWRITE = Boolean(process.env.UPDATE_SCENARIOS);

describe('scenario files', () => {
  it.each(FILES)('%s', async (file) => {
    const run = await runScenarioFile(`${DIR}${file}`, { rewrite: REWRITE, name: `test/scenarios/${file}` });
    if (run.mismatch) expect.fail(formatMismatch(`test/scenarios/${file}`, run.mismatch));
    expect(run.outputs.length).toBeGreaterThan(0);
  });
});
