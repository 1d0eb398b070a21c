// Lazy writes wait for the next write that is not lazy, or for the timer, and go in the order held.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LazyWrites } from '../../src/storage/lazyWrites.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('LazyWrites', () => {
  it('issues nothing until released, then every held write in order, settling each as its write does', async () => {
    const lazy = new LazyWrites(20);
    const issued: string[] = [];
    const first = lazy.hold(async () => void issued.push('a'));
    const second = lazy.hold(() => {
      issued.push('b');
      return Promise.reject(new Error('disk full'));
    });
    expect(issued).toEqual([]);
    lazy.release();
    expect(issued).toEqual(['a', 'b']);
    await expect(first).resolves.toBeUndefined();
    await expect(second).rejects.toThrow('disk full');
    lazy.release();
    expect(issued).toEqual(['a', 'b']);
  });

  it('issues held writes by itself after its longest wait', async () => {
    vi.useFakeTimers();
    const lazy = new LazyWrites(20);
    const issued: string[] = [];
    const done = lazy.hold(async () => void issued.push('a'));
    vi.advanceTimersByTime(19);
    expect(issued).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(issued).toEqual(['a']);
    await done;
  });
});
