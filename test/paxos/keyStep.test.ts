// Table tests of the per-key rules (src/paxos/keyStep.ts, acceptor.ts, learner.ts, owner.ts): what
// one key on one node does with an ask, a message or its takeover timer, with or without a live
// instance. Each case names the rule it shows.
import { describe, expect, it } from 'vitest';
import { acceptorStep } from '../../src/paxos/acceptor.js';
import type { Ballot } from '../../src/paxos/ballot.js';
import {
  EMPTY_SLOT,
  instanceEventFor,
  isRetirable,
  keyStep,
  shouldRetire,
  slotAfter,
  type KeyNode,
  type KeySlot,
} from '../../src/paxos/keyStep.js';
import { answerOfDecided } from '../../src/paxos/learner.js';
import { forwardTarget } from '../../src/paxos/owner.js';
import { EMPTY_RECORD, type KeyRecord } from '../../src/paxos/record.js';

const b = (round: number, node: string): Ballot => ({ round, node });
const MEMBERS = ['a', 'b', 'c'];
/** Node a; key k is owned by b (owner fast path on); votes without instances. */
const A: KeyNode = {
  self: 'a',
  members: MEMBERS,
  owner: 'b',
  acceptorFastPath: true,
  everyPeerReachable: true,
};
const accepted = (ballot: Ballot, value: string): KeyRecord => ({
  promised: ballot,
  accepted: { ballot, value },
  decided: null,
});
const DECIDED: KeyRecord = { ...accepted(b(1, 'c'), 'v'), decided: { value: 'v' } };
const LIVE: KeySlot = { ...EMPTY_SLOT, instance: 'acknowledged' };

describe('a local ask', () => {
  it('of a key decided here is answered from the record (behind its writes), without an instance', () => {
    expect(keyStep(A, 'k', EMPTY_SLOT, DECIDED, { type: 'ask', value: 'x', ownerReachable: true })).toEqual({
      slot: EMPTY_SLOT,
      deliver: null,
      spawn: false,
      effects: [{ type: 'answer', key: 'k', value: 'v' }],
      timer: 'keep',
    });
  });

  it("of a decided key gets the same answer from the step as from the node's shortcut (answerOfDecided)", () => {
    // The node answers a key it knows decided before any step (node/keyReads.ts); both go through
    // the one rule, whatever the slot holds.
    expect(answerOfDecided({ value: 'v' })).toBe('v');
    for (const slot of [
      EMPTY_SLOT,
      { instance: 'acknowledged', awaiting: false, proposal: { value: 'x' } } as const,
    ]) {
      const outcome = keyStep(A, 'k', slot, DECIDED, { type: 'ask', value: 'x', ownerReachable: false });
      expect(outcome.effects).toEqual([{ type: 'answer', key: 'k', value: answerOfDecided({ value: 'v' }) }]);
      expect(outcome.deliver).toBeNull();
    }
  });

  it('of a fresh key owned by a reachable member is forwarded to it, and awaited without an instance', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, {
      type: 'ask',
      value: 'x',
      ownerReachable: true,
    });
    expect(outcome.effects).toEqual([
      { type: 'send', key: 'k', to: 'b', message: { type: 'forward', value: 'x' } },
    ]);
    expect(outcome).toMatchObject({ deliver: null, spawn: false, timer: 'arm' });
    expect(outcome.slot).toEqual({ instance: null, awaiting: true, proposal: { value: 'x' } });
  });

  it('of a fresh key whose owner is out of reach is proposed here with both phases', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, {
      type: 'ask',
      value: 'x',
      ownerReachable: false,
    });
    expect(outcome.deliver).toEqual({ type: 'ask', value: 'x', forwarded: true });
    expect(outcome.effects).toEqual([]);
  });

  it('of a key this node voted on goes to an instance: phase 1 finds the value sooner than the owner could', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, accepted(b(2, 'c'), 'w'), {
      type: 'ask',
      value: 'x',
      ownerReachable: true,
    });
    expect(outcome.deliver).toEqual({ type: 'ask', value: 'x' });
  });

  it('while a vote or forward is awaited only joins the wait: the takeover pushes it', () => {
    const awaiting: KeySlot = { ...EMPTY_SLOT, awaiting: true, proposal: { value: 'first' } };
    const outcome = keyStep(A, 'k', awaiting, EMPTY_RECORD, {
      type: 'ask',
      value: 'x',
      ownerReachable: true,
    });
    expect(outcome).toMatchObject({ deliver: null, effects: [], timer: 'keep', slot: awaiting });
  });

  it("after a vote for the owner's round 0 tells the owner once, so that its decide is not held back", () => {
    // a voted for b's round 0 (b owns k) and awaits the decide, which b sends lazily unless it
    // knows someone waits: the first ask here forwards to b; later asks only join the wait.
    const voted: KeySlot = { ...EMPTY_SLOT, awaiting: true };
    const first = keyStep(A, 'k', voted, accepted(b(0, 'b'), 'w'), {
      type: 'ask',
      value: 'x',
      ownerReachable: true,
    });
    expect(first.effects).toEqual([
      { type: 'send', key: 'k', to: 'b', message: { type: 'forward', value: 'x' } },
    ]);
    expect(first).toMatchObject({
      deliver: null,
      timer: 'keep',
      slot: { awaiting: true, proposal: { value: 'x' } },
    });
    const second = keyStep(A, 'k', first.slot, accepted(b(0, 'b'), 'w'), {
      type: 'ask',
      value: 'y',
      ownerReachable: true,
    });
    expect(second.effects).toEqual([]);
    // A vote in a later ballot (its decide is never lazy) or for anyone else's ballot: only the wait.
    const later = keyStep(A, 'k', voted, accepted(b(1, 'c'), 'w'), {
      type: 'ask',
      value: 'x',
      ownerReachable: true,
    });
    expect(later.effects).toEqual([]);
  });

  it('with the fast path off goes to an instance, which forwards it itself', () => {
    const classicVotes = { ...A, acceptorFastPath: false };
    const outcome = keyStep(classicVotes, 'k', EMPTY_SLOT, EMPTY_RECORD, {
      type: 'ask',
      value: 'x',
      ownerReachable: true,
    });
    expect(outcome.deliver).toEqual({ type: 'ask', value: 'x' });
  });
});

