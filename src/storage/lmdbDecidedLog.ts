// The decided log in LMDB (decidedLog.ts): the `decidedLog` database maps a number to the key its
// record was first decided under, written in the same commit as that record. Here: reading pages
// of it, reading the decided records in key order for an asker below the floor, and keeping only
// its last entries.
import type { Database } from 'lmdb';
import {
  collectKeyOrderPage,
  collectPage,
  type DecidedEntry,
  type DecidedFact,
  type DecidedPage,
  type KeyOrderPage,
  type PageLimits,
} from './decidedLog.js';
import { durable } from './lmdbCommits.js';
import { decodeDecided, decodeKey, decodeSeq, encodeKey, encodeSeq } from './lmdbLayout.js';

/** The two databases the log spans (lmdbOpening.ts opens them). */
interface LogDatabases {
  readonly decided: Database<Buffer, Buffer>;
  readonly decidedLog: Database<Buffer, Buffer>;
}

/** The number of the decided log's last entry, 0 when it is empty. */
export function lastLogged(dbs: LogDatabases): number {
  for (const key of dbs.decidedLog.getKeys({ reverse: true, limit: 1 })) return decodeSeq(key);
  return 0;
}

/** The log holds every entry numbered above this: its first entry's number minus one. */
export function loggedFloor(dbs: LogDatabases): number {
  for (const key of dbs.decidedLog.getKeys({ limit: 1 })) return decodeSeq(key) - 1;
  return 0;
}

/**
 * The removal that keeps `kept` entries once entry `seq` is written, if any: one entry leaves as
 * one arrives, in the same commit, so the log never holds more than `kept` and no commit does more.
 */
export function dropBelowWindow(dbs: LogDatabases, seq: number, kept: number): Promise<unknown> | null {
  return seq > kept ? dbs.decidedLog.remove(encodeSeq(seq - kept)) : null;
}

/** At open: drops every entry but the last `kept` (a log written with a larger window, or numbered afresh). */
export async function trimDecidedLog(dbs: LogDatabases, kept: number): Promise<void> {
  const below = lastLogged(dbs) - kept;
  if (below <= 0 || loggedFloor(dbs) >= below) return;
  const removals: Promise<unknown>[] = [];
  for (const key of dbs.decidedLog.getKeys({ end: encodeSeq(below + 1) }))
    removals.push(dbs.decidedLog.remove(key));
  await Promise.all(removals.map(durable));
}

/** Committed entries numbered above `since`: LMDB's reads see no transaction before it commits. */
export function readDecidedSince(dbs: LogDatabases, since: number, limits: PageLimits): DecidedPage {
  const head = lastLogged(dbs);
  const floor = loggedFloor(dbs);
  const range = dbs.decidedLog.getRange({ start: encodeSeq(since + 1) });
  return collectPage(since, head, floor, logEntries(dbs, range), limits);
}

/** Committed decided records after `after` in key order, with the head they are all numbered by. */
export function readDecidedInKeyOrder(
  dbs: LogDatabases,
  after: string | null,
  limits: PageLimits,
): KeyOrderPage {
  const head = lastLogged(dbs);
  const start = after === null ? undefined : encodeKey(after);
  const range = dbs.decided.getRange(start === undefined ? {} : { start });
  return collectKeyOrderPage(after, head, decidedRecords(range, start), limits);
}

function* logEntries(
  dbs: LogDatabases,
  range: Iterable<{ key: Buffer; value: Buffer }>,
): Iterable<DecidedEntry & { bytes: number }> {
  for (const { key: seqBytes, value: keyBytes } of range) {
    const stored = dbs.decided.get(keyBytes);
    if (stored === undefined) continue; // cannot happen: both are written in one commit
    yield { seq: decodeSeq(seqBytes), ...decidedFact(keyBytes, stored) };
  }
}

function* decidedRecords(
  range: Iterable<{ key: Buffer; value: Buffer }>,
  after: Buffer | undefined,
): Iterable<DecidedFact & { bytes: number }> {
  for (const { key: keyBytes, value: stored } of range) {
    if (after !== undefined && after.equals(keyBytes)) continue; // the range starts at `after` itself
    yield decidedFact(keyBytes, stored);
  }
}

/** A decided record as stored, read back, with the bytes it costs to carry. */
function decidedFact(keyBytes: Buffer, stored: Buffer): DecidedFact & { bytes: number } {
  const { decided } = decodeDecided(stored);
  return {
    key: decodeKey(keyBytes),
    value: decided?.value ?? null,
    bytes: keyBytes.byteLength + stored.byteLength,
  };
}
