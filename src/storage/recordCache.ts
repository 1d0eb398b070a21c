// A bounded cache of key records in front of LMDB, so the several messages of one ask read the
// disk once. Coherent because the store is its data directory's only writer (dataDirLock.ts) and
// every write of a key record goes through `LmdbStorage.write`, which puts the new record here.
// `null` caches "no record", which is what every message of a fresh key would otherwise look up
// in two databases. Eviction is first in, first out, an eighth of the entries at a time (one
// iteration, not one per insertion): the keys in flight are the recent ones, and a key evicted
// while still in use costs one LMDB read, never a wrong answer.
import type { KeyRecord } from '../paxos/record.js';

export class RecordCache {
  private readonly records = new Map<string, KeyRecord | null>();
  private readonly evictBatch: number;

  constructor(private readonly capacity: number) {
    this.evictBatch = Math.max(1, capacity >> 3);
  }

  /** The cached record, `null` if the key is known to have none, `undefined` if not cached. */
  get(key: string): KeyRecord | null | undefined {
    return this.records.get(key);
  }

  set(key: string, record: KeyRecord | null): void {
    if (this.records.size >= this.capacity && !this.records.has(key)) this.evictOldest();
    this.records.set(key, record);
  }

  private evictOldest(): void {
    let left = this.evictBatch;
    for (const key of this.records.keys()) {
      this.records.delete(key);
      if (--left === 0) return;
    }
  }
}
