// Catch-up: a node pulls its peers' decided logs (storage/decidedLog.ts), so that its local reads
// answer keys decided while it was down, or before it joined, without each key being asked again.
// A decided value is a fact: writing one never breaks agreement, so catch-up needs no quorum. It
// is resumable (one cursor per peer, saved only once the page's records are durable here),
// bounded (one page in flight per peer, at most `maxSources` peers at once, a token bucket on the
// bytes pulled), and it reports its progress (status, /metrics). A peer that says a key decided
// here has another value trips PAXOS_ERR_DISAGREEMENT: an alarm that must never fire.
//
// A peer's log keeps only its last entries. Once a cursor falls below what it keeps (its floor),
// the puller reads the peer's decided records in key order instead, noting the log's head when it
// starts: every record numbered up to that head is among them, and every later one is in the log
// above it, so the cursor then moves to that head. A read that stops part way (a page whose
// records have not landed yet, a failed request) goes on from its last page at the next pull; it is
// not saved, so a node that restarts during it reads again from the first key.
import type { RuntimeClock } from '../../base/clock.js';
import type { PaxosValue } from '../../paxos/messages.js';
import { valuesEqual } from '../../paxos/valueEquality.js';
import type {
  DecidedFact,
  DecidedLog,
  DecidedPage,
  KeyOrderPage,
  PageLimits,
} from '../../storage/decidedLog.js';
import { TokenBucket } from './tokenBucket.js';

export interface CatchupLimits {
  /** Entries per page. */
  readonly maxKeysPerPage: number;
  /** Bytes of keys and values per page (a page holds at least one entry whatever its size). */
  readonly maxBytesPerPage: number;
  /** Average bytes pulled per second, over all peers. */
  readonly bytesPerSecond: number;
  /** Peers pulled from at once. */
  readonly maxSources: number;
  /** How often the puller looks at its peers; a failed pull is tried again after this long. */
  readonly pollMs: number;
  /** How long one page request may take. */
  readonly callTimeoutMs: number;
}

export const DEFAULT_CATCHUP_LIMITS: CatchupLimits = {
  maxKeysPerPage: 512,
  maxBytesPerPage: 256 * 1024,
  bytesPerSecond: 8 * 1024 * 1024,
  maxSources: 2,
  pollMs: 2000,
  callTimeoutMs: 10_000,
};

/** How far this node has pulled one peer's decided log. */
export interface SourceProgress {
  /** Pulled and durable here up to this number of the peer's log. */
  cursor: number;
  /** The peer's last decided number, as of its last page. */
  head: number;
  /** `head − cursor`: decisions of the peer not yet pulled. */
  lagKeys: number;
  /** Decisions pulled since this node started (already known ones included), and their bytes. */
  keys: number;
  bytes: number;
  pages: number;
  /** Failed page requests (peer unreachable, timeout). */
  errors: number;
  /** Reads of the peer's decided records in key order, begun because the cursor was below its log's floor. */
  keyOrderReads: number;
  /** A pull at the peer's head found nothing new, at least once since this node started. */
  reachedHead: boolean;
  lastError?: string;
}

export interface CatchupProgress {
  /** Every peer's head was reached at least once since this node started. */
  readonly caughtUp: boolean;
  readonly disagreements: number;
  readonly sources: Readonly<Record<string, Readonly<SourceProgress>>>;
}

export interface CatchupPullerOptions {
  /** The peers to pull from (the other members). */
  readonly sources: () => readonly string[];
  /** Whether `peer` can be asked now. */
  readonly reachable: (peer: string) => boolean;
  /** One page of `peer`'s decided log after `since`. */
  readonly fetch: (
    peer: string,
    since: number,
    limits: PageLimits,
    timeoutMs: number,
  ) => Promise<DecidedPage>;
  /** One page of `peer`'s decided records in key order after `after` (null: from the first). */
  readonly fetchKeys: (
    peer: string,
    after: string | null,
    limits: PageLimits,
    timeoutMs: number,
  ) => Promise<KeyOrderPage>;
  /** Hands decisions to the node as learned from `peer`: it writes them like any decide it hears. */
  readonly learn: (peer: string, entries: readonly DecidedFact[]) => void;
  /** The decision this node holds for `key`, written or being written, if any. */
  readonly decidedHere: (key: string) => { readonly value: PaxosValue } | null | undefined;
  /** `peer` says `entry` where this node decided `local`: the node must stop voting. */
  readonly onDisagreement: (peer: string, entry: DecidedFact, local: PaxosValue) => void;
  /** Cursors, and the barrier that says the learned records are durable. */
  readonly log: Pick<DecidedLog, 'catchupCursor' | 'saveCatchupCursor' | 'flush' | 'isDecidedDurably'>;
  readonly clock: RuntimeClock;
  readonly limits?: Partial<CatchupLimits>;
}

