// An advisory lock on a data directory: a file holding the owner's pid. Two live acceptors on one
// directory would each promise from their own in-memory view and break agreement, so a second
// opener is refused. A lock left by a dead process (kill -9) is taken over.
import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, GenPaxosError } from '../base/errors.js';

export const LOCK_FILE = 'gen-paxos.lock';

/** Takes the lock of `dir` for this process; returns its release. Throws PAXOS_ERR_DATA_DIR_LOCKED. */
export function lockDataDir(dir: string): () => void {
  const lockPath = join(dir, LOCK_FILE);
  // Written aside, then hard-linked into place: link fails if the lock exists, so two openers
  // cannot both win, and nobody ever reads a half-written pid.
  const tempPath = join(dir, `${LOCK_FILE}.${process.pid}.${Date.now()}`);
  writeFileSync(tempPath, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(tempPath, lockPath);
        return () => rmSync(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = readOwner(lockPath);
      if (owner !== null && isAlive(owner)) {
        throw new GenPaxosError(
          ERROR_CODES.DATA_DIR_LOCKED,
          `data directory ${dir} is in use by process ${owner}${owner === process.pid ? ' (this process)' : ''}`,
        );
      }
      rmSync(lockPath, { force: true }); // stale: its owner died without releasing it
    }
    throw new GenPaxosError(ERROR_CODES.DATA_DIR_LOCKED, `could not lock data directory ${dir}`);
  } finally {
    unlinkSync(tempPath);
  }
}

function readOwner(lockPath: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
