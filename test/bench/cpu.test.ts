// The CPU meter's pure parts: the /proc/<pid>/stat parser and CPU per decision. No timing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuPerDecision, parseProcStat, processCpuMicros } from '../../bench/cpu.js';

// Fields 1–17 of a stat line: utime (14) is 1234 and stime (15) is 56.
const statLine = (comm: string) =>
  `4242 (${comm}) S 1 4242 4242 0 -1 4194304 5000 0 0 0 1234 56 0 0 20 0 12 0 1000 123456789 2000\n`;

describe('parseProcStat', () => {
  it('reads utime and stime, fields 14 and 15', () => {
    expect(parseProcStat(statLine('etcd'))).toEqual({ utime: 1234, stime: 56 });
  });

  it('counts fields after the last parenthesis, whatever the command name holds', () => {
    expect(parseProcStat(statLine('node (worker) 7 8 9'))).toEqual({ utime: 1234, stime: 56 });
    expect(parseProcStat(statLine(') ) )'))).toEqual({ utime: 1234, stime: 56 });
  });

  it('rejects text that is not a stat line', () => {
    expect(() => parseProcStat('')).toThrow(/not a \/proc/);
    expect(() => parseProcStat('1 (x) S 1 2')).toThrow(/no utime\/stime/);
    expect(() => parseProcStat(statLine('x').replace(' 1234 ', ' -3 '))).toThrow(/no utime\/stime/);
  });

  it("parses this process's own stat file", () => {
    const ticks = parseProcStat(readFileSync('/proc/self/stat', 'utf8'));
    expect(Number.isInteger(ticks.utime) && ticks.utime >= 0).toBe(true);
    expect(Number.isInteger(ticks.stime) && ticks.stime >= 0).toBe(true);
    expect(processCpuMicros(process.pid)).toBeGreaterThanOrEqual(0);
  });
});

describe('cpuPerDecision', () => {
  it('sums the servers and the client, per decision', () => {
    expect(cpuPerDecision({ serversMicros: 900, clientMicros: 100 }, 10)).toBe(100);
  });

  it('is NaN when nothing was decided', () => {
    expect(cpuPerDecision({ serversMicros: 900, clientMicros: 100 }, 0)).toBeNaN();
  });
});
