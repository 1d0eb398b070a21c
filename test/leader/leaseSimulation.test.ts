// Leader election under deterministic simulation (test/leader/leaseSim.ts): clocks drifting
// within the bound, partitions, pauses, crashes, loss. Never two leaders at once in real time;
// after the leader crashes, a new one within a lease + guard + election time; no flapping in a
// long quiet run. The control runs drift beyond the bound, or drop the guard, and the checker
// must catch the overlap. A failing seed prints the command that replays it.
import { describe, expect, it } from 'vitest';
import {
  failoverBoundMs,
  replayCommand,
  runLeaseSimulation,
  DEFAULT_LEASE_SIM,
  type LeaseSimOptions,
  type LeaseSimResult,
} from './leaseSim.js';

const SEEDS = Number(process.env.LEADER_SIM_SEEDS ?? 200);
/** Seeds that once failed, with their scenario; each stays here as a regression test. */
const REGRESSION_SEEDS: readonly (readonly [number, LeaseSimOptions['scenario'], number])[] = [];
/**
 * Election time allowed beyond the wait, virtual ms: a renewal in flight at the crash that the
 * survivors must first finish (Paxos takeoverMs, 300 ms, plus backoff) and the takeover's own
 * round trips. The test prints the measured worst case.
 */
const ELECTION_MS = 1_000;
/** After a partition heals, Paxos instances may sit in their retry backoff (backoffMaxMs 3 s). */
const RECOVERY_MS = 3_000;

function explain(result: LeaseSimResult): string {
  return `seed ${result.seed} failed — replay: ${replayCommand(result)}\n${result.violations.join('\n')}`;
}

function spread(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(0);
  return `min ${at(0)}, median ${at(0.5)}, p95 ${at(0.95)}, max ${at(1)} ms`;
}

async function runSeeds(
  count: number,
  options: Partial<LeaseSimOptions>,
  from = 1,
): Promise<LeaseSimResult[]> {
  const results: LeaseSimResult[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const result = await runLeaseSimulation({ seed, ...options });
    results.push(result);
    expect(result.violations, explain(result)).toEqual([]);
  }
  return results;
}