describe('a message for a key with no instance', () => {
  it('from a non-member is refused', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, {
      type: 'message',
      from: 'z',
      message: { type: 'prepare', ballot: b(1, 'z') },
    });
    expect(outcome.effects).toEqual([
      { type: 'refused', key: 'k', from: 'z', message: 'prepare', reason: 'not-member' },
    ]);
  });

  it('a prepare is voted on with the acceptor step: write, then promise (Paxos Made Simple §2.2, 1b)', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, {
      type: 'message',
      from: 'c',
      message: { type: 'prepare', ballot: b(1, 'c') },
    });
    expect(outcome.effects).toEqual([
      { type: 'persist', key: 'k', record: { promised: b(1, 'c'), accepted: null, decided: null } },
      { type: 'send', key: 'k', to: 'c', message: { type: 'promise', ballot: b(1, 'c'), accepted: null } },
    ]);
    expect(outcome).toMatchObject({ deliver: null, spawn: false, timer: 'keep', slot: EMPTY_SLOT });
  });

  it('an accepted propose arms the takeover timer: the acceptance awaits its outcome (2b)', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, {
      type: 'message',
      from: 'c',
      message: { type: 'propose', ballot: b(1, 'c'), value: 'w' },
    });
    expect(outcome.effects.map((e) => e.type)).toEqual(['persist', 'send']);
    expect(outcome).toMatchObject({ timer: 'arm', slot: { awaiting: true } });
  });

  it('a decide is learned: answer the asks, write the decision, stop awaiting', () => {
    const awaiting: KeySlot = { ...EMPTY_SLOT, awaiting: true, proposal: { value: 'x' } };
    const outcome = keyStep(A, 'k', awaiting, accepted(b(1, 'c'), 'w'), {
      type: 'message',
      from: 'c',
      message: { type: 'decide', value: 'w' },
    });
    expect(outcome.effects).toEqual([
      { type: 'decided', key: 'k', value: 'w' },
      { type: 'persist', key: 'k', record: { ...accepted(b(1, 'c'), 'w'), decided: { value: 'w' } } },
    ]);
    expect(outcome).toMatchObject({ timer: 'clear', slot: EMPTY_SLOT });
  });

  it.each(['promise', 'acknowledge', 'reject'] as const)(
    'a %s is stale: dropped, no instance started',
    (type) => {
      const message =
        type === 'promise'
          ? { type, ballot: b(1, 'a'), accepted: null }
          : type === 'acknowledge'
            ? { type, ballot: b(1, 'a') }
            : { type, ballot: b(1, 'a'), promised: b(2, 'c') };
      const outcome = keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, { type: 'message', from: 'c', message });
      expect(outcome).toEqual({ slot: EMPTY_SLOT, deliver: null, spawn: false, effects: [], timer: 'keep' });
    },
  );

  it('a forward starts an instance: only an instance proposes', () => {
    const outcome = keyStep({ ...A, owner: 'a' }, 'k', EMPTY_SLOT, EMPTY_RECORD, {
      type: 'message',
      from: 'c',
      message: { type: 'forward', value: 'x' },
    });
    expect(outcome.deliver).toEqual({ type: 'forward', value: 'x', from: 'c' });
  });

  it.each([
    [
      'prepare',
      { type: 'prepare', ballot: b(9, 'c') },
      [{ type: 'send', key: 'k', to: 'c', message: { type: 'decide', value: 'v' } }],
    ],
    [
      'propose',
      { type: 'propose', ballot: b(9, 'c'), value: 'w' },
      [{ type: 'send', key: 'k', to: 'c', message: { type: 'decide', value: 'v' } }],
    ],
    [
      'forward',
      { type: 'forward', value: 'w' },
      [{ type: 'send', key: 'k', to: 'c', message: { type: 'decide', value: 'v' } }],
    ],
    ['decide', { type: 'decide', value: 'v' }, []],
  ] as const)(
    'of a decided key: a %s is answered with the decision, never a vote (learner.ts)',
    (_, message, effects) => {
      expect(keyStep(A, 'k', EMPTY_SLOT, DECIDED, { type: 'message', from: 'c', message }).effects).toEqual(
        effects,
      );
    },
  );

  it('with a live instance, anything from a member goes to the instance', () => {
    const message = { type: 'promise', ballot: b(1, 'a'), accepted: null } as const;
    expect(keyStep(A, 'k', LIVE, DECIDED, { type: 'message', from: 'c', message }).deliver).toEqual({
      ...message,
      from: 'c',
    });
  });
});

