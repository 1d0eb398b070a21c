// The published package as a consumer gets it: `npm pack`, installed into a fresh project the
// way docs/embedding.md says (`npm install gen-paxos xstate`, from the tarball; npm's cache
// first, the registry only for what the cache lacks), compiled with `strict` and
// `skipLibCheck: false` against the published types of every entry point, and run: the
// embedding example, with its imports of gen-paxos and xstate, elects one leader.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'gen-paxos-consumer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const npm = (args: readonly string[], cwd: string) =>
  execFileSync('npm', [...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
  });

describe('the packed package, as a TypeScript consumer uses it', () => {
  it(
    'installs, compiles with strict and skipLibCheck: false, and runs the embedding example',
    { timeout: 120_000 },
    () => {
      // dist/ is built by the test set-up; pack it as it is (no prepare script: no second build).
      const packed = JSON.parse(
        npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], root),
      ) as [{ filename: string }];
      const tarball = join(work, packed[0].filename);
      const consumer = join(work, 'consumer');
      execFileSync('mkdir', ['-p', join(consumer, 'src')]);
      writeFileSync(
        join(consumer, 'package.json'),
        JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
      );
      writeFileSync(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            skipLibCheck: false,
            target: 'es2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            outDir: 'out',
            rootDir: 'src',
          },
        }),
      );
      // The embedding example, importing the package by name, and every entry point's types.
      const example = readFileSync(join(root, 'examples', 'embedding.ts'), 'utf8').replace(
        "'../src/index.js'",
        "'gen-paxos'",
      );
      expect(example).toContain("from 'gen-paxos'");
      writeFileSync(join(consumer, 'src', 'embedding.ts'), example);
      writeFileSync(
        join(consumer, 'src', 'entryPoints.ts'),
        [
          "import * as main from 'gen-paxos';",
          "import * as client from 'gen-paxos/client';",
          "import * as runtime from 'gen-paxos/runtime';",
          "import * as testing from 'gen-paxos/testing';",
          "import type { NodeStatus, LinkStatus } from 'gen-paxos/client';",
          'export const loaded = [main.startLink, client.connectClient, runtime.genFsm, testing.createMemoryNetwork];',
          'export type Seen = NodeStatus | LinkStatus;',
          'const c: Promise<client.GenPaxosClient> = client.connectClient(["ws://127.0.0.1:1"], { secret: "s", cluster: "c" });',
          'void c.catch(() => {});',
        ].join('\n'),
      );
      // The documented install, from the tarball: npm's cache first.
      npm(
        ['install', '--prefer-offline', '--no-package-lock', '--ignore-scripts', tarball, 'xstate'],
        consumer,
      );
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      let compiled = '';
      try {
        compiled = execFileSync(process.execPath, [tsc, '-p', consumer], { encoding: 'utf8' });
      } catch (error) {
        compiled = String((error as { stdout?: string }).stdout ?? error);
      }
      expect(compiled).toBe(''); // no TS7016 for ws, no error in any published .d.ts
      const ran = execFileSync(process.execPath, [join(consumer, 'out', 'embedding.js')], {
        encoding: 'utf8',
      });
      const lines = ran.trim().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines.filter((line) => /: leading \(leader [abc]\)$/.test(line))).toHaveLength(1);
      expect(lines.filter((line) => /: following \(leader [abc]\)$/.test(line))).toHaveLength(2);
    },
  );
});
