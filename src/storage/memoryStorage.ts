// In-memory storage with group commit: writes issued together become "durable" together in one
// commit, like the durable store. For tests, simulations and library users who ask for it
// explicitly. Its fault hooks model a crash (uncommitted writes are lost), a slow disk and a
// failing one.
import { pack } from 'msgpackr';
import type { TimerClock } from '../base/clock.js';
import type { KeyRecord } from '../paxos/record.js';
import { CommitStatsRecorder, type DurableCommitStats } from './commitStats.js';
import {
  collectKeyOrderPage,
  collectPage,
  decidedLogEntries,
  type DecidedFact,
  type DecidedLog,
  type DecidedPage,
  type KeyOrderPage,
  type PageLimits,
} from './decidedLog.js';
import { reportOf, type MembershipStore, type StoredMembership } from './membershipStore.js';
import type { ReportEntry } from '../paxos/rescan.js';
import { compactRecord, type Storage } from './storage.js';

export interface MemoryStorageOptions {
  /** Schedules commits (and times them, if it tells the time); without it a commit runs in a microtask. */
  readonly clock?: TimerClock & { now?(): number };
  /** Delay of each commit on `clock`, to model a slow disk. */
  readonly commitDelayMs?: number;
  /** How many of its last entries the decided log keeps (decidedLog.ts). */
  readonly decidedLogEntries?: number;
}

