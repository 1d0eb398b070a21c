// The decided log of both stores: decided records numbered in the order they became durable, pages
// within their limits, only durable records served, catch-up cursors kept (across a reopen for
// LMDB), only the last entries kept with the records readable in key order below them, and a
// directory written before the log existed numbered when it is opened.
import { open } from 'lmdb';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/base/virtualClock.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import {
  collectKeyOrderPage,
  collectPage,
  hasDecidedLog,
  type DecidedLog,
} from '../../src/storage/decidedLog.js';
import { DB_NAMES } from '../../src/storage/lmdbLayout.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import type { Storage } from '../../src/storage/storage.js';
import { tempDirs } from './tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const decided = (value: string): KeyRecord => ({ promised: null, accepted: null, decided: { value } });
const accepted = (value: string): KeyRecord => ({
  promised: { round: 1, node: 'b' },
  accepted: { ballot: { round: 1, node: 'b' }, value },
  decided: null,
});
const ALL = { maxKeys: 1000, maxBytes: 1 << 20 };

type Store = Storage & DecidedLog;

const stores: Array<[string, (decidedLogEntries?: number) => Promise<Store>]> = [
  [
    'LmdbStorage',
    async (decidedLogEntries) => {
      const storage = new LmdbStorage({
        path: dirs.next(),
        nodeId: 'a',
        ...(decidedLogEntries ? { decidedLogEntries } : {}),
      });
      await storage.open();
      return storage;
    },
  ],
  [
    'MemoryStorage',
    async (decidedLogEntries) => {
      const storage = new MemoryStorage(decidedLogEntries ? { decidedLogEntries } : {});
      await storage.open();
      return storage;
    },
  ],
];

