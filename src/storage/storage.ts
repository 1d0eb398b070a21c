// The storage interface: where a node keeps each key's durable record (DESIGN.md §5).
// Reads are synchronous and see every write already issued; writes resolve once durable, and
// the writes of one key become durable in the order they were issued.
import type { KeyRecord } from '../paxos/record.js';
import type { DurableCommitStats } from './commitStats.js';

export interface Storage {
  /** Opens the store. Called once by the node before it serves. */
  open(): Promise<void>;
  /** The latest record written for `key`, durable or not yet, or `undefined` if none. */
  load(key: string): KeyRecord | undefined;
  /**
   * Writes `record` whole. Resolves once it is durable; rejects if it cannot be made durable,
   * after which the node must stop voting (its promises may be lost).
   */
  write(key: string, record: KeyRecord, options?: WriteOptions): Promise<void>;
  /** Flushes what is pending and releases the store. */
  close(): Promise<void>;
  /**
   * Keys whose latest record holds an accepted value but no decision. A node resumes their
   * instances when it starts, so a value accepted before a crash is pushed to a decision even if
   * nobody asks for the key again. Optional: a store without it resumes nothing.
   */
  pendingKeys?(): Iterable<string>;
  /** Group-commit counters (commits, keys per commit, commit latency), for metrics. Optional. */
  commitStats?(): DurableCommitStats;
  /**
   * How many times the store has been opened, durably counted: `open()` makes the new count durable
   * before it resolves, so every start of a node has a boot no earlier start had. The owner's
   * round-0 proposes carry it (paxos/owner.ts). A store without it is taken as boot 0 — fine for
   * a store that never survives its process (the node never restarts on it).
   */
  readonly boot?: number;
}

export interface WriteOptions {
  /**
   * Nothing the node reveals waits for this write (a decided key's record: the value is chosen,
   * so it is on a majority's disks already). The store may hold it back for a short while to ride
   * its next commit instead of causing a commit, and an fsync, of its own. Writes of one key still
   * become durable in the order they were issued.
   */
  readonly lazy?: boolean;
}

/**
 * Decided keys keep only their value: once a key is decided its acceptor state no longer
 * matters (a decided node answers every request with `decide`), so stores may drop it.
 */
export function compactRecord(record: KeyRecord): KeyRecord {
  return record.decided === null ? record : { promised: null, accepted: null, decided: record.decided };
}
