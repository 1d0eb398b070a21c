// The pure core of membership change (docs/membership.md §4–§6): ballots with epochs, quorums over
// two voter sets, the epoch fence, configuration views and change checks, and the rescan merge.
import { describe, expect, it } from 'vitest';
import { acceptorStep } from '../../src/paxos/acceptor.js';
import { compareBallots, formatBallot, nextBallot, type Ballot } from '../../src/paxos/ballot.js';
import {
  adopt,
  checkChange,
  initialConfiguration,
  INITIAL_ADOPTED,
  mayTakeRoundZero,
  mayVote,
  ownerIn,
  phase1Sets,
  phase2Set,
  prepareTargets,
  viewOf,
  type Configuration,
} from '../../src/paxos/config.js';
import { hasQuorum } from '../../src/paxos/quorum.js';
import { EMPTY_RECORD } from '../../src/paxos/record.js';
import {
  copyTargets,
  keyDone,
  mergeReports,
  NO_PROGRESS,
  rescanComplete,
  reportsSuffice,
  type KeyProgress,
  type Report,
} from '../../src/paxos/rescan.js';

const b = (epoch: number, round: number, node: string): Ballot =>
  epoch === 0 ? { round, node } : { epoch, round, node };

const C0: Configuration = initialConfiguration(['c', 'a', 'b']);
const C1: Configuration = { number: 1, epoch: 1, voters: ['a', 'b', 'c', 'f'], urls: {} };
const C2: Configuration = { number: 2, epoch: 2, voters: ['a', 'b', 'f'], urls: {} };

describe('ballots with epochs', () => {
  it('compares the epoch first: every ballot of a newer epoch is above every older one', () => {
    expect(compareBallots(b(1, 0, 'a'), b(0, 99, 'z'))).toBeGreaterThan(0);
    expect(compareBallots(b(0, 2, 'a'), b(0, 1, 'z'))).toBeGreaterThan(0);
    expect(compareBallots(b(2, 1, 'a'), b(2, 1, 'b'))).toBeLessThan(0);
    // An absent epoch is epoch 0: today's ballots compare as before.
    expect(compareBallots({ round: 1, node: 'a' }, { epoch: 0, round: 1, node: 'a' })).toBe(0);
  });
  it('keeps the epoch-0 shape and format, so one configuration behaves exactly as before', () => {
    expect(nextBallot('a', 3)).toEqual({ round: 4, node: 'a' });
    expect(nextBallot('a', 0, 2)).toEqual({ epoch: 2, round: 1, node: 'a' });
    expect(formatBallot(b(0, 1, 'a'))).toBe('1.a');
    expect(formatBallot(b(2, 0, 'f'))).toBe('2:0.f');
  });
});

describe('quorums over voter sets', () => {
  it('needs a majority of each set, counting only that set’s members', () => {
    const old = ['a', 'b', 'c'];
    const next = ['a', 'b', 'f'];
    expect(hasQuorum(['b', 'f'], [next])).toBe(true);
    expect(hasQuorum(['b', 'f'], [old, next])).toBe(false); // the issue's {b, f}
    expect(hasQuorum(['a', 'b'], [old, next])).toBe(true);
    expect(hasQuorum(['c', 'f', 'x'], [old, next])).toBe(false);
    // The count form is unchanged.
    expect(hasQuorum(['a', 'b'], 3)).toBe(true);
    expect(hasQuorum(['a'], 3)).toBe(false);
  });
});

describe('the acceptor’s epoch fence', () => {
  it('refuses ballots of an epoch below the fence, without a vote or a reply', () => {
    const step = acceptorStep({ key: 'k', owner: null, fence: 1 }, EMPTY_RECORD, 'c', {
      type: 'propose',
      ballot: b(0, 5, 'c'),
      value: 'v1',
    });
    expect(step.granted).toBe(false);
    expect(step.effects).toEqual([
      { type: 'refused', key: 'k', from: 'c', message: 'propose', reason: 'below-fence' },
    ]);
  });
  it('votes on ballots of the fence’s epoch and above, as before', () => {
    const ok = acceptorStep({ key: 'k', owner: null, fence: 1 }, EMPTY_RECORD, 'f', {
      type: 'prepare',
      ballot: b(1, 1, 'f'),
    });
    expect(ok.granted).toBe(true);
    expect(ok.effects.map((e) => e.type)).toEqual(['persist', 'send']);
  });
});