describe.each(stores)('%s: the decided log', (_name, make) => {
  it('numbers first decisions in write order, and never a key twice or an undecided key', async () => {
    const storage = await make();
    expect(hasDecidedLog(storage)).toBe(true);
    expect(storage.decidedHead()).toBe(0);
    await storage.write('k1', accepted('x'));
    await storage.write('k2', decided('two'));
    await storage.write('k1', decided('x'));
    await storage.write('k2', decided('two')); // learned again: no new number
    await storage.write('k3', decided('three'));
    expect(storage.decidedHead()).toBe(3);
    const page = storage.decidedSince(0, ALL);
    expect(page.entries).toEqual([
      { seq: 1, key: 'k2', value: 'two' },
      { seq: 2, key: 'k1', value: 'x' },
      { seq: 3, key: 'k3', value: 'three' },
    ]);
    expect(page).toMatchObject({ next: 3, head: 3 });
    expect(storage.decidedSince(2, ALL).entries.map((e) => e.key)).toEqual(['k3']);
    expect(storage.decidedSince(3, ALL)).toEqual({ entries: [], next: 3, head: 3, bytes: 0, floor: 0 });
    await storage.close();
  });

  it('keeps only its last entries, and serves no page that starts below them', async () => {
    const storage = await make(3);
    for (let i = 0; i < 7; i++) await storage.write(`k${i}`, decided(`v${i}`));
    expect(storage.decidedHead()).toBe(7);
    const kept = storage.decidedSince(4, ALL);
    expect(kept.entries.map((e) => [e.seq, e.key])).toEqual([
      [5, 'k4'],
      [6, 'k5'],
      [7, 'k6'],
    ]);
    expect(kept.floor).toBe(4);
    expect(storage.decidedSince(3, ALL)).toEqual({ entries: [], next: 3, head: 7, bytes: 0, floor: 4 });
    expect(storage.decidedSince(0, ALL).entries).toEqual([]);
    await storage.close();
  });

  it('serves its decided records in key order, page after page, with the head they are all numbered by', async () => {
    const storage = await make(2);
    for (const key of ['d', 'b', 'e', 'a', 'c']) await storage.write(key, decided(key.toUpperCase()));
    await storage.write('f', accepted('F')); // not decided: never served
    const first = storage.decidedInKeyOrder(null, { maxKeys: 2, maxBytes: 1 << 20 });
    expect(first).toMatchObject({
      entries: [
        { key: 'a', value: 'A' },
        { key: 'b', value: 'B' },
      ],
      last: 'b',
      done: false,
      head: 5,
    });
    const rest = storage.decidedInKeyOrder('b', { maxKeys: 10, maxBytes: 1 << 20 });
    expect(rest).toMatchObject({
      entries: [{ key: 'c' }, { key: 'd' }, { key: 'e' }],
      last: 'e',
      done: true,
    });
    expect(storage.decidedInKeyOrder('e', ALL)).toEqual({
      entries: [],
      last: 'e',
      done: true,
      head: 5,
      bytes: 0,
    });
    expect(storage.decidedInKeyOrder(null, { maxKeys: 10, maxBytes: 1 }).entries).toHaveLength(1);
    await storage.close();
  });

  it('refuses a window that is not a whole number ≥ 1', async () => {
    await expect(make(0.5)).rejects.toThrow(/decidedLogEntries must be a whole number ≥ 1/);
  });

  it('pages by keys and by bytes, with at least one entry per page', async () => {
    const storage = await make();
    for (let i = 0; i < 10; i++) await storage.write(`key-${i}`, decided('v'.repeat(100)));
    const byKeys = storage.decidedSince(0, { maxKeys: 4, maxBytes: 1 << 20 });
    expect(byKeys.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(byKeys).toMatchObject({ next: 4, head: 10 });
    const byBytes = storage.decidedSince(4, { maxKeys: 100, maxBytes: 250 });
    expect(byBytes.entries.length).toBe(2); // each entry is a little over 100 bytes
    const tiny = storage.decidedSince(9, { maxKeys: 100, maxBytes: 1 });
    expect(tiny.entries.map((e) => e.seq)).toEqual([10]);
    await storage.close();
  });

  it('keeps catch-up cursors per peer', async () => {
    const storage = await make();
    expect(storage.catchupCursor('b')).toBe(0);
    await storage.saveCatchupCursor('b', 42);
    await storage.saveCatchupCursor('c', 7);
    expect(storage.catchupCursor('b')).toBe(42);
    expect(storage.catchupCursor('c')).toBe(7);
    await storage.close();
  });
});

describe('MemoryStorage: only durable decisions are served', () => {
  it('leaves a decision out of pages until its commit, and out for ever when a crash loses it', async () => {
    const clock = new VirtualClock();
    const storage = new MemoryStorage({ clock, commitDelayMs: 5 });
    await storage.open();
    const first = storage.write('k1', decided('one'));
    expect(storage.decidedSince(0, ALL).entries).toEqual([]);
    let flushed = false;
    void storage.flush().then(() => (flushed = true));
    clock.advance(5);
    await first;
    await Promise.resolve();
    expect(flushed).toBe(true);
    expect(storage.decidedSince(0, ALL).entries.map((e) => e.key)).toEqual(['k1']);
    void storage.write('k2', decided('two'));
    storage.crash();
    clock.advance(10);
    void storage.write('k3', decided('three'));
    clock.advance(5);
    await Promise.resolve();
    expect(storage.decidedSince(0, ALL).entries).toEqual([
      { seq: 1, key: 'k1', value: 'one' },
      { seq: 2, key: 'k3', value: 'three' },
    ]);
  });
});

describe('LmdbStorage: the decided log on disk', () => {
  it('keeps the log and the cursors across a reopen', async () => {
    const path = dirs.next();
    const storage = new LmdbStorage({ path, nodeId: 'a' });
    await storage.open();
    await storage.write('k1', decided('one'));
    await storage.write('k2', decided('two'));
    await storage.saveCatchupCursor('b', 5);
    await storage.close();
    const again = new LmdbStorage({ path, nodeId: 'a' });
    await again.open();
    expect(again.decidedHead()).toBe(2);
    expect(again.catchupCursor('b')).toBe(5);
    await again.write('k3', decided('three'));
    expect(again.decidedSince(1, ALL).entries.map((e) => [e.seq, e.key])).toEqual([
      [2, 'k2'],
      [3, 'k3'],
    ]);
    await again.close();
  });

  it('keeps its window across a reopen, and a smaller window trims the log at open', async () => {
    const path = dirs.next();
    const storage = new LmdbStorage({ path, nodeId: 'a', decidedLogEntries: 4 });
    await storage.open();
    for (let i = 0; i < 6; i++) await storage.write(`k${i}`, decided(`v${i}`));
    await storage.close();
    const smaller = new LmdbStorage({ path, nodeId: 'a', decidedLogEntries: 2 });
    await smaller.open();
    expect(smaller.decidedSince(4, ALL).entries.map((e) => e.seq)).toEqual([5, 6]);
    expect(smaller.decidedSince(0, ALL).floor).toBe(4);
    await smaller.write('k6', decided('v6'));
    expect(smaller.decidedSince(5, ALL)).toMatchObject({ floor: 5, head: 7 });
    await smaller.close();
    // The database itself holds no more than the window.
    const env = open({ path });
    expect(
      env.openDB(DB_NAMES.decidedLog, { encoding: 'binary', keyEncoding: 'binary' }).getKeysCount(),
    ).toBe(2);
    await env.close();
  });

  it('numbers the decided keys of a directory written before the log existed, once, at open', async () => {
    const path = dirs.next();
    const storage = new LmdbStorage({ path, nodeId: 'a' });
    await storage.open();
    for (const key of ['b', 'a', 'c']) await storage.write(key, decided(key.toUpperCase()));
    await storage.close();
    // What an older version left: the same directory without the decided log.
    const env = open({ path });
    await env.openDB(DB_NAMES.decidedLog, { encoding: 'binary', keyEncoding: 'binary' }).drop();
    await env.close();
    const upgraded = new LmdbStorage({ path, nodeId: 'a' });
    await upgraded.open();
    expect(upgraded.decidedSince(0, ALL).entries.map((e) => [e.seq, e.key, e.value])).toEqual([
      [1, 'a', 'A'],
      [2, 'b', 'B'],
      [3, 'c', 'C'],
    ]);
    await upgraded.write('d', decided('D'));
    expect(upgraded.decidedHead()).toBe(4);
    await upgraded.close();
  });
});

describe('collectPage', () => {
  const entries = [1, 2, 3, 4].map((seq) => ({ seq, key: `k${seq}`, value: seq, bytes: 10 }));
  it('serves nothing past the head and nothing up to `since`', () => {
    expect(collectPage(1, 3, 0, entries, ALL)).toEqual({
      entries: [
        { seq: 2, key: 'k2', value: 2 },
        { seq: 3, key: 'k3', value: 3 },
      ],
      next: 3,
      head: 3,
      bytes: 20,
      floor: 0,
    });
  });
  it('stops before the entry that would pass the byte limit', () => {
    expect(collectPage(0, 4, 0, entries, { maxKeys: 10, maxBytes: 25 }).next).toBe(2);
  });
  it('serves nothing to a `since` below the floor, and everything from the floor on', () => {
    expect(collectPage(1, 4, 2, entries, ALL).entries).toEqual([]);
    expect(collectPage(2, 4, 2, entries, ALL).entries.map((e) => e.seq)).toEqual([3, 4]);
  });
});

describe('collectKeyOrderPage', () => {
  const records = ['a', 'b', 'c'].map((key) => ({ key, value: key, bytes: 10 }));
  it('says done only when no record is left', () => {
    expect(collectKeyOrderPage(null, 9, records, { maxKeys: 2, maxBytes: 100 })).toMatchObject({
      last: 'b',
      done: false,
    });
    expect(collectKeyOrderPage(null, 9, records, { maxKeys: 3, maxBytes: 100 })).toMatchObject({
      last: 'c',
      done: true,
    });
    expect(collectKeyOrderPage('c', 9, [], ALL)).toEqual({
      entries: [],
      last: 'c',
      done: true,
      head: 9,
      bytes: 0,
    });
  });
});
