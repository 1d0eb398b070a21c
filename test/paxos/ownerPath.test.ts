// The owner fast path, transition by transition: the key's owner proposes with ballot 0 and no
// phase 1 (its vote written before the propose leaves), other members forward their asks to it
// and wait, and nothing about a key that is not fresh takes the shortcut. Key 'size' is owned by
// a, 'colour' by b (src/paxos/owner.ts, members a b c).
import { describe, expect, it } from 'vitest';
import { ownerOf } from '../../src/paxos/owner.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { ballot, start, step, timeout } from '../support/machine.js';

const EMPTY: KeyRecord = { promised: null, accepted: null, decided: null };
const owned = { key: 'size', node: 'a', ownerFastPath: true };
const notOwned = { key: 'colour', node: 'a', ownerFastPath: true };

describe('owner fast path', () => {
  it('the test keys have the owners the tests assume', () => {
    expect(ownerOf('size', ['a', 'b', 'c'])).toBe('a');
    expect(ownerOf('colour', ['c', 'a', 'b'])).toBe('b');
  });

  it('the owner skips phase 1: ballot 0, its vote persisted before the propose leaves', () => {
    const s = step(start(owned), { type: 'ask', value: 'large' });
    expect(s.snapshot.value).toBe('proposing');
    const accepted = { ballot: ballot(0, 'a'), value: 'large' };
    expect(s.effects).toEqual([
      { type: 'persist', key: 'size', record: { ...EMPTY, promised: ballot(0, 'a'), accepted } },
      {
        type: 'broadcast',
        key: 'size',
        message: { type: 'propose', ballot: ballot(0, 'a'), value: 'large' },
      },
    ]);
    const decided = step(s, { type: 'acknowledge', from: 'b', ballot: ballot(0, 'a') });
    expect(decided.snapshot.value).toBe('decided');
  });

  it('a member that does not own the key forwards the ask to the owner and waits', () => {
    const s = step(start(notOwned), { type: 'ask', value: 'red' });
    expect(s.snapshot.value).toBe('acknowledged');
    expect(s.effects).toEqual([
      { type: 'send', key: 'colour', to: 'b', message: { type: 'forward', value: 'red' } },
    ]);
    // No decision in time: it proposes itself, with both phases.
    const takeover = step(s, timeout('takeover', 'acknowledged'));
    expect(takeover.snapshot.value).toBe('preparing');
    expect(takeover.snapshot.context.ballot).toEqual(ballot(1, 'a'));
  });

  it('a forwarded ask reaching the owner is proposed with ballot 0', () => {
    const s = step(start(owned), { type: 'forward', from: 'c', value: 'small' });
    expect(s.snapshot.value).toBe('proposing');
    expect(s.snapshot.context.ballot).toEqual(ballot(0, 'a'));
    expect(s.snapshot.context.accepted).toEqual({ ballot: ballot(0, 'a'), value: 'small' });
  });

  it('a forward to a member that cannot use ballot 0 makes it propose with both phases, never forward again', () => {
    const s = step(start(notOwned), { type: 'forward', from: 'c', value: 'red' });
    expect(s.snapshot.value).toBe('preparing');
    expect(s.effects.map((e) => e.type)).toEqual(['persist', 'broadcast']);
  });

  it('an ask already forwarded without an answer proposes here with both phases', () => {
    const s = step(start(notOwned), { type: 'ask', value: 'red', forwarded: true });
    expect(s.snapshot.value).toBe('preparing');
  });

  it('the owner of a key it has voted on uses both phases: ballot 0 is for a fresh key only', () => {
    const promised = { ...EMPTY, promised: ballot(3, 'c') };
    const s = step(start({ ...owned, record: promised }), { type: 'ask', value: 'large' });
    expect(s.snapshot.value).toBe('preparing');
    expect(s.snapshot.context.ballot).toEqual(ballot(4, 'a'));
  });

  it('an owner restarted after writing its ballot-0 vote never uses ballot 0 again', () => {
    const accepted = { ballot: ballot(0, 'a'), value: 'large' };
    const restarted = start({ ...owned, record: { promised: ballot(0, 'a'), accepted, decided: null } });
    expect(restarted.snapshot.value).toBe('acknowledged'); // resumes pushing its vote
    const again = step(restarted, { type: 'forward', from: 'b', value: 'other' });
    expect(again.snapshot.context.ballot).not.toEqual(ballot(0, 'a'));
    const takeover = step(again, timeout('takeover', 'acknowledged'));
    expect(takeover.snapshot.context.ballot).toEqual(ballot(1, 'a'));
    // P2c: its own ballot-0 vote travels in its self-promise, so 'large' is what it will push.
    expect(takeover.snapshot.context.promises).toEqual([{ from: 'a', accepted }]);
  });

  it('a decided member answers a late forward with the decision', () => {
    const decided = step(start(owned), { type: 'decide', from: 'b', value: 'medium' });
    const s = step(decided, { type: 'forward', from: 'c', value: 'small' });
    expect(s.effects).toEqual([
      { type: 'send', key: 'size', to: 'c', message: { type: 'decide', value: 'medium' } },
    ]);
  });

  it('is off unless asked: the machine runs the classic protocol by default', () => {
    const s = step(start({ key: 'size', node: 'a' }), { type: 'ask', value: 'large' });
    expect(s.snapshot.value).toBe('preparing');
  });
});
