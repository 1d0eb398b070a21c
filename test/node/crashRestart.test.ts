// Crash-restart on the in-memory cluster with storage that loses uncommitted writes
// (MemoryStorage.crash): a node that promised or accepted crashes and restarts, and agreement,
// monotonic promises and fresh ballots still hold (checked by CrashCluster after every step).
// Control cases show the checks can fail: a disk that lies about durability, and amnesia.
import { describe, expect, it } from 'vitest';
import type { PaxosValue } from '../../src/paxos/messages.js';
import type { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { Storage } from '../../src/storage/storage.js';
import { CrashCluster } from './crashCluster.js';

const members = ['a', 'b', 'c'];

/** Every up node asks every key, then runs until all those asks are answered; checks agreement. */
async function finish(cluster: CrashCluster, keys: readonly string[]): Promise<Map<string, PaxosValue>> {
  const finals = [...cluster.nodes.keys()].flatMap((id) =>
    keys.map((key) => cluster.ask(id, key, `final-${id}-${key}`)),
  );
  await cluster.runUntil(() => finals.every((ask) => ask.answer !== undefined || ask.error !== undefined));
  expect(finals.filter((ask) => ask.error !== undefined)).toEqual([]);
  const decided = new Map<string, PaxosValue>();
  for (const key of keys) {
    const values = new Set(finals.filter((ask) => ask.key === key).map((ask) => JSON.stringify(ask.answer)));
    expect(values.size, `answers for ${key}`).toBe(1);
    decided.set(key, finals.find((ask) => ask.key === key)?.answer as PaxosValue);
  }
  for (const ask of cluster.asks) {
    if (ask.answer !== undefined)
      expect(ask.answer, `${ask.node} asked ${ask.key}`).toEqual(decided.get(ask.key));
  }
  expect(cluster.violations).toEqual([]);
  return decided;
}

describe('crash-restart', () => {
  it('a node that promised, crashed and restarted keeps its promise', async () => {
    const cluster = new CrashCluster({ members, seed: 1 });
    await cluster.startAll();
    cluster.ask('a', 'x', 'A');
    await cluster.runUntil(() => cluster.durable('c', 'x')?.promised?.node === 'a');
    const promised = cluster.durable('c', 'x')?.promised;
    await cluster.restart('c');
    expect(cluster.storage('c').load('x')?.promised).toEqual(promised);
    cluster.ask('b', 'x', 'B');
    const decided = await finish(cluster, ['x']);
    expect(['A', 'B']).toContain(decided.get('x'));
  });

  it('a promise lost with its uncommitted write was never sent', async () => {
    const cluster = new CrashCluster({ members, seed: 2, commitDelayMs: { c: 30 } });
    await cluster.startAll();
    cluster.ask('a', 'x', 'A');
    await cluster.runUntil(
      () => cluster.storage('c').load('x')?.promised != null && cluster.durable('c', 'x') === undefined,
    );
    await cluster.restart('c');
    expect(cluster.durable('c', 'x')).toBeUndefined();
    expect(cluster.sent.filter((e) => e.from === 'c' && e.message.type === 'promise')).toEqual([]);
    expect((await finish(cluster, ['x'])).get('x')).toBe('A');
  });

  it('a node that accepted, crashed and restarted still holds the value, and it is chosen', async () => {
    // Classic Paxos (both phases): the proposer's own durable acceptance and c's make A chosen.
    // (In the owner's round 0 the owner does not vote: A accepted by c alone would not be chosen.)
    const cluster = new CrashCluster({ members, seed: 3, ownerFastPath: false });
    await cluster.startAll();
    // b is cut off and c's acknowledgements are lost: a gets c's promise and c accepts, but a
    // never learns that it did, so nothing is decided.
    const dropAcksFromC = cluster.network.addFilter((e) =>
      e.from === 'c' && e.message.type === 'acknowledge' ? 'drop' : 'deliver',
    );
    cluster.network.partition(['a', 'c'], ['b']);
    cluster.ask('a', 'x', 'A');
    await cluster.runUntil(() => cluster.durable('c', 'x')?.accepted?.value === 'A');
    await cluster.restart('c');
    expect(cluster.storage('c').load('x')?.accepted?.value).toBe('A');
    cluster.crash('a'); // the proposer is gone; only c remembers the accepted value
    dropAcksFromC();
    cluster.network.heal();
    cluster.ask('b', 'x', 'B'); // P2c: b must adopt the value c accepted
    await cluster.start('a');
    expect((await finish(cluster, ['x'])).get('x')).toBe('A');
  });

  it('a proposer that crashed after its prepare never reuses its round', async () => {
    const cluster = new CrashCluster({ members, seed: 4 });
    await cluster.startAll();
    cluster.network.partition(['a'], ['b', 'c']); // a's first ballot goes nowhere
    cluster.ask('a', 'x', 'A');
    await cluster.runUntil(() => cluster.sent.some((e) => e.from === 'a' && e.message.type === 'prepare'));
    await cluster.restart('a');
    cluster.network.heal();
    cluster.ask('a', 'x', 'A2');
    await finish(cluster, ['x']);
    const rounds = cluster.sent
      .filter((e) => e.from === 'a' && e.to === 'b' && e.message.type === 'prepare')
      .map((e) => (e.message.type === 'prepare' ? e.message.ballot.round : 0));
    expect(rounds.length).toBeGreaterThanOrEqual(2);
    expect(rounds).toEqual([...new Set(rounds)].sort((x, y) => x - y));
  });

  it('after the whole group crashed, a value accepted but never learned is decided without new asks', async () => {
    const cluster = new CrashCluster({ members, seed: 5 });
    await cluster.startAll();
    const dropAcks = cluster.network.addFilter((e) =>
      e.message.type === 'acknowledge' ? 'drop' : 'deliver',
    );
    cluster.ask('a', 'x', 'A');
    await cluster.runUntil(() => members.every((id) => cluster.durable(id, 'x')?.accepted?.value === 'A'));
    for (const id of members) cluster.crash(id);
    dropAcks();
    await cluster.startAll();
    await cluster.runUntil(() => cluster.decidedEverywhere('x'));
    for (const id of members) expect(cluster.nodes.get(id)?.read('x')).toBe('A');
    expect(cluster.violations).toEqual([]);
  });

  const exercised = { crashes: 0, lostWrites: 0, answered: 0 };
  it.each(Array.from({ length: 16 }, (_, i) => 100 + i))(
    'random crashes, restarts and network faults keep every invariant (seed %i)',
    async (seed) => {
      const cluster = new CrashCluster({
        members,
        seed,
        faults: { dropRate: 0.05, duplicateRate: 0.05, delayMs: { min: 0, max: 15 } },
        commitDelayMs: { a: 2, b: 10, c: 25 }, // slow disks: crashes often land mid-commit
      });
      await cluster.startAll();
      const keys = ['k0', 'k1', 'k2', 'k3'];
      for (let tick = 0; tick < 80; tick++) {
        const roll = cluster.draw();
        const id = members[Math.floor(cluster.draw() * members.length)] as string;
        const key = keys[Math.floor(cluster.draw() * keys.length)] as string;
        if (roll < 0.6 && cluster.isUp(id)) cluster.ask(id, key, `${id}-${tick}`);
        else if (roll < 0.8 && cluster.isUp(id)) cluster.crash(id);
        else if (!cluster.isUp(id)) await cluster.start(id);
        await cluster.runFor(Math.floor(cluster.draw() * 20));
      }
      for (const id of members) if (!cluster.isUp(id)) await cluster.start(id);
      await finish(cluster, keys);
      exercised.crashes += cluster.crashes;
      exercised.lostWrites += cluster.lostWrites;
      exercised.answered += cluster.asks.filter((ask) => ask.answer !== undefined).length;
    },
  );

  it('the random runs crashed nodes with writes still uncommitted', () => {
    expect(exercised.crashes).toBeGreaterThan(50);
    expect(exercised.lostWrites).toBeGreaterThan(10);
    expect(exercised.answered).toBeGreaterThan(200);
  });
});

describe('control cases: the checks catch a broken disk', () => {
  it('a disk that acknowledges writes before they are durable breaks persist-before-send', async () => {
    const lying = (storage: MemoryStorage): Storage => ({
      open: () => storage.open(),
      load: (key) => storage.load(key),
      write: (key, record) => {
        void storage.write(key, record);
        return Promise.resolve();
      },
      close: () => storage.close(),
    });
    const cluster = new CrashCluster({
      members,
      seed: 6,
      commitDelayMs: { a: 10, b: 10, c: 10 },
      wrapStorage: lying,
    });
    await cluster.startAll();
    cluster.ask('a', 'x', 'A');
    await cluster.runUntil(() => cluster.decidedEverywhere('x'));
    expect(cluster.violations.some((v) => v.startsWith('persist-before-send'))).toBe(true);
  });

  it('a node that lost its disk forgets its promises, and a group with amnesia can choose twice', async () => {
    const cluster = new CrashCluster({ members, seed: 7 });
    await cluster.startAll();
    cluster.network.partition(['a', 'b'], ['c']);
    const first = cluster.ask('a', 'x', 'A');
    await cluster.runUntil(() => first.answer !== undefined && cluster.durable('b', 'x')?.decided != null);
    cluster.loseDisk('a');
    cluster.loseDisk('b');
    cluster.network.heal();
    await cluster.start('a');
    await cluster.start('b');
    const second = cluster.ask('c', 'x', 'C');
    await cluster.runUntil(() => second.answer !== undefined);
    expect(second.answer).toBe('C');
    expect(cluster.violations.some((v) => v.startsWith('agreement'))).toBe(true);
  });

  it('a node that lost its disk while it held a promise is caught', async () => {
    const cluster = new CrashCluster({ members, seed: 8 });
    await cluster.startAll();
    cluster.ask('a', 'x', 'A');
    await cluster.runUntil(() => cluster.durable('c', 'x')?.promised != null);
    await cluster.step();
    cluster.loseDisk('c');
    await cluster.step();
    expect(cluster.violations).toContainEqual(expect.stringMatching(/^promised decreased: c x/));
  });
});
