// The view's storage tap: it reports each write once durable and hides nothing of the store it
// wraps — in particular the boot counter, which the owner's round-0 proposes carry.
import { describe, expect, it } from 'vitest';
import { TappingStorage } from '../../src/inspect/view/tappingStorage.js';
import type { KeyRecord } from '../../src/paxos/record.js';
import { MemoryStorage } from '../../src/storage/memoryStorage.js';

const record: KeyRecord = { promised: { round: 1, node: 'a' }, accepted: null, decided: null };

describe('TappingStorage', () => {
  it('reads the wrapped store’s boot through, at every open', async () => {
    const inner = new MemoryStorage();
    const tapped = new TappingStorage(inner, { durable: () => {} });
    await tapped.open();
    expect(tapped.boot).toBe(1);
    await tapped.close();
    await tapped.open(); // a restart on the same store: a new boot
    expect(tapped.boot).toBe(2);
    expect(tapped.boot).toBe(inner.boot);
  });

  it('has no boot where the wrapped store has none', () => {
    const inner = new MemoryStorage();
    const bare = {
      open: () => inner.open(),
      load: (key: string) => inner.load(key),
      write: (key: string, r: KeyRecord) => inner.write(key, r),
      close: () => inner.close(),
    };
    expect(new TappingStorage(bare, { durable: () => {} }).boot).toBeUndefined();
  });

  it('reports a write once it is durable, not before', async () => {
    const inner = new MemoryStorage();
    const reported: string[] = [];
    const tapped = new TappingStorage(inner, { durable: (key) => reported.push(key) });
    await tapped.open();
    const written = tapped.write('k', record);
    expect(reported).toEqual([]);
    await written;
    expect(reported).toEqual(['k']);
    expect(tapped.load('k')).toEqual(record);
  });
});
