import { describe, expect, it } from 'vitest';
import { LATENCY_STATS } from '../../../harness/check/slo.js';
import {
  nearestRank,
  PERCENTILE_RANKS,
  percentilesInPlace,
  rankIndex,
  select,
} from '../../../harness/stats/percentile.js';

describe('rankIndex and nearestRank', () => {
  it('picks the smallest value with at least p·n values at or below it', () => {
    const sorted = [10, 20, 30, 40];
    expect(nearestRank(sorted, 4, 0.5)).toBe(20);
    expect(nearestRank(sorted, 4, 0.51)).toBe(30);
    expect(nearestRank(sorted, 4, 0.99)).toBe(40);
  });

  it('gives the minimum at p = 0 and the maximum at p = 1', () => {
    expect(rankIndex(7, 0)).toBe(0);
    expect(rankIndex(7, 1)).toBe(6);
    expect(rankIndex(1, 0.5)).toBe(0);
  });

  it('absorbs float error in p·n: p7 of 100 values is the 7th, though 0.07 × 100 is 7.000000000000001', () => {
    expect(0.07 * 100).toBeGreaterThan(7);
    expect(rankIndex(100, 0.07)).toBe(6);
  });

  it('is NaN without values', () => {
    expect(nearestRank([], 0, 0.5)).toBeNaN();
  });
});

describe('percentilesInPlace', () => {
  it('finds ascending ranks by selection, as a full sort would', () => {
    // Prepare
    const values = Float64Array.from([9, 1, 8, 2, 7, 3, 6, 4, 5, 10]);
    // Act
    const [p50, p90, p99] = percentilesInPlace(values, values.length, [0.5, 0.9, 0.99]);
    // Assess
    expect([p50, p90, p99]).toEqual([5, 9, 10]);
  });

  it('gives NaN for each rank of no values', () => {
    expect(percentilesInPlace(new Float64Array(0), 0, [0.5, 0.99])).toEqual([Number.NaN, Number.NaN]);
  });
});

describe('select', () => {
  it('moves the k-th smallest to k, with nothing larger left of it', () => {
    const a = Float64Array.from([3, 3, 1, 2, 3, 0]);
    select(a, 2, 0, a.length - 1);
    expect(a[2]).toBe(2);
    for (let i = 0; i < 2; i++) expect(a[i]).toBeLessThanOrEqual(2);
  });
});

describe('PERCENTILE_RANKS', () => {
  it('covers exactly the percentile statistics an SLO can name', () => {
    const percentiles = LATENCY_STATS.filter((s) => s !== 'max' && s !== 'mean');
    expect(Object.keys(PERCENTILE_RANKS)).toEqual(percentiles);
  });
});
