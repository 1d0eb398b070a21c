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
  it('keeps at most its capacity, dropping the oldest entry first', () => {
    const cache = new RecordCache(2);
    cache.set('a', null);
    cache.set('b', accepted(1, 'x'));
    cache.set('c', null);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual(accepted(1, 'x'));
    expect(cache.get('c')).toBeNull();
  });

  it('replacing a cached key evicts nothing and makes it the newest', () => {
    const cache = new RecordCache(2);
    cache.set('a', null);
    cache.set('b', null);
    cache.set('a', accepted(2, 'y'));
    cache.set('c', null);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual(accepted(2, 'y'));
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