describe('configuration views', () => {
  const chain = [C0, C1, C2];
  it('epoch 0 is complete by definition: one majority of its voters', () => {
    const view = viewOf(chain, 0, 0);
    expect(view).toEqual({ epoch: 0, voters: ['a', 'b', 'c'], previousVoters: null, complete: true });
    expect(phase1Sets(view)).toEqual([['a', 'b', 'c']]);
  });
  it('in transition, phase 1 reads the old and the new voters, phase 2 the new only', () => {
    const view = viewOf(chain, 1, 0);
    expect(view.complete).toBe(false);
    expect(phase1Sets(view)).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c', 'f'],
    ]);
    expect(phase2Set(view)).toEqual(['a', 'b', 'c', 'f']);
    const shrink = viewOf(chain, 2, 1);
    expect(prepareTargets(shrink)).toEqual(['a', 'b', 'c', 'f']);
    expect(mayVote(shrink, 'c', 'prepare')).toBe(true);
    expect(mayVote(shrink, 'c', 'propose')).toBe(false);
  });
  it('once complete, the new voters alone', () => {
    const view = viewOf(chain, 2, 2);
    expect(phase1Sets(view)).toEqual([['a', 'b', 'f']]);
    expect(mayVote(view, 'c', 'prepare')).toBe(false);
  });
  it('a URL update keeps the epoch and needs no transition', () => {
    const updated: Configuration = { number: 1, epoch: 0, voters: ['a', 'b', 'c'], urls: { a: 'ws://x' } };
    expect(viewOf([C0, updated], 1, 0).complete).toBe(true);
  });
});

describe('the owner per configuration (§6.4)', () => {
  // A key the new configuration [a, b, f] gives to f.
  const key = ['k', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6'].find(
    (k) => ownerIn(k, viewOf([C0, { ...C2, number: 1, epoch: 1 }], 1, 1)) === 'f',
  ) as string;
  const chain: Configuration[] = [C0, { ...C2, number: 1, epoch: 1 }];
  it('a new owner may not skip phase 1 while its epoch is in transition', () => {
    expect(mayTakeRoundZero(viewOf(chain, 1, 0), 'f', key, true)).toBe(false);
  });
  it('once the epoch is complete, the owner of a fresh user key may', () => {
    expect(mayTakeRoundZero(viewOf(chain, 1, 1), 'f', key, true)).toBe(true);
    expect(mayTakeRoundZero(viewOf(chain, 1, 1), 'f', key, false)).toBe(false);
    expect(mayTakeRoundZero(viewOf(chain, 1, 1), 'a', key, true)).toBe(false);
    expect(mayTakeRoundZero(viewOf(chain, 1, 1), 'f', '\0cfg/2', true)).toBe(false);
  });
});

describe('change checks (§6.1)', () => {
  const all = ['a', 'b', 'c', 'f', 'g'];
  it('refuses a change while the adopted epoch is in transition', () => {
    const check = checkChange(
      { chain: [C0, C1], completeEpoch: 0, reachable: all },
      { type: 'remove', id: 'c' },
    );
    expect(check).toMatchObject({ ok: false, code: 'PAXOS_ERR_CHANGE_IN_PROGRESS' });
  });
  it('never reuses an id, and removes only voters', () => {
    const ctx = { chain: [C0, C1, C2], completeEpoch: 2, reachable: all };
    expect(checkChange(ctx, { type: 'add', id: 'c', url: 'u' })).toMatchObject({
      code: 'PAXOS_ERR_MEMBER_EXISTS',
    });
    expect(checkChange(ctx, { type: 'remove', id: 'c' })).toMatchObject({ code: 'PAXOS_ERR_NOT_A_MEMBER' });
    expect(checkChange(ctx, { type: 'update', id: 'c', url: 'u' })).toMatchObject({
      code: 'PAXOS_ERR_NOT_A_MEMBER',
    });
  });
  it('needs a majority of the old and of the new voters reachable, unless forced', () => {
    const ctx = { chain: [C0], completeEpoch: 0, reachable: ['a', 'g'] };
    const change = { type: 'replace', remove: 'c', id: 'g', url: 'ws://g' } as const;
    expect(checkChange(ctx, change)).toMatchObject({ ok: false, code: 'PAXOS_ERR_UNSAFE_CHANGE' });
    expect(checkChange({ ...ctx, reachable: null }, change)).toEqual({
      ok: true,
      next: { number: 1, epoch: 1, voters: ['a', 'b', 'g'], urls: { g: 'ws://g' } },
    });
  });
  it('refuses to remove the last voter', () => {
    const one = initialConfiguration(['a']);
    expect(
      checkChange({ chain: [one], completeEpoch: 0, reachable: null }, { type: 'remove', id: 'a' }),
    ).toMatchObject({
      code: 'PAXOS_ERR_UNSAFE_CHANGE',
    });
  });
  it('a URL update keeps the epoch', () => {
    const check = checkChange(
      { chain: [C0], completeEpoch: 0, reachable: [] },
      { type: 'update', id: 'a', url: 'ws://a2' },
    );
    expect(check).toMatchObject({ ok: true, next: { number: 1, epoch: 0, voters: ['a', 'b', 'c'] } });
  });
});

