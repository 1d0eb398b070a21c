// Incarnation gossip: the pure merge rule (a table: what a member's records do to ours), the guard
// that binds it to a store (first contacts, disputes, the self mark, the durability barrier), and
// the records surviving a restart of the checker on a real LMDB directory.
import { afterAll, describe, expect, it } from 'vitest';
import { DISPUTED_INCARNATION } from '../../src/storage/amnesia.js';
import {
  incarnationGuard,
  mergeIncarnations,
  type GossipStore,
  type IncarnationRecord,
} from '../../src/storage/incarnationGossip.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import { tempDirs } from './tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const MEMBERS = ['a', 'b', 'c', 'd'];

/** A store whose writes complete only when the test says so, to observe the barrier. */
function heldStore(incarnation: string, initial: Record<string, string> = {}) {
  const known = new Map(Object.entries(initial));
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const store: GossipStore = {
    incarnation,
    knownIncarnation: (peer) => known.get(peer),
    knownIncarnations: () => Object.fromEntries(known),
    rememberIncarnation: (peer, recorded) => {
      known.set(peer, recorded); // visible at once, like LmdbStorage's overlay
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    },
  };
  return {
    store,
    known,
    pending,
    flush: () => pending.splice(0).forEach((write) => write.resolve()),
  };
}

describe('mergeIncarnations (d learns from a)', () => {
  const merge = (known: Record<string, string>, records: IncarnationRecord[]) =>
    mergeIncarnations(
      { self: 'd', incarnation: 'd-1', members: MEMBERS, from: 'a', known: (peer) => known[peer] },
      records,
    );

  it.each([
    { case: 'a peer d never met: adopted', known: {}, records: [['c', 'c-1']], adopt: [['c', 'c-1']] },
    { case: 'the same record: nothing to do', known: { c: 'c-1' }, records: [['c', 'c-1']], adopt: [] },
    {
      case: 'another incarnation than ours: the id is disputed',
      known: { c: 'c-2' },
      records: [['c', 'c-1']],
      adopt: [['c', DISPUTED_INCARNATION]],
    },
    {
      case: 'a dispute is adopted as one',
      known: { c: 'c-1' },
      records: [['c', null]],
      adopt: [['c', DISPUTED_INCARNATION]],
    },
    {
      case: 'already disputed: stays so',
      known: { c: DISPUTED_INCARNATION },
      records: [['c', 'c-1']],
      adopt: [],
    },
    { case: 'a non-member: ignored', known: {}, records: [['z', 'z-1']], adopt: [] },
    { case: 'the sender itself: ignored', known: {}, records: [['a', 'a-9']], adopt: [] },
    { case: 'us, as we are: nothing', known: {}, records: [['d', 'd-1']], adopt: [] },
  ] as const)('$case', ({ known, records, adopt }) => {
    const outcome = merge(known as Record<string, string>, records as unknown as IncarnationRecord[]);
    expect(outcome).toEqual({ selfRefusal: null, adopt });
  });

  it.each([
    { recorded: 'd-0', says: /remembers it under another incarnation/ },
    { recorded: null, says: /holds its id as disputed/ },
  ])(
    'a record of us under $recorded: we are the amnesiac, told to rejoin under a new id',
    ({ recorded, says }) => {
      const outcome = merge({}, [['d', recorded]]);
      expect(outcome.selfRefusal).toMatch(/member "a" /);
      expect(outcome.selfRefusal).toMatch(says);
      expect(outcome.selfRefusal).toMatch(/^PAXOS_ERR_AMNESIA: "d" must rejoin as a new member \(new id\): /);
    },
  );
});

