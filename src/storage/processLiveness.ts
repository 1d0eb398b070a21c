// Whether the process that wrote a lock file still runs, for the data-directory lock's fallback
// (dataDirLock.ts) and its messages. `kill(pid, 0)` alone is fooled twice: a zombie (killed,
// not yet reaped by its parent, as happens under a pid 1 that does not reap) still has its pid,
// and a pid can be reused by another process. On Linux, /proc/<pid>/stat tells both: field 3 is
// the state (Z for a zombie, X for dead) and field 22 the start time in clock ticks since boot.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** One letter: R running, S sleeping, D disk, Z zombie, T stopped, X dead… */
  readonly state: string;
  /** Clock ticks after boot at which the process started. */
  readonly startTime: number;
}

/**
 * Parses the text of /proc/<pid>/stat. The command name (field 2) is in parentheses and may
 * itself hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  const state = fields[0];
  const startTime = Number(fields[19]);
  if (state === undefined || !/^[A-Za-z]$/.test(state) || !Number.isSafeInteger(startTime)) return null;
  return { state, startTime };
}

/** /proc/<pid>/stat of a process, or null where there is none (no such process, or no /proc). */
export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** The start time of `pid` (Linux), or null where /proc does not tell. */
export function processStartTime(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null;
}

/** A lock file's holder line: `pid` or `pid starttime`. */
export function parseHolder(text: string): { pid: number; startTime: number | null } | null {
  const match = /^\s*(\d+)(?:\s+(\d+))?\s*$/.exec(text);
  if (!match) return null;
  const pid = Number(match[1]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  return { pid, startTime: match[2] === undefined ? null : Number(match[2]) };
}

/**
 * Whether the holder of a lock still runs: its pid exists, is no zombie, and (when both are
 * known) started at the time written in the lock, so a reused pid counts as dead.
 */
export function isHolderAlive(
  holder: { readonly pid: number; readonly startTime: number | null },
  probe: { stat(pid: number): ProcStat | null; exists(pid: number): boolean } = systemProbe,
): boolean {
  if (!probe.exists(holder.pid)) return false;
  const stat = probe.stat(holder.pid);
  if (stat === null) return true; // no /proc here: kill(pid, 0) is all we know
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return holder.startTime === null || stat.startTime === holder.startTime;
}

const systemProbe = {
  stat: readProcStat,
  exists(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: the process exists but belongs to someone else.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

/** `process 123`, or `process 123 (a zombie)` where /proc says so: for lock messages. */
export function describeProcess(pid: number): string {
  const state = readProcStat(pid)?.state;
  return state === 'Z' ? `process ${pid} (a zombie)` : `process ${pid}`;
}
