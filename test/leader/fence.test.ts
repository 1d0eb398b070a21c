import { describe, expect, it } from 'vitest';
import { admitEpoch, Fence } from '../../src/leader/fence.js';

describe('fence', () => {
  it('admits epochs at least as high as the highest seen, refuses older ones', () => {
    const fence = new Fence();
    expect(fence.admit(1)).toEqual({ admitted: true, highestEpoch: 1 });
    expect(fence.admit(1)).toEqual({ admitted: true, highestEpoch: 1 });
    expect(fence.admit(3)).toEqual({ admitted: true, highestEpoch: 3 });
    expect(fence.admit(2)).toEqual({ admitted: false, highestEpoch: 3 });
    expect(fence.admit(Number.NaN)).toEqual({ admitted: false, highestEpoch: 3 });
    expect(fence.highestEpoch).toBe(3);
    expect(admitEpoch(3, 4)).toEqual({ admitted: true, highestEpoch: 4 });
  });
});
