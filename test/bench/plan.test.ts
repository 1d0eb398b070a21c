// The plan of `--compare etcd`: its phases, the A-B-A order, the values, the round robin and the
// merge of the runs. Pure: nothing is started or timed.
import { describe, expect, it } from 'vitest';
import {
  abaRuns,
  benchValue,
  comparePhases,
  mergeRuns,
  ratioToMean,
  roundRobin,
  type RunResult,
  VALUE_BYTES,
} from '../../bench/compare/plan.js';
import { load } from './loads.js';

const full = (count: number) => count;
const quick = (count: number) => Math.max(100, Math.round(count * 0.2));

describe('comparePhases', () => {
  it("is the issue's table: sequential, then 16, 64 and 256 in flight, at npm run bench's counts", () => {
    expect(comparePhases(full).map((p) => [p.id, p.inFlight, p.asks])).toEqual([
      ['seq', 1, 2000],
      ['c16', 16, 1600],
      ['c64', 64, 6400],
      ['c256', 256, 25600],
    ]);
    expect(comparePhases(quick).map((p) => p.asks)).toEqual([400, 320, 1280, 5120]);
  });
});

describe('abaRuns', () => {
  it('runs etcd, then gen-paxos, then etcd again', () => {
    expect(abaRuns().map((r) => `${r.system}#${r.pass}`)).toEqual(['etcd#1', 'gen-paxos#1', 'etcd#2']);
  });

  it('gives every run keys of its own', () => {
    const prefixes = abaRuns().map((r) => r.keyPrefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const a of prefixes)
      for (const b of prefixes) if (a !== b) expect(a.startsWith(`${b}-`)).toBe(false);
  });
});

describe('benchValue', () => {
  it('is 256 bytes, different for every key', () => {
    for (const i of [0, 7, 123_456, 99_999_999]) expect(Buffer.byteLength(benchValue(i))).toBe(VALUE_BYTES);
    expect(benchValue(1)).not.toBe(benchValue(11));
  });
});

describe('roundRobin', () => {
  it('sends ask k to member k mod n, with its key and value', async () => {
    const seen: string[] = [];
    const member = (name: string) => ({
      ask: async (key: string, value: unknown) => {
        seen.push(`${name}:${key}=${String(value)}`);
        return value;
      },
    });
    const asker = roundRobin([member('a'), member('b'), member('c')]);
    for (let i = 0; i < 5; i++) expect(await asker.ask(`k${i}`, i)).toBe(i);
    expect(seen).toEqual(['a:k0=0', 'b:k1=1', 'c:k2=2', 'a:k3=3', 'b:k4=4']);
  });

  it('needs a member', () => {
    expect(() => roundRobin([])).toThrow(/at least one/);
  });
});

describe('mergeRuns', () => {
  const phases = comparePhases(full).slice(0, 2);
  const run = (system: 'etcd' | 'gen-paxos', pass: number, base: number): RunResult => ({
    run: { system, pass, keyPrefix: `${system}${pass}` },
    phases: phases.map((p, i) => ({ phase: p.id, ...load(base + i) })),
  });

  it("puts each phase's results together: etcd's runs in order, and gen-paxos's", () => {
    // Given out of order, as a caller might collect them.
    const merged = mergeRuns(phases, [run('etcd', 2, 300), run('gen-paxos', 1, 200), run('etcd', 1, 100)]);
    expect(merged.map((m) => m.phase.id)).toEqual(['seq', 'c16']);
    expect(merged.map((m) => m.etcd.map((l) => l.throughput))).toEqual([
      [100, 300],
      [101, 301],
    ]);
    expect(merged.map((m) => m.genPaxos.throughput)).toEqual([200, 201]);
  });

  it('refuses runs that lack a phase or a system', () => {
    const short: RunResult = { ...run('etcd', 2, 300), phases: run('etcd', 2, 300).phases.slice(0, 1) };
    expect(() => mergeRuns(phases, [run('etcd', 1, 1), run('gen-paxos', 1, 2), short])).toThrow(
      /etcd run 2 has no result for phase c16/,
    );
    expect(() => mergeRuns(phases, [run('gen-paxos', 1, 2)])).toThrow(/no etcd run/);
    expect(() => mergeRuns(phases, [run('etcd', 1, 1)])).toThrow(/one gen-paxos run, got 0/);
  });
});

describe('ratioToMean', () => {
  it("is the value over the mean of etcd's runs", () => {
    // The first row: 306 per s against 756 and 745.
    expect(ratioToMean(306, [756, 745]).toFixed(2)).toBe('0.41');
    expect(ratioToMean(3, [2])).toBe(1.5);
  });

  it('is NaN when there is nothing to divide by', () => {
    expect(ratioToMean(1, [0, 0])).toBeNaN();
    expect(ratioToMean(1, [])).toBeNaN();
    expect(ratioToMean(1, [Number.NaN])).toBeNaN();
  });
});
