// The decided log: every store numbers its decided records in the order it makes them durable
// (1, 2, 3, …, local to the store), so a peer can pull "what was decided here since n" page by
// page, and remembers how far it has pulled from each peer. This is what catch-up runs on
// (node/catchup/): a new or restarted member learns decided keys without asking each one again.
import type { PaxosValue } from '../paxos/messages.js';

/** One decided record, with its number in this store's decided log. */
export interface DecidedEntry {
  readonly seq: number;
  readonly key: string;
  readonly value: PaxosValue;
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

/** Collects a page from entries in log order, stopping at the limits (one entry at least). */
export function collectPage(
  since: number,
  head: number,
  entries: Iterable<DecidedEntry & { readonly bytes: number }>,
  limits: PageLimits,
): DecidedPage {
  const page: DecidedEntry[] = [];
  let bytes = 0;
  for (const { seq, key, value, bytes: size } of entries) {
    if (seq <= since || seq > head) continue;
    if (page.length > 0 && (page.length >= limits.maxKeys || bytes + size > limits.maxBytes)) break;
    page.push({ seq, key, value });
    bytes += size;
  }
  return { entries: page, next: page.at(-1)?.seq ?? since, head, bytes };
}
