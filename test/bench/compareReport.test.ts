// The side-by-side table of `--compare etcd`, rendered from made-up results: its rows, ratios,
// drift column and notes. Nothing is started or timed.
import { describe, expect, it } from 'vitest';
import { comparePhases, mergeRuns, type RunResult } from '../../bench/compare/plan.js';
import { FIGURES, comparisonRows, renderComparison } from '../../bench/compare/report.js';
import { load } from './loads.js';

const phases = comparePhases((count) => count).slice(0, 2);
const run = (system: 'etcd' | 'gen-paxos', pass: number, perSecond: number, p50: number): RunResult => ({
  run: { system, pass, keyPrefix: `${system}${pass}` },
  phases: phases.map((p) => ({ phase: p.id, ...load(perSecond, p50) })),
});
const runs = [run('etcd', 1, 800, 1.2), run('gen-paxos', 1, 300, 2.5), run('etcd', 2, 700, 1.3)];
const floors = {
  roundTrip: { count: 100, p50: 0.05, p90: 0.1, p99: 0.8, max: 1 },
  commit: { count: 100, p50: 0.4, p90: 0.45, p99: 1, max: 2 },
};

describe('comparisonRows', () => {
  const rows = comparisonRows(mergeRuns(phases, runs));

  it('has one row per phase and figure, the phase named on its first row', () => {
    expect(rows).toHaveLength(phases.length * FIGURES.length);
    expect(rows.map((r) => r[0]).filter((cell) => cell !== '')).toEqual([
      '1 client, sequential (2000 asks)',
      '16 in flight (1600 asks)',
    ]);
    expect(rows.slice(0, FIGURES.length).map((r) => r[1])).toEqual(FIGURES.map((f) => f.name));
  });

  it("shows etcd's runs around gen-paxos's, the ratio to etcd's mean and etcd's drift", () => {
    const [phase, figure, first, genPaxos, second, ratio, drift] = rows[0] as string[];
    expect([phase, figure, first, genPaxos, second]).toEqual([
      '1 client, sequential (2000 asks)',
      'per s',
      '800',
      '300',
      '700',
    ]);
    expect(ratio).toBe('0.40'); // 300 / 750
    expect(drift).toBe('0.88'); // 700 / 800
    const p50 = rows[1] as string[];
    expect(p50.slice(1)).toEqual(['p50 ms', '1.20', '2.50', '1.30', '2.00', '1.08']);
  });

  it("reports the CPU per decision, the servers' share of it and the client's", () => {
    const cpu = rows.find((r) => r[1] === 'CPU µs/decision') as string[];
    const servers = rows.find((r) => r[1]?.trim() === 'of which servers') as string[];
    const client = rows.find((r) => r[1]?.trim() === 'of which client') as string[];
    expect(cpu.slice(2, 6)).toEqual(['100', '100', '100', '1.00']);
    expect(servers.slice(2, 6)).toEqual(['90', '90', '90', '1.00']); // 9000 µs over 100 asks
    expect(client.slice(2, 6)).toEqual(['10', '10', '10', '1.00']); // 1000 µs over 100 asks
  });
});

describe('renderComparison', () => {
  const report = {
    etcdVersion: '3.4.23',
    quick: true,
    genPaxosClient: 'routed' as const,
    floors,
    runs,
    phases: mergeRuns(phases, runs),
  };
  const text = renderComparison(report);

  it('names both systems, the order of the runs and the workload', () => {
    expect(text).toContain('gen-paxos vs etcd 3.4.23');
    expect(text).toContain('256-byte values (quick run)');
    expect(text).toContain('etcd (1st), gen-paxos, etcd (2nd)');
  });

  it("says how gen-paxos's clients reached the members", () => {
    expect(text).toContain("send each ask to its key's owner");
    const perNode = renderComparison({ ...report, genPaxosClient: 'per-node' });
    expect(perNode).toContain("gen-paxos's asks go to their member (non-owners forward");
    expect(perNode).not.toContain("send each ask to its key's owner");
  });

  it('prints the floors, the sequential p50 against the floor, and the errors of every run', () => {
    expect(text).toContain('fresh ask = 3 round trips + 2 commits               0.950');
    // 2 × 0.05 + 0.4: the routed ask's path on its key's owner.
    expect(text).toContain('owner path = 2 round trips + 1 commit (routed ask)  0.500');
    expect(text).toContain('gen-paxos sequential p50 = 2.63 × its floor (0.950 ms).');
    expect(text).toContain('errors: etcd run 1 0, gen-paxos run 1 0, etcd run 2 0');
  });
});
