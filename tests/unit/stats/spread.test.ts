import { describe, expect, it } from 'vitest';
import { median, NO_SPREAD, single, spreadOf } from '../../../harness/stats/spread.js';

describe('median and spread over rounds', () => {
  it('takes the middle value of an odd count and the mean of the two middle values of an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('leaves failed rounds (NaN) out of the median, the extremes and the count', () => {
    // Prepare
    const values = [0.31, Number.NaN, 0.35, 0.29];
    // Act
    const spread = spreadOf(values);
    // Assess
    expect(spread).toEqual({ median: 0.31, min: 0.29, max: 0.35, n: 3 });
  });

  it('reports no spread at all when no round gave a number', () => {
    expect(spreadOf([])).toEqual(NO_SPREAD);
    expect(spreadOf([Number.NaN])).toEqual(NO_SPREAD);
    expect(median([])).toBeNaN();
    expect(median([Number.POSITIVE_INFINITY])).toBeNaN();
  });

  it('turns a single finite value into a one-round spread, and NaN into none', () => {
    expect(single(12)).toEqual({ median: 12, min: 12, max: 12, n: 1 });
    expect(single(Number.NaN).n).toBe(0);
  });

  it('does not reorder the caller’s values', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});
