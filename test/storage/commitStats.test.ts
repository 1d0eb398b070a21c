// The fixed-bucket histograms behind the commit counters.
import { describe, expect, it } from 'vitest';
import { Histogram, histogramPercentile } from '../../src/base/histogram.js';

describe('Histogram', () => {
  it('counts samples per bucket, with +Inf last', () => {
    const histogram = new Histogram([1, 10, 100]);
    for (const value of [0.5, 1, 5, 50, 500]) histogram.observe(value);
    expect(histogram.snapshot()).toEqual({
      upperBounds: [1, 10, 100],
      counts: [2, 1, 1, 1],
      count: 5,
      sum: 556.5,
      max: 500,
    });
  });

  it('estimates percentiles by the upper bound of their bucket, never above the maximum', () => {
    const histogram = new Histogram([1, 10, 100]);
    for (let i = 0; i < 90; i++) histogram.observe(0.5);
    for (let i = 0; i < 9; i++) histogram.observe(7);
    histogram.observe(30);
    const snapshot = histogram.snapshot();
    expect(histogramPercentile(snapshot, 50)).toBe(1);
    expect(histogramPercentile(snapshot, 99)).toBe(10);
    expect(histogramPercentile(snapshot, 100)).toBe(30);
    expect(histogramPercentile(new Histogram([1]).snapshot(), 50)).toBeNaN();
  });
});
