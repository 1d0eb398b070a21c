// What opening a data directory reads and fixes before the store serves: its databases, who the
// directory belongs to (node id, incarnation, format), the restart counter, and the numbering of
// the decided log. Each step is durable before the store is used (lmdbStorage.ts).
import { randomUUID } from 'node:crypto';
import { open, type Database, type RootDatabase } from 'lmdb';
import { ERROR_CODES, GenPaxosError } from '../base/errors.js';
import { durable } from './lmdbCommits.js';
import { lastLogged } from './lmdbDecidedLog.js';
import {
  DB_NAMES,
  FORMAT_VERSION,
  UPGRADABLE_FORMAT,
  LMDB_ENV_OPTIONS,
  META_KEYS,
  decodeString,
  encodeSeq,
  encodeString,
} from './lmdbLayout.js';

type Bytes = Database<Buffer, Buffer>;

export interface Databases {
  readonly root: RootDatabase<Buffer, Buffer>;
  readonly meta: Bytes;
  readonly acceptor: Bytes;
  readonly decided: Bytes;
  readonly peers: Bytes;
  readonly decidedLog: Bytes;
  readonly catchup: Bytes;
  readonly config: Bytes;
}

export interface DirectoryIdentity {
  readonly incarnation: string;
  /** True if this opening created the identity (a new, empty data directory). */
  readonly created: boolean;
}

/** The environment at `path` and its named databases. */
export function openDatabases(path: string): Databases {
  const root = open<Buffer, Buffer>({ path, ...LMDB_ENV_OPTIONS } as Parameters<typeof open>[0]);
  const sub = (name: string): Bytes =>
    root.openDB<Buffer, Buffer>(name, { encoding: 'binary', keyEncoding: 'binary' });
  return {
    root,
    meta: sub(DB_NAMES.meta),
    acceptor: sub(DB_NAMES.acceptor),
    decided: sub(DB_NAMES.decided),
    peers: sub(DB_NAMES.peers),
    decidedLog: sub(DB_NAMES.decidedLog),
    catchup: sub(DB_NAMES.catchup),
    config: sub(DB_NAMES.config),
  };
}

/** Reads (or, for a new directory, writes) who the directory at `path` belongs to. */
export async function establishIdentity(
  dbs: Databases,
  nodeId: string,
  path: string,
): Promise<DirectoryIdentity> {
  const read = (name: string) => decodeString(dbs.meta.get(encodeString(name)));
  const format = read(META_KEYS.format);
  const owner = read(META_KEYS.nodeId);
  const incarnation = read(META_KEYS.incarnation);
  const where = `data directory ${path}`;
  if (format === undefined && owner === undefined && incarnation === undefined) {
    if (dbs.acceptor.getKeysCount() > 0 || dbs.decided.getKeysCount() > 0)
      throw new GenPaxosError(ERROR_CODES.WRONG_DATA_DIR, `${where} holds Paxos state but no node identity`);
    const created = randomUUID();
    // One commit: a crash leaves either no identity or all of it.
    const writes = [
      dbs.meta.put(encodeString(META_KEYS.format), encodeString(String(FORMAT_VERSION))),
      dbs.meta.put(encodeString(META_KEYS.nodeId), encodeString(nodeId)),
      dbs.meta.put(encodeString(META_KEYS.incarnation), encodeString(created)),
    ];
    await Promise.all(writes.map(durable));
    return { incarnation: created, created: true };
  }
  if (format !== String(FORMAT_VERSION) && format !== String(UPGRADABLE_FORMAT))
    throw new GenPaxosError(
      ERROR_CODES.WRONG_DATA_DIR,
      `${where} has format ${String(format)}; this version reads formats ${UPGRADABLE_FORMAT} and ${FORMAT_VERSION}`,
    );
  if (owner !== nodeId)
    throw new GenPaxosError(
      ERROR_CODES.WRONG_DATA_DIR,
      `${where} belongs to node ${JSON.stringify(owner)}, not ${JSON.stringify(nodeId)}`,
    );
  if (incarnation === undefined || incarnation.length === 0)
    throw new GenPaxosError(ERROR_CODES.WRONG_DATA_DIR, `${where} has no incarnation id`);
  // Marked before any record of the new form is written: a version that reads only format 1
  // must refuse the directory, not read a format-2 value as missing.
  if (format !== String(FORMAT_VERSION))
    await durable(dbs.meta.put(encodeString(META_KEYS.format), encodeString(String(FORMAT_VERSION))));
  return { incarnation, created: false };
}

/**
 * The decided log's last number. A directory written before the log existed has decided keys
 * and no log: they are numbered now, once, in key order.
 */
export async function numberDecidedKeys(dbs: Databases): Promise<number> {
  const head = lastLogged(dbs);
  if (head > 0 || dbs.decided.getKeysCount() === 0) return head;
  let seq = 0;
  const writes: Promise<unknown>[] = [];
  for (const key of dbs.decided.getKeys()) writes.push(dbs.decidedLog.put(encodeSeq(++seq), key));
  await Promise.all(writes.map(durable));
  return seq;
}

/** The store's restart counter, one more than the last start's, durable before it is used. */
export async function nextBoot(dbs: Databases): Promise<number> {
  const key = encodeString(META_KEYS.boot);
  const boot = Number(decodeString(dbs.meta.get(key)) ?? '0') + 1;
  await durable(dbs.meta.put(key, encodeString(String(boot))));
  return boot;
}