export class CatchupPuller {
  readonly limits: CatchupLimits;
  private readonly progressBySource = new Map<string, SourceProgress>();
  /** Reads in key order under way, per peer: where the next page starts, and the head at the first. */
  private readonly keyOrderReads = new Map<string, { after: string | null; resume: number | null }>();
  private readonly active = new Set<string>();
  /** When a peer that failed, or has a page left, may be asked again. */
  private readonly nextPollMs = new Map<string, number>();
  /**
   * Peers to pull from: not yet pulled to their head since this node started, their link came back
   * up (peerUp), or their last pull failed. While a link stays up, decisions arrive over it, so a
   * caught-up peer is not asked again: pulling every key twice more would cost as much as deciding.
   */
  private readonly due = new Set<string>();
  /** Every source ever made due by `introduce`. */
  private readonly introduced = new Set<string>();
  /** peerUp calls per peer, so that one arriving during a pull keeps the peer due after it. */
  private readonly ups = new Map<string, number>();
  private readonly bucket: TokenBucket;
  private timer: unknown = null;
  private readonly sleepers = new Set<() => void>();
  private disagreements = 0;
  private stopped = false;

  constructor(private readonly options: CatchupPullerOptions) {
    this.limits = { ...DEFAULT_CATCHUP_LIMITS, ...options.limits };
    const { bytesPerSecond, maxBytesPerPage } = this.limits;
    this.bucket = new TokenBucket(bytesPerSecond, Math.max(bytesPerSecond, maxBytesPerPage), () =>
      options.clock.now(),
    );
  }

  start(): void {
    this.introduce();
    this.schedule(0);
  }

  /**
   * Sources this puller has not seen before are due: at start, and each source a configuration
   * adds later (a new voter, or every voter once a joining node adopts its first configuration).
   */
  private introduce(): void {
    for (const peer of this.options.sources()) {
      if (this.introduced.has(peer)) continue;
      this.introduced.add(peer);
      this.due.add(peer);
    }
  }

