import { describe, expect, it } from 'vitest';
import { minSamplesFor, rankIndex, summarize, underSampledStats } from '../../../harness/load/stats.js';

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

  it('returns NaN statistics for no samples', () => {
    expect(summarize([]).p50).toBeNaN();
    expect(rankIndex(1, 0.5)).toBe(0);
  });
});

describe('minSamplesFor and underSampledStats', () => {
  it('asks pX for the n at which X^n falls to 5 % (≈ 3/(1−X)), and marks what fewer samples cannot carry', () => {
    // Act
    const minimums = [0.5, 0.9, 0.95, 0.99, 0.999].map(minSamplesFor);

    // Assess: 0.99^299 ≈ 0.0496 ≤ 5 % < 0.99^298; p99 of 400 stands, p99.9 of 400 and p99 of 9 do not.
    expect(minimums).toEqual([5, 29, 59, 299, 2995]);
    expect(underSampledStats(400)).toEqual(['p99_9']);
    expect(underSampledStats(9)).toEqual(['p90', 'p95', 'p99', 'p99_9']);
    expect(underSampledStats(3_000)).toEqual([]);
    expect(underSampledStats(0)).toEqual([]);
  });
});
