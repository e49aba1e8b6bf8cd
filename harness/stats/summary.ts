/**
 * Summaries of one set of samples: count, min, max, mean and the nearest-rank percentiles of
 * {@link PERCENTILE_RANKS}. A few linear passes; nothing is fully sorted.
 */
import { PERCENTILE_RANKS, percentilesInPlace } from './percentile.js';

/** Percentiles of one set of samples, in the samples' unit; NaN values when `n` is 0. */
export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly p99_9: number;
  readonly max: number;
  readonly mean: number;
}

/** The summary of no samples. */
export const EMPTY_SUMMARY: Summary = {
  n: 0,
  min: Number.NaN,
  p50: Number.NaN,
  p90: Number.NaN,
  p95: Number.NaN,
  p99: Number.NaN,
  p99_9: Number.NaN,
  max: Number.NaN,
  mean: Number.NaN,
};

// Ascending, so each selection starts where the previous one ended.
const RANKS = [
  PERCENTILE_RANKS.p50,
  PERCENTILE_RANKS.p90,
  PERCENTILE_RANKS.p95,
  PERCENTILE_RANKS.p99,
  PERCENTILE_RANKS.p99_9,
];

/**
 * Summarises `values[0..n)` in place: the array is reordered (partitioned), not sorted. Values must be
 * finite. Cost is a few linear passes.
 */
export function summarizeInPlace(values: Float64Array, n = values.length): Summary {
  if (n === 0) return EMPTY_SUMMARY;
  let min = values[0]!;
  let max = values[0]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const [p50, p90, p95, p99, p99_9] = percentilesInPlace(values, n, RANKS) as [number, number, number, number, number];
  return { n, min, p50, p90, p95, p99, p99_9, max, mean: sum / n };
}

/** Summarises a copy of the finite values of `values`, each multiplied by `scale` (e.g. 0.001: µs → ms). */
export function summarize(values: ArrayLike<number>, scale = 1): Summary {
  const copy = new Float64Array(values.length);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) copy[n++] = v * scale;
  }
  return summarizeInPlace(copy, n);
}
