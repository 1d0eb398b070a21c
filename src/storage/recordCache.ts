// A bounded cache of key records in front of LMDB, so the several messages of one ask read the
// disk once. Coherent because the store is its data directory's only writer (dataDirLock.ts) and
// every write of a key record goes through `LmdbStorage.write`, which puts the new record here.
// `null` caches "no record", which is what every message of a fresh key would otherwise look up
// in two databases. Eviction is first in, first out: the keys in flight are the recent ones.
import type { KeyRecord } from '../paxos/record.js';

export class RecordCache {
  private readonly records = new Map<string, KeyRecord | null>();

  constructor(private readonly capacity: number) {}

  /** The cached record, `null` if the key is known to have none, `undefined` if not cached. */
  get(key: string): KeyRecord | null | undefined {
    return this.records.get(key);
  }

  set(key: string, record: KeyRecord | null): void {
    if (!this.records.delete(key) && this.records.size >= this.capacity) {
      const oldest = this.records.keys().next();
      if (oldest.done !== true) this.records.delete(oldest.value);
    }
    this.records.set(key, record);
  }

  clear(): void {
    this.records.clear();
  }
}
