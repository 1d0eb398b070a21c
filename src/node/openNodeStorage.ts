// The one place that chooses a node's store from `--data-dir`. Without a directory the node
// keeps acceptor state in memory (and says so: a restarted node forgets its promises). With
// one it must be durable, and the durable store (LmdbStorage, issue "durability", branch
// `durable`) is not in this branch yet: rather than fake durability, a data directory is
// refused until that store is merged and switched on here.
import { ERROR_CODES, GenPaxosError } from '../errors.js';
import { MemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';

export interface NodeStorage {
  /** Not yet opened: `startLink` opens it. */
  readonly storage: Storage;
  /** Whether acceptor state survives a restart. */
  readonly durable: boolean;
}

export function openNodeStorage(dataDir: string | undefined): NodeStorage {
  if (dataDir === undefined) return { storage: new MemoryStorage(), durable: false };
  // Switch-over point: `return { storage: new LmdbStorage(dataDir), durable: true };`
  throw new GenPaxosError(
    ERROR_CODES.BAD_OPTION,
    `--data-dir ${JSON.stringify(dataDir)}: durable storage is not available in this build yet; ` +
      'run without --data-dir to keep acceptor state in memory',
  );
}