describe('incarnationGuard', () => {
  it('sends its records sorted, disputes as null, never itself or non-members', () => {
    const { store } = heldStore('d-1', {
      c: 'c-1',
      b: DISPUTED_INCARNATION,
      z: 'z-1',
      d: DISPUTED_INCARNATION,
    });
    const guard = incarnationGuard(store, { self: 'x', members: MEMBERS });
    expect(guard.records()).toEqual([
      ['b', null],
      ['c', 'c-1'],
      ['d', null],
    ]);
  });

  it('refuses an amnesiac it learned of before the amnesiac dialled (gossip first)', () => {
    const { store } = heldStore('d-1');
    const guard = incarnationGuard(store, { self: 'd', members: MEMBERS });
    expect(guard.learn('a', [['c', 'c-1']])).toBeNull();
    expect(guard.checkPeer('c', 'c-2')).toMatch(
      /^PAXOS_ERR_AMNESIA: "c" must rejoin as a new member \(new id\): peer "c" presents another incarnation/,
    );
    expect(guard.checkPeer('c', 'c-1')).toBeNull();
  });

  it('disputes an id it first met under another incarnation than a member had (amnesiac first)', () => {
    const disputed: string[] = [];
    const { store } = heldStore('d-1');
    const guard = incarnationGuard(store, {
      self: 'd',
      members: MEMBERS,
      onDisputed: (peer, from) => disputed.push(`${peer} by ${from}`),
    });
    expect(guard.checkPeer('c', 'c-2')).toBeNull(); // first contact: nobody told d otherwise yet
    expect(guard.learn('a', [['c', 'c-1']])).toBeNull();
    expect(disputed).toEqual(['c by a']);
    for (const claim of ['c-1', 'c-2', 'c-3'])
      expect(guard.checkPeer('c', claim)).toMatch(
        /^PAXOS_ERR_AMNESIA: "c" must rejoin .*: peer "c" has been seen under two incarnations/,
      );
    expect(guard.records()).toEqual([['c', null]]); // passed on, so the others refuse it too
  });

  it('two members disagreeing about c: c is refused whatever it claims', () => {
    const { store } = heldStore('d-1');
    const guard = incarnationGuard(store, { self: 'd', members: MEMBERS });
    expect(guard.learn('a', [['c', 'c-1']])).toBeNull();
    expect(guard.learn('b', [['c', 'c-2']])).toBeNull();
    expect(guard.checkPeer('c', 'c-1')).toMatch(/two incarnations/);
    expect(guard.checkPeer('c', 'c-2')).toMatch(/two incarnations/);
  });

  it('once told that it forgot, refuses every peer, and marks its directory so a restart remembers', () => {
    const selfRefused: string[] = [];
    const held = heldStore('d-2');
    const guard = incarnationGuard(held.store, {
      self: 'd',
      members: MEMBERS,
      onSelfRefused: (from) => selfRefused.push(from),
    });
    expect(guard.learn('a', [['d', 'd-1']])).toMatch(
      /^PAXOS_ERR_AMNESIA: "d" must rejoin as a new member \(new id\): member "a" remembers it/,
    );
    expect(selfRefused).toEqual(['a']);
    expect(guard.checkPeer('b', 'b-1')).toMatch(/^PAXOS_ERR_AMNESIA/); // b never met d: refused all the same
    expect(guard.learn('b', [])).toMatch(/^PAXOS_ERR_AMNESIA/);
    expect(held.known.get('d')).toBe(DISPUTED_INCARNATION);
    const afterRestart = incarnationGuard(held.store, { self: 'd', members: MEMBERS });
    expect(afterRestart.checkPeer('b', 'b-1')).toMatch(/recorded in this data directory by an earlier run/);
  });

  it('settled() is null when nothing is being written, and waits for every record otherwise', async () => {
    const held = heldStore('d-1', { b: 'b-1' });
    const guard = incarnationGuard(held.store, { self: 'd', members: MEMBERS });
    expect(guard.checkPeer('b', 'b-1')).toBeNull();
    expect(guard.settled()).toBeNull(); // a reconnect writes nothing and waits for nothing
    expect(guard.checkPeer('a', 'a-1')).toBeNull();
    expect(guard.learn('a', [['c', 'c-1']])).toBeNull();
    const settled = guard.settled();
    expect(settled).not.toBeNull();
    let done = false;
    void settled?.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    expect(held.pending).toHaveLength(2);
    held.flush();
    await settled;
    expect(done).toBe(true);
    expect(guard.settled()).toBeNull();
  });

  it('a write that fails makes settled() reject: the link is refused, nothing is thrown', async () => {
    const failures: unknown[] = [];
    const held = heldStore('d-1');
    const guard = incarnationGuard(held.store, {
      self: 'd',
      members: MEMBERS,
      onRememberFailed: (error) => failures.push(error),
    });
    expect(guard.checkPeer('a', 'a-1')).toBeNull();
    const settled = guard.settled();
    held.pending[0]?.reject(new Error('disk full'));
    await expect(settled).rejects.toThrow('disk full');
    expect(failures).toHaveLength(1);
    await expect(guard.settled()).rejects.toThrow('disk full');
  });
});

describe('on a real data directory', () => {
  it('records learned from members and disputes survive a restart of the checker', async () => {
    const path = dirs.next('d');
    const first = new LmdbStorage({ path, nodeId: 'd' });
    await first.open();
    const guard = incarnationGuard(first, { self: 'd', members: MEMBERS });
    expect(
      guard.learn('a', [
        ['b', 'b-1'],
        ['c', 'c-1'],
      ]),
    ).toBeNull();
    expect(guard.learn('b', [['c', 'c-2']])).toBeNull();
    await guard.settled();
    await first.close();

    const again = new LmdbStorage({ path, nodeId: 'd' });
    await again.open();
    const restarted = incarnationGuard(again, { self: 'd', members: MEMBERS });
    expect(restarted.checkPeer('b', 'b-2')).toMatch(/presents another incarnation/); // never met b: learned
    expect(restarted.checkPeer('b', 'b-1')).toBeNull();
    expect(restarted.checkPeer('c', 'c-1')).toMatch(/two incarnations/);
    expect(restarted.records()).toEqual([
      ['b', 'b-1'],
      ['c', null],
    ]);
    await again.close();
  });
});