describe('lease election under simulation (drift within the bound)', () => {
  it(`${SEEDS} + ${SEEDS / 2} fault schedules (3 and 5 nodes): never two leaders, a leader again after healing`, async () => {
    const three = await runSeeds(SEEDS, { scenario: 'faults', nodes: 3 });
    const five = await runSeeds(SEEDS / 2, { scenario: 'faults', nodes: 5 }, 10_001);
    const all = [...three, ...five];
    const bound = failoverBoundMs(DEFAULT_LEASE_SIM, RECOVERY_MS);
    for (const result of all)
      expect(result.recoveryMs ?? Infinity, explain(result)).toBeLessThanOrEqual(bound);
    const faults: Record<string, number> = {};
    for (const r of all) for (const [k, n] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + n;
    console.log(
      `faults: ${all.length} schedules, ${all.reduce((n, r) => n + r.elections, 0)} elections, ` +
        `0 overlaps; recovery after healing ${spread(all.map((r) => r.recoveryMs ?? 0))} (bound ${bound.toFixed(0)})\n` +
        `  injected: ${Object.entries(faults)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
    );
    expect(Object.values(faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(all.length * 3);
  }, 120_000);

  it(`the leader crashes: a new one within lease + guard + ${ELECTION_MS} ms (${SEEDS} seeds, 3 and 5 nodes)`, async () => {
    const results = [
      ...(await runSeeds(SEEDS, { scenario: 'crash', nodes: 3 })),
      ...(await runSeeds(SEEDS / 2, { scenario: 'crash', nodes: 5 }, 20_001)),
    ];
    const failovers: number[] = [];
    const beyondWait: number[] = [];
    for (const result of results) {
      // Candidates later in the list wait leaseMs/20 more each (the takeover stagger).
      const stagger = (result.options.nodes - 1) * (result.options.leaseMs / 20);
      const bound = failoverBoundMs(result.options, ELECTION_MS) + stagger;
      expect(result.failoverMs, explain(result)).not.toBeNull();
      expect(result.failoverMs as number, explain(result)).toBeLessThanOrEqual(bound);
      failovers.push(result.failoverMs as number);
      beyondWait.push((result.failoverMs as number) - failoverBoundMs(result.options, 0));
    }
    console.log(
      `failover after the leader's crash (lease 1000 ms, ρ 0.05, guard 106 ms): ${spread(failovers)} over ${results.length} seeds; ` +
        `beyond (lease + guard)/(1−ρ): at most ${Math.max(...beyondWait).toFixed(0)} ms (allowed ${ELECTION_MS} + stagger)`,
    );
  }, 60_000);

  it('no flapping: one election in ten quiet minutes (3 and 5 nodes)', async () => {
    for (const nodes of [3, 5]) {
      for (const seed of [1, 2]) {
        const result = await runLeaseSimulation({ seed, nodes, scenario: 'quiet', durationMs: 600_000 });
        expect(result.violations, explain(result)).toEqual([]);
        expect(result.elections, explain(result)).toBe(1);
      }
    }
  }, 60_000);

  it.each(REGRESSION_SEEDS)('regression seed %i (%s, %i nodes) stays safe', async (seed, scenario, nodes) => {
    const result = await runLeaseSimulation({ seed, scenario, nodes });
    expect(result.violations, explain(result)).toEqual([]);
  });

  it('replays a seed exactly', async () => {
    const first = await runLeaseSimulation({ seed: 7, scenario: 'faults' });
    const again = await runLeaseSimulation({ seed: 7, scenario: 'faults' });
    expect(again.trace).toEqual(first.trace);
    const other = await runLeaseSimulation({ seed: 8, scenario: 'faults' });
    expect(other.traceDigest).not.toBe(first.traceDigest);
  });
});

describe('control runs: the checker sees the overlap the guard prevents', () => {
  // `isolate`: the leader's clock at 1 − drift, everyone else's at 1 + drift, and the leader cut
  // off right after the others learned its renewal. The worst case for the guard.
  it('drift at the bound (5%): no overlap in 30 seeds', async () => {
    await runSeeds(30, { scenario: 'isolate', actualDrift: 0.05, driftBound: 0.05 });
  });

  it('drift at 4× the bound (20% vs 5%): every seed overlaps, and the checker says so', async () => {
    const overlaps: number[] = [];
    for (let seed = 1; seed <= 30; seed++) {
      const result = await runLeaseSimulation({
        seed,
        scenario: 'isolate',
        actualDrift: 0.2,
        driftBound: 0.05,
      });
      expect(result.violations.join('\n'), `seed ${seed}`).toMatch(/overlap/);
      overlaps.push(result.worstOverlapMs);
    }
    console.log(`control, drift 20% against a 5% bound: overlap in 30/30 seeds, ${spread(overlaps)}`);
  });

  it('the guard removed (bound 0) with 15% drift: overlaps in every seed', async () => {
    // With no guard, the old leader holds on for its whole lease on a slow clock while the others
    // count theirs on fast ones. At small drifts the new election itself takes about as long as
    // the gap (its first round 0 waits out the isolated member, at least one phase timeout), so
    // 15% makes the overlap certain.
    const overlaps: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const result = await runLeaseSimulation({
        seed,
        scenario: 'isolate',
        actualDrift: 0.15,
        driftBound: 0,
      });
      expect(result.violations.join('\n'), `seed ${seed}`).toMatch(/overlap/);
      overlaps.push(result.worstOverlapMs);
    }
    console.log(`control, guard removed at 15% drift: overlap in 10/10 seeds, ${spread(overlaps)}`);
  });

  it('random fault schedules with drift beyond the bound are caught too', async () => {
    let caught = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const result = await runLeaseSimulation({
        seed,
        scenario: 'faults',
        actualDrift: 0.3,
        driftBound: 0.05,
      });
      if (result.violations.some((v) => /overlap/.test(v))) caught++;
    }
    console.log(
      `control, random faults with 30% drift against a 5% bound: overlaps caught in ${caught}/40 seeds`,
    );
    expect(caught).toBeGreaterThan(0);
  });
});
