// Builds dist/ once before the tests: the integration tests run the compiled CLI in real
// processes, as users do. Incremental, so an unchanged tree costs about a second.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const buildInfo = join(root, 'node_modules', '.cache', 'gen-paxos', 'build.tsbuildinfo');

export default function setup(): void {
  // tsc --incremental trusts its build info even when dist/ was deleted: start over then.
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) rmSync(buildInfo, { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', buildInfo],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
