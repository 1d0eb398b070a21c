// Deterministic simulation inside `npm test`: a few hundred seeded schedules of faults against
// 3- and 5-node clusters, membership changes among them, with invariants checked after every step
// and on every message sent, liveness after healing, and control runs of broken variants that the
// checks must catch. A failing seed prints the command that replays it.
import { describe, expect, it } from 'vitest';
import { modeOfSeed, runSimulation, type SimOptions, type SimResult } from './simulation.js';
import { summarizeRuns } from './summary.js';
import type { BrokenVariant } from './brokenVariants.js';
import { MEMBERSHIP_FAULTS } from './membershipFaults.js';

const SEEDS = Number(process.env.SIM_SEEDS ?? 500);
/** Seeds that once failed; each stays here as a regression test. */
const REGRESSION_SEEDS: readonly number[] = [
  // The checker counted a decision still in flight to disk as learned; the crash that followed
  // lost it, unseen, and the group rightly chose another value (invariants.ts, checkStorage).
  112939,
  // Membership changes (membershipFaults.ts), driver bugs each: a change planned on a stale view
  // removed a group down to 2 voters (3317); a change whose node lost its disk never answered and
  // the run waited for it until the window closed (1924); a new voter that missed every push of its
  // configuration got no request after healing, every key being decided already (1098).
  3317, 1924, 1098,
];

function explain(result: SimResult): string {
  return `seed ${result.seed} (${result.options.nodes} nodes) failed — replay: npm run sim -- --seed ${result.seed} --nodes ${result.options.nodes}\n${result.violations.join('\n')}`;
}

describe('deterministic simulation', () => {
  it(`${SEEDS} seeded fault schedules keep every invariant, and after healing every key is decided on every node`, async () => {
    const results: SimResult[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      // Seeds vary the node count and both fast paths (modeOfSeed).
      const result = await runSimulation({ seed, ...modeOfSeed(seed) });
      results.push(result);
      expect(result.violations, explain(result)).toEqual([]);
      expect(result.stuck, explain(result)).toEqual([]);
    }
    console.log(summarizeRuns(results));
    const faults = results.reduce((n, r) => n + r.faults.crash + r.faults.partition + r.faults.pause, 0);
    expect(faults).toBeGreaterThan(SEEDS);
    // Membership changes were among the faults: every kind, and most of them completed.
    for (const kind of MEMBERSHIP_FAULTS)
      expect(results.filter((r) => r.membership[kind] > 0).length, kind).toBeGreaterThan(SEEDS / 10);
    const outcomes = results.flatMap((r) => Object.entries(r.changeOutcomes));
    const ok = outcomes.filter(([outcome]) => outcome === 'ok').reduce((n, [, count]) => n + count, 0);
    const all = outcomes.reduce((n, [, count]) => n + count, 0);
    expect(ok).toBeGreaterThan(all / 2);
    // Groups ended with 3, 4 and 5 voters, some of them ids that were not there at the start.
    const sizes = new Set(results.map((r) => r.finalConfig.indexOf(':')));
    expect([...sizes].sort()).toEqual([3, 4, 5]);
    expect(results.some((r) => /[f-z]/.test(r.finalConfig.split(':')[0] ?? ''))).toBe(true);
  }, 240_000);

  it.each(REGRESSION_SEEDS)('regression seed %i stays safe', async (seed) => {
    const result = await runSimulation({ seed, ...modeOfSeed(seed) });
    expect(result.violations, explain(result)).toEqual([]);
  });

  it('replays a seed byte for byte', async () => {
    const first = await runSimulation({ seed: 42, nodes: 5 });
    const second = await runSimulation({ seed: 42, nodes: 5 });
    expect(second.trace).toEqual(first.trace);
    expect(second.traceDigest).toBe(first.traceDigest);
    const other = await runSimulation({ seed: 43, nodes: 5 });
    expect(other.traceDigest).not.toBe(first.traceDigest);
  });
});