/** What an observer sees: each write as issued, and each commit with the keys it made durable. */
export type StorageEvent =
  | { readonly type: 'write'; readonly key: string; readonly record: KeyRecord }
  | { readonly type: 'commit'; readonly keys: readonly string[] };

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export class MemoryStorage implements Storage, DecidedLog, MembershipStore {
  /** Delay of each commit; tests may change it at any time to make the disk slow. */
  commitDelayMs: number;
  private readonly recorder = new CommitStatsRecorder();
  private firstPendingAtMs = 0;
  private readonly durable = new Map<string, KeyRecord>();
  private pending = new Map<string, KeyRecord>();
  private waiters: Waiter[] = [];
  private commitScheduled = false;
  private failure: Error | null = null;
  private generation = 0;
  private readonly observers = new Set<(event: StorageEvent) => void>();
  /** The decided log's kept entries: the key of decided record n at index n − 1 − logFloor. */
  private readonly decidedLog: string[] = [];
  private logFloor = 0;
  private readonly logKept: number;
  private readonly cursors = new Map<string, number>();
  /** The configuration database: committed with the keys, lost by a crash until then. */
  private membership: { durable?: StoredMembership; pending?: StoredMembership } = {};
  /** `flush` callers waiting for the next commit (or failure) of what is pending. */
  private flushers: (() => void)[] = [];

  constructor(private readonly options: MemoryStorageOptions = {}) {
    this.commitDelayMs = options.commitDelayMs ?? 0;
    this.logKept = decidedLogEntries('MemoryStorage', options.decidedLogEntries);
  }

  /** Storage.boot: counts `open()` calls, which a simulated crash and restart keep. */
  boot = 0;

  async open(): Promise<void> {
    this.boot++;
  }

  load(key: string): KeyRecord | undefined {
    return this.pending.get(key) ?? this.durable.get(key);
  }

  write(key: string, record: KeyRecord): Promise<void> {
    this.recorder.wrote();
    if (this.waiters.length === 0) this.firstPendingAtMs = this.nowMs();
    this.pending.set(key, compactRecord(record));
    for (const observer of this.observers) observer({ type: 'write', key, record });
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.scheduleCommit();
    return done;
  }

  loadMembership(): StoredMembership | undefined {
    return this.membership.pending ?? this.membership.durable;
  }

  /** The configuration database as a crash would leave it (for the simulation's checks). */
  loadDurableMembership(): StoredMembership | undefined {
    return this.membership.durable;
  }

  saveMembership(state: StoredMembership): Promise<void> {
    this.recorder.wrote();
    if (this.waiters.length === 0) this.firstPendingAtMs = this.nowMs();
    this.membership.pending = state;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.scheduleCommit();
    return done;
  }

  reportEntries(): ReportEntry[] {
    return reportOf([...this.durable.keys(), ...this.pending.keys()], (key) => this.load(key));
  }

  /** Commit counters, as the durable store keeps them. */
  get stats(): DurableCommitStats {
    return this.recorder.snapshot();
  }

  commitStats(): DurableCommitStats {
    return this.recorder.snapshot();
  }

  async close(): Promise<void> {
    if (this.pending.size > 0 || this.membership.pending !== undefined) this.commit(this.generation);
  }

  decidedHead(): number {
    return this.logFloor + this.decidedLog.length;
  }

  decidedSince(since: number, limits: PageLimits): DecidedPage {
    const head = this.decidedHead();
    const { decidedLog: log, logFloor: floor } = this;
    const fact = (key: string) => this.decidedFact(key);
    function* entries() {
      for (let seq = Math.max(since, floor) + 1; seq <= head; seq++)
        yield { seq, ...fact(log[seq - 1 - floor] as string) };
    }
    return collectPage(since, head, floor, entries(), limits);
  }

  /** Key order here is JavaScript's string order. */
  decidedInKeyOrder(after: string | null, limits: PageLimits): KeyOrderPage {
    const keys: string[] = [];
    for (const [key, record] of this.durable)
      if (record.decided != null && (after === null || key > after)) keys.push(key);
    keys.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    const fact = (key: string) => this.decidedFact(key);
    function* records() {
      for (const key of keys) yield fact(key);
    }
    return collectKeyOrderPage(after, this.decidedHead(), records(), limits);
  }

  /** `key`'s durable decided value, with the bytes it would take stored (UTF-16 key, msgpack value). */
  private decidedFact(key: string): DecidedFact & { bytes: number } {
    const value = this.durable.get(key)?.decided?.value ?? null;
    return { key, value, bytes: key.length * 2 + pack(value).byteLength };
  }

  catchupCursor(peer: string): number {
    return this.cursors.get(peer) ?? 0;
  }

  /** Kept at once: a simulated crash keeps it (a cursor behind the truth only costs a re-fetch). */
  async saveCatchupCursor(peer: string, seq: number): Promise<void> {
    this.cursors.set(peer, seq);
  }

  isDecidedDurably(key: string): boolean {
    return !this.pending.has(key) && this.durable.get(key)?.decided != null;
  }

  /** Resolves after the next commit, when writes are pending; at once otherwise. */
  flush(): Promise<void> {
    if (this.waiters.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.flushers.push(resolve));
  }

  /** Observes writes and commits (for traces and metrics); returns the remover. */
  observe(observer: (event: StorageEvent) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  pendingKeys(): string[] {
    const keys = new Set([...this.durable.keys(), ...this.pending.keys()]);
    return [...keys].filter((key) => {
      const record = this.load(key);
      return record !== undefined && record.accepted !== null && record.decided === null;
    });
  }

  /** Keys written since the last commit: what a crash now would lose. */
  get uncommittedKeys(): number {
    return this.pending.size;
  }

  /** Every key with a durable record. */
  durableKeys(): IterableIterator<string> {
    return this.durable.keys();
  }

  /** The record as a crash would leave it: only what was committed. */
  loadDurable(key: string): KeyRecord | undefined {
    return this.durable.get(key);
  }

  /**
   * A crash: writes not yet committed are lost and their promises never settle (the process
   * that waited on them is gone). The store stays usable for the node's next incarnation.
   */
  crash(): void {
    this.generation++;
    this.pending = new Map();
    delete this.membership.pending;
    this.waiters = [];
    this.flushers = [];
    this.commitScheduled = false;
  }

  /** Makes every later commit fail with `error` (a full or broken disk); `null` repairs it. */
  failCommits(error: Error | null): void {
    this.failure = error;
  }

  private nowMs(): number {
    return this.options.clock?.now?.() ?? performance.now();
  }

  private scheduleCommit(): void {
    if (this.commitScheduled) return;
    this.commitScheduled = true;
    const generation = this.generation;
    if (this.options.clock) this.options.clock.setTimeout(() => this.commit(generation), this.commitDelayMs);
    else queueMicrotask(() => this.commit(generation));
  }

  private commit(generation: number): void {
    if (generation !== this.generation) return; // scheduled before a crash
    this.commitScheduled = false;
    const waiters = this.waiters;
    const flushers = this.flushers;
    const batch = this.pending;
    const membership = this.membership.pending;
    delete this.membership.pending;
    this.waiters = [];
    this.flushers = [];
    queueMicrotask(() => flushers.forEach((resolve) => resolve()));
    this.pending = new Map();
    if (this.failure !== null) {
      this.recorder.failed();
      for (const waiter of waiters) waiter.reject(this.failure);
      return;
    }
    if (membership !== undefined) this.membership.durable = membership;
    for (const [key, record] of batch) {
      if (record.decided !== null && this.durable.get(key)?.decided == null) this.logDecided(key);
      this.durable.set(key, record);
    }
    this.recorder.committed({
      keys: batch.size,
      writes: waiters.length,
      latencyMs: this.nowMs() - this.firstPendingAtMs,
    });
    for (const observer of this.observers) observer({ type: 'commit', keys: [...batch.keys()] });
    for (const waiter of waiters) waiter.resolve();
  }

  /** Numbers `key`'s first decided record; the log's oldest entry leaves once it holds too many. */
  private logDecided(key: string): void {
    this.decidedLog.push(key);
    if (this.decidedLog.length <= this.logKept) return;
    this.decidedLog.shift();
    this.logFloor++;
  }
}
