// Finds the etcd server binary for `npm run bench -- --compare etcd`, installing Debian's
// `etcd-server` with apt when it is missing (as root only). The package must not start etcd as a
// service: a policy-rc.d that exits 101 ("action forbidden") is in place during the install.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const POLICY_RC_D = '/usr/sbin/policy-rc.d';
const FORBID_SERVICES =
  '#!/bin/sh\n# Left by the gen-paxos benchmark while it installs etcd-server: start no service.\nexit 101\n';
const PACKAGE = 'etcd-server';

export interface EtcdBinary {
  readonly path: string;
  /** As `etcd --version` prints it, e.g. `3.4.23`. */
  readonly version: string;
}

/** The etcd binary on PATH (or Debian's place for it), installed first if missing. */
export function ensureEtcd(progress: (line: string) => void): EtcdBinary {
  let path = findEtcd();
  if (!path) {
    installEtcdServer(progress);
    path = findEtcd();
    if (!path) throw new Error(`apt-get installed ${PACKAGE}, yet no etcd binary is on PATH`);
  }
  return { path, version: etcdVersion(path) };
}

function findEtcd(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, 'etcd');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function etcdVersion(path: string): string {
  const out = spawnSync(path, ['--version'], { encoding: 'utf8' });
  const match = /etcd Version:\s*(\S+)/.exec(`${out.stdout ?? ''}`);
  if (!match) throw new Error(`${path} --version printed no version: ${out.stdout}${out.stderr}`);
  return match[1] as string;
}

function installEtcdServer(progress: (line: string) => void): void {
  if (process.getuid?.() !== 0)
    throw new Error(
      `etcd is not installed and this is not root: run \`apt-get install ${PACKAGE}\` as root ` +
        '(without starting its service), then run the benchmark again',
    );
  progress(`etcd not found: installing Debian's ${PACKAGE} with apt-get (its service stays stopped)`);
  // Keep any policy-rc.d already there (containers often have one) and put it back after.
  const previous = existsSync(POLICY_RC_D) ? readFileSync(POLICY_RC_D) : null;
  writeFileSync(POLICY_RC_D, FORBID_SERVICES, { mode: 0o755 });
  try {
    if (!aptGet(['install', '-y', '--no-install-recommends', PACKAGE])) {
      progress('apt-get install failed; updating the package lists and trying once more');
      if (!aptGet(['update'])) throw new Error('apt-get update failed');
      if (!aptGet(['install', '-y', '--no-install-recommends', PACKAGE]))
        throw new Error(`apt-get install ${PACKAGE} failed`);
    }
  } finally {
    if (previous) writeFileSync(POLICY_RC_D, previous, { mode: 0o755 });
    else rmSync(POLICY_RC_D, { force: true });
  }
}

/** Runs apt-get with its output on our stderr (the table keeps stdout); true when it succeeded. */
function aptGet(args: readonly string[]): boolean {
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 2, 2],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}
