// The durable store (DESIGN.md §5): one LMDB environment per data directory. Writes of all keys
// are group-committed; a write resolves only once its commit is fsync'd; `load` sees writes not
// yet committed through an in-memory overlay. Also keeps the node's identity (node id,
// incarnation), the incarnations it has seen of its peers (amnesia.ts), and the decided log with
// the catch-up cursors (decidedLog.ts).
import { mkdirSync } from 'node:fs';
import { ERROR_CODES, GenPaxosError } from '../base/errors.js';
import type { KeyRecord } from '../paxos/record.js';
import type { IncarnationStore } from './amnesia.js';
import { CommitStatsRecorder, type CommitInfo, type DurableCommitStats } from './commitStats.js';
import { CommitGroups, durable, failureReason } from './lmdbCommits.js';
import {
  decidedLogEntries,
  type DecidedLog,
  type DecidedPage,
  type KeyOrderPage,
  type PageLimits,
} from './decidedLog.js';
import { lockDataDir } from './dataDirLock.js';
import {
  dropBelowWindow,
  lastLogged,
  readDecidedInKeyOrder,
  readDecidedSince,
  trimDecidedLog,
} from './lmdbDecidedLog.js';
import {
  establishIdentity,
  nextBoot,
  numberDecidedKeys,
  openDatabases,
  type Databases,
  type DirectoryIdentity,
} from './lmdbOpening.js';
import {
  decodeAcceptor,
  decodeDecided,
  decodeKey,
  decodeString,
  encodeAcceptor,
  encodeDecided,
  encodeKey,
  encodeSeq,
  encodeString,
} from './lmdbLayout.js';
import {
  decodeMembership,
  encodeMembership,
  reportOf,
  type MembershipStore,
  type StoredMembership,
} from './membershipStore.js';
import type { ReportEntry } from '../paxos/rescan.js';
import { LazyWrites } from './lazyWrites.js';
import { RecordCache } from './recordCache.js';
import { compactRecord, type Storage, type WriteOptions } from './storage.js';

/** The one key of the `config` database. */
const MEMBERSHIP_KEY = 'membership';

/**
 * Key records kept in memory in front of LMDB: a few times the keys a node has in flight (the
 * bench's heaviest load puts about 256 on each node). No bigger: a cached record lives long enough
 * to be promoted to V8's old space, so the cache's size shows up several times over in the old
 * space V8 keeps committed. At 8,192 the nodes' RSS after 1M keys was about 10 MB higher than at
 * 1,024, and 2,048 decided as fast as 8,192 (bench/ab.ts, docs/performance.md).
 */
const RECORD_CACHE_SIZE = 2048;

/** How long a lazy write (storage.ts) may wait for another write to share its commit. */
const LAZY_WRITE_MAX_WAIT_MS = 20;

export interface LmdbStorageOptions {
  /** The data directory; created if missing. One directory per node. */
  readonly path: string;
  /** The node the directory belongs to: a directory created for another id is refused. */
  readonly nodeId: string;
  /** Called after every successful commit (benchmarks, metrics). */
  readonly onCommit?: (commit: CommitInfo) => void;
  /** How many of its last entries the decided log keeps (decidedLog.ts); at least 1. */
  readonly decidedLogEntries?: number;
}

export class LmdbStorage implements Storage, IncarnationStore, DecidedLog, MembershipStore {
  private dbs: Databases | null = null;
  private state: 'new' | 'opening' | 'open' | 'closing' | 'closed' = 'new';
  private opening: Promise<void> | null = null;
  private closing: Promise<void> | null = null;
  private releaseLock: (() => void) | null = null;
  private identity: DirectoryIdentity | null = null;
  private bootCount = 0;
  /** Set by the first failed write, sticky: the store refuses every later write. */
  private failure: Promise<GenPaxosError> | null = null;
  /** Issued writes not yet durable: what `load` must see before LMDB does. Latest per key. */
  private readonly overlay = new Map<string, { readonly record: KeyRecord; readonly seq: number }>();
  /** Records read or written lately (recordCache.ts): most messages of an ask need no LMDB read. */
  private readonly cache = new RecordCache(RECORD_CACHE_SIZE);
  private readonly peerOverlay = new Map<string, string>();
  private readonly cursorOverlay = new Map<string, number>();
  /** The configuration state saved and not yet durable (membershipStore.ts). */
  private membershipOverlay: StoredMembership | null = null;
  private seq = 0;
  /** The number the next decided record takes in the decided log, minus one. */
  private decidedIssued = 0;
  /** How many entries the decided log keeps. */
  private readonly logKept: number;
  /** Durability of every write in flight, for `close` to wait on. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly recorder = new CommitStatsRecorder();
  private readonly groups: CommitGroups;
  /** Lazy writes held back until the next write that is not (or a timer): they ride its commit. */
  private readonly lazyWrites = new LazyWrites(LAZY_WRITE_MAX_WAIT_MS);

