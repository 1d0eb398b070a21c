// The quorum-read rule (src/paxos/reads.ts, docs/membership.md §8.3), table by table: what each set
// of durable answers lets a reader conclude, and when it must run the key's instance instead.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ballot } from '../../src/paxos/ballot.js';
import type { PaxosValue } from '../../src/paxos/messages.js';
import { readOutcome, stateReply, type ReadReply } from '../../src/paxos/reads.js';
import { EMPTY_RECORD } from '../../src/paxos/record.js';

const b = (round: number, node: string): Ballot => ({ round, node });
const three = { voters: ['a', 'b', 'c'] };
const five = { voters: ['a', 'b', 'c', 'd', 'e'] };
const nothing = (from: string): ReadReply => ({ from, accepted: null, decided: null });
const accepted = (from: string, ballot: Ballot, value: PaxosValue): ReadReply => ({
  from,
  accepted: { ballot, value },
  decided: null,
});
const decided = (from: string, value: PaxosValue): ReadReply => ({
  from,
  accepted: null,
  decided: { value },
});

describe('a member answers a query with its record, promise left out', () => {
  it('carries the acceptance and the decision, and the read it answers', () => {
    expect(stateReply(EMPTY_RECORD, 7)).toEqual({ type: 'state', read: 7, accepted: null, decided: null });
    const record = {
      promised: b(3, 'c'),
      accepted: { ballot: b(2, 'a'), value: 'v' },
      decided: { value: null },
    };
    expect(stateReply(record, 8)).toEqual({
      type: 'state',
      read: 8,
      accepted: { ballot: b(2, 'a'), value: 'v' },
      decided: { value: null },
    });
  });
});

