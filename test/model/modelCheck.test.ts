// Layer 3 of DESIGN.md §7: the exhaustive model check. Every interleaving of 3 nodes (two of
// them asked to propose A and B), a network that loses, duplicates and reorders anything, and
// crash-restarts, over the real instance machine through XState's pure transition(). Longer
// bounds: `npx tsx test/model/run.ts`.
import { describe, expect, it } from 'vitest';
import { checkModel } from './check.js';
import {
  correct,
  correctOwner,
  ownerSendsBeforeDurable,
  forgetfulAcceptor,
  proposerIgnoresAccepted,
  quorumOfOne,
  repliesBeforePersisting,
  type Bounds,
} from './configs.js';

describe('model check: the instance machine is safe in every reachable state', () => {
  // Each bound explores tens of thousands of distinct states; the floors catch a checker that
  // quietly stopped exploring (a broken successor function is "safe" too).
  const cases: { name: string; bounds: Bounds; atLeast: number }[] = [
    { name: 'two rounds per node, no crash', bounds: { maxRound: 2, maxCrashes: 0 }, atLeast: 90_000 },
    {
      name: 'one round per node, two crash-restarts',
      bounds: { maxRound: 1, maxCrashes: 2 },
      atLeast: 20_000,
    },
  ];
  it.each(cases)('$name', ({ bounds, atLeast }) => {
    const check = checkModel(correct(bounds));
    console.log(`${check.summary}; ${check.nodeStates} distinct node states`);
    expect(check.machineErrors).toEqual([]);
    expect(check.result.verdict).toBe('safe');
    expect(check.result.states).toBeGreaterThanOrEqual(atLeast);
  });
});

describe('model check: deliberately broken variants are caught with a counterexample', () => {
  const bounds: Bounds = { maxRound: 1, maxCrashes: 1 };
  const variants = [
    {
      name: '(a) an acceptor that forgets its promise on restart',
      make: forgetfulAcceptor,
      needsCrash: true,
    },
    { name: '(b) a quorum of 1 out of 3', make: quorumOfOne, needsCrash: false },
    {
      name: '(c) a proposer that ignores accepted values (P2c)',
      make: proposerIgnoresAccepted,
      needsCrash: false,
    },
    {
      name: '(d) an acceptor that replies before its vote is durable',
      make: repliesBeforePersisting,
      needsCrash: true,
    },
  ];
  it.each(variants)('$name', ({ make, needsCrash }) => {
    const check = checkModel(make(bounds));
    console.log([check.summary, ...check.trace].join('\n'));
    expect(check.result.verdict).toBe('unsafe');
    expect(check.result.violation).toMatch(/^agreement violated/);
    expect(check.trace.some((line) => line.includes('crashes'))).toBe(needsCrash);
  });

  it('the forgetful acceptor is harmless without crashes: the fault needs a restart to show', () => {
    expect(checkModel(forgetfulAcceptor({ maxRound: 1, maxCrashes: 0 })).result.verdict).toBe('safe');
  });
});

describe('model check: the owner fast path (ballot 0 without phase 1, forwarded asks)', () => {
  // n1 owns the key and may use ballot 0; n2 forwards its ask to n1, then proposes itself with
  // both phases if no decision comes. A crash is what could make ballot 0 carry two values.
  const bounds: Bounds = { maxRound: 1, maxCrashes: 1, reaskAfterRestart: false };

  it('is safe in every reachable state, crash-restart included', () => {
    const check = checkModel(correctOwner(bounds));
    console.log(`${check.summary}; ${check.nodeStates} distinct node states`);
    expect(check.machineErrors).toEqual([]);
    expect(check.result.verdict).toBe('safe');
    expect(check.result.states).toBeGreaterThanOrEqual(300_000);
  }, 120_000);

  it('(f) an owner that sends ballot 0 before its vote is durable is caught: ballot 0 carries two values', () => {
    const check = checkModel(ownerSendsBeforeDurable(bounds));
    console.log([check.summary, ...check.trace].join('\n'));
    expect(check.result.verdict).toBe('unsafe');
    expect(check.result.violation).toMatch(/^agreement violated/);
    expect(check.trace.some((line) => line.includes('crashes'))).toBe(true);
    expect(check.trace.some((line) => line.includes('forward('))).toBe(true);
  });
});