describe('the takeover timer and restarts', () => {
  it('an awaited acceptance with no outcome starts an instance, which resumes from the record', () => {
    const outcome = keyStep(A, 'k', { ...EMPTY_SLOT, awaiting: true }, accepted(b(1, 'c'), 'w'), {
      type: 'takeover',
    });
    expect(outcome).toMatchObject({ spawn: true, deliver: null, timer: 'clear', slot: EMPTY_SLOT });
  });

  it('a forwarded ask with no outcome is proposed here, with both phases', () => {
    const slot: KeySlot = { ...EMPTY_SLOT, awaiting: true, proposal: { value: 'x' } };
    expect(keyStep(A, 'k', slot, EMPTY_RECORD, { type: 'takeover' }).deliver).toEqual({
      type: 'ask',
      value: 'x',
      forwarded: true,
    });
  });

  it('a key decided meanwhile needs no takeover', () => {
    expect(keyStep(A, 'k', { ...EMPTY_SLOT, awaiting: true }, DECIDED, { type: 'takeover' })).toMatchObject({
      spawn: false,
      deliver: null,
    });
  });

  it('a restarted instance is asked again for the value still waiting', () => {
    const slot: KeySlot = { ...LIVE, proposal: { value: 'x' } };
    expect(keyStep(A, 'k', slot, EMPTY_RECORD, { type: 'restarted' }).deliver).toEqual({
      type: 'ask',
      value: 'x',
    });
  });

  it('a decision ends the ask: the slot forgets the proposal', () => {
    const slot: KeySlot = { ...LIVE, proposal: { value: 'x' } };
    expect(slotAfter(slot, [{ type: 'decided', key: 'k', value: 'x' }])).toEqual({ ...LIVE, proposal: null });
  });
});

