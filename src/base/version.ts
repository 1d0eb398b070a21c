// The package's version, as `gen-paxos --version` and a node's status report it: read from the
// package.json beside dist/ (or src/ when run from source), so it is always the installed package's.
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function packageVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return version;
}
