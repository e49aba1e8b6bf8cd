/**
 * Exact percentiles (nearest rank), with no histogram buckets: a 0.15 ms latency stays 0.15 ms and not "0"
 * (performance.md B2: autocannon's whole-millisecond histogram). Ranks are found by selection (quickselect)
 * rather than a full sort: on this 2-core box sorting a million doubles took 220 ms, and a report needs
 * seven summaries, so selection keeps a 1M-sample report well inside 1 % of its run (G8).
 */
import type { LatencyStat } from '../check/slo.js';

/** Percentile ranks of the latency statistics, as fractions. */
export const PERCENTILE_RANKS: Readonly<Record<Exclude<LatencyStat, 'max' | 'mean'>, number>> = {
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p99_9: 0.999,
};

/** The chance, at the fewest samples {@link minSamplesFor} allows, that every sample lies below the true percentile. */
export const UNDER_SAMPLED_RISK = 0.05;

/**
 * Fewest samples for which a nearest-rank pX is an estimate and not just the largest values: with n
 * samples the chance that all of them lie below the true pX is X^n, and below n = ln(0.05)/ln(X)
 * (≈ 3/(1−X), the "rule of three") that chance exceeds 5 %, so even the maximum is no 95 % upper bound.
 * p50 needs 5, p90 29, p95 59, p99 299, p99.9 2,995: p99 of 400 stands, p99.9 of 400 and p99 of 9 do not.
 */
export function minSamplesFor(rank: number): number {
  return Math.ceil(Math.log(UNDER_SAMPLED_RISK) / Math.log(rank) - 1e-9);
}

/** The percentile keys (`p99`, `p99_9`, …) that `n` samples are too few for; none when n is 0 (nothing to mark). */
export function underSampledStats(n: number): (keyof typeof PERCENTILE_RANKS)[] {
  if (n === 0) return [];
  return (Object.keys(PERCENTILE_RANKS) as (keyof typeof PERCENTILE_RANKS)[]).filter(
    (key) => n < minSamplesFor(PERCENTILE_RANKS[key]),
  );
}

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

const EMPTY: Summary = {
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

/** Index of the nearest-rank `p` (0 < p ≤ 1) among `n` ascending values: the smallest with ≥ p·n at or below it. */
export function rankIndex(n: number, p: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(p * n - 1e-9) - 1));
}

/** The nearest-rank `p` value of `sorted[0..n)` (ascending). */
export function nearestRank(sorted: ArrayLike<number>, n: number, p: number): number {
  return n === 0 ? Number.NaN : sorted[rankIndex(n, p)]!;
}

/**
 * Summarises `values[0..n)` in place: the array is reordered (partitioned), not sorted. Values must be
 * finite. Cost is a few linear passes.
 */
export function summarizeInPlace(values: Float64Array, n = values.length): Summary {
  if (n === 0) return EMPTY;
  let min = values[0]!;
  let max = values[0]!;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  let lo = 0;
  const at = (p: number) => {
    const k = rankIndex(n, p);
    select(values, k, lo, n - 1);
    lo = k; // everything right of k is ≥ values[k]: the next, higher rank is found there
    return values[k]!;
  };
  const p50 = at(PERCENTILE_RANKS.p50);
  const p90 = at(PERCENTILE_RANKS.p90);
  const p95 = at(PERCENTILE_RANKS.p95);
  const p99 = at(PERCENTILE_RANKS.p99);
  const p99_9 = at(PERCENTILE_RANKS.p99_9);
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

/** Moves the k-th smallest of `a[lo..hi]` to index k, smaller ones left of it and larger ones right (Hoare). */
export function select(a: Float64Array, k: number, lo: number, hi: number): void {
  while (hi > lo) {
    // Median of three as pivot keeps sorted and reverse-sorted input linear.
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < a[lo]!) swap(a, mid, lo);
    if (a[hi]! < a[lo]!) swap(a, hi, lo);
    if (a[hi]! < a[mid]!) swap(a, hi, mid);
    const pivot = a[mid]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
