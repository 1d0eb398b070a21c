// Fan-out of a node's inspection stream to any number of viewers, each with a bounded buffer:
// a slow viewer loses its oldest events (counted), it never slows the node or other viewers.

export interface HubStats {
  published: number;
  /** Events dropped because a viewer's buffer was full. */
  dropped: number;
  viewers: number;
}

export interface Viewer<T> {
  /** Takes up to `max` buffered events, oldest first. */
  take(max?: number): T[];
  /** Events this viewer lost to a full buffer. */
  readonly dropped: number;
  close(): void;
}

export class InspectionHub<T> {
  readonly stats: HubStats = { published: 0, dropped: 0, viewers: 0 };
  private readonly viewers = new Set<ViewerBuffer<T>>();

  constructor(private readonly maxBufferedEvents = 10_000) {}

  publish(event: T): void {
    this.stats.published++;
    for (const viewer of this.viewers) {
      if (viewer.push(event)) continue;
      this.stats.dropped++;
    }
  }

  /** A new viewer; `onReady` is called (at most once per batch) when events are waiting. */
  subscribe(onReady: () => void): Viewer<T> {
    const viewer = new ViewerBuffer<T>(this.maxBufferedEvents, onReady, () => {
      this.viewers.delete(viewer);
      this.stats.viewers = this.viewers.size;
    });
    this.viewers.add(viewer);
    this.stats.viewers = this.viewers.size;
    return viewer;
  }

  get hasViewers(): boolean {
    return this.viewers.size > 0;
  }
}

class ViewerBuffer<T> implements Viewer<T> {
  dropped = 0;
  private queue: T[] = [];
  private head = 0;
  private notified = false;

  constructor(
    private readonly capacity: number,
    private readonly onReady: () => void,
    private readonly onClose: () => void,
  ) {}

  /** Returns false when the buffer was full and the oldest event was dropped. */
  push(event: T): boolean {
    let kept = true;
    if (this.queue.length - this.head >= this.capacity) {
      this.head++;
      this.dropped++;
      kept = false;
    }
    this.queue.push(event);
    if (!this.notified) {
      this.notified = true;
      queueMicrotask(() => {
        this.notified = false;
        this.onReady();
      });
    }
    return kept;
  }

  take(max = Number.POSITIVE_INFINITY): T[] {
    const end = Math.min(this.queue.length, this.head + max);
    const out = this.queue.slice(this.head, end);
    this.head = end;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  close(): void {
    this.onClose();
  }
}