describe('readOutcome', () => {
  it('a decided answer is the value, even before a quorum answered (a decided record is chosen)', () => {
    expect(readOutcome(three, [decided('b', 'v')])).toEqual({ type: 'chosen', value: 'v', proof: 'decided' });
    // null is a value a key can be decided to: it is still "decided".
    expect(readOutcome(three, [nothing('a'), decided('c', null)])).toEqual({
      type: 'chosen',
      value: null,
      proof: 'decided',
    });
  });

  it('waits until a phase-1 quorum answered before saying anything else', () => {
    expect(readOutcome(three, [])).toEqual({ type: 'waiting' });
    expect(readOutcome(three, [nothing('a')])).toEqual({ type: 'waiting' });
    expect(readOutcome(five, [nothing('a'), nothing('b')])).toEqual({ type: 'waiting' });
    expect(readOutcome(three, [accepted('a', b(1, 'a'), 'v')])).toEqual({ type: 'waiting' });
  });

  it('a quorum with no acceptance: not decided (no value can have been chosen)', () => {
    expect(readOutcome(three, [nothing('a'), nothing('c')])).toEqual({ type: 'not-decided' });
    expect(readOutcome(five, [nothing('a'), nothing('d'), nothing('e')])).toEqual({ type: 'not-decided' });
  });

  it('answers counted once per voter: a repeated answer is not a quorum, a non-voter counts nothing', () => {
    expect(readOutcome(three, [nothing('a'), nothing('a')])).toEqual({ type: 'waiting' });
    expect(readOutcome(three, [nothing('a'), nothing('z')])).toEqual({ type: 'waiting' });
    expect(readOutcome(three, [nothing('a'), decided('z', 'forged')])).toEqual({ type: 'waiting' });
  });

  it('a phase-2 quorum of one (ballot, value) among the answers proves the choice', () => {
    expect(readOutcome(three, [accepted('a', b(1, 'a'), 'v'), accepted('b', b(1, 'a'), 'v')])).toEqual({
      type: 'chosen',
      value: 'v',
      proof: 'accepted',
    });
    const structured = { list: [1, 2] };
    expect(
      readOutcome(five, [
        accepted('a', b(4, 'c'), structured),
        accepted('c', b(4, 'c'), { list: [1, 2] }),
        accepted('e', b(4, 'c'), { list: [1, 2] }),
      ]),
    ).toEqual({ type: 'chosen', value: structured, proof: 'accepted' });
  });

  it("the owner's round 0 needs every other voter: a majority of it proves nothing", () => {
    // c owns round 0 and does not vote in it (fast-path.md): a and b together are every other voter.
    expect(readOutcome(three, [accepted('a', b(0, 'c'), 'v'), accepted('b', b(0, 'c'), 'v')])).toEqual({
      type: 'chosen',
      value: 'v',
      proof: 'accepted',
    });
    const fiveRoundZero = [
      accepted('a', b(0, 'e'), 'v'),
      accepted('b', b(0, 'e'), 'v'),
      accepted('c', b(0, 'e'), 'v'),
    ];
    expect(readOutcome(five, fiveRoundZero)).toEqual({ type: 'recover', value: 'v' });
    expect(readOutcome(five, [...fiveRoundZero, accepted('d', b(0, 'e'), 'v')])).toEqual({
      type: 'chosen',
      value: 'v',
      proof: 'accepted',
    });
  });

  it('a quorum split between ballots or values is no proof: run the instance', () => {
    // Same ballot, different values (two boots of one owner) or different ballots of one value.
    expect(readOutcome(three, [accepted('a', b(0, 'c'), 'v'), accepted('b', b(0, 'c'), 'w')])).toEqual({
      type: 'recover',
      value: 'v',
    });
    expect(readOutcome(three, [accepted('a', b(1, 'a'), 'v'), accepted('b', b(2, 'b'), 'v')])).toEqual({
      type: 'recover',
      value: 'v',
    });
  });

  it('one acceptance in a quorum without proof: run the instance, proposing the highest-ballot value', () => {
    expect(readOutcome(three, [accepted('a', b(1, 'a'), 'v'), nothing('b')])).toEqual({
      type: 'recover',
      value: 'v',
    });
    expect(
      readOutcome(five, [accepted('a', b(1, 'a'), 'old'), accepted('b', b(3, 'b'), 'new'), nothing('c')]),
    ).toEqual({ type: 'recover', value: 'new' });
  });

  it('never says "not decided" when a chosen value is held by a phase-2 quorum (property)', () => {
    // Any majority of 5 that accepted (ballot, v) meets every majority of answers.
    const voters = five.voters;
    const subset = fc.subarray(voters, { minLength: 3 });
    fc.assert(
      fc.property(subset, subset, fc.nat(9), (holders, answering, round) => {
        const replies = answering.map((from) =>
          holders.includes(from) ? accepted(from, b(round + 1, 'a'), 'v') : nothing(from),
        );
        const outcome = readOutcome(five, replies);
        expect(outcome.type).not.toBe('not-decided');
        if (outcome.type === 'chosen' || outcome.type === 'recover') expect(outcome.value).toBe('v');
      }),
      { numRuns: 300 },
    );
  });
  describe('during a transition (docs/membership.md §8.3, C9)', () => {
    // From [a, b, c] (epoch 0) to [a, b, f] (epoch 1): v1 was chosen by {a, c} in epoch 0.
    const transition = { epoch: 1, voters: ['a', 'b', 'f'], previousVoters: ['a', 'b', 'c'] };

    it('a majority of the new voters alone is not enough to say "not decided"', () => {
      expect(readOutcome(transition, [nothing('b'), nothing('f')])).toEqual({ type: 'waiting' });
      expect(readOutcome({ voters: transition.voters, epoch: 1 }, [nothing('b'), nothing('f')])).toEqual({
        type: 'not-decided',
      }); // the control: the same answers under a complete view
      expect(readOutcome(transition, [nothing('b'), nothing('f'), nothing('c')])).toEqual({
        type: 'not-decided',
      });
    });

    it('an old voter’s acceptance is found, and proves a choice only with a majority of its own epoch', () => {
      const old = b(1, 'c');
      expect(readOutcome(transition, [accepted('a', old, 'v1'), nothing('b'), nothing('f')])).toEqual({
        type: 'recover',
        value: 'v1',
      });
      expect(readOutcome(transition, [accepted('a', old, 'v1'), accepted('c', old, 'v1')])).toEqual({
        type: 'chosen',
        value: 'v1',
        proof: 'accepted',
      });
      // A majority of the new voters accepting an epoch-0 ballot proves nothing by itself.
      const newMajority = [accepted('b', old, 'v1'), accepted('f', old, 'v1')];
      expect(readOutcome(transition, newMajority)).toEqual({ type: 'waiting' });
    });
  });
});
