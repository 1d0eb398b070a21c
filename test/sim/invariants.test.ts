// Control cases for the simulation's invariant checks: each must report what it exists to catch.
import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../src/paxos/record.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { Ballot } from '../../src/paxos/ballot.js';
import type { Envelope } from '../../src/paxos/messages.js';
import { InvariantChecker } from './invariants.js';

const accepted = (value: string): KeyRecord => ({
  promised: { round: 1, node: 'a' },
  accepted: { ballot: { round: 1, node: 'a' }, value },
  decided: null,
});
const nothing: KeyRecord = { promised: null, accepted: null, decided: null };

describe('InvariantChecker', () => {
  it('durability: a client told a value only one node holds on disk is a violation', () => {
    const checker = new InvariantChecker(
      () => 0,
      () => [accepted('v'), nothing, nothing],
    );
    checker.noteProposed('k', 'v');
    checker.noteClientSaw('read on a', 'k', 'v');
    expect(checker.violations).toEqual([
      't=0 durability: read on a was told "v" for k, but only 1 of 3 nodes hold it on disk',
    ]);
  });

  it('durability: a majority holding it, accepted or decided, is enough', () => {
    const checker = new InvariantChecker(
      () => 0,
      () => [accepted('v'), { ...nothing, decided: { value: 'v' } }, nothing],
    );
    checker.noteProposed('k', 'v');
    checker.noteClientSaw('ask on b', 'k', 'v');
    expect(checker.violations).toEqual([]);
  });

  it('durability across configurations: a majority of the voters of some configuration is needed', () => {
    // [a, b, c] then [b, d, e]: v on a and b is chosen in the first; w on d alone in none.
    const records: Record<string, KeyRecord> = { a: accepted('v'), b: accepted('v'), d: accepted('w') };
    const held = (voters: string[]) => voters.map((id) => records[id]);
    const checker = new InvariantChecker(
      () => 0,
      () => [],
      () => null,
      { durableGroups: () => [held(['a', 'b', 'c']), held(['b', 'd', 'e'])], knowsComplete: () => true },
    );
    checker.noteProposed('k', 'v');
    checker.noteClientSaw('read on e', 'k', 'v');
    expect(checker.violations).toEqual([]);
    checker.noteProposed('j', 'w');
    checker.noteClientSaw('ask on d', 'j', 'w');
    expect(checker.violations).toEqual([
      't=0 durability: ask on d was told "w" for j, but only 1 of 3 nodes hold it on disk',
    ]);
  });

  it('reserved keys: agreement is checked, validity is not (the nodes propose them, not asks)', () => {
    const checker = new InvariantChecker(() => 0);
    checker.noteDecided('node a', '\0cfg/2', { number: 2 });
    checker.noteDecided('node b', '\0cfg/2', { number: 2 });
    expect(checker.violations).toEqual([]);
    checker.noteDecided('node c', '\0cfg/2', { number: 3 });
    expect(checker.violations).toEqual([
      't=0 agreement: node c decided {"number":3} for \u0000cfg/2, but {"number":2} was decided before',
    ]);
  });

  it('a decision is learned once durable: one a crash takes away before its commit never was', () => {
    const clock = new VirtualClock();
    const checker = new InvariantChecker(() => clock.now());
    checker.noteProposed('k', 'v');
    checker.noteProposed('k', 'w');
    const crashed = new MemoryStorage({ clock, commitDelayMs: 10 });
    void crashed.write('k', { ...nothing, decided: { value: 'v' } });
    checker.checkStorage('c', crashed, ['k']);
    crashed.crash();
    clock.advance(20);
    checker.checkStorage('c', crashed, ['k']);
    // The group then chooses w: no conflict with a v that was never durable anywhere.
    checker.noteDecided('node a', 'k', 'w');
    expect(checker.violations).toEqual([]);

    // The same write, committed, is learned, and a second value then is a violation.
    const committed = new MemoryStorage({ clock, commitDelayMs: 10 });
    void committed.write('j', { ...nothing, decided: { value: 'v' } });
    checker.noteProposed('j', 'v');
    checker.noteProposed('j', 'w');
    clock.advance(20);
    checker.checkStorage('b', committed, ['j']);
    checker.noteDecided('node a', 'j', 'w');
    expect(checker.violations).toEqual([
      't=40 agreement: node a decided "w" for j, but "v" was decided before',
    ]);
  });

  it('agreement and validity: a second value, or one nobody proposed, is a violation', () => {
    const checker = new InvariantChecker(() => 5);
    checker.noteProposed('k', 'v');
    checker.noteDecided('node a', 'k', 'v');
    checker.noteDecided('node b', 'k', 'w');
    checker.noteDecided('node c', 'j', 'x');
    expect(checker.violations).toEqual([
      't=5 agreement: node b decided "w" for k, but "v" was decided before',
      't=5 validity: node c decided "x" for j, which no ask proposed',
    ]);
  });

  describe('ballot invariants, on every message sent', () => {
    const clock = new VirtualClock();
    /** A sender whose promise of `ballot` is durable, so persist-before-reply holds. */
    function senderPromised(ballot: Ballot, key = 'k'): MemoryStorage {
      const storage = new MemoryStorage({ clock });
      void storage.write(key, { promised: ballot, accepted: null, decided: null });
      clock.advance(1);
      return storage;
    }
    const propose = (from: string, ballot: Ballot, value: string): Envelope => ({
      from,
      to: 'c',
      key: 'k',
      message: { type: 'propose', ballot, value },
    });
    const owners = (owner: string | null) =>
      new InvariantChecker(
        () => 0,
        () => [],
        () => owner,
      );

    it('a ballot that names another node than its sender is a violation (prepare and propose)', () => {
      const checker = owners('a');
      const ballot = { round: 2, node: 'b' };
      checker.checkSent(
        { from: 'a', to: 'c', key: 'k', message: { type: 'prepare', ballot } },
        senderPromised(ballot),
      );
      checker.checkSent(propose('a', ballot, 'v'), senderPromised(ballot));
      checker.checkSent(propose('b', ballot, 'v'), senderPromised(ballot));
      expect(checker.violations).toEqual([
        "t=0 ballot not the sender's: a→c prepare for k carries ballot 2.b",
        "t=0 ballot not the sender's: a→c propose for k carries ballot 2.b",
      ]);
    });

    it("round 0 is the owner's alone, and nobody's with the owner fast path off", () => {
      const withOwner = owners('a');
      withOwner.checkSent(
        propose('a', { round: 0, node: 'a' }, 'v'),
        senderPromised({ round: 0, node: 'a' }),
      );
      withOwner.checkSent(
        propose('b', { round: 0, node: 'b' }, 'w'),
        senderPromised({ round: 0, node: 'b' }),
      );
      expect(withOwner.violations).toEqual([
        't=0 round 0 not from the owner: b→c propose for k 0.b, the owner is a',
      ]);
      const withoutOwner = owners(null);
      withoutOwner.checkSent(
        propose('a', { round: 0, node: 'a' }, 'v'),
        senderPromised({ round: 0, node: 'a' }),
      );
      expect(withoutOwner.violations).toEqual([
        't=0 round 0 not from the owner: a→c propose for k 0.a, the owner fast path is off',
      ]);
    });

    it("round 0 of an epoch: its own voters' owner, and only once the sender knows the epoch complete", () => {
      const complete = new Set(['a']);
      const checker = new InvariantChecker(
        () => 0,
        () => [],
        (_key, epoch) => (epoch === 0 ? 'c' : 'a'),
        { durableGroups: () => [], knowsComplete: (id, epoch) => epoch === 1 && complete.has(id) },
      );
      const zero = (node: string) => ({ epoch: 1, round: 0, node });
      checker.checkSent(propose('a', zero('a'), 'v'), senderPromised(zero('a')));
      expect(checker.violations).toEqual([]);
      checker.checkSent(propose('c', zero('c'), 'w'), senderPromised(zero('c')));
      complete.delete('a');
      checker.checkSent(propose('a', zero('a'), 'v'), senderPromised(zero('a')));
      expect(checker.violations).toEqual([
        't=0 round 0 in a transition: c→c propose for k 1:0.c, but c has not durably learned epoch 1 complete',
        't=0 round 0 not from the owner: c→c propose for k 1:0.c, the owner is a',
        't=0 round 0 in a transition: a→c propose for k 1:0.a, but a has not durably learned epoch 1 complete',
      ]);
    });

    it('one value per (key, ballot): a second value proposed, or made durable by an acceptor, is a violation', () => {
      const checker = owners('a');
      const one = { round: 1, node: 'a' };
      checker.checkSent(propose('a', one, 'v'), senderPromised(one));
      checker.checkSent(propose('a', one, 'v'), senderPromised(one)); // a duplicate is fine
      checker.checkSent(propose('a', one, 'w'), senderPromised(one));
      // An acceptor's durable acceptance counts too, with or without a propose seen on the wire.
      const acceptor = new MemoryStorage({ clock });
      void acceptor.write('k', { promised: one, accepted: { ballot: one, value: 'x' }, decided: null });
      clock.advance(1);
      checker.checkStorage('c', acceptor, ['k']);
      // The same ballot of another key is another ballot.
      checker.checkSent({ ...propose('a', one, 'w'), key: 'j' }, senderPromised(one, 'j'));
      expect(checker.violations).toEqual([
        expect.stringMatching(
          /one value per ballot: k at 1\.a got "w" \(a→c propose\), but "v" before \(a→c propose\)$/,
        ),
        expect.stringMatching(
          /one value per ballot: k at 1\.a got "x" \(durable acceptance on c\), but "v" before \(a→c propose\)$/,
        ),
      ]);
    });

    it('round 0: one value per owner boot, and never two on one acceptor', () => {
      const checker = owners('a');
      const zero = { round: 0, node: 'a' };
      const send = (value: string, boot: number) =>
        checker.checkSent(
          { ...propose('a', zero, value), message: { type: 'propose', ballot: zero, value, boot } },
          senderPromised(zero),
        );
      send('v', 1);
      send('w', 2); // a restarted owner's second value: its own boot, allowed (owner.ts)
      expect(checker.violations).toEqual([]);
      send('x', 2); // a second value in one boot is not
      // One acceptor holding two round-0 values in turn is a violation too.
      const acceptor = new MemoryStorage({ clock });
      void acceptor.write('k', { promised: zero, accepted: { ballot: zero, value: 'v' }, decided: null });
      clock.advance(1);
      checker.checkStorage('c', acceptor, ['k']);
      void acceptor.write('k', { promised: zero, accepted: { ballot: zero, value: 'w' }, decided: null });
      clock.advance(1);
      checker.checkStorage('c', acceptor, ['k']);
      expect(checker.violations).toEqual([
        expect.stringMatching(/one value per ballot: k at 0\.a got "x" .*but "w" before/),
        expect.stringMatching(/one value per ballot: c accepted "w" for k at 0\.a, after "v"/),
      ]);
    });
  });
});