describe('retirement', () => {
  it.each([
    ['decided', 'proposing', false, true],
    ['nil', 'acknowledged', false, true],
    ['nil', 'acknowledged', true, false],
    ['nil', null, false, false],
    ['preparing', 'nil', false, false],
  ] as const)(
    'an instance moving to %s from %s (asks waiting: %s) is retired: %s',
    (state, previous, waiting, retire) => {
      expect(shouldRetire(state, previous, waiting)).toBe(retire);
    },
  );

  it('is checked again when it is carried out: an ask may have arrived meanwhile', () => {
    expect(isRetirable('nil', true)).toBe(false);
    expect(isRetirable('decided', true)).toBe(true);
  });
});

describe('what an instance would have been given (instanceEventFor: inspection of steps without one)', () => {
  const propose = { type: 'propose', ballot: b(0, 'b'), value: 'v', boot: 1 } as const;
  const voted = { type: 'message', from: 'b', message: propose } as const;

  it('a vote taken without an instance is the propose an instance would have voted on', () => {
    expect(keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, voted).deliver).toBeNull();
    expect(instanceEventFor(A, 'k', EMPTY_SLOT, EMPTY_RECORD, voted, null)).toEqual({
      ...propose,
      from: 'b',
    });
  });

  it('a forward sent without an instance is the ask an instance would have forwarded', () => {
    const ask = { type: 'ask', value: 'x', ownerReachable: true } as const;
    expect(keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, ask).deliver).toBeNull();
    expect(instanceEventFor(A, 'k', EMPTY_SLOT, EMPTY_RECORD, ask, null)).toEqual({
      type: 'ask',
      value: 'x',
    });
  });

  it('a decision learned without an instance goes to the instance that would be running, not to none', () => {
    const decide = { type: 'message', from: 'b', message: { type: 'decide', value: 'v' } } as const;
    const awaiting: KeySlot = { ...EMPTY_SLOT, awaiting: true };
    const record = accepted(b(0, 'b'), 'v');
    expect(instanceEventFor(A, 'k', awaiting, record, decide, 'acknowledged')).toEqual({
      type: 'decide',
      value: 'v',
      from: 'b',
    });
    // With no instance, a decide is learned without one on every path: nothing to show.
    expect(instanceEventFor(A, 'k', EMPTY_SLOT, record, decide, null)).toBeNull();
  });

  it('answers from a decided record, and stale replies, would not reach an instance either', () => {
    const prepare = { type: 'message', from: 'c', message: { type: 'prepare', ballot: b(2, 'c') } } as const;
    expect(instanceEventFor(A, 'k', EMPTY_SLOT, DECIDED, prepare, null)).toBeNull();
    const ack = { type: 'message', from: 'c', message: { type: 'acknowledge', ballot: b(1, 'a') } } as const;
    expect(instanceEventFor(A, 'k', EMPTY_SLOT, EMPTY_RECORD, ack, null)).toBeNull();
  });
});

describe('forwarding to the owner', () => {
  it.each([
    ['the owner itself proposes', { self: 'b', owner: 'b', fresh: true, proposeHere: false }, null],
    ['a fresh key goes to its owner', { self: 'a', owner: 'b', fresh: true, proposeHere: false }, 'b'],
    ['a key voted on here does not', { self: 'a', owner: 'b', fresh: false, proposeHere: false }, null],
    [
      'an ask already forwarded is proposed here',
      { self: 'a', owner: 'b', fresh: true, proposeHere: true },
      null,
    ],
    [
      'without the owner fast path nothing is forwarded',
      { self: 'a', owner: null, fresh: true, proposeHere: false },
      null,
    ],
  ] as const)('%s', (_, view, target) => {
    expect(forwardTarget(view)).toBe(target);
  });
});

