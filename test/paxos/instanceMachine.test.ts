// The instance machine, state by state and message by message, through XState's pure
// transition functions: each test asserts the next state, the context that matters and the
// effects in the order they are emitted. Phases cite Paxos Made Simple §2.2.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMING } from '../../src/paxos/instanceMachine.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { ballot, start, step, timeout, type Step } from '../support/machine.js';

const EMPTY: KeyRecord = { promised: null, accepted: null, decided: null };

/** Node a asked for 'va' and sent its prepare for ballot 1.a. */
function preparing(): Step {
  return step(start(), { type: 'ask', value: 'va' });
}

/** Node a got b's promise for 1.a and sent its propose. */
function proposing(): Step {
  return step(preparing(), { type: 'promise', from: 'b', ballot: ballot(1, 'a'), accepted: null });
}

/** Node a promised c's ballot 5.c. */
function acknowledged(): Step {
  return step(start(), { type: 'prepare', from: 'c', ballot: ballot(5, 'c') });
}

function decided(): Step {
  return step(start(), { type: 'decide', from: 'b', value: 'vb' });
}

describe('state nil', () => {
  it('starts in nil with an empty record and no timers', () => {
    const s = start();
    expect(s.snapshot.value).toBe('nil');
    expect(s.effects).toEqual([]);
    expect(s.timers).toEqual([]);
  });

  it('ask: phase 1a at once — promise our own ballot, persist it, then broadcast prepare', () => {
    const s = preparing();
    expect(s.snapshot.value).toBe('preparing');
    expect(s.snapshot.context.ballot).toEqual(ballot(1, 'a'));
    expect(s.snapshot.context.proposal).toEqual({ value: 'va' });
    expect(s.effects).toEqual([
      { type: 'persist', key: 'k', record: { ...EMPTY, promised: ballot(1, 'a') } },
      { type: 'broadcast', key: 'k', message: { type: 'prepare', ballot: ballot(1, 'a') } },
    ]);
    expect(s.timers).toHaveLength(1);
    expect(s.timers[0]?.event).toBe('xstate.after.phaseTimeout.paxosInstance.preparing');
  });

  it('prepare at or above the promised ballot: phase 1b — persist the promise, then send it', () => {
    const s = acknowledged();
    expect(s.snapshot.value).toBe('acknowledged');
    expect(s.snapshot.context.promised).toEqual(ballot(5, 'c'));
    expect(s.effects).toEqual([
      { type: 'persist', key: 'k', record: { ...EMPTY, promised: ballot(5, 'c') } },
      {
        type: 'send',
        key: 'k',
        to: 'c',
        message: { type: 'promise', ballot: ballot(5, 'c'), accepted: null },
      },
    ]);
  });

  it('prepare below the promised ballot: reject carrying the promised ballot, persist nothing', () => {
    const s = step(start({ record: { ...EMPTY, promised: ballot(5, 'c') } }), {
      type: 'prepare',
      from: 'b',
      ballot: ballot(3, 'b'),
    });
    expect(s.snapshot.value).toBe('nil');
    expect(s.effects).toEqual([
      {
        type: 'send',
        key: 'k',
        to: 'b',
        message: { type: 'reject', ballot: ballot(3, 'b'), promised: ballot(5, 'c') },
      },
    ]);
  });

  it('a duplicated prepare is promised again without a second write', () => {
    const again = step(acknowledged(), { type: 'prepare', from: 'c', ballot: ballot(5, 'c') });
    expect(again.snapshot.value).toBe('acknowledged');
    expect(again.effects).toEqual([
      {
        type: 'send',
        key: 'k',
        to: 'c',
        message: { type: 'promise', ballot: ballot(5, 'c'), accepted: null },
      },
    ]);
  });

  it('propose at or above the promised ballot: phase 2b — persist the acceptance, then acknowledge', () => {
    const s = step(start(), { type: 'propose', from: 'b', ballot: ballot(2, 'b'), value: 'vb' });
    expect(s.snapshot.value).toBe('acknowledged');
    const accepted = { ballot: ballot(2, 'b'), value: 'vb' };
    expect(s.snapshot.context.accepted).toEqual(accepted);
    expect(s.effects).toEqual([
      { type: 'persist', key: 'k', record: { promised: ballot(2, 'b'), accepted, decided: null } },
      { type: 'send', key: 'k', to: 'b', message: { type: 'acknowledge', ballot: ballot(2, 'b') } },
    ]);
  });

  it('propose below the promised ballot: reject, accept nothing', () => {
    const s = step(acknowledged(), { type: 'propose', from: 'b', ballot: ballot(4, 'b'), value: 'vb' });
    expect(s.snapshot.context.accepted).toBeNull();
    expect(s.effects).toEqual([
      {
        type: 'send',
        key: 'k',
        to: 'b',
        message: { type: 'reject', ballot: ballot(4, 'b'), promised: ballot(5, 'c') },
      },
    ]);
  });

  it('decide with nothing accepted here: persist it, then answer the asks (read-your-writes, membership.md §8.2)', () => {
    const s = decided();
    expect(s.snapshot.value).toBe('decided');
    expect(s.snapshot.context.decided).toEqual({ value: 'vb' });
    expect(s.effects).toEqual([
      { type: 'persist', key: 'k', record: { ...EMPTY, decided: { value: 'vb' } } },
      { type: 'decided', key: 'k', value: 'vb' },
    ]);
  });

  it.each([
    { type: 'promise', from: 'b', ballot: ballot(1, 'a'), accepted: null },
    { type: 'acknowledge', from: 'b', ballot: ballot(1, 'a') },
    { type: 'reject', from: 'b', ballot: ballot(1, 'a'), promised: ballot(2, 'b') },
  ] as const)('ignores a stale $type (no proposal of ours is running)', (event) => {
    const s = step(start(), event);
    expect(s.snapshot.value).toBe('nil');
    expect(s.effects).toEqual([]);
  });

  it('ignores messages from non-members and from itself', () => {
    for (const from of ['z', 'a']) {
      const s = step(start(), { type: 'prepare', from, ballot: ballot(9, from) });
      expect(s.snapshot.value).toBe('nil');
      expect(s.effects).toEqual([]);
    }
  });

  it('restarted with a decided record: straight to decided, emitting nothing', () => {
    const s = start({ record: { ...EMPTY, decided: { value: 'old' } } });
    expect(s.snapshot.value).toBe('decided');
    expect(s.effects).toEqual([]);
  });

  it('restarted with an accepted, undecided value: acknowledged, waiting to take over', () => {
    const accepted = { ballot: ballot(3, 'b'), value: 'vb' };
    const s = start({ record: { promised: ballot(3, 'b'), accepted, decided: null } });
    expect(s.snapshot.value).toBe('acknowledged');
    expect(s.timers.map((t) => t.event)).toEqual(['xstate.after.takeover.paxosInstance.acknowledged']);
  });
});

