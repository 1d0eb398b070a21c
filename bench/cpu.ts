// CPU per decision: user+system CPU time of the server processes (read from /proc/<pid>/stat,
// which sums every thread of a process) and of this client process (process.cpuUsage()), taken
// before and after a phase. Linux only; /proc counts in clock ticks (usually 10 ms each).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ProcCpuTicks {
  readonly utime: number;
  readonly stime: number;
}

/**
 * utime and stime (fields 14 and 15) of a /proc/<pid>/stat line. The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses, so fields are counted after the last ')'.
 */
export function parseProcStat(text: string): ProcCpuTicks {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  // After ") " come field 3 (state), 4, 5, … so field k is at index k - 3.
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime) || utime < 0 || stime < 0)
    throw new Error(`no utime/stime in /proc/<pid>/stat: ${JSON.stringify(text.slice(0, 200))}`);
  return { utime, stime };
}

let ticksPerSecond: number | undefined;

/** The kernel's USER_HZ (`getconf CLK_TCK`), which /proc times are counted in. */
function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(`${out.stdout ?? ''}`.trim());
    ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return ticksPerSecond;
}

/** User+system CPU time process `pid` has used so far, in µs. */
export function processCpuMicros(pid: number): number {
  const { utime, stime } = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return ((utime + stime) * 1e6) / clockTicksPerSecond();
}

export interface CpuSpent {
  /** Every server process, summed, in µs. */
  readonly serversMicros: number;
  /** This process (the client), in µs. */
  readonly clientMicros: number;
}

/** Starts counting the CPU of `serverPids` and of this process; the returned function stops. */
export function startCpuMeter(serverPids: readonly number[]): () => CpuSpent {
  const servers = () => serverPids.reduce((sum, pid) => sum + processCpuMicros(pid), 0);
  const serversBefore = servers();
  const clientBefore = process.cpuUsage();
  return () => {
    const client = process.cpuUsage(clientBefore);
    return { serversMicros: servers() - serversBefore, clientMicros: client.user + client.system };
  };
}

/** (servers + client) CPU µs per decision; NaN when nothing was decided. */
export function cpuPerDecision(spent: CpuSpent, decisions: number): number {
  return decisions > 0 ? (spent.serversMicros + spent.clientMicros) / decisions : Number.NaN;
}
