// The owner fast path, transition by transition: the key's owner proposes with ballot 0 and no
// phase 1, without voting itself (round 0 is a fast round: every other member must accept), other
// members forward their asks to it and wait, and nothing about a key that is not fresh takes the
// shortcut. Key 'size' is owned by
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

  it('the owner skips phase 1: ballot 0 leaves at once, with no vote of its own to write', () => {
    const s = step(start(owned), { type: 'ask', value: 'large' });
    expect(s.snapshot.value).toBe('proposing');
    expect(s.effects).toEqual([
      {
        type: 'broadcast',
        key: 'size',
        // The owner's boot (its store's restart counter): acknowledgements echo it (owner.ts).
        message: { type: 'propose', ballot: ballot(0, 'a'), value: 'large', boot: 0 },
      },
    ]);
    expect(s.snapshot.context.accepted).toBeNull();
    // One acknowledgement is a majority with a vote of its own, but the owner has none: round 0
    // needs every other member.
    const one = step(s, { type: 'acknowledge', from: 'b', ballot: ballot(0, 'a'), boot: 0 });
    expect(one.snapshot.value).toBe('proposing');
    // An acknowledgement of another boot's propose (a value sent before a crash) does not count.
    const stale = step(one, { type: 'acknowledge', from: 'c', ballot: ballot(0, 'a'), boot: 7 });
    expect(stale.snapshot.context.acks).toEqual(['b']);
    const decided = step(one, { type: 'acknowledge', from: 'c', ballot: ballot(0, 'a'), boot: 0 });
    expect(decided.snapshot.value).toBe('decided');
    // The decision is answered at once: it rests on the others' durable votes, not on a write here.
    expect(decided.effects.map((e) => e.type)).toEqual(['broadcast', 'decided', 'persist']);
  });

  it("the owner's decide after round 0 is lazy for its own asks, and leaves at once for a forwarder", () => {
    const decideOf = (effects: readonly { type: string }[]) => effects.find((e) => e.type === 'broadcast');
    const acknowledged = (s: ReturnType<typeof start>) =>
      step(step(s, { type: 'acknowledge', from: 'b', ballot: ballot(0, 'a'), boot: 0 }), {
        type: 'acknowledge',
        from: 'c',
        ballot: ballot(0, 'a'),
        boot: 0,
      });
    // Its own ask: nobody waits for the decide (the voters wait behind a takeover timer).
    const own = acknowledged(step(start(owned), { type: 'ask', value: 'large' }));
    expect(decideOf(own.effects)).toEqual({
      type: 'broadcast',
      key: 'size',
      message: { type: 'decide', value: 'large' },
      lazy: true,
    });
    // A member forwarded its ask, before round 0 or during it: it waits for the decide.
    const forwardedFirst = step(start(owned), { type: 'forward', from: 'b', value: 'small' });
    expect(forwardedFirst.snapshot.context.proposal).toEqual({ value: 'small', awaitedElsewhere: true });
    expect(decideOf(acknowledged(forwardedFirst).effects)).not.toHaveProperty('lazy');
    const forwardedLater = step(step(start(owned), { type: 'ask', value: 'large' }), {
      type: 'forward',
      from: 'c',
      value: 'small',
    });
    // The first value asked is still the one proposed; only the mark is new.
    expect(forwardedLater.snapshot.context.proposal).toEqual({ value: 'large', awaitedElsewhere: true });
    expect(decideOf(acknowledged(forwardedLater).effects)).toEqual({
      type: 'broadcast',
      key: 'size',
      message: { type: 'decide', value: 'large' },
    });
  });

  it("a member that voted for the owner's round 0 and is then asked tells the owner, once", () => {
    const voted = step(start(notOwned), {
      type: 'propose',
      from: 'b',
      ballot: ballot(0, 'b'),
      value: 'blue',
      boot: 0,
    });
    expect(voted.snapshot.value).toBe('acknowledged');
    const asked = step(voted, { type: 'ask', value: 'red' });
    expect(asked.effects).toEqual([
      { type: 'send', key: 'colour', to: 'b', message: { type: 'forward', value: 'red' } },
    ]);
    expect(asked.snapshot.value).toBe('acknowledged');
    expect(step(asked, { type: 'ask', value: 'green' }).effects).toEqual([]);
  });

  it('a decide after phase 1 is never lazy: others may be waiting for the key', () => {
    const preparing = step(start(owned), { type: 'ask', value: 'large', classic: true });
    const b1 = ballot(1, 'a');
    const promised = step(step(preparing, { type: 'promise', from: 'b', ballot: b1, accepted: null }), {
      type: 'promise',
      from: 'c',
      ballot: b1,
      accepted: null,
    });
    expect(promised.snapshot.value).toBe('proposing');
    const decided = step(promised, { type: 'acknowledge', from: 'b', ballot: b1 });
    expect(decided.snapshot.value).toBe('decided');
    expect(decided.effects.find((e) => e.type === 'broadcast')).toEqual({
      type: 'broadcast',
      key: 'size',
      message: { type: 'decide', value: 'large' },
    });
  });

  it('round 0 waits the whole phase timeout, while a phase 1 draws its wait from the upper half', () => {
    // Nobody duels in round 0, and it waits for its slowest member, so its wait is not jittered
    // down (instanceContext.ts, fastRoundWait); a phase 1 keeps the jitter that separates duellists.
    const timing = { phaseTimeoutMs: 200 };
    const seeds = [1, 2, 3, 4, 5, 6];
    const waitAfter = (seed: number, classic: boolean): number =>
      step(start({ ...owned, seed, timing }), { type: 'ask', value: 'large', classic }).snapshot.context
        .backoff.waitMs;
    expect(seeds.map((seed) => waitAfter(seed, false))).toEqual(seeds.map(() => 200));
    const drawn = seeds.map((seed) => waitAfter(seed, true));
    for (const wait of drawn) {
      expect(wait).toBeGreaterThanOrEqual(100);
      expect(wait).toBeLessThan(200);
    }
    expect(new Set(drawn).size).toBeGreaterThan(1);
  });

  it('an owner that knows a member is out of reach runs both phases instead', () => {
    const s = step(start(owned), { type: 'ask', value: 'large', classic: true });
    expect(s.snapshot.value).toBe('preparing');
    expect(s.snapshot.context.ballot).toEqual(ballot(1, 'a'));
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
    expect(s.snapshot.context.proposing).toEqual({ ballot: ballot(0, 'a'), value: 'small' });
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

  it('an owner that forgot its ballot 0 (a crash) may send it again: acceptors holding the first value refuse the second', () => {
    // The owner wrote nothing for its first propose, so after a restart the key is fresh and it
    // proposes ballot 0 again; an acceptor that accepted the first value refuses (acceptor.ts),
    // which sends the owner to both phases, where P2c finds the first value.
    const again = step(start(owned), { type: 'ask', value: 'other' });
    expect(again.snapshot.context.ballot).toEqual(ballot(0, 'a'));
    const refused = step(again, {
      type: 'reject',
      from: 'b',
      ballot: ballot(0, 'a'),
      promised: ballot(0, 'a'),
    });
    expect(refused.snapshot.value).toBe('acknowledged');
    const takeover = step(refused, timeout('takeover', 'acknowledged'));
    expect(takeover.snapshot.value).toBe('preparing');
    expect(takeover.snapshot.context.ballot).toEqual(ballot(1, 'a'));
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
