import { describe, expect, it } from 'vitest';
import { rankIndex, summarize } from '../../../harness/load/stats.js';

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
