// The clock of a node that holds messages for delivery by hand: its timers stand still while
// held, keep what was left of their wait, and run on when resumed; cleared timers never fire;
// its time stands still with them, so nothing the node measures counts a hold.
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { HoldableClock } from '../../src/server/holdableClock.js';

function setUp() {
  const base = new SimulatedClock();
  const clock = new HoldableClock(base);
  const fired: string[] = [];
  return {
    base,
    clock,
    fired,
    at: (name: string, ms: number) => clock.setTimeout(() => fired.push(name), ms),
  };
}

describe('HoldableClock', () => {
  it('runs timers like its base clock while not held', () => {
    const { base, clock, fired, at } = setUp();
    at('a', 100);
    at('b', 50);
    base.increment(60);
    expect(fired).toEqual(['b']);
    base.increment(40);
    expect(fired).toEqual(['b', 'a']);
    expect(clock.pending).toBe(0);
  });

  it('stops timers while held, and resumes each with what was left of its wait', () => {
    const { base, clock, fired, at } = setUp();
    at('a', 100);
    base.increment(30);
    clock.hold();
    at('b', 10); // set while held: waits for resume
    base.increment(1000);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(30); // the node's time stands still with its timers
    clock.resume();
    base.increment(9);
    expect(fired).toEqual([]);
    base.increment(1);
    expect(fired).toEqual(['b']);
    base.increment(60);
    expect(fired).toEqual(['b', 'a']); // 70 ms left when held
  });

  it('tells the time less every hold, going on from where each hold stopped it', () => {
    const { base, clock } = setUp();
    base.increment(100);
    expect(clock.now()).toBe(100);
    clock.hold();
    base.increment(5000); // a person reading
    expect(clock.now()).toBe(100);
    clock.resume();
    base.increment(20);
    expect(clock.now()).toBe(120);
    clock.hold();
    base.increment(700);
    clock.hold(); // holding again changes nothing
    clock.resume();
    clock.resume();
    base.increment(1);
    expect(clock.now()).toBe(121);
  });

  it('never fires a timer cleared while held', () => {
    const { base, clock, fired, at } = setUp();
    const a = at('a', 10);
    clock.hold();
    clock.clearTimeout(a);
    clock.resume();
    base.increment(100);
    expect(fired).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});
