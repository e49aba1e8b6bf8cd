import { describe, expect, it } from 'vitest';
import { EMPTY_SUMMARY, summarize, summarizeInPlace } from '../../../harness/stats/summary.js';

describe('summarize', () => {
  it('uses the nearest rank: p99 of 1..100 is 99 and p99.9 is 100', () => {
    const s = summarize(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(s).toMatchObject({ n: 100, min: 1, p50: 50, p90: 90, p95: 95, p99: 99, p99_9: 100, max: 100, mean: 50.5 });
  });

  it('keeps sub-millisecond resolution (no whole-millisecond buckets)', () => {
    const s = summarize([150, 151, 153, 420], 0.001);
    expect(s.p50).toBeCloseTo(0.151, 9);
    expect(s.max).toBeCloseTo(0.42, 9);
  });

  it('reports an upper bound when there are fewer samples than the percentile needs', () => {
    // With 10 samples, p99 is the maximum: a pass on it is still a true statement.
    expect(summarize([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]).p99).toBe(10);
  });

  it('returns NaN statistics for no samples, or only non-finite ones', () => {
    expect(summarize([])).toEqual(EMPTY_SUMMARY);
    expect(summarize([Number.NaN, Number.POSITIVE_INFINITY]).p50).toBeNaN();
  });

  it('summarises a prefix in place, leaving the values past n alone', () => {
    // Prepare
    const values = Float64Array.from([5, 4, 3, 2, 1, 100, 200]);
    // Act
    const s = summarizeInPlace(values, 5);
    // Assess
    expect(s).toMatchObject({ n: 5, min: 1, p50: 3, max: 5, mean: 3 });
    expect([...values.subarray(5)]).toEqual([100, 200]);
    expect([...values.subarray(0, 5)].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
  });
});
