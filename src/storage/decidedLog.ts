// The decided log: every store numbers its decided records in the order it makes them durable
// (1, 2, 3, …, local to the store), so a peer can pull "what was decided here since n" page by
// page, and remembers how far it has pulled from each peer. This is what catch-up runs on
// (node/catchup/): a new or restarted member learns decided keys without asking each one again.
//
// The log keeps only its last entries (DEFAULT_DECIDED_LOG_ENTRIES), as etcd compacts its own: an
// index of every key ever decided would grow with the keys, beside the decided records themselves.
// A peer whose cursor fell below what is kept reads the decided records in key order instead, and
// then the log from the head it saw when that read began (node/catchup/catchupPuller.ts).
import { ERROR_CODES, GenPaxosError } from '../base/errors.js';
import type { PaxosValue } from '../paxos/messages.js';

/**
 * How many of its last entries a store's decided log keeps (etcd 3.4 snapshots every 100,000
 * entries too). A member that missed more decisions than this reads every decided key instead, and
 * must finish that read before this many more are decided, or read again: at catch-up's default
 * 8 MiB/s and the bench's key size, a million keys take about six seconds, under 50,000 decisions
 * even at the bench's fastest. The log costs about 54 bytes a key it keeps (docs/storage.md).
 */
export const DEFAULT_DECIDED_LOG_ENTRIES = 100_000;

/** How many entries a store's log keeps: `requested`, checked, or the default. */
export function decidedLogEntries(store: string, requested: number | undefined): number {
  if (requested === undefined) return DEFAULT_DECIDED_LOG_ENTRIES;
  if (Number.isSafeInteger(requested) && requested >= 1) return requested;
  throw new GenPaxosError(
    ERROR_CODES.BAD_OPTION,
    `${store}'s decidedLogEntries must be a whole number ≥ 1, got ${String(requested)}`,
  );
}

/** A decided key and its value, as catch-up carries it. */
export interface DecidedFact {
  readonly key: string;
  readonly value: PaxosValue;
}

/** One decided record, with its number in this store's decided log. */
export interface DecidedEntry extends DecidedFact {
  readonly seq: number;
}

export interface DecidedPage {
  /** In log order, all above the `since` asked for. */
  readonly entries: readonly DecidedEntry[];
  /** Where the next page starts: the last entry's number, or `since` when there is none. */
  readonly next: number;
  /** The number of the last durable decided record of the store when the page was read. */
  readonly head: number;
  /** The entries' keys and values, in bytes as stored: what the page costs to carry. */
  readonly bytes: number;
  /**
   * The log keeps every entry numbered above this (0: all of them). A `since` below it is answered
   * with no entries: what it missed is no longer numbered, and the asker reads in key order.
   */
  readonly floor: number;
}

/** A page of the decided records in key order, for an asker whose cursor fell below the floor. */
export interface KeyOrderPage {
  readonly entries: readonly DecidedFact[];
  /** The last entry's key, where the next page starts; the `after` asked for when there is none. */
  readonly last: string | null;
  /** No decided record follows `last`. */
  readonly done: boolean;
  /** The decided log's head when the page was read: every record numbered up to it is in key order. */
  readonly head: number;
  readonly bytes: number;
}

export interface PageLimits {
  /** At most this many entries. */
  readonly maxKeys: number;
  /** Entries stop once their keys and values reach this many bytes; a page holds at least one. */
  readonly maxBytes: number;
}

export interface DecidedLog {
  /** The number of the last decided record made durable here; 0 when none is. */
  decidedHead(): number;
  /** Durable decided records numbered above `since`, within `limits`. */
  decidedSince(since: number, limits: PageLimits): DecidedPage;
  /** Durable decided records in the store's key order after `after` (null: from the first). */
  decidedInKeyOrder(after: string | null, limits: PageLimits): KeyOrderPage;
  /** How far this node has pulled the decided log of `peer` (0: not at all). */
  catchupCursor(peer: string): number;
  /** Remembers, durably, that `peer`'s decided log was pulled up to `seq`. */
  saveCatchupCursor(peer: string, seq: number): Promise<void>;
  /** Resolves once every write issued before the call is durable (or has failed). */
  flush(): Promise<void>;
  /** Whether `key`'s decided record is durable (not merely written and waiting for its commit). */
  isDecidedDurably(key: string): boolean;
}

/** The DecidedLog's methods, for decorators of a store that pass them through. */
export const DECIDED_LOG_METHODS = [
  'decidedHead',
  'decidedSince',
  'decidedInKeyOrder',
  'catchupCursor',
  'saveCatchupCursor',
  'flush',
  'isDecidedDurably',
] as const satisfies ReadonlyArray<keyof DecidedLog>;

/** Whether `storage` keeps a decided log (both stores shipped here do; a custom one may not). */
export function hasDecidedLog<T extends object>(storage: T): storage is T & DecidedLog {
  const log = storage as Partial<DecidedLog>;
  return typeof log.decidedSince === 'function' && typeof log.saveCatchupCursor === 'function';
}

/**
 * Collects a page from entries in log order, stopping at the limits (one entry at least). A
 * `since` below `floor` gets no entries: the log no longer holds all that follows it.
 */
export function collectPage(
  since: number,
  head: number,
  floor: number,
  entries: Iterable<DecidedEntry & { readonly bytes: number }>,
  limits: PageLimits,
): DecidedPage {
  if (since < floor) return { entries: [], next: since, head, bytes: 0, floor };
  const page: DecidedEntry[] = [];
  let bytes = 0;
  for (const { seq, key, value, bytes: size } of entries) {
    if (seq <= since || seq > head) continue;
    if (page.length > 0 && (page.length >= limits.maxKeys || bytes + size > limits.maxBytes)) break;
    page.push({ seq, key, value });
    bytes += size;
  }
  return { entries: page, next: page.at(-1)?.seq ?? since, head, bytes, floor };
}

/** Collects a page of decided records in key order, past `after`, within the limits. */
export function collectKeyOrderPage(
  after: string | null,
  head: number,
  records: Iterable<DecidedFact & { readonly bytes: number }>,
  limits: PageLimits,
): KeyOrderPage {
  const page: DecidedFact[] = [];
  let bytes = 0;
  for (const { key, value, bytes: size } of records) {
    if (page.length > 0 && (page.length >= limits.maxKeys || bytes + size > limits.maxBytes))
      return { entries: page, last: page.at(-1)!.key, done: false, head, bytes };
    page.push({ key, value });
    bytes += size;
  }
  return { entries: page, last: page.at(-1)?.key ?? after, done: true, head, bytes };
}
