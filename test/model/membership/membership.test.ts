// The membership model check (docs/membership.md §12): one key across a chain of configurations,
// every interleaving of asks, configuration decisions, adoptions (each an epoch fence), rescan
// reports, copies and recoveries, completions, crash-restarts and a network that loses, duplicates
// and reorders anything. Safety: at most one value is chosen or learned for the key, across all
// configurations. Larger bounds and the 3 → 4 → 3 chain: `npm run model-check:membership`.
import { describe, expect, it } from 'vitest';
import { checkMembership } from './checkMembership.js';
import type { MemberScenario } from './scenario.js';
import { issue15, replace, threeFourThree, type MemberBounds } from './scenarios.js';

const classic: MemberBounds = { maxRound: 1, maxCrashes: 0, ownerFastPath: false };
const fast: MemberBounds = { ...classic, ownerFastPath: true };

describe('membership model check: the protocol is safe in every reachable state', () => {
  // Each floor catches a checker that quietly stopped exploring; each `reached` shows the run got
  // where the danger is (the transition completed, the newcomer learned the old value, the owner
  // took round 0 once the epoch was complete).
  const cases: { scenario: MemberScenario; atLeast: number; reached: readonly string[] }[] = [
    {
      scenario: issue15(classic, 'issue15-decided'),
      atLeast: 550,
      reached: ['complete:1', 'decided:f:v1', 'plan:copy'],
    },
    {
      scenario: issue15({ ...fast, maxCrashes: 1 }, 'issue15-decided'),
      atLeast: 3_000,
      reached: ['complete:1', 'decided:f:v1', 'round0-proposed:1:complete'],
    },
    {
      scenario: issue15({ ...classic, maxCrashes: 1 }, 'issue15-accepted'),
      atLeast: 55_000,
      reached: ['complete:1', 'decided:f:v1', 'plan:recover', 'recovery:decided'],
    },
    {
      scenario: issue15({ ...fast, maxCrashes: 1 }, 'issue15-accepted'),
      atLeast: 55_000,
      reached: ['complete:1', 'decided:f:v1', 'plan:recover', 'round0-proposed:1:complete'],
    },
    {
      scenario: replace(classic),
      atLeast: 55_000,
      reached: ['complete:1', 'decided:f:v1', 'decided:f:v2', 'plan:copy', 'plan:recover'],
    },
  ];
  it.each(cases.map((c) => ({ ...c, name: c.scenario.name })))(
    '$name',
    ({ scenario, atLeast, reached }) => {
      const check = checkMembership(scenario);
      console.log(check.summary);
      expect(check.result.verdict).toBe('safe');
      expect(check.result.states).toBeGreaterThanOrEqual(atLeast);
      for (const what of reached) expect([...check.observed]).toContain(what);
    },
    120_000,
  );
});

describe('membership model check: 3 → 4 → 3, bounded (the whole space: npm run model-check:membership)', () => {
  it('the first 150,000 states breadth-first hold no violation', () => {
    // Breadth-first, so every execution up to the depth printed is covered; a violation within
    // them would make the verdict `unsafe`, not `incomplete`.
    const check = checkMembership(threeFourThree(fast, undefined, 'threeFourThree', true), {
      maxStates: 150_000,
    });
    console.log(check.summary);
    expect(check.result.verdict).toBe('incomplete');
    expect(check.result.states).toBeGreaterThanOrEqual(150_000);
    expect([...check.observed]).toEqual(
      expect.arrayContaining(['complete:1', 'plan:recover', 'decided:a:v1']),
    );
  }, 120_000);
});

describe('membership model check: each rule left out is caught with a counterexample', () => {
  const controls: { name: string; scenario: MemberScenario; shows: RegExp; reached?: string }[] = [
    {
      name: 'the issue’s counterexample with the withdrawn offline member-list swap (classic)',
      scenario: issue15(classic, 'issue15-decided', { offlineSwap: true }, 'bypass: offline swap'),
      shows: /propose 1\.f v2/,
    },
    {
      name: 'the issue’s counterexample with the withdrawn offline member-list swap (owner fast path)',
      scenario: issue15(fast, 'issue15-decided', { offlineSwap: true }, 'bypass: offline swap'),
      // f owns the key under the swapped list and proposes round 0 at once (a answers decide(v1),
      // so round 0 cannot win: it needs every other member); its retry with both phases on {b, f}
      // decides v2.
      shows: /propose 1\.f v2/,
      reached: 'round0-proposed:0:complete',
    },
    {
      name: 'C1 skipping the rescan',
      scenario: issue15(classic, 'issue15-decided', { broken: { skipRescan: true } }, 'C1 skip the rescan'),
      shows: /epoch 1 is complete/,
    },
    {
      name: 'C2 changing both quorums at once',
      scenario: issue15(
        classic,
        'issue15-decided',
        { broken: { bothQuorumsAtOnce: true } },
        'C2 both quorums at once',
      ),
      shows: /prepare 1:1\./,
    },
    {
      name: 'C3 a new owner skipping phase 1 while its epoch is in transition',
      scenario: issue15(
        fast,
        'issue15-accepted',
        { broken: { ownerSkipsPhase1: true } },
        'C3 owner skips phase 1',
      ),
      shows: /propose 1:0\.f v2/,
    },
    {
      name: 'C11 a recovery that counts a decision it only learned as recovered',
      scenario: issue15(
        classic,
        'issue15-accepted',
        { broken: { recoveryTrustsDecide: true } },
        'C11 recovery trusts a decide',
      ),
      shows: /c → a \[cfg 0\]: decide v1/,
    },
  ];
  it.each(controls)('$name', ({ scenario, shows, reached }) => {
    const check = checkMembership(scenario);
    console.log([check.summary, ...check.trace].join('\n'));
    expect(check.result.verdict).toBe('unsafe');
    expect(check.result.violation).toMatch(/^agreement violated: v1, v2/);
    expect(check.trace.some((line) => shows.test(line))).toBe(true);
    if (reached !== undefined) expect([...check.observed]).toContain(reached);
  });
});
