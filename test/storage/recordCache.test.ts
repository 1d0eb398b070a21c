// The record cache in front of LMDB (recordCache.ts): bounded, first in first out, and coherent
// with the store because every write of a key record updates it.
import { afterAll, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../src/paxos/record.js';
import { LmdbStorage } from '../../src/storage/lmdbStorage.js';
import { RecordCache } from '../../src/storage/recordCache.js';
import { tempDirs } from './tempDir.js';

const dirs = tempDirs();
afterAll(() => dirs.cleanup());

function accepted(round: number, value: string): KeyRecord {
  return { promised: { round, node: 'b' }, accepted: { ballot: { round, node: 'b' }, value }, decided: null };
}

describe('RecordCache', () => {
  it('keeps at most its capacity, dropping the oldest eighth when full', () => {
    const cache = new RecordCache(16);
    for (let i = 0; i < 16; i++) cache.set(`k${i}`, null);
    cache.set('new', accepted(1, 'x'));
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k2')).toBeNull();
    expect(cache.get('k15')).toBeNull();
    expect(cache.get('new')).toEqual(accepted(1, 'x'));
  });

  it('replacing a cached key evicts nothing, even when full', () => {
    const cache = new RecordCache(2);
    cache.set('a', null);
    cache.set('b', null);
    cache.set('a', accepted(2, 'y'));
    expect(cache.get('a')).toEqual(accepted(2, 'y'));
    expect(cache.get('b')).toBeNull();
    cache.set('c', null); // a is still the oldest: it goes
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeNull();
  });
});

describe('LmdbStorage with its record cache', () => {
  it('a key first read as absent, then written, reads the write — before and after the commit', async () => {
    const path = dirs.next();
    const storage = new LmdbStorage({ path, nodeId: 'a' });
    await storage.open();
    expect(storage.load('k')).toBeUndefined(); // cached as "no record"
    const durable = storage.write('k', accepted(1, 'v1'));
    expect(storage.load('k')?.accepted?.value).toBe('v1');
    await durable;
    expect(storage.load('k')?.accepted?.value).toBe('v1');
    await storage.write('k', { promised: null, accepted: null, decided: { value: 'v1' } });
    expect(storage.load('k')?.decided?.value).toBe('v1');
    await storage.close();

    const reopened = new LmdbStorage({ path, nodeId: 'a' });
    await reopened.open();
    expect(reopened.load('k')?.decided?.value).toBe('v1');
    await reopened.close();
  });
});
