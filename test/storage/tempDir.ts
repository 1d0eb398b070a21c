// Temporary data directories for real-disk tests: created under os.tmpdir(), removed by `cleanup`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempDirs {
  /** A fresh directory path (not yet created, so stores see an empty data directory). */
  next(name?: string): string;
  cleanup(): void;
}

export function tempDirs(prefix = 'gen-paxos-test-'): TempDirs {
  const base = mkdtempSync(join(tmpdir(), prefix));
  let count = 0;
  return {
    next: (name = 'dir') => join(base, `${name}-${count++}`),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
