// The one place that chooses a node's store from `--data-dir`, and with it the node's
// incarnation and the amnesia check of its peers (docs/operations.md). With a directory:
// LmdbStorage (durable, group-committed), the directory's incarnation, and a handshake hook that
// refuses a peer presenting another incarnation than the one remembered for it or learned from
// another member (incarnation gossip, src/storage/incarnationGossip.ts). Without one:
// memory (a restarted node forgets its promises), a fresh incarnation per run, and no check,
// since memory-only peers legitimately come back as new incarnations.
import { randomUUID } from 'node:crypto';
import { incarnationGuard, type IncarnationGuard } from '../storage/incarnationGossip.js';
import { LmdbStorage } from '../storage/lmdbStorage.js';
import { loadOrCreateNodeKey } from '../storage/nodeKeyFile.js';
import { generateNodeKey, type NodeKey } from '../base/nodeKey.js';
import { MemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import type { CheckPeer } from '../transport/wire/handshake.js';

export interface NodeStorage {
  /** Opened already (`startLink` opening it again is a no-op). */
  readonly storage: Storage;
  /** Whether acceptor state survives a restart. */
  readonly durable: boolean;
  /** This run's incarnation: the data directory's, or a fresh one for a memory-only node. */
  readonly incarnation: string;
  /** The amnesia check to hand to the transport, for durable nodes. */
  readonly checkPeer: CheckPeer | undefined;
  /** The incarnation gossip to hand to the transport with `checkPeer`, for durable nodes. */
  readonly gossip: IncarnationGuard | undefined;
  /** The data directory's identity key (made on first start), or a fresh one for this run. */
  readonly nodeKey: NodeKey;
}

/**
 * Opens the store of node `nodeId`. Rejects with PAXOS_ERR_WRONG_DATA_DIR (another node's
 * directory) or PAXOS_ERR_DATA_DIR_LOCKED (open in another process).
 */
export async function openNodeStorage(
  dataDir: string | undefined,
  nodeId: string,
  /** A peer's first incarnation could not be remembered (the store is failing). */
  onRememberFailed: (error: unknown) => void = () => {},
  /** Every member id, this node's included: gossip about anyone else is ignored. */
  members: readonly string[] = [nodeId],
  /** How many of its last entries the decided log keeps (storage/decidedLog.ts). */
  decidedLogEntries?: number,
): Promise<NodeStorage> {
  const log = decidedLogEntries === undefined ? {} : { decidedLogEntries };
  if (dataDir === undefined) {
    const storage = new MemoryStorage(log);
    await storage.open();
    return {
      storage,
      durable: false,
      incarnation: randomUUID(),
      checkPeer: undefined,
      gossip: undefined,
      nodeKey: generateNodeKey(),
    };
  }
  // #region durable
  const storage = new LmdbStorage({ path: dataDir, nodeId, ...log });
  await storage.open();
  let nodeKey: NodeKey;
  try {
    nodeKey = loadOrCreateNodeKey(dataDir); // under the directory's lock, taken by open()
  } catch (error) {
    await storage.close();
    throw error;
  }
  const guard = incarnationGuard(storage, { self: nodeId, members, onRememberFailed });
  return {
    storage,
    durable: true,
    incarnation: storage.incarnation,
    checkPeer: (peer, incarnation) => guard.checkPeer(peer, incarnation),
    gossip: guard,
    nodeKey,
  };
  // #endregion durable
}