describe('state preparing (phase 1)', () => {
  it('a quorum of promises (self + one of three): phase 2a with our own value when none was accepted', () => {
    const s = proposing();
    expect(s.snapshot.value).toBe('proposing');
    const accepted = { ballot: ballot(1, 'a'), value: 'va' };
    expect(s.effects).toEqual([
      { type: 'broadcast', key: 'k', message: { type: 'propose', ballot: ballot(1, 'a'), value: 'va' } },
      { type: 'persist', key: 'k', record: { promised: ballot(1, 'a'), accepted, decided: null } },
    ]);
    expect(s.snapshot.context.acks).toEqual(['a']);
  });

  it('P2c: proposes the value accepted in the highest ballot among the promises, not its own', () => {
    const five = { members: ['a', 'b', 'c', 'd', 'e'] };
    let s = step(start(five), { type: 'ask', value: 'va' });
    s = step(s, {
      type: 'promise',
      from: 'b',
      ballot: ballot(1, 'a'),
      accepted: { ballot: ballot(0, 'c'), value: 'old' },
    });
    s = step(s, {
      type: 'promise',
      from: 'd',
      ballot: ballot(1, 'a'),
      accepted: { ballot: ballot(0, 'e'), value: 'newer' },
    });
    expect(s.snapshot.value).toBe('proposing');
    expect(s.effects[0]).toEqual({
      type: 'broadcast',
      key: 'k',
      message: { type: 'propose', ballot: ballot(1, 'a'), value: 'newer' },
    });
  });

  it('ignores promises for another ballot', () => {
    const s = step(preparing(), { type: 'promise', from: 'b', ballot: ballot(7, 'a'), accepted: null });
    expect(s.snapshot.value).toBe('preparing');
    expect(s.effects).toEqual([]);
  });

  it('reject: jumps past the promised ballot and waits in acknowledged', () => {
    const s = step(preparing(), {
      type: 'reject',
      from: 'b',
      ballot: ballot(1, 'a'),
      promised: ballot(8, 'c'),
    });
    expect(s.snapshot.value).toBe('acknowledged');
    expect(s.snapshot.context.highestSeenRound).toBe(8);
    expect(s.snapshot.context.backoff.attempt).toBe(1);
    const takeover = step(s, timeout('takeover', 'acknowledged'));
    expect(takeover.snapshot.value).toBe('preparing');
    expect(takeover.snapshot.context.ballot).toEqual(ballot(9, 'a'));
  });

  it('a higher prepare from another proposer pre-empts ours: promise it and wait', () => {
    const s = step(preparing(), { type: 'prepare', from: 'c', ballot: ballot(2, 'c') });
    expect(s.snapshot.value).toBe('acknowledged');
    expect(s.snapshot.context.ballot).toBeNull();
    expect(s.snapshot.context.proposal).toEqual({ value: 'va' });
    expect(s.effects.map((e) => e.type)).toEqual(['persist', 'send']);
  });

  it('phase timeout: a new, higher ballot, with a longer (backed-off) wait', () => {
    const first = preparing();
    const again = step(first, timeout('phaseTimeout', 'preparing'));
    expect(again.snapshot.value).toBe('preparing');
    expect(again.snapshot.context.ballot).toEqual(ballot(2, 'a'));
    expect(again.snapshot.context.backoff.attempt).toBe(1);
    expect(again.effects.map((e) => e.type)).toEqual(['persist', 'broadcast']);
    // The wait is drawn in [ceiling/2, ceiling) and the ceiling doubles per attempt.
    const firstWait = first.timers[0]?.delayMs as number;
    const secondWait = again.timers[0]?.delayMs as number;
    expect(firstWait).toBeGreaterThanOrEqual(DEFAULT_TIMING.phaseTimeoutMs / 2);
    expect(firstWait).toBeLessThan(DEFAULT_TIMING.phaseTimeoutMs);
    expect(secondWait).toBeGreaterThanOrEqual(DEFAULT_TIMING.phaseTimeoutMs);
    expect(secondWait).toBeLessThan(2 * DEFAULT_TIMING.phaseTimeoutMs);
  });

  it('decide while preparing: learns the value and stops proposing', () => {
    const s = step(preparing(), { type: 'decide', from: 'b', value: 'vb' });
    expect(s.snapshot.value).toBe('decided');
    // Nothing accepted here: the answer waits for the decided record (membership.md §8.2, rule 2).
    expect(s.effects.map((e) => e.type)).toEqual(['persist', 'decided']);
  });

  it('a second ask while preparing keeps the first proposal', () => {
    const s = step(preparing(), { type: 'ask', value: 'other' });
    expect(s.snapshot.value).toBe('preparing');
    expect(s.snapshot.context.proposal).toEqual({ value: 'va' });
    expect(s.effects).toEqual([]);
  });
});

