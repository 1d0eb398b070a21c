import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/base/virtualClock.js';

describe('VirtualClock', () => {
  it('fires timers in due order, then creation order, advancing time to each', () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    while (clock.runNext());
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('never fires a cleared timer, and counts only live ones', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const id = clock.setTimeout(() => fired.push(1), 5);
    clock.setTimeout(() => fired.push(2), 6);
    clock.clearTimeout(id);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextDueMs()).toBe(6);
    clock.advance(100);
    expect(fired).toEqual([2]);
    expect(clock.now()).toBe(100);
  });

  it('fires timers set by timers within an advance', () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 5), 5);
    clock.advance(9);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([10]);
  });
});
