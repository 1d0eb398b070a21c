// The outbound queue of one link: items pushed in the same tick leave as one frame (batching is
// what makes the wire fast), split only to respect `maxFrameBytes` and `maxItemsPerFrame`.
// Backpressure: when the socket already holds `maxBufferedBytes` unsent, or the queue is full,
// new items are dropped and counted instead of growing memory without limit. Dropping is safe
// for Paxos messages (loss is normal); client replies are never pushed past the bound either,
// and their requests then time out on the client.

/** What the outbox writes to: a WebSocket, or a fake in tests. */
export interface FrameSink {
  /** Bytes handed to the socket and not yet written to the network. */
  readonly bufferedAmount: number;
  send(bytes: Uint8Array): void;
}

export interface OutboxLimits {
  readonly maxBufferedBytes: number;
  readonly maxQueuedItems: number;
  readonly maxFrameBytes: number;
  readonly maxItemsPerFrame: number;
}

export interface OutboxCounters {
  framesSent: number;
  itemsSent: number;
  bytesSent: number;
  droppedBackpressure: number;
  droppedOversized: number;
}

export type Schedule = (flush: () => void) => void;
/** Runs `flush` later; returns what cancels it. */
export type LazySchedule = (flush: () => void) => () => void;

/**
 * How long a lazy item waits at most for a frame that leaves anyway. Far below every protocol
 * timer (a phase, a takeover: 150 ms and more unless configured lower), and a few sequential
 * asks long, so a decide usually rides the next propose or acknowledgement to its member.
 */
export const LAZY_FLUSH_MS = 5;

const afterLazyWait: LazySchedule = (flush) => {
  const timer = setTimeout(flush, LAZY_FLUSH_MS);
  timer.unref();
  return () => clearTimeout(timer);
};

export class Outbox<T> {
  private queue: T[] = [];
  private scheduled = false;
  private closed = false;
  /** Cancels the lazy items' own flush, while one is pending. */
  private cancelLazyFlush: (() => void) | null = null;

  constructor(
    private readonly sink: FrameSink,
    /** Encodes a batch of items as one frame. */
    private readonly encode: (items: readonly T[]) => Uint8Array,
    private readonly limits: OutboxLimits,
    private readonly counters: OutboxCounters,
    /** Runs the flush after the current tick: every push of this tick joins the batch. */
    private readonly schedule: Schedule = (flush) => setImmediate(flush),
    /** Runs the flush of lazy items that no other item took along (LAZY_FLUSH_MS later). */
    private readonly scheduleLazy: LazySchedule = afterLazyWait,
  ) {}

  /** Queues `item` for the next frame. False when it was dropped (closed, or backpressure). */
  push(item: T): boolean {
    if (!this.admit()) return false;
    this.queue.push(item);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
    return true;
  }

  /**
   * Queues `item`, which nobody waits for, for the next frame that leaves anyway (one pushed
   * with `push`), or LAZY_FLUSH_MS later if none does: one frame, one write and one wake-up of
   * the peer fewer. False when it was dropped, as with `push`.
   */
  pushLazy(item: T): boolean {
    if (!this.admit()) return false;
    this.queue.push(item);
    if (!this.scheduled && this.cancelLazyFlush === null) {
      this.cancelLazyFlush = this.scheduleLazy(() => {
        this.cancelLazyFlush = null;
        this.flush();
      });
    }
    return true;
  }

  private admit(): boolean {
    if (this.closed) return false;
    if (
      this.sink.bufferedAmount > this.limits.maxBufferedBytes ||
      this.queue.length >= this.limits.maxQueuedItems
    ) {
      this.counters.droppedBackpressure++;
      return false;
    }
    return true;
  }

  /** Items waiting for the next flush. */
  get queued(): number {
    return this.queue.length;
  }

  /** Drops what is queued; later pushes are refused. */
  close(): void {
    this.closed = true;
    this.queue = [];
    this.stopLazyFlush();
  }

  flush(): void {
    this.scheduled = false;
    this.stopLazyFlush();
    if (this.closed || this.queue.length === 0) return;
    const items = this.queue;
    this.queue = [];
    for (let start = 0; start < items.length; start += this.limits.maxItemsPerFrame) {
      this.sendFrame(items.slice(start, start + this.limits.maxItemsPerFrame));
    }
  }

  private stopLazyFlush(): void {
    this.cancelLazyFlush?.();
    this.cancelLazyFlush = null;
  }

  private sendFrame(items: readonly T[]): void {
    const bytes = this.encode(items);
    if (bytes.byteLength > this.limits.maxFrameBytes) {
      if (items.length === 1) {
        // One item larger than the peer accepts: sending it would only get the link closed.
        this.counters.droppedOversized++;
        return;
      }
      const half = Math.ceil(items.length / 2);
      this.sendFrame(items.slice(0, half));
      this.sendFrame(items.slice(half));
      return;
    }
    this.sink.send(bytes);
    this.counters.framesSent++;
    this.counters.itemsSent += items.length;
    this.counters.bytesSent += bytes.byteLength;
  }
}

/** The bounds of one link's outboxes (peer links and client sessions alike). */
export interface LinkLimits {
  readonly maxBufferedBytes: number;
  readonly maxQueuedItems: number;
  readonly maxItemsPerFrame: number;
}