describe('state proposing (phase 2)', () => {
  it('a quorum of acknowledgements: the value is chosen — tell the others, answer, then persist', () => {
    const s = step(proposing(), { type: 'acknowledge', from: 'c', ballot: ballot(1, 'a') });
    expect(s.snapshot.value).toBe('decided');
    expect(s.effects).toEqual([
      { type: 'broadcast', key: 'k', message: { type: 'decide', value: 'va' } },
      { type: 'decided', key: 'k', value: 'va' },
      {
        type: 'persist',
        key: 'k',
        record: {
          promised: ballot(1, 'a'),
          accepted: { ballot: ballot(1, 'a'), value: 'va' },
          decided: { value: 'va' },
        },
      },
    ]);
  });

  it('ignores acknowledgements for another ballot', () => {
    const s = step(proposing(), { type: 'acknowledge', from: 'c', ballot: ballot(0, 'a') });
    expect(s.snapshot.value).toBe('proposing');
  });

  it('reject: waits in acknowledged, then retries above the promised ballot', () => {
    const s = step(proposing(), {
      type: 'reject',
      from: 'b',
      ballot: ballot(1, 'a'),
      promised: ballot(4, 'b'),
    });
    expect(s.snapshot.value).toBe('acknowledged');
    const retry = step(s, timeout('takeover', 'acknowledged'));
    expect(retry.snapshot.context.ballot).toEqual(ballot(5, 'a'));
  });

  it('a higher propose from another proposer: accept it (phase 2b) and wait', () => {
    const s = step(proposing(), { type: 'propose', from: 'c', ballot: ballot(3, 'c'), value: 'vc' });
    expect(s.snapshot.value).toBe('acknowledged');
    expect(s.snapshot.context.accepted).toEqual({ ballot: ballot(3, 'c'), value: 'vc' });
  });

  it('phase timeout: back to phase 1 with a higher ballot, keeping the accepted value to push', () => {
    const s = step(proposing(), timeout('phaseTimeout', 'proposing'));
    expect(s.snapshot.value).toBe('preparing');
    expect(s.snapshot.context.ballot).toEqual(ballot(2, 'a'));
    // Our own acceptance of 1.a travels in our self-promise, so P2c will propose it again.
    expect(s.snapshot.context.promises).toEqual([
      { from: 'a', accepted: { ballot: ballot(1, 'a'), value: 'va' } },
    ]);
  });
});