  /** `peer`'s link came (back) up: what it decided meanwhile may not have reached this node. */
  peerUp(peer: string): void {
    if (this.stopped) return;
    this.due.add(peer);
    this.ups.set(peer, (this.ups.get(peer) ?? 0) + 1);
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const wake of this.sleepers) wake();
  }

  progress(): CatchupProgress {
    const sources: Record<string, SourceProgress> = {};
    for (const peer of this.options.sources()) sources[peer] = { ...this.progressOf(peer) };
    const caughtUp = Object.values(sources).every((source) => source.reachedHead);
    return { caughtUp, disagreements: this.disagreements, sources };
  }

  /** Starts pulling from the peers that may be pulled now, and looks again every `pollMs`. */
  private tick(): void {
    this.introduce();
    const now = this.options.clock.now();
    for (const peer of this.options.sources()) {
      if (this.stopped || this.active.size >= this.limits.maxSources) break;
      if (!this.due.has(peer) || this.active.has(peer) || (this.nextPollMs.get(peer) ?? 0) > now) continue;
      if (!this.options.reachable(peer)) continue;
      void this.pull(peer);
    }
    this.schedule(this.limits.pollMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      this.tick();
    }, delayMs);
  }

  /** Pages through `peer`'s log until its head, one page in flight. */
  private async pull(peer: string): Promise<void> {
    this.active.add(peer);
    const upsAtStart = this.ups.get(peer) ?? 0;
    const progress = this.progressOf(peer);
    const { clock, log } = this.options;
    try {
      while (!this.stopped && this.options.reachable(peer)) {
        const since = log.catchupCursor(peer);
        const page = await this.options.fetch(peer, since, this.pageLimits(), this.limits.callTimeoutMs);
        if (this.stopped) return;
        if (page.floor > since) {
          // What followed the cursor is no longer numbered there: read every decided key instead.
          if (await this.readInKeyOrder(peer, progress)) continue;
          this.nextPollMs.set(peer, clock.now() + this.limits.pollMs);
          return;
        }
        if (!this.learn(peer, page.entries)) return;
        progress.pages++;
        progress.head = page.head;
        progress.keys += page.entries.length;
        progress.bytes += page.bytes;
        const upTo = await this.makeDurable(page);
        if (this.stopped) return;
        if (upTo > since) await log.saveCatchupCursor(peer, upTo);
        progress.cursor = Math.max(progress.cursor, upTo);
        progress.lagKeys = Math.max(0, page.head - progress.cursor);
        if (upTo < page.next || page.next >= page.head) {
          // At the head (or a record did not land: ask again later).
          // Done with this peer once a pull at its head finds nothing new: its last decided
          // records may still have been on their way to its disk (lazy writes) a moment ago.
          const quiet = upTo >= page.head && page.entries.length === 0;
          progress.reachedHead ||= quiet;
          if (quiet && (this.ups.get(peer) ?? 0) === upsAtStart) this.due.delete(peer);
          this.nextPollMs.set(peer, clock.now() + this.limits.pollMs);
          return;
        }
        const waitMs = this.bucket.take(page.bytes);
        if (waitMs > 0) await this.sleep(waitMs);
      }
    } catch (error) {
      progress.errors++;
      progress.lastError = error instanceof Error ? error.message : String(error);
      this.nextPollMs.set(peer, clock.now() + this.limits.pollMs);
    } finally {
      this.active.delete(peer);
      this.schedule(0); // another peer may be waiting for a free slot
    }
  }

  /**
   * Reads `peer`'s decided records in key order to the last (going on with a read under way), then
   * moves the cursor to the log's head as the read's first page saw it. False if it stopped before
   * the last (unreachable, stopped, a page whose records have not landed here yet, a disagreement);
   * a failed request throws.
   */
  private async readInKeyOrder(peer: string, progress: SourceProgress): Promise<boolean> {
    let read = this.keyOrderReads.get(peer);
    if (read === undefined) {
      read = { after: null, resume: null };
      this.keyOrderReads.set(peer, read);
      progress.keyOrderReads++;
    }
    while (!this.stopped && this.options.reachable(peer)) {
      const page = await this.options.fetchKeys(
        peer,
        read.after,
        this.pageLimits(),
        this.limits.callTimeoutMs,
      );
      if (this.stopped || !this.learn(peer, page.entries)) return false;
      read.resume ??= page.head;
      progress.pages++;
      progress.head = Math.max(progress.head, page.head);
      progress.keys += page.entries.length;
      progress.bytes += page.bytes;
      // Not landed yet: the next pull asks for this page again.
      if ((await this.durablePrefix(page.entries)) < page.entries.length || this.stopped) return false;
      if (page.done) {
        this.keyOrderReads.delete(peer);
        await this.options.log.saveCatchupCursor(peer, read.resume);
        progress.cursor = Math.max(progress.cursor, read.resume);
        progress.lagKeys = Math.max(0, progress.head - progress.cursor);
        return true;
      }
      read.after = page.last;
      const waitMs = this.bucket.take(page.bytes);
      if (waitMs > 0) await this.sleep(waitMs);
    }
    return false;
  }

  private pageLimits(): PageLimits {
    return { maxKeys: this.limits.maxKeysPerPage, maxBytes: this.limits.maxBytesPerPage };
  }

  /** Hands the page's new decisions to the node; false (and the alarm) on a disagreement. */
  private learn(peer: string, entries: readonly DecidedFact[]): boolean {
    const fresh: DecidedFact[] = [];
    for (const entry of entries) {
      const local = this.options.decidedHere(entry.key);
      if (local == null) fresh.push(entry);
      else if (!valuesEqual(local.value, entry.value)) {
        this.disagreements++;
        this.options.onDisagreement(peer, entry, local.value);
        this.stop();
        return false;
      }
    }
    if (fresh.length > 0) this.options.learn(peer, fresh);
    return true;
  }

  /**
   * Waits until the page's records are durable here; returns the number up to which every entry
   * is decided here (a node that stopped voting, say, wrote nothing: its cursor must not move).
   */
  private async makeDurable(page: DecidedPage): Promise<number> {
    if (page.entries.length === 0) return page.next;
    const landed = await this.durablePrefix(page.entries);
    return landed === 0 ? page.entries[0]!.seq - 1 : page.entries[landed - 1]!.seq;
  }

  /** Waits for the store's writes, then counts the leading entries whose records are durable here. */
  private async durablePrefix(entries: readonly DecidedFact[]): Promise<number> {
    if (entries.length === 0) return 0;
    await this.options.log.flush();
    const landed = entries.findIndex((entry) => !this.options.log.isDecidedDurably(entry.key));
    return landed === -1 ? entries.length : landed;
  }

  private progressOf(peer: string): SourceProgress {
    let progress = this.progressBySource.get(peer);
    if (progress === undefined) {
      const cursor = this.options.log.catchupCursor(peer);
      progress = {
        cursor,
        head: cursor,
        lagKeys: 0,
        keys: 0,
        bytes: 0,
        pages: 0,
        errors: 0,
        keyOrderReads: 0,
        reachedHead: false,
      };
      this.progressBySource.set(peer, progress);
    }
    return progress;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.sleepers.delete(wake);
        this.options.clock.clearTimeout(timer);
        resolve();
      };
      const timer = this.options.clock.setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}
