// The outbox: one frame per tick, split only by the frame bounds; backpressure drops (and
// counts) instead of queueing without limit. Driven by hand: no sockets, no timers.
import { describe, expect, it } from 'vitest';
import { Outbox, type OutboxCounters } from '../../src/transport/wire/outbox.js';

function harness(
  limits: Partial<{
    maxBufferedBytes: number;
    maxQueuedItems: number;
    maxFrameBytes: number;
    maxItemsPerFrame: number;
  }> = {},
) {
  const frames: string[][] = [];
  const sink = {
    bufferedAmount: 0,
    send: (bytes: Uint8Array) => void frames.push(JSON.parse(new TextDecoder().decode(bytes)) as string[]),
  };
  const counters: OutboxCounters = {
    framesSent: 0,
    itemsSent: 0,
    bytesSent: 0,
    droppedBackpressure: 0,
    droppedOversized: 0,
  };
  let pending: (() => void) | null = null;
  const outbox = new Outbox<string>(
    sink,
    (items) => new TextEncoder().encode(JSON.stringify(items)),
    { maxBufferedBytes: 1000, maxQueuedItems: 100, maxFrameBytes: 1000, maxItemsPerFrame: 100, ...limits },
    counters,
    (flush) => {
      pending = flush;
    },
    (flush) => {
      lazy = flush;
      return () => {
        lazy = null;
      };
    },
  );
  let lazy: (() => void) | null = null;
  const tick = () => {
    const flush = pending;
    pending = null;
    flush?.();
  };
  /** The lazy items' own flush comes due (LAZY_FLUSH_MS in a real outbox). */
  const lazyDue = () => {
    const flush = lazy;
    lazy = null;
    flush?.();
  };
  return { outbox, sink, frames, counters, tick, lazyDue, lazyPending: () => lazy !== null };
}

describe('Outbox', () => {
  it('sends a lazy item with the next frame that leaves anyway, in order, and cancels its own flush', () => {
    const { outbox, frames, tick, lazyDue, lazyPending } = harness();
    expect(outbox.pushLazy('decide-1')).toBe(true);
    tick();
    expect(frames).toEqual([]); // nothing urgent queued: no frame of its own this tick
    expect(lazyPending()).toBe(true);
    outbox.push('propose-2');
    tick();
    expect(frames).toEqual([['decide-1', 'propose-2']]);
    expect(lazyPending()).toBe(false);
    lazyDue();
    expect(frames).toHaveLength(1);
  });

  it('sends lazy items on their own once their wait is over, if nothing else went', () => {
    const { outbox, frames, tick, lazyDue } = harness();
    outbox.pushLazy('decide-1');
    outbox.pushLazy('decide-2');
    tick();
    expect(frames).toEqual([]);
    lazyDue();
    expect(frames).toEqual([['decide-1', 'decide-2']]);
  });

  it('takes a lazy item pushed while a flush is scheduled along with it, without a wait of its own', () => {
    const { outbox, frames, tick, lazyPending } = harness();
    outbox.push('ack-1');
    outbox.pushLazy('decide-1');
    expect(lazyPending()).toBe(false);
    tick();
    expect(frames).toEqual([['ack-1', 'decide-1']]);
  });

  it('drops lazy items under backpressure and on close, like any other', () => {
    const full = harness({ maxQueuedItems: 1 });
    full.outbox.push('a');
    expect(full.outbox.pushLazy('b')).toBe(false);
    expect(full.counters.droppedBackpressure).toBe(1);
    const closing = harness();
    closing.outbox.pushLazy('decide');
    closing.outbox.close();
    expect(closing.lazyPending()).toBe(false);
    expect(closing.outbox.pushLazy('after')).toBe(false);
    closing.lazyDue();
    expect(closing.frames).toEqual([]);
  });

  it('sends everything pushed in one tick as one frame', () => {
    const { outbox, frames, counters, tick } = harness();
    for (let i = 0; i < 50; i++) expect(outbox.push(`m${i}`)).toBe(true);
    tick();
    expect(frames).toHaveLength(1);
    expect(frames[0]).toHaveLength(50);
    expect(counters).toMatchObject({ framesSent: 1, itemsSent: 50 });
    outbox.push('later');
    tick();
    expect(frames[1]).toEqual(['later']);
  });

  it('splits a batch by items per frame and by frame bytes, in order', () => {
    const byCount = harness({ maxItemsPerFrame: 3 });
    for (let i = 0; i < 7; i++) byCount.outbox.push(`${i}`);
    byCount.tick();
    expect(byCount.frames).toEqual([['0', '1', '2'], ['3', '4', '5'], ['6']]);

    const byBytes = harness({ maxFrameBytes: 30 });
    const items = Array.from({ length: 8 }, (_, i) => `item-${i}`);
    items.forEach((item) => byBytes.outbox.push(item));
    byBytes.tick();
    expect(byBytes.frames.flat()).toEqual(items);
    for (const frame of byBytes.frames) expect(JSON.stringify(frame).length).toBeLessThanOrEqual(30);
  });

  it('drops (and counts) one item larger than a frame, sending the rest', () => {
    const { outbox, frames, counters, tick } = harness({ maxFrameBytes: 20 });
    outbox.push('small');
    outbox.push('x'.repeat(100));
    outbox.push('tiny');
    tick();
    expect(frames.flat()).toEqual(['small', 'tiny']);
    expect(counters.droppedOversized).toBe(1);
  });

  it('backpressure: past maxBufferedBytes unsent, new items are dropped and counted', () => {
    const { outbox, sink, frames, counters, tick } = harness({ maxBufferedBytes: 100 });
    outbox.push('before');
    sink.bufferedAmount = 101;
    expect(outbox.push('during')).toBe(false);
    expect(outbox.push('during, again')).toBe(false);
    sink.bufferedAmount = 0;
    expect(outbox.push('after')).toBe(true);
    tick();
    expect(frames.flat()).toEqual(['before', 'after']);
    expect(counters.droppedBackpressure).toBe(2);
  });

  it('bounds the queue within a tick', () => {
    const { outbox, counters, tick, frames } = harness({ maxQueuedItems: 10 });
    for (let i = 0; i < 25; i++) outbox.push(`${i}`);
    tick();
    expect(frames.flat()).toHaveLength(10);
    expect(counters.droppedBackpressure).toBe(15);
  });

  it('after close, drops what was queued and refuses more', () => {
    const { outbox, frames, tick } = harness();
    outbox.push('queued');
    outbox.close();
    expect(outbox.push('late')).toBe(false);
    tick();
    expect(frames).toEqual([]);
  });
});