describe('state acknowledged', () => {
  it('takeover timeout with nothing to push: back to nil', () => {
    const s = step(acknowledged(), timeout('takeover', 'acknowledged'));
    expect(s.snapshot.value).toBe('nil');
    expect(s.effects).toEqual([]);
  });

  it('takeover timeout with an accepted value: phase 1 above every ballot seen', () => {
    const accepted = step(start(), { type: 'propose', from: 'b', ballot: ballot(2, 'b'), value: 'vb' });
    const s = step(accepted, timeout('takeover', 'acknowledged'));
    expect(s.snapshot.value).toBe('preparing');
    expect(s.snapshot.context.ballot).toEqual(ballot(3, 'a'));
  });

  it('ask while acknowledged: remembers the value and keeps waiting for the other proposer', () => {
    const s = step(acknowledged(), { type: 'ask', value: 'va' });
    expect(s.snapshot.value).toBe('acknowledged');
    expect(s.snapshot.context.proposal).toEqual({ value: 'va' });
    const takeover = step(s, timeout('takeover', 'acknowledged'));
    expect(takeover.snapshot.value).toBe('preparing');
    expect(takeover.snapshot.context.ballot).toEqual(ballot(6, 'a'));
  });

  it('a newer prepare restarts the wait', () => {
    const s = step(acknowledged(), { type: 'prepare', from: 'b', ballot: ballot(6, 'b') });
    expect(s.snapshot.value).toBe('acknowledged');
    expect(s.timers.map((t) => t.event)).toEqual(['xstate.after.takeover.paxosInstance.acknowledged']);
  });

  it('decide: learns the value', () => {
    expect(step(acknowledged(), { type: 'decide', from: 'c', value: 'vc' }).snapshot.value).toBe('decided');
  });
});

describe('state decided', () => {
  it.each(['prepare', 'propose'] as const)(
    'a late %s is answered with the decision, never a vote',
    (type) => {
      const event =
        type === 'prepare'
          ? { type, from: 'c', ballot: ballot(9, 'c') }
          : { type, from: 'c', ballot: ballot(9, 'c'), value: 'vc' };
      const s = step(decided(), event);
      expect(s.snapshot.value).toBe('decided');
      expect(s.snapshot.context.promised).toBeNull();
      expect(s.effects).toEqual([
        { type: 'send', key: 'k', to: 'c', message: { type: 'decide', value: 'vb' } },
      ]);
    },
  );

  it.each([
    { type: 'decide', from: 'c', value: 'vb' },
    { type: 'promise', from: 'c', ballot: ballot(1, 'a'), accepted: null },
    { type: 'acknowledge', from: 'c', ballot: ballot(1, 'a') },
    { type: 'reject', from: 'c', ballot: ballot(1, 'a'), promised: ballot(2, 'c') },
  ] as const)('a $type is not answered', (event) => {
    const s = step(decided(), event);
    expect(s.snapshot.value).toBe('decided');
    expect(s.effects).toEqual([]);
  });

  it('ask: answered with the decided value', () => {
    const s = step(decided(), { type: 'ask', value: 'mine' });
    expect(s.effects).toEqual([{ type: 'answer', key: 'k', value: 'vb' }]);
  });

  it('is never left and sets no timer', () => {
    let s = decided();
    for (const event of [timeout('phaseTimeout', 'preparing'), timeout('takeover', 'acknowledged')]) {
      s = step(s, event);
      expect(s.snapshot.value).toBe('decided');
      expect(s.timers).toEqual([]);
    }
  });
});

describe('single-member group', () => {
  it('decides alone: its own promise and acceptance are a quorum of one', () => {
    const s = step(start({ members: ['a'] }), { type: 'ask', value: 'solo' });
    expect(s.snapshot.value).toBe('decided');
    expect(s.effects.map((e) => e.type)).toEqual([
      'persist',
      'broadcast',
      'broadcast',
      'persist',
      'broadcast',
      'decided',
      'persist',
    ]);
  });
});

describe('the context stays a fast object', () => {
  // XState copies the context with Object.assign at every assign; V8 makes a copy of 20 or more
  // properties a dictionary object, and every later copy then costs about 15 times as much (a 20%
  // loss of throughput at 256 asks in flight, measured with bench/ab.ts). Group fields instead.
  it('has at most 18 top-level fields in every state', () => {
    let s = start({ node: 'a' });
    const sizes = [Object.keys(s.snapshot.context).length];
    s = step(s, { type: 'ask', value: 'v' });
    sizes.push(Object.keys(s.snapshot.context).length);
    s = step(s, { type: 'promise', from: 'b', ballot: ballot(1, 'a'), accepted: null });
    sizes.push(Object.keys(s.snapshot.context).length);
    expect(s.snapshot.value).toBe('proposing');
    expect(Math.max(...sizes)).toBeLessThanOrEqual(18);
  });
});
