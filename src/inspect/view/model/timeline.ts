// Replay of a recorded run (a demo recording, or a simulation seed exported in the feed
// format): a cursor over the events that can be stepped, played by event time and scrubbed to
// any point. The model at cursor i is the model after applying events [0, i). Going back
// restores the nearest checkpoint (a model snapshot taken on the way forward) and applies the
// events after it, so scrubbing costs at most `checkpointEvery` applications. Browser-safe.
import { ClusterModel, type ClusterModelData, type ClusterModelOptions } from './clusterModel.js';
import type { ViewEvent } from './viewEvents.js';

export interface TimelineOptions {
  /** Events between checkpoints. Default: enough for at most ~100 checkpoints, at least 500. */
  readonly checkpointEvery?: number;
  readonly model?: ClusterModelOptions;
}

export class Timeline {
  private current: ClusterModel;
  private position = 0;
  private readonly checkpoints = new Map<number, ClusterModelData>();
  private readonly every: number;
  /** Running maximum of event times: feeds merge clocks of several processes, so `t` may dip. */
  private readonly times: number[];

  constructor(
    readonly events: readonly ViewEvent[],
    private readonly options: TimelineOptions = {},
  ) {
    this.every = options.checkpointEvery ?? Math.max(500, Math.ceil(events.length / 100));
    this.current = new ClusterModel(options.model);
    this.checkpoints.set(0, this.current.toData());
    let max = Number.NEGATIVE_INFINITY;
    this.times = events.map((e) => (max = Math.max(max, e.t)));
  }

  /** Events applied: 0 (nothing yet) to `length` (the whole run). */
  get cursor(): number {
    return this.position;
  }

  get length(): number {
    return this.events.length;
  }

  get model(): ClusterModel {
    return this.current;
  }

  /** Time of the first and the last event. */
  get startTime(): number {
    return this.times[0] ?? 0;
  }

  get endTime(): number {
    return this.times[this.times.length - 1] ?? 0;
  }

  /** Time at the cursor: of the last event applied (the start before any). */
  get time(): number {
    return this.position === 0 ? this.startTime : (this.times[this.position - 1] as number);
  }

  /** The event the next step applies, if any. */
  get next(): ViewEvent | undefined {
    return this.events[this.position];
  }

  /** Moves the cursor to `index` (clamped) and returns the model there. */
  seek(index: number): ClusterModel {
    const target = Math.max(0, Math.min(this.events.length, Math.floor(index)));
    if (target < this.position) {
      const base = Math.floor(target / this.every) * this.every;
      let from = base;
      while (!this.checkpoints.has(from)) from -= this.every;
      this.current = ClusterModel.fromData(
        this.checkpoints.get(from) as ClusterModelData,
        this.options.model,
      );
      this.position = from;
    }
    while (this.position < target) {
      this.current.apply(this.events[this.position] as ViewEvent);
      this.position++;
      if (this.position % this.every === 0 && !this.checkpoints.has(this.position))
        this.checkpoints.set(this.position, this.current.toData());
    }
    return this.current;
  }

  /** `count` events forward (negative: back). */
  step(count = 1): ClusterModel {
    return this.seek(this.position + count);
  }

  /** The number of events with a time at or before `t`. */
  indexAtTime(t: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.times[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Applies every event up to time `t` (playback); never moves back. */
  playTo(t: number): ClusterModel {
    return this.seek(Math.max(this.position, this.indexAtTime(t)));
  }
}
