// The configuration database of both stores (membershipStore.ts): the chain, fence and complete
// epoch are kept once durable (across a reopen for LMDB), a crash before the commit loses them
// (MemoryStorage), and rescan report entries list accepted and decided user keys in key order.
import { afterAll, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../src/paxos/record.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';
import { hasMembershipStore, type StoredMembership } from '../../src/storage/membershipStore.js';
import { tempDirs } from './tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

const STATE: StoredMembership = {
  chain: [
    { number: 0, epoch: 0, voters: ['a', 'b', 'c'], urls: {} },
    { number: 1, epoch: 0, voters: ['a', 'b', 'c'], urls: {} },
    { number: 2, epoch: 1, voters: ['a', 'b', 'f'], urls: { f: 'ws://f' } },
  ],
  fence: 1,
  completeEpoch: 0,
};
const decided = (value: string): KeyRecord => ({ promised: null, accepted: null, decided: { value } });
const accepted = (value: string): KeyRecord => ({
  promised: { epoch: 1, round: 1, node: 'b' },
  accepted: { ballot: { epoch: 1, round: 1, node: 'b' }, value },
  decided: null,
});
const promisedOnly: KeyRecord = { promised: { round: 3, node: 'c' }, accepted: null, decided: null };

describe('MemoryStorage configuration database', () => {
  it('keeps the state once committed, and a crash before the commit loses it', async () => {
    const storage = new MemoryStorage();
    expect(hasMembershipStore(storage)).toBe(true);
    expect(storage.loadMembership()).toBeUndefined();
    const saved = storage.saveMembership(STATE);
    expect(storage.loadMembership()).toEqual(STATE); // issued writes are seen at once
    storage.crash();
    expect(storage.loadMembership()).toBeUndefined();
    await storage.saveMembership(STATE);
    storage.crash();
    expect(storage.loadMembership()).toEqual(STATE);
    void saved;
  });

  it('reports accepted and decided user keys in key order, never a promise alone or a reserved key', async () => {
    const storage = new MemoryStorage();
    await storage.write('m', decided('1'));
    await storage.write('b', accepted('2'));
    await storage.write('z', promisedOnly);
    await storage.write('\u0000cfg/2', decided('cfg'));
    storage.write('a', decided('3')); // in flight: reported too
    expect(storage.reportEntries().map((entry) => entry.key)).toEqual(['a', 'b', 'm']);
    expect(storage.reportEntries()[1]).toEqual({ key: 'b', accepted: accepted('2').accepted, decided: null });
  });
});

describe('LmdbStorage configuration database', () => {
  it('keeps the state across a reopen, and reports keys in string order', async () => {
    const path = dirs.next();
    const first = new LmdbStorage({ path, nodeId: 'a' });
    await first.open();
    expect(first.loadMembership()).toBeUndefined();
    await first.saveMembership(STATE);
    // UTF-16LE byte order differs from string order for these two: the store must sort.
    await first.write('\u0101', decided('x'));
    await first.write('\u0200', accepted('y'));
    await first.write('q', promisedOnly);
    await first.write('\u0000done/1', decided('true'));
    await first.close();
    const second = new LmdbStorage({ path, nodeId: 'a' });
    await second.open();
    expect(second.loadMembership()).toEqual(STATE);
    expect(second.reportEntries().map((entry) => entry.key)).toEqual(['\u0101', '\u0200']);
    expect(second.reportEntries()[1]?.accepted?.ballot).toEqual({ epoch: 1, round: 1, node: 'b' });
    await second.close();
  });
});
