// The configuration database (docs/membership.md §4.1, §5.2): what a node keeps durably about its
// group's configurations — the chain it adopted (configurations 0..adopted), its epoch fence, and
// the highest epoch it knows complete — and the key listing a rescan report is built from. Both
// stores shipped here keep it (MemoryStorage with its commits, LmdbStorage in its `config`
// database); a store without it runs the node on the member list it was started with, as before.
import { Packr } from 'msgpackr';
import { createPlainUnpack } from '../base/plainMsgpack.js';
import type { Configuration } from '../paxos/config.js';
import { isReservedKey } from '../paxos/config.js';
import type { KeyRecord } from '../paxos/record.js';
import type { ReportEntry } from '../paxos/rescan.js';

/** A node's durable configuration state. `chain[i].number === i`; the last one is adopted. */
export interface StoredMembership {
  readonly chain: readonly Configuration[];
  /** The lowest epoch the node still votes in (acceptor.ts `fence`). */
  readonly fence: number;
  /** The highest epoch whose `\0done` the node knows decided (0: only epoch 0 is complete). */
  readonly completeEpoch: number;
}

export interface MembershipStore {
  /** The state last saved (durable or still in flight), or undefined for a store never given one. */
  loadMembership(): StoredMembership | undefined;
  /** Saves `state` whole; resolves once it is durable, rejects if it cannot be made durable. */
  saveMembership(state: StoredMembership): Promise<void>;
  /**
   * A rescan report's entries (rescan.ts R1): every user key with an accepted or a decided record
   * as the store holds it now (writes issued included), sorted by key, each once.
   */
  reportEntries(): ReportEntry[];
}

/** Whether `storage` keeps a configuration database (both stores shipped here do). */
export function hasMembershipStore<T extends object>(storage: T): storage is T & MembershipStore {
  const store = storage as Partial<MembershipStore>;
  return typeof store.loadMembership === 'function' && typeof store.saveMembership === 'function';
}

/**
 * The report of a store: every key of `keys` (each at most once; repeats are skipped) whose
 * record, as `load` gives it, holds an accepted or a decided value; in string order.
 */
export function reportOf(
  keys: Iterable<string>,
  load: (key: string) => KeyRecord | undefined,
): ReportEntry[] {
  const seen = new Set<string>();
  const entries: ReportEntry[] = [];
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = reportEntryOf(key, load(key));
    if (entry !== null) entries.push(entry);
  }
  return sortEntries(entries);
}

/** A report entry for `key`'s record, or null when the record holds nothing a rescan moves. */
export function reportEntryOf(key: string, record: KeyRecord | undefined): ReportEntry | null {
  if (record === undefined || isReservedKey(key)) return null;
  if (record.accepted === null && record.decided === null) return null;
  return { key, accepted: record.accepted, decided: record.decided };
}

/** Entries in JavaScript string order (the rescan's merge compares keys with `<`). */
export function sortEntries(entries: ReportEntry[]): ReportEntry[] {
  return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const packr = new Packr({ useRecords: false, copyBuffers: true });
const unpack = createPlainUnpack({ copyBuffers: true });

export function encodeMembership(state: StoredMembership): Buffer {
  return packr.pack(state);
}

/** Decodes a stored state; throws on one that is not a chain of numbered configurations. */
export function decodeMembership(bytes: Uint8Array): StoredMembership {
  const state = unpack(bytes) as StoredMembership;
  const ok =
    typeof state === 'object' &&
    state !== null &&
    Array.isArray(state.chain) &&
    state.chain.every(
      (config, i) => config.number === i && Array.isArray(config.voters) && typeof config.epoch === 'number',
    ) &&
    Number.isSafeInteger(state.fence) &&
    Number.isSafeInteger(state.completeEpoch);
  if (!ok) throw new Error('the configuration database holds a malformed record');
  return state;
}
