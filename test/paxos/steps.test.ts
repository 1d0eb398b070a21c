// Table tests of the pure step functions, citing Paxos Made Simple (Lamport 2001) §2.2.
import { describe, expect, it } from 'vitest';
import { handlePrepare, handlePropose, type AcceptorState } from '../../src/paxos/acceptor.js';
import { backoffDelayMs } from '../../src/paxos/backoff.js';
import { compareBallots, nextBallot, type Ballot } from '../../src/paxos/ballot.js';
import { chooseValue } from '../../src/paxos/proposer.js';
import { addSender, hasQuorum, majority } from '../../src/paxos/quorum.js';
import { checkValue } from '../../src/paxos/validate.js';

const b = (round: number, node: string): Ballot => ({ round, node });
const fresh: AcceptorState = { promised: null, accepted: null };

describe('ballots: (round, node), lexicographic', () => {
  it.each([
    [b(1, 'a'), b(2, 'a'), -1],
    [b(2, 'a'), b(1, 'z'), 1],
    [b(1, 'a'), b(1, 'b'), -1],
    [b(3, 'c'), b(3, 'c'), 0],
    [null, b(0, 'a'), -1],
    [null, null, 0],
  ] as const)('compare(%j, %j) has sign %i', (x, y, sign) => {
    expect(Math.sign(compareBallots(x, y))).toBe(sign);
  });

  it('the next ballot of a node is above every round it has seen', () => {
    expect(nextBallot('b', 7)).toEqual(b(8, 'b'));
  });
});

describe('acceptor, phase 1b: promise iff ballot ≥ promised', () => {
  it.each([
    ['a fresh acceptor promises', fresh, b(1, 'a'), 'granted', true],
    ['a higher ballot is promised', { promised: b(1, 'a'), accepted: null }, b(2, 'b'), 'granted', true],
    [
      'the same ballot is promised again without a change (duplicate prepare)',
      { promised: b(2, 'b'), accepted: null },
      b(2, 'b'),
      'granted',
      false,
    ],
    ['a lower ballot is rejected', { promised: b(2, 'b'), accepted: null }, b(2, 'a'), 'rejected', false],
  ] as const)('%s', (_case, state, ballot, outcome, changed) => {
    const step = handlePrepare(state, ballot);
    expect(step.outcome).toBe(outcome);
    expect(step.changed).toBe(changed);
  });

  it('the promise carries the highest-ballot accepted proposal (what P2c needs)', () => {
    const accepted = { ballot: b(1, 'a'), value: 'x' };
    expect(handlePrepare({ promised: b(1, 'a'), accepted }, b(5, 'c')).reply).toEqual({
      type: 'promise',
      ballot: b(5, 'c'),
      accepted,
    });
  });

  it('a rejection names the promised ballot, so the proposer can jump past it', () => {
    expect(handlePrepare({ promised: b(9, 'c'), accepted: null }, b(3, 'a')).reply).toEqual({
      type: 'reject',
      ballot: b(3, 'a'),
      promised: b(9, 'c'),
    });
  });
});

describe('acceptor, phase 2b: accept iff ballot ≥ promised', () => {
  it('accepting also promises the ballot', () => {
    const step = handlePropose({ promised: b(1, 'a'), accepted: null }, b(2, 'b'), 'v');
    expect(step.state).toEqual({ promised: b(2, 'b'), accepted: { ballot: b(2, 'b'), value: 'v' } });
    expect(step.reply).toEqual({ type: 'acknowledge', ballot: b(2, 'b') });
  });

  it('a duplicated propose is acknowledged again without a change', () => {
    const state = { promised: b(2, 'b'), accepted: { ballot: b(2, 'b'), value: 'v' } };
    expect(handlePropose(state, b(2, 'b'), 'v')).toMatchObject({ outcome: 'granted', changed: false });
  });

  it('a propose below the promise is rejected and nothing is accepted', () => {
    const step = handlePropose({ promised: b(3, 'c'), accepted: null }, b(2, 'b'), 'v');
    expect(step.outcome).toBe('rejected');
    expect(step.state.accepted).toBeNull();
  });
});

describe('proposer, phase 2a: P2c value choice', () => {
  const own = { value: 'mine' };
  it.each([
    [
      'no acceptor accepted anything: our own value',
      [
        { from: 'a', accepted: null },
        { from: 'b', accepted: null },
      ],
      'mine',
    ],
    [
      'one accepted value: that value',
      [
        { from: 'a', accepted: null },
        { from: 'b', accepted: { ballot: b(1, 'c'), value: 'x' } },
      ],
      'x',
    ],
    [
      'several: the one of the highest ballot',
      [
        { from: 'a', accepted: { ballot: b(2, 'a'), value: 'older' } },
        { from: 'b', accepted: { ballot: b(4, 'c'), value: 'newest' } },
        { from: 'c', accepted: { ballot: b(3, 'b'), value: 'middle' } },
      ],
      'newest',
    ],
  ] as const)('%s', (_case, promises, expected) => {
    expect(chooseValue(promises, own)).toEqual({ value: expected });
  });

  it('nothing accepted and nothing asked: nothing to propose', () => {
    expect(chooseValue([{ from: 'a', accepted: null }], null)).toBeUndefined();
  });
});

describe('quorums: majorities over distinct senders', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 2],
    [4, 3],
    [5, 3],
    [7, 4],
  ])('%i members need %i', (members, needed) => {
    expect(majority(members)).toBe(needed);
  });

  it('a sender counts once', () => {
    let senders = addSender([], 'a');
    senders = addSender(senders, 'a');
    expect(senders).toEqual(['a']);
    expect(hasQuorum(senders, 3)).toBe(false);
    expect(hasQuorum(addSender(senders, 'b'), 3)).toBe(true);
  });
});

describe('backoff: jittered and exponential, capped', () => {
  it('stays within [ceiling/2, ceiling) and doubles the ceiling per attempt up to the cap', () => {
    for (const [attempt, ceiling] of [
      [0, 100],
      [1, 200],
      [3, 800],
      [10, 3000],
    ] as const) {
      expect(backoffDelayMs(100, 3000, attempt, 0)).toBe(ceiling / 2);
      expect(backoffDelayMs(100, 3000, attempt, 0.999999)).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe('values: what msgpack carries faithfully', () => {
  it('accepts plain data and explains what it refuses', () => {
    expect(checkValue({ a: [1, 'x', null, true, new Uint8Array(2)] })).toBeNull();
    expect(checkValue({ a: [Infinity] })).toBe('value.a[0] must be a finite number, got Infinity');
    expect(checkValue(new Date())).toBe('value must be a plain object, got Date');
  });
});
