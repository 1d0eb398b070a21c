// The effect runner's per-key barrier (src/node/effectRunner.ts), modelled: a node's writes
// become durable one at a time and in order, and every other effect waits behind the writes
// issued before it. A node's queue is its writes not yet durable and the effects held behind
// them; a crash drops it. Used by the `queued` durability mode, where a client may observe a
// node between its steps (a read of the store), so durability cannot be folded into each step.
import { hasBit } from './bitset.js';
import { Interner } from './canonical.js';
import type { Step } from './nodeSteps.js';
import type { World } from './world.js';

export interface Released {
  /** Effects that take place now, in order. */
  readonly ready: readonly Step[];
  /** The interned queue left behind. */
  readonly queue: number;
}

export class WriteQueues {
  private readonly queues = new Interner<readonly Step[]>();
  readonly empty: number;

  constructor() {
    this.empty = this.intern([]);
  }

  get(id: number): readonly Step[] {
    return this.queues.get(id);
  }

  /** The record of the last write still in the queue, if any: what `Storage.load` returns. */
  latestRecord(id: number): number | null {
    const queue = this.get(id);
    for (let i = queue.length - 1; i >= 0; i--) {
      const step = queue[i] as Step;
      if (step.kind === 'persist') return step.record;
    }
    return null;
  }

  /**
   * A step's effects join the node's queue. With nothing in flight, effects up to its first
   * write happen at once. Behind a write in flight, effects already done or already queued are
   * dropped: a later copy of a message is released no earlier than the first, so it adds no
   * behaviour (and without this, a refused request delivered again and again would grow the
   * queue for ever).
   */
  append(world: World, node: number, steps: readonly Step[]): Released {
    const queue = this.get(world.queues[node] as number);
    if (queue.length === 0) return this.split(steps);
    const queued = new Set<number>();
    let learned = world.learned;
    let lastRecord = -1;
    for (const step of queue) {
      if (step.kind === 'send') step.messages.forEach((m) => queued.add(m));
      if (step.kind === 'decided') learned |= 1 << step.value;
      if (step.kind === 'persist') lastRecord = step.record;
    }
    const kept: Step[] = [];
    for (const step of steps) {
      if (step.kind === 'send') {
        const fresh = step.messages.filter((m) => !queued.has(m) && !hasBit(world.network, m));
        fresh.forEach((m) => queued.add(m));
        if (fresh.length > 0) kept.push({ kind: 'send', messages: fresh });
      } else if (step.kind === 'decided') {
        if ((learned & (1 << step.value)) === 0) kept.push(step);
        learned |= 1 << step.value;
      } else {
        // The same record again: durable at the same moment as the one before it in a group commit.
        if (step.record !== lastRecord) kept.push(step);
        lastRecord = step.record;
      }
    }
    return { ready: [], queue: this.intern([...queue, ...kept]) };
  }

  /** The oldest write becomes durable: it and the effects held behind it alone take place. */
  commit(id: number): Released {
    const queue = this.get(id);
    if (queue.length === 0 || queue[0]?.kind !== 'persist') throw new Error('no write in flight');
    const rest = this.split(queue.slice(1));
    return { ready: [queue[0], ...rest.ready], queue: rest.queue };
  }

  private split(steps: readonly Step[]): Released {
    const firstWrite = steps.findIndex((step) => step.kind === 'persist');
    if (firstWrite < 0) return { ready: steps, queue: this.empty };
    return { ready: steps.slice(0, firstWrite), queue: this.intern(steps.slice(firstWrite)) };
  }

  private intern(steps: readonly Step[]): number {
    const key = steps
      .map((s) =>
        s.kind === 'persist'
          ? `p${s.record}:${s.acceptance ?? ''}`
          : s.kind === 'send'
            ? `s${s.messages.join('.')}`
            : `d${s.value}`,
      )
      .join(',');
    return this.queues.intern(key, () => steps);
  }
}
