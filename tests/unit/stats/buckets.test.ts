import { describe, expect, it } from 'vitest';
import {
  bucketIndex,
  bucketSecondsFor,
  histogram,
  logEdges,
  percentilesOverTime,
} from '../../../harness/stats/buckets.js';

describe('bucketSecondsFor', () => {
  it('uses 1 s buckets up to the point limit, then whole seconds that fit the span into it', () => {
    expect(bucketSecondsFor(30, 60)).toBe(1);
    expect(bucketSecondsFor(60, 60)).toBe(1);
    expect(bucketSecondsFor(61, 60)).toBe(2);
    expect(bucketSecondsFor(600, 60)).toBe(10);
    expect(bucketSecondsFor(0, 60)).toBe(1);
  });
});

describe('percentilesOverTime', () => {
  it('gives each bucket the nearest-rank p50 and p99 of its samples, and NaN to an empty bucket', () => {
    // Prepare: second 0 holds 1..100, second 1 nothing, second 2 a single 7.
    const values = [...Array.from({ length: 100 }, (_, i) => 100 - i), 7];
    const atSeconds = [...Array.from({ length: 100 }, (_, i) => i / 100), 2.5];
    // Act
    const chart = percentilesOverTime(values, atSeconds, 3, 60);
    // Assess
    expect(chart.bucketSeconds).toBe(1);
    expect(chart.startSeconds).toEqual([0, 1, 2]);
    expect(chart.counts).toEqual([100, 0, 1]);
    expect(chart.p50).toEqual([50, Number.NaN, 7]);
    expect(chart.p99).toEqual([99, Number.NaN, 7]);
  });

  it('puts samples before the span in the first bucket and after it in the last', () => {
    const chart = percentilesOverTime([1, 2, 3], [-0.5, 0.5, 9], 2, 60);
    expect(chart.counts).toEqual([2, 1]);
    expect(chart.p99).toEqual([2, 3]);
  });

  it('widens buckets to whole seconds when the span needs more than the point limit', () => {
    const chart = percentilesOverTime([1, 2], [0, 119.9], 120, 60);
    expect(chart.bucketSeconds).toBe(2);
    expect(chart.startSeconds).toHaveLength(60);
    expect(chart.counts[0]).toBe(1);
    expect(chart.counts[59]).toBe(1);
  });

  it('has one empty bucket for no samples', () => {
    const chart = percentilesOverTime([], [], 0, 60);
    expect(chart.counts).toEqual([0]);
    expect(chart.p50).toEqual([Number.NaN]);
  });
});

describe('histogram', () => {
  const edges = [0, 1, 2, 5, 10, 20];

  it('counts each value in the bucket of the last edge at or below it, and trims buckets above the largest', () => {
    const h = histogram([0.5, 1, 1.5, 4.9, 5], edges);
    expect(h).toEqual({ edges: [0, 1, 2, 5], counts: [1, 2, 1, 1] });
  });

  it('keeps the open-ended last bucket for values beyond the last edge', () => {
    expect(histogram([500], edges)).toEqual({ edges, counts: [0, 0, 0, 0, 0, 1] });
  });

  it('keeps the first bucket when there are no values', () => {
    expect(histogram([], edges)).toEqual({ edges: [0], counts: [0] });
  });

  it('finds buckets by binary search, below-range values in the first', () => {
    expect(bucketIndex(edges, -1)).toBe(0);
    expect(bucketIndex(edges, 2)).toBe(2);
    expect(bucketIndex(edges, 19.99)).toBe(4);
  });
});

describe('logEdges', () => {
  it('spaces edges ten to a decade and holds every value between the first and the last', () => {
    const values = [0.37, 1, 2.5, 99.9, 100, 1234];

    const edges = logEdges(values, 10);

    expect(edges[0]).toBeLessThanOrEqual(0.37);
    expect(edges.at(-1)).toBeGreaterThan(1234);
    expect(edges).toContain(1);
    expect(edges).toContain(100);
    expect(edges.filter((e) => e >= 1 && e < 10)).toEqual([1, 1.26, 1.58, 2, 2.51, 3.16, 3.98, 5.01, 6.31, 7.94]);
    for (const v of values) {
      const i = bucketIndex(edges, v);
      expect(edges[i]).toBeLessThanOrEqual(v);
      expect(edges[i + 1]).toBeGreaterThan(v);
    }
  });

  it('has no edges for no values, and takes 0 ms as 1 µs', () => {
    expect(logEdges([], 10)).toEqual([]);
    expect(logEdges([0], 10)[0]).toBeLessThanOrEqual(0.001);
  });
});
