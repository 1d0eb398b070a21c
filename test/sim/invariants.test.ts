// Control cases for the simulation's invariant checks: each must report what it exists to catch.
import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../src/paxos/record.js';
import { VirtualClock } from '../../src/base/virtualClock.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
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
});
