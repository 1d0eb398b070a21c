// A deterministic clock for simulations: timers fire only when the test advances time, in
// order of due time and then of creation. Unlike XState's SimulatedClock (which sorts every
// timer on every step), it keeps a heap, so simulations with thousands of keys stay fast.
import type { RuntimeClock } from './clock.js';

interface Timer {
  readonly id: number;
  readonly dueMs: number;
  readonly fn: () => void;
}

export class VirtualClock implements RuntimeClock {
  private nowMs = 0;
  private nextId = 1;
  private readonly heap: Timer[] = [];
  private readonly cancelled = new Set<number>();

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: (...args: unknown[]) => void, timeoutMs: number): number {
    const id = this.nextId++;
    this.push({ id, dueMs: this.nowMs + Math.max(0, timeoutMs), fn: () => fn() });
    return id;
  }

  clearTimeout(id: unknown): void {
    if (typeof id === 'number') this.cancelled.add(id);
  }

  /** Timers still waiting to fire. */
  get pendingTimers(): number {
    return this.heap.length - this.cancelled.size;
  }

  /** The due time of the next live timer, or `undefined` when none is waiting. */
  nextDueMs(): number | undefined {
    this.dropCancelledTop();
    return this.heap[0]?.dueMs;
  }

  /** Fires the next timer (advancing time to it). Returns false when no timer is waiting. */
  runNext(): boolean {
    this.dropCancelledTop();
    const timer = this.pop();
    if (timer === undefined) return false;
    if (timer.dueMs > this.nowMs) this.nowMs = timer.dueMs;
    timer.fn();
    return true;
  }

  /** Advances time by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      const due = this.nextDueMs();
      if (due === undefined || due > until) break;
      this.runNext();
    }
    this.nowMs = until;
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.cancelled.has((this.heap[0] as Timer).id)) {
      this.cancelled.delete((this.pop() as Timer).id);
    }
  }

  private before(a: Timer, b: Timer): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.id < b.id);
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(heap[i] as Timer, heap[parent] as Timer)) break;
      [heap[i], heap[parent]] = [heap[parent] as Timer, heap[i] as Timer];
      i = parent;
    }
  }

  private pop(): Timer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && this.before(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
        if (right < heap.length && this.before(heap[right] as Timer, heap[smallest] as Timer))
          smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest] as Timer, heap[i] as Timer];
        i = smallest;
      }
    }
    return top;
  }
}