describe('control runs: the checker catches broken variants', () => {
  async function firstViolation(
    variant: BrokenVariant,
    seeds: number,
    mode: Partial<SimOptions> = {},
    kind?: RegExp,
  ) {
    for (let seed = 1; seed <= seeds; seed++) {
      // By default the classic protocol: the owner path funnels proposals through one node, which
      // hides quorum and P2c bugs that need two proposers racing.
      const result = await runSimulation({ seed, nodes: 3, variant, ownerFastPath: false, ...mode });
      // `kind`: the first seed with a violation of that kind (a broken variant may show another first).
      const found = kind ? result.violations.some((v) => kind.test(v)) : result.violations.length > 0;
      if (found) return { seed, violations: result.violations, result };
    }
    return undefined;
  }

  it('a quorum of 1 out of 3 breaks agreement', async () => {
    const found = await firstViolation('quorum-of-one', 20);
    expect(found?.violations.join('\n')).toMatch(/agreement/);
  });

  it('an acceptor that replies before its write is caught by the persist-before-reply check', async () => {
    const found = await firstViolation('reply-before-persist', 20);
    expect(found?.violations.join('\n')).toMatch(/persist before reply/);
  });

  it("a proposer that ignores accepted values (the original's missing P2c) breaks agreement", async () => {
    const found = await firstViolation('no-p2c', 200, {}, /agreement/);
    expect(found?.violations.join('\n')).toMatch(/agreement/);
    console.log(`no-p2c caught at seed ${found?.seed}: ${found?.violations[0]}`);
  });

  it('a node that comes back with an empty disk under its old id is caught', async () => {
    const found = await firstViolation('amnesia', 100);
    expect(found, 'no seed exposed the amnesiac node').toBeDefined();
    console.log(`amnesia caught at seed ${found?.seed}: ${found?.violations[0]}`);
  });

  it("a node that proposes with another node's ballot is caught on the wire, though every acceptor refuses it", async () => {
    const found = await firstViolation('forged-ballot', 20);
    expect(found?.violations.join('\n')).toMatch(
      /ballot not the sender's: a→\w prepare for k\d carries ballot \d+\.b/,
    );
  });

  it('a non-owner that skips phase 1 with round 0 is caught', async () => {
    const found = await firstViolation('round-zero-non-owner', 20, {
      ownerFastPath: true,
      acceptorFastPath: false,
    });
    expect(found?.violations.join('\n')).toMatch(/round 0 not from the owner: .*, the owner is [a-c]/);
  });

  it('membership changes that skip the rescan lose a decided value, and the checker sees it', async () => {
    // The control of docs/membership.md §12.2 C1, among the simulation's faults: every change
    // completes its transition without the rescan (changeMembersSkippingRescan). A replacement then
    // lets new voters that never saw a decided value form a quorum and decide another.
    const found = await firstViolation('skip-rescan', 100, {}, /agreement/);
    expect(found, 'no seed exposed the change without its rescan').toBeDefined();
    expect(found?.result.safety.join('\n')).toMatch(
      /agreement: .* decided .* for k\d, but .* was decided before/,
    );
    expect(Object.values(found?.result.membership ?? {}).some((n) => n > 0)).toBe(true);
    console.log(`skip-rescan caught at seed ${found?.seed}: ${found?.result.safety[0]}`);
    // The same schedule with the rescan keeps every invariant.
    const correct = await runSimulation({ seed: found?.seed ?? 0, nodes: 3, ownerFastPath: false });
    expect(correct.violations).toEqual([]);
  });

  it('round 0 from anyone is caught when the owner fast path is off', async () => {
    const found = await firstViolation('round-zero-non-owner', 20, { ownerFastPath: false });
    expect(found?.violations.join('\n')).toMatch(
      /round 0 not from the owner: .*, the owner fast path is off/,
    );
  });
});

describe('control runs: the liveness check catches a node that stalls', () => {
  it('instances whose takeover timer never fires break no safety invariant, and liveness catches them', async () => {
    const results: SimResult[] = [];
    for (let seed = 1; seed <= 10; seed++)
      results.push(await runSimulation({ seed, ...modeOfSeed(seed), variant: 'no-takeover' }));
    // Safety alone would pass every one of these runs…
    expect(results.flatMap((r) => r.safety)).toEqual([]);
    // …while the liveness check fails some, naming keys and probes that never got an answer.
    const stalled = results.filter((r) => r.liveness.length > 0);
    expect(stalled.length).toBeGreaterThan(0);
    expect(stalled[0]?.liveness.join('\n')).toMatch(
      /liveness: \w probe k\d, made after healing, failed with PAXOS_ERR_TIMEOUT/,
    );
    expect(stalled[0]?.liveness.join('\n')).toMatch(/liveness: k\d.* is not decided on [a-e]/);
    expect(stalled[0]?.recoveredMs).toBeNull();
    console.log(
      `no-takeover: ${stalled.length} of 10 seeds stalled; seed ${stalled[0]?.seed}: ${stalled[0]?.liveness[0]}`,
    );
  });
});