  constructor(private readonly options: LmdbStorageOptions) {
    if (typeof options?.path !== 'string' || options.path.length === 0)
      throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'LmdbStorage needs a data directory path');
    if (typeof options.nodeId !== 'string' || options.nodeId.length === 0)
      throw new GenPaxosError(ERROR_CODES.BAD_OPTION, 'LmdbStorage needs the id of the node it belongs to');
    this.logKept = decidedLogEntries('LmdbStorage', options.decidedLogEntries);
    this.groups = new CommitGroups(this.recorder, options.onCommit);
  }

  get path(): string {
    return this.options.path;
  }

  /** Group-commit counters: commits, keys per commit, commit latency. */
  get stats(): DurableCommitStats {
    return this.recorder.snapshot();
  }
  commitStats(): DurableCommitStats {
    return this.stats;
  }

  /** Storage.boot: how many times this data directory was opened. Needs `open()`. */
  get boot(): number {
    if (this.identity === null) throw this.notOpen();
    return this.bootCount;
  }

  /** This node's incarnation: generated when the data directory was created. Needs `open()`. */
  get incarnation(): string {
    if (this.identity === null) throw this.notOpen();
    return this.identity.incarnation;
  }

  /** True if this `open()` created the directory's identity (a new, empty data directory). */
  get createdDataDir(): boolean {
    if (this.identity === null) throw this.notOpen();
    return this.identity.created;
  }

  /**
   * Opens (and on first use initialises) the data directory. Idempotent: a caller may open the
   * store early to read `incarnation` and then hand it to `startLink`, whose call is a no-op.
   * Throws PAXOS_ERR_WRONG_DATA_DIR or PAXOS_ERR_DATA_DIR_LOCKED.
   */
  open(): Promise<void> {
    if (this.closing !== null) return Promise.reject(this.closedError()); // a new instance reopens
    if (this.opening === null) {
      this.state = 'opening';
      this.opening = this.openOnce();
    }
    return this.opening;
  }

  load(key: string): KeyRecord | undefined {
    const dbs = this.readable();
    const pending = this.overlay.get(key);
    if (pending !== undefined) return pending.record;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const record = this.read(dbs, key);
    this.cache.set(key, record ?? null);
    return record;
  }

  private read(dbs: Databases, key: string): KeyRecord | undefined {
    const encoded = encodeKey(key);
    const decided = dbs.decided.get(encoded);
    if (decided !== undefined) return decodeDecided(decided);
    const acceptor = dbs.acceptor.get(encoded);
    return acceptor === undefined ? undefined : decodeAcceptor(acceptor);
  }

  write(key: string, record: KeyRecord, options: WriteOptions = {}): Promise<void> {
    if (this.state !== 'open' || this.dbs === null) return Promise.reject(this.closedError());
    if (this.failure !== null) return this.failure.then(rejectWith);
    const dbs = this.dbs;
    const compact = compactRecord(record);
    // A key's first decided record takes the next number of the decided log, in the same commit.
    const logged = compact.decided !== null && this.load(key)?.decided == null ? ++this.decidedIssued : null;
    const seq = ++this.seq;
    this.overlay.set(key, { record: compact, seq });
    this.cache.set(key, compact);
    const issue = () =>
      this.commit(key, () => {
        const encoded = encodeKey(key);
        if (compact.decided === null) return [dbs.acceptor.put(encoded, encodeAcceptor(compact))];
        // Decided keys keep only the value. The acceptor entry goes after the decided one, so a
        // crash between the two (were they ever split across commits) leaves the key decided.
        const writes: Promise<unknown>[] = [
          dbs.decided.put(encoded, encodeDecided(compact.decided)),
          dbs.acceptor.remove(encoded),
        ];
        if (logged === null) return writes;
        writes.push(dbs.decidedLog.put(encodeSeq(logged), encoded));
        const dropped = dropBelowWindow(dbs, logged, this.logKept);
        if (dropped !== null) writes.push(dropped);
        return writes;
      }).then(() => {
        if (this.overlay.get(key)?.seq === seq) this.overlay.delete(key);
      });
    if (options.lazy === true) {
      // Held back, but in flight all the same: `flush` and `close` wait for it.
      const done = this.lazyWrites.hold(issue);
      this.inFlight.add(done);
      const forget = () => void this.inFlight.delete(done);
      done.then(forget, forget);
      return done;
    }
    // Held-back writes go first, into the same transaction: issue order is durability order.
    this.lazyWrites.release();
    return issue();
  }

  /** Undecided keys with an accepted value: instances a restarted node must resume to stay live. */
  pendingKeys(): string[] {
    const dbs = this.readable();
    const keys = new Set<string>();
    for (const { key, value } of dbs.acceptor.getRange()) {
      if (decodeAcceptor(value).accepted !== null) keys.add(decodeKey(key));
    }
    for (const [key, { record }] of this.overlay) {
      if (record.accepted !== null && record.decided === null) keys.add(key);
      else keys.delete(key);
    }
    return [...keys];
  }

  knownIncarnation(peerId: string): string | undefined {
    const dbs = this.readable();
    return this.peerOverlay.get(peerId) ?? decodeString(dbs.peers.get(encodeString(peerId)));
  }

  /** Every peer incarnation remembered, for inspection and for operators. */
  knownIncarnations(): Record<string, string> {
    const dbs = this.readable();
    const known: Record<string, string> = {};
    for (const { key, value } of dbs.peers.getRange())
      known[decodeString(key) as string] = decodeString(value) as string;
    for (const [peer, incarnation] of this.peerOverlay) known[peer] = incarnation;
    return known;
  }

  rememberIncarnation(peerId: string, incarnation: string): Promise<void> {
    if (this.state !== 'open' || this.dbs === null) return Promise.reject(this.closedError());
    if (this.failure !== null) return this.failure.then(rejectWith);
    const peers = this.dbs.peers;
    this.peerOverlay.set(peerId, incarnation);
    this.lazyWrites.release();
    return this.commit(`\u0000peer:${peerId}`, () => [
      peers.put(encodeString(peerId), encodeString(incarnation)),
    ]).then(() => {
      if (this.peerOverlay.get(peerId) === incarnation) this.peerOverlay.delete(peerId);
    });
  }

  decidedHead(): number {
    return lastLogged(this.readable());
  }

  decidedSince(since: number, limits: PageLimits): DecidedPage {
    return readDecidedSince(this.readable(), since, limits);
  }

  decidedInKeyOrder(after: string | null, limits: PageLimits): KeyOrderPage {
    return readDecidedInKeyOrder(this.readable(), after, limits);
  }

  catchupCursor(peer: string): number {
    const dbs = this.readable();
    const pending = this.cursorOverlay.get(peer);
    if (pending !== undefined) return pending;
    return Number(decodeString(dbs.catchup.get(encodeString(peer))) ?? '0');
  }

  saveCatchupCursor(peer: string, seq: number): Promise<void> {
    if (this.state !== 'open' || this.dbs === null) return Promise.reject(this.closedError());
    if (this.failure !== null) return this.failure.then(rejectWith);
    const catchup = this.dbs.catchup;
    this.cursorOverlay.set(peer, seq);
    return this.commit(`\u0000catchup:${peer}`, () => [
      catchup.put(encodeString(peer), encodeString(String(seq))),
    ]).then(() => {
      if (this.cursorOverlay.get(peer) === seq) this.cursorOverlay.delete(peer);
    });
  }

  loadMembership(): StoredMembership | undefined {
    const stored = this.readable().config.get(encodeString(MEMBERSHIP_KEY));
    return this.membershipOverlay ?? (stored === undefined ? undefined : decodeMembership(stored));
  }

  saveMembership(state: StoredMembership): Promise<void> {
    if (this.state !== 'open' || this.dbs === null) return Promise.reject(this.closedError());
    if (this.failure !== null) return this.failure.then(rejectWith);
    const config = this.dbs.config;
    this.membershipOverlay = state;
    this.lazyWrites.release();
    return this.commit('\u0000config', () => [
      config.put(encodeString(MEMBERSHIP_KEY), encodeMembership(state)),
    ]).then(() => {
      if (this.membershipOverlay === state) this.membershipOverlay = null;
    });
  }

  /** Keys with an accepted or decided record, overlay included (LMDB orders bytes, so sorted here). */
  reportEntries(): ReportEntry[] {
    const dbs = this.readable();
    const decode = (keys: Iterable<Buffer>) => Array.from(keys, decodeKey);
    const keys = [
      ...decode(dbs.acceptor.getKeys()),
      ...decode(dbs.decided.getKeys()),
      ...this.overlay.keys(),
    ];
    return reportOf(keys, (key) => this.load(key));
  }

  isDecidedDurably(key: string): boolean {
    return !this.overlay.has(key) && this.readable().decided.get(encodeKey(key)) !== undefined;
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Waits for every write in flight, then releases the directory. Later writes reject. */
  close(): Promise<void> {
    if (this.closing === null) this.closing = this.closeOnce();
    return this.closing;
  }

  private async openOnce(): Promise<void> {
    const { path, nodeId } = this.options;
    mkdirSync(path, { recursive: true });
    this.releaseLock = lockDataDir(path);
    try {
      this.dbs = openDatabases(path);
      this.identity = await establishIdentity(this.dbs, nodeId, path);
      this.decidedIssued = await numberDecidedKeys(this.dbs);
      await trimDecidedLog(this.dbs, this.logKept);
      this.bootCount = await nextBoot(this.dbs);
      this.state = 'open';
    } catch (error) {
      this.state = 'closed';
      const root = this.dbs?.root;
      this.dbs = null;
      await root?.close().catch(() => {});
      this.releaseLock?.();
      this.releaseLock = null;
      throw error;
    }
  }

  /** Issues one logical write (`issue` returns lmdb-js's commit promises); resolves once durable. */
  private commit(groupKey: string, issue: () => Promise<unknown>[]): Promise<void> {
    this.recorder.wrote();
    let pending: Promise<unknown>[];
    try {
      pending = issue();
    } catch (error) {
      return this.fail(error).then(rejectWith);
    }
    for (const commit of new Set(pending)) this.groups.join(commit, groupKey);
    const done = Promise.all(pending.map(durable)).then(
      () => {},
      (error: unknown) => this.fail(error).then(rejectWith),
    );
    this.inFlight.add(done);
    const forget = () => void this.inFlight.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** The first failure is sticky: the node stops voting, and every later write is refused. */
  private fail(error: unknown): Promise<GenPaxosError> {
    const reason = failureReason(error); // also handles this failure's commitError
    this.failure ??= reason.then((cause) => {
      const detail = cause instanceof Error ? cause.message : String(cause);
      return new GenPaxosError(
        ERROR_CODES.STORAGE_FAILED,
        `write to data directory ${this.options.path} failed: ${detail}`,
        { cause },
      );
    });
    return this.failure;
  }

  private async closeOnce(): Promise<void> {
    if (this.opening !== null) await this.opening.catch(() => {});
    if (this.state !== 'open') {
      this.state = 'closed';
      return;
    }
    this.state = 'closing';
    // Writes already issued finish (or fail) first; their callers are waiting on them.
    this.lazyWrites.release();
    await Promise.allSettled([...this.inFlight]);
    const dbs = this.dbs;
    this.dbs = null;
    this.state = 'closed';
    try {
      await dbs?.root.close();
    } finally {
      this.releaseLock?.();
      this.releaseLock = null;
    }
  }

  private readable(): Databases {
    if (this.dbs === null || (this.state !== 'open' && this.state !== 'closing')) throw this.closedError();
    return this.dbs;
  }

  private notOpen(): GenPaxosError {
    return new GenPaxosError(ERROR_CODES.STORAGE_CLOSED, `data directory ${this.options.path} is not open`);
  }

  private closedError(): GenPaxosError {
    return this.state === 'new' || this.state === 'opening'
      ? this.notOpen()
      : new GenPaxosError(ERROR_CODES.STORAGE_CLOSED, `data directory ${this.options.path} is closed`);
  }
}

function rejectWith(error: Error): never {
  throw error;
}
