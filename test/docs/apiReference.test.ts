// docs/api is generated from the JSDoc of the public API (npm run docs:api); this test fails
// when the committed reference no longer matches the code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'gen-paxos-api-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('docs/api', () => {
  it('is up to date with the public API (regenerate: npm run docs:api)', () => {
    execFileSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', out], {
      cwd: root,
      stdio: 'pipe',
    });
    const committed = join(root, 'docs/api');
    expect(readdirSync(committed).sort()).toEqual(readdirSync(out).sort());
    for (const file of readdirSync(out)) {
      expect(readFileSync(join(committed, file), 'utf8'), file).toBe(readFileSync(join(out, file), 'utf8'));
    }
  }, 60_000);

  it('documents the public entry points with their examples', () => {
    const reference = readFileSync(join(root, 'docs/api/README.md'), 'utf8');
    for (const name of [
      'startLink',
      'paxosFsm',
      'genPaxosNode',
      'connectClient',
      'startLeader',
      'genFsm',
      'supervisor',
    ]) {
      expect(reference, name).toContain(`### ${name}`);
    }
    expect(reference).toContain('const decided = await node.ask(');
  });
});