describe('adopting a configuration moves the fence', () => {
  it('to the new epoch, in order, once', () => {
    const one = adopt(INITIAL_ADOPTED, C1);
    expect(one).toEqual({ adopted: 1, fence: 1 });
    expect(adopt(one as never, C1)).toBeNull();
    expect(() => adopt(INITIAL_ADOPTED, C2)).toThrow(/fetch the ones between/);
    expect(adopt({ adopted: 0, fence: 0 }, { number: 1, epoch: 0, voters: ['a'], urls: {} })).toEqual({
      adopted: 1,
      fence: 0,
    });
  });
});

describe('the rescan merge (§6.3)', () => {
  const old = ['a', 'b', 'c'];
  const next = ['a', 'b', 'f'];
  const acc = (epoch: number, round: number, node: string, value: string) => ({
    ballot: b(epoch, round, node),
    value,
  });
  const reports: Report[] = [
    {
      from: 'a',
      entries: [
        { key: 'k1', accepted: acc(0, 1, 'c', 'v1'), decided: { value: 'v1' } },
        { key: 'k3', accepted: acc(0, 2, 'a', 'x'), decided: null },
      ],
    },
    {
      from: 'b',
      entries: [
        { key: 'k2', accepted: acc(0, 1, 'b', 'y'), decided: null },
        { key: 'k3', accepted: acc(0, 3, 'b', 'z'), decided: null },
      ],
    },
  ];
  it('merges sorted reports into one action per key, in key order', () => {
    expect(mergeReports(reports, old, next)).toEqual([
      { type: 'copy', key: 'k1', value: 'v1', holders: ['a'] },
      { type: 'recover', key: 'k2', highest: acc(0, 1, 'b', 'y') },
      { type: 'recover', key: 'k3', highest: acc(0, 3, 'b', 'z') },
    ]);
  });
  it('needs reports from a majority of the old voters, and counts only theirs', () => {
    expect(reportsSuffice(['a'], old)).toBe(false);
    expect(reportsSuffice(['a', 'f'], old)).toBe(false);
    expect(reportsSuffice(['a', 'b'], old)).toBe(true);
  });
  it('completes once every copy reached a majority of the new voters and every recovery ended', () => {
    const actions = mergeReports(reports, old, next);
    const copy = actions[0] as Extract<(typeof actions)[0], { type: 'copy' }>;
    expect(copyTargets(copy, NO_PROGRESS, next)).toEqual(['b', 'f']);
    const progress = new Map<string, KeyProgress>([
      ['k1', { learned: [], recovery: null }],
      ['k2', { learned: [], recovery: 'empty' }],
      ['k3', { learned: [], recovery: 'decided' }],
    ]);
    const of = (key: string) => progress.get(key) ?? NO_PROGRESS;
    expect(rescanComplete(['a', 'b'], old, next, actions, of)).toBe(false);
    progress.set('k1', { learned: ['f'], recovery: null });
    expect(rescanComplete(['a', 'b'], old, next, actions, of)).toBe(true);
    expect(rescanComplete(['a'], old, next, actions, of)).toBe(false);
  });
  it('a disagreement between reports never completes', () => {
    const split: Report[] = [
      { from: 'a', entries: [{ key: 'k', accepted: null, decided: { value: 1 } }] },
      { from: 'b', entries: [{ key: 'k', accepted: null, decided: { value: 2 } }] },
    ];
    const [action] = mergeReports(split, old, next);
    expect(action).toEqual({ type: 'disagreement', key: 'k', values: [1, 2] });
    expect(keyDone(action as never, { learned: ['a', 'b', 'f'], recovery: 'decided' }, next)).toBe(false);
  });
  it('refuses an unsorted report', () => {
    const bad: Report = {
      from: 'a',
      entries: [
        { key: 'b', accepted: null, decided: { value: 1 } },
        { key: 'a', accepted: null, decided: { value: 1 } },
      ],
    };
    expect(() => mergeReports([bad], old, next)).toThrow(/not sorted/);
  });
});
