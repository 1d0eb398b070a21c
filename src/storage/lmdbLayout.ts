// The on-disk layout of a gen-paxos data directory (format 2): one LMDB environment with seven
// named databases, their key encoding and value codec. Pure encoding; LmdbStorage does the I/O.
import { Packr } from 'msgpackr';
import { createPlainUnpack } from '../base/plainMsgpack.js';
import type { Ballot } from '../paxos/ballot.js';
import type { AcceptedProposal } from '../paxos/messages.js';
import type { Decision, KeyRecord } from '../paxos/record.js';

/**
 * Format 2 stores a decided value as a one-element msgpack array, `[value]`, where format 1 stored
 * a map, `{ value }`: six bytes less a key, a seventh of the decided database's pages at the
 * bench's small values. Both read back; a format-1 directory is marked format 2 when opened
 * (lmdbOpening.ts), so that a version that reads only format 1 refuses it rather than misread.
 */
export const FORMAT_VERSION = 2;
/** The formats this version opens: the older is upgraded in place at open. */
export const UPGRADABLE_FORMAT = 1;

/** Named databases of the environment. */
export const DB_NAMES = {
  /** node id, incarnation, format version. */
  meta: 'meta',
  /** Undecided keys: the acceptor state (promised, accepted). Scanned at startup for pending instances. */
  acceptor: 'acceptor',
  /** Decided keys: only the value (compactRecord); the acceptor entry is removed. */
  decided: 'decided',
  /** Peers' incarnations as first seen, to refuse a peer that comes back with another one. */
  peers: 'peers',
  /**
   * The decided log: number → key of every decided record, numbered in the order they were
   * written (decidedLog.ts). Added within format 1: a directory without it is numbered at open.
   */
  decidedLog: 'decidedLog',
  /** Catch-up cursors: peer id → how far this node has pulled that peer's decided log. */
  catchup: 'catchup',
  /**
   * The configuration database (membershipStore.ts): one record, the adopted chain, the epoch
   * fence and the highest complete epoch. Added within format 1: absent until a node adopts.
   */
  config: 'config',
} as const;

export const META_KEYS = {
  format: 'format',
  nodeId: 'nodeId',
  incarnation: 'incarnation',
  /** The restart counter (Storage.boot): incremented, durably, at every open. */
  boot: 'boot',
} as const;

/**
 * LMDB options of the environment (see docs/storage.md for the evidence behind each).
 * - Durability: `overlappingSync: false` makes LMDB fsync inside the commit (fdatasync of the
 *   data pages, then the meta page through an O_DSYNC descriptor), and lmdb-js resolves a write's
 *   promise only after that commit returned. `noSync`, `noMetaSync`, `mapAsync` stay off.
 *   `separateFlushed` makes the promise carry `.flushed`, which LmdbStorage awaits, so the store
 *   would stay correct even if overlapping sync were ever turned on.
 * - Group commit: `eventTurnBatching: false` with a `txnStartThreshold` no burst reaches makes a
 *   transaction start at the next `setImmediate`: every write issued until then, and every write
 *   issued while the previous commit is still syncing, share one commit. (Event-turn batching
 *   groups the same way, but lmdb-js 3.5 then leaves one internal promise per turn without a
 *   handler, and a failed commit crashes the process with an unhandled rejection.)
 * - `pageSize: 8192` raises LMDB's key limit to 4026 bytes, enough for the longest key
 *   (1024 UTF-16 code units = 2048 bytes). `noSubdir: false`: the path is always a directory.
 * - `mapSize`: address space reserved for the map, not memory, and the file does not grow to it
 *   (`useWritemap: false`). Without it lmdb-js starts at 128 KiB and doubles the map when full,
 *   keeping every older map alive: the pages touched through each stay resident and count in the
 *   process's RSS once per map (at 1,000,000 bench keys, 165 MiB resident for a 95 MiB file).
 *   Past 16 GiB lmdb-js still grows the map, the old way.
 */
export const LMDB_ENV_OPTIONS = {
  overlappingSync: false,
  separateFlushed: true,
  noSync: false,
  noMetaSync: false,
  mapAsync: false,
  useWritemap: false,
  eventTurnBatching: false,
  txnStartThreshold: 1_000_000_000,
  pageSize: 8192,
  mapSize: 16 * 1024 ** 3,
  maxDbs: 8,
  noSubdir: false,
  compression: false,
} as const;

/**
 * Keys are stored as UTF-16LE bytes: lossless for every JS string (UTF-8 would merge lone
 * surrogates into U+FFFD and so merge distinct keys).
 */
export function encodeKey(key: string): Buffer {
  return Buffer.from(key, 'utf16le');
}

export function decodeKey(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf16le');
}

// Plain msgpack without msgpackr's record extension, so every value decodes on its own; decoded
// byte arrays are copies, never views of LMDB's read buffers.
const packr = new Packr({ useRecords: false, copyBuffers: true });
// Keeps `__proto__` keys of stored values (plainMsgpack.ts).
const unpack = createPlainUnpack({ copyBuffers: true });

/** The acceptor state of an undecided key as stored. */
interface StoredAcceptor {
  readonly promised: Ballot | null;
  readonly accepted: AcceptedProposal | null;
}

export function encodeAcceptor(record: KeyRecord): Buffer {
  const stored: StoredAcceptor = { promised: record.promised, accepted: record.accepted };
  return packr.pack(stored);
}

export function decodeAcceptor(bytes: Uint8Array): KeyRecord {
  const stored = unpack(bytes) as StoredAcceptor;
  return { promised: stored.promised ?? null, accepted: stored.accepted ?? null, decided: null };
}

export function encodeDecided(decision: Decision): Buffer {
  return packr.pack([decision.value]);
}

/** Either format's decided record: `[value]` (format 2) or `{ value }` (format 1); never confused. */
export function decodeDecided(bytes: Uint8Array): KeyRecord {
  const stored = unpack(bytes) as [Decision['value']] | Decision;
  const value = Array.isArray(stored) ? stored[0] : stored.value;
  return { promised: null, accepted: null, decided: { value } };
}

/** Decided-log numbers as 8 bytes big-endian, so LMDB's byte order is their numeric order. */
export function encodeSeq(seq: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(seq));
  return bytes;
}

export function decodeSeq(bytes: Uint8Array): number {
  return Number(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigUInt64BE());
}

export function encodeString(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

export function decodeString(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}