describe('defence in depth at the acceptor (acceptorStep)', () => {
  const ctx = { key: 'k', owner: 'b' };

  it('refuses, without an answer, a ballot that names another node than its sender', () => {
    const outcome = acceptorStep(ctx, EMPTY_RECORD, 'c', { type: 'propose', ballot: b(1, 'a'), value: 'x' });
    expect(outcome).toEqual({
      granted: false,
      state: EMPTY_RECORD,
      effects: [{ type: 'refused', key: 'k', from: 'c', message: 'propose', reason: 'forged-ballot' }],
    });
  });

  it('refuses a round-0 ballot (no phase 1) from anyone but the key owner', () => {
    expect(
      acceptorStep(ctx, EMPTY_RECORD, 'c', { type: 'propose', ballot: b(0, 'c'), value: 'x' }).effects,
    ).toEqual([{ type: 'refused', key: 'k', from: 'c', message: 'propose', reason: 'round-zero-not-owner' }]);
    expect(
      acceptorStep(ctx, EMPTY_RECORD, 'b', { type: 'propose', ballot: b(0, 'b'), value: 'x' }).granted,
    ).toBe(true);
    // Without the owner fast path nobody owns round 0.
    const classic = acceptorStep({ key: 'k', owner: null }, EMPTY_RECORD, 'b', {
      type: 'propose',
      ballot: b(0, 'b'),
      value: 'x',
    });
    expect(classic.effects).toEqual([
      { type: 'refused', key: 'k', from: 'b', message: 'propose', reason: 'round-zero-not-owner' },
    ]);
  });

  it('refuses a second value in a ballot it accepted, and tells the proposer to move past it', () => {
    const outcome = acceptorStep(ctx, accepted(b(2, 'c'), 'w'), 'c', {
      type: 'propose',
      ballot: b(2, 'c'),
      value: 'x',
    });
    expect(outcome.granted).toBe(false);
    expect(outcome.effects).toEqual([
      { type: 'refused', key: 'k', from: 'c', message: 'propose', reason: 'conflicting-value' },
      {
        type: 'send',
        key: 'k',
        to: 'c',
        message: { type: 'reject', ballot: b(2, 'c'), promised: b(2, 'c') },
      },
    ]);
    // The same value again is a duplicate: acknowledged, nothing written.
    expect(
      acceptorStep(ctx, accepted(b(2, 'c'), 'w'), 'c', { type: 'propose', ballot: b(2, 'c'), value: 'w' })
        .effects,
    ).toEqual([{ type: 'send', key: 'k', to: 'c', message: { type: 'acknowledge', ballot: b(2, 'c') } }]);
  });
});

describe('quorum reads (docs/membership.md §8.3)', () => {
  it('a query is answered with the record, live instance or not, and changes nothing', () => {
    const record = accepted(b(2, 'c'), 'v');
    for (const slot of [EMPTY_SLOT, LIVE]) {
      expect(
        keyStep(A, 'k', slot, record, { type: 'message', from: 'c', message: { type: 'query', read: 5 } }),
      ).toEqual({
        slot,
        deliver: null,
        spawn: false,
        // The runner sends it once the key's writes issued so far are durable: durable state only.
        effects: [
          {
            type: 'send',
            key: 'k',
            to: 'c',
            message: { type: 'state', read: 5, accepted: { ballot: b(2, 'c'), value: 'v' }, decided: null },
          },
        ],
        timer: 'keep',
      });
    }
  });

  it('a query from a non-member is refused like any message', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, EMPTY_RECORD, {
      type: 'message',
      from: 'z',
      message: { type: 'query', read: 1 },
    });
    expect(outcome.effects).toEqual([
      { type: 'refused', key: 'k', from: 'z', message: 'query', reason: 'not-member' },
    ]);
  });

  it('a recovery runs the instance with both phases, never forwarded, never round 0', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, accepted(b(1, 'c'), 'v'), { type: 'recover', value: 'v' });
    expect(outcome.deliver).toEqual({ type: 'ask', value: 'v', forwarded: true, classic: true });
    expect(outcome.slot.proposal).toEqual({ value: 'v' });
    expect(outcome.effects).toEqual([]);
  });

  it('a recovery of a key decided here meanwhile is answered from the record', () => {
    const outcome = keyStep(A, 'k', EMPTY_SLOT, DECIDED, { type: 'recover', value: 'x' });
    expect(outcome.effects).toEqual([{ type: 'answer', key: 'k', value: 'v' }]);
    expect(outcome.deliver).toBeNull();
  });
});
