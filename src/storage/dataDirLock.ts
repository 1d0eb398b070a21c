// The lock on a data directory. Two live acceptors on one directory would each promise from their
// own in-memory view and break agreement, so a second opener is refused (PAXOS_ERR_DATA_DIR_LOCKED).
// The lock is a kernel file lock (an open-file-description lock through fs-native-extensions),
// which the kernel drops when its holder exits however it exits: a node killed with -9 and left
// unreaped as a zombie, or whose pid was reused, never keeps its directory locked. Where the
// native lock is not available, processLiveness.ts judges the pid written in the file instead.
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  linkSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ERROR_CODES, GenPaxosError } from '../base/errors.js';
import { describeProcess, isHolderAlive, parseHolder, processStartTime } from './processLiveness.js';

export const LOCK_FILE = 'gen-paxos.lock';

/** The part of fs-native-extensions used here. */
interface FileLocks {
  tryLock(fd: number, options?: { shared?: boolean }): boolean;
  unlock(fd: number): void;
}

let fileLocks: FileLocks | null | undefined;

/** The native file locks, or null where the package has no build for this platform. */
function nativeLocks(): FileLocks | null {
  if (fileLocks === undefined) {
    try {
      fileLocks = createRequire(import.meta.url)('fs-native-extensions') as FileLocks;
    } catch {
      fileLocks = null;
    }
  }
  return fileLocks;
}

export interface LockOptions {
  /** Use the pid file alone even where kernel locks exist (tests of the fallback). */
  readonly kernelLock?: boolean;
}

/** Takes the lock of `dir` for this process; returns its release. Throws PAXOS_ERR_DATA_DIR_LOCKED. */
export function lockDataDir(dir: string, options: LockOptions = {}): () => void {
  const locks = options.kernelLock === false ? null : nativeLocks();
  return locks ? kernelLock(dir, locks) : pidFileLock(dir);
}

/** What the lock file says about its holder: `pid starttime`, for messages and the fallback. */
function holderLine(): string {
  const startTime = processStartTime(process.pid);
  return startTime === null ? `${process.pid}\n` : `${process.pid} ${startTime}\n`;
}

function kernelLock(dir: string, locks: FileLocks): () => void {
  const lockPath = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 10; attempt++) {
    const fd = openSync(lockPath, 'a+');
    let locked = false;
    try {
      locked = locks.tryLock(fd);
    } finally {
      if (!locked) closeSync(fd);
    }
    if (!locked) throw lockedError(dir, readHolder(lockPath));
    // The holder before us may have unlinked the file between our open and our lock: then we
    // locked an orphan and must start over on the file now at the path.
    if (!sameFile(fd, lockPath)) {
      closeSync(fd);
      continue;
    }
    ftruncateSync(fd, 0);
    writeSync(fd, holderLine(), 0);
    return () => {
      // Unlinked while still locked, so a later opener gets a fresh file, never this one.
      unlinkQuietly(lockPath);
      locks.unlock(fd);
      closeSync(fd);
    };
  }
  throw new GenPaxosError(ERROR_CODES.DATA_DIR_LOCKED, `could not lock data directory ${dir}`);
}

function sameFile(fd: number, path: string): boolean {
  try {
    return fstatSync(fd).ino === statSync(path).ino;
  } catch {
    return false;
  }
}

function readHolder(lockPath: string): { pid: number; startTime: number | null } | null {
  try {
    return parseHolder(readFileSync(lockPath, 'utf8'));
  } catch {
    return null;
  }
}

function lockedError(dir: string, holder: { pid: number; startTime: number | null } | null): GenPaxosError {
  const who =
    holder === null
      ? 'another process'
      : `${describeProcess(holder.pid)}${holder.pid === process.pid ? ' (this process)' : ''}`;
  return new GenPaxosError(ERROR_CODES.DATA_DIR_LOCKED, `data directory ${dir} is in use by ${who}`);
}

/**
 * The fallback: a file holding the owner's pid and start time, created with link() so two
 * openers cannot both win. A holder that is gone, a zombie, or a pid now running another
 * process (another start time) is dead, and its lock is taken over.
 */
function pidFileLock(dir: string): () => void {
  const lockPath = join(dir, LOCK_FILE);
  const tempPath = join(dir, `${LOCK_FILE}.${process.pid}.${Date.now()}`);
  const fd = openSync(tempPath, 'w');
  writeSync(fd, holderLine());
  closeSync(fd);
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(tempPath, lockPath);
        return () => unlinkQuietly(lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(lockPath);
      if (holder !== null && isHolderAlive(holder)) throw lockedError(dir, holder);
      unlinkQuietly(lockPath); // stale: its owner died without releasing it
    }
    throw new GenPaxosError(ERROR_CODES.DATA_DIR_LOCKED, `could not lock data directory ${dir}`);
  } finally {
    unlinkQuietly(tempPath);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already.
  }
}
