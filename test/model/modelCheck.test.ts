// Layer 3 of DESIGN.md §7: the exhaustive model check. Every interleaving of 3 nodes (two of them
// asked to propose one of two values each), a network that loses, duplicates and reorders
// anything, crash-restarts, and retirement and respawn of instances, over the node's real per-key
// step (src/paxos/keyStep.ts) and instance machine through XState's pure transition(). Longer
// bounds: `npx tsx test/model/run.ts`.
import { describe, expect, it } from 'vitest';
import { checkModel } from './check.js';
import {
  acceptsAnyRoundZero,
  acceptsConflictingValues,
  acceptsForgedBallots,
  countsStaleAcknowledgements,
  roundZeroOnMajority,
  answersUndecided,
  correct,
  correctInstances,
  correctOwner,
  forgetfulAcceptor,
  instancelessRepliesFirst,
  ownerSendsBeforeDurable,
  proposerIgnoresAccepted,
  quorumOfOne,
  refusesForgeries,
  repliesBeforePersisting,
  respawnForgets,
  type Bounds,
} from './configs.js';
import type { ModelConfig } from './config.js';

describe('model check: the node is safe in every reachable state', () => {
  // The floors catch a checker that quietly stopped exploring (a broken successor function is
  // "safe" too).
  const cases: { make: (bounds: Bounds) => ModelConfig; bounds: Bounds; atLeast: number }[] = [
    // The default node: votes and forwards without instances where it can.
    { make: correct, bounds: { maxRound: 1, maxCrashes: 2 }, atLeast: 80_000 },
    { make: correct, bounds: { maxRound: 2, maxCrashes: 0, values: 1 }, atLeast: 80_000 },
    // Every key in an instance on every node.
    { make: correctInstances, bounds: { maxRound: 1, maxCrashes: 1 }, atLeast: 20_000 },
    // The owner fast path: n1 owns the key (ballot 0, no phase 1, no vote of its own), n2 forwards
    // to it; a crash of the owner is what lets ballot 0 carry two values.
    {
      make: correctOwner,
      bounds: { maxRound: 1, maxCrashes: 1, values: 1, crashable: ['n1'], reaskAfterRestart: false },
      atLeast: 300_000,
    },
    // A misbehaving member's forged messages in the network: a ballot in another's name, and
    // round 0 from a member that does not own the key. Every one is refused.
    { make: refusesForgeries, bounds: { maxRound: 1, maxCrashes: 0 }, atLeast: 90_000 },
  ];
  it.each(cases.map((c) => ({ ...c, name: c.make(c.bounds).name })))(
    '$name',
    ({ make, bounds, atLeast }) => {
      const check = checkModel(make(bounds));
      console.log(`${check.summary}; ${check.nodeStates} distinct node states`);
      expect(check.machineErrors).toEqual([]);
      expect(check.result.verdict).toBe('safe');
      expect(check.result.states).toBeGreaterThanOrEqual(atLeast);
    },
    180_000,
  );
});

describe('model check: deliberately broken variants are caught with a counterexample', () => {
  const crash: Bounds = { maxRound: 1, maxCrashes: 1 };
  const noCrash: Bounds = { maxRound: 1, maxCrashes: 0 };
  const ownerCrash: Bounds = { maxRound: 1, maxCrashes: 1, crashable: ['n1'], reaskAfterRestart: false };
  const ownerCrashOneValue: Bounds = { ...ownerCrash, values: 1 };
  const variants: {
    name: string;
    make: (bounds: Bounds) => ModelConfig;
    bounds: Bounds;
    violation: RegExp;
    needsCrash: boolean;
    shows?: string;
  }[] = [
    {
      name: '(a) an acceptor that forgets its promise on restart',
      make: forgetfulAcceptor,
      bounds: crash,
      violation: /^(agreement|learnedIsChosen) violated/,
      needsCrash: true,
    },
    {
      name: '(b) a quorum of 1 out of 3',
      make: quorumOfOne,
      bounds: noCrash,
      violation: /^agreement violated/,
      needsCrash: false,
    },
    {
      name: '(c) a proposer that ignores accepted values (P2c)',
      make: proposerIgnoresAccepted,
      bounds: noCrash,
      violation: /^agreement violated/,
      needsCrash: false,
    },
    {
      name: '(d) an acceptor (in an instance) that replies before its vote is durable',
      make: repliesBeforePersisting,
      bounds: crash,
      violation: /^agreement violated/,
      needsCrash: true,
    },
    // The one-fsync fast path (owner.ts): the old rule's absence, and each new rule's.
    {
      name: '(f) an owner that votes in its ballot 0 and writes the vote after the propose (the old rule absent)',
      make: ownerSendsBeforeDurable,
      bounds: ownerCrash,
      violation: /^agreement violated/,
      needsCrash: true,
      shows: 'forward(',
    },
    {
      name: '(n) acceptors that acknowledge a second value in a ballot they accepted',
      make: acceptsConflictingValues,
      bounds: ownerCrashOneValue,
      violation: /^learnedIsChosen violated/,
      needsCrash: true,
    },
    {
      name: '(o) round 0 decided on a majority counting the owner’s vote it never cast',
      make: roundZeroOnMajority,
      bounds: noCrash,
      violation: /^learnedIsChosen violated/,
      needsCrash: false,
    },
    {
      name: '(p) a restarted owner that counts acknowledgements of its earlier round 0 (no boot)',
      make: countsStaleAcknowledgements,
      bounds: ownerCrashOneValue,
      violation: /^agreement violated/,
      needsCrash: true,
    },
    // The paths without an instance, which only the node's per-key step takes:
    {
      name: '(g) a vote cast without an instance that replies before it is durable',
      make: instancelessRepliesFirst,
      bounds: crash,
      violation: /^agreement violated/,
      needsCrash: true,
      shows: 'no instance',
    },
    {
      name: '(h) an instance started from an empty record instead of the key’s (after votes without it, or a retirement)',
      make: respawnForgets,
      bounds: noCrash,
      violation: /^agreement violated/,
      needsCrash: false,
      shows: 'no instance',
    },
    {
      name: '(i) a key without an instance that answers its accepted value as decided',
      make: answersUndecided,
      bounds: crash,
      violation: /^learnedIsChosen violated/,
      needsCrash: true,
      shows: 'no instance',
    },
    // Defence in depth: acceptors without each check let a misbehaving member's forgery through.
    {
      name: '(l) acceptors that take a ballot in another member’s name',
      make: acceptsForgedBallots,
      bounds: noCrash,
      violation: /^validity violated: "X"/,
      needsCrash: false,
    },
    {
      name: '(m) acceptors that take round 0 from a member that does not own the key',
      make: acceptsAnyRoundZero,
      bounds: noCrash,
      violation: /^validity violated: "X"/,
      needsCrash: false,
    },
  ];
  it.each(variants)('$name', ({ make, bounds, violation, needsCrash, shows }) => {
    const check = checkModel(make(bounds));
    console.log([check.summary, ...check.trace].join('\n'));
    expect(check.result.verdict).toBe('unsafe');
    expect(check.result.violation).toMatch(violation);
    expect(check.trace.some((line) => line.includes('crashes'))).toBe(needsCrash);
    if (shows !== undefined) expect(check.trace.some((line) => line.includes(shows))).toBe(true);
  });

  it('the forgetful acceptor is harmless without crashes: the fault needs a restart to show', () => {
    expect(checkModel(forgetfulAcceptor(noCrash)).result.verdict).toBe('safe');
  });
});
