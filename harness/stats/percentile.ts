/**
 * Nearest-rank percentiles, the one definition every part of the harness uses: pX of n values is the
 * smallest value with at least X·n values at or below it, always a value that was measured (no
 * interpolation, no histogram buckets: a 0.15 ms latency stays 0.15 ms). Ranks are found by selection
 * (quickselect) rather than a full sort, which keeps a million-sample report cheap; see docs/measurement.md.
 */

/** The percentile statistics a summary carries, by key (`p99_9` is p99.9). */
export type PercentileKey = 'p50' | 'p90' | 'p95' | 'p99' | 'p99_9';

/** Percentile ranks of the summary statistics, as fractions. */
export const PERCENTILE_RANKS: Readonly<Record<PercentileKey, number>> = {
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p99_9: 0.999,
};

/**
 * Index of the nearest-rank `p` (0 ≤ p ≤ 1) among `n` ascending values: the smallest with ≥ p·n at or below
 * it. The 1e-9 absorbs float error in p·n (0.07 × 100 is 7.000000000000001, whose rank is 7, not 8).
 */
export function rankIndex(n: number, p: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(p * n - 1e-9) - 1));
}

/** The nearest-rank `p` value of `sorted[0..n)` (ascending); NaN when n is 0. */
export function nearestRank(sorted: ArrayLike<number>, n: number, p: number): number {
  return n === 0 ? Number.NaN : sorted[rankIndex(n, p)]!;
}

/**
 * The nearest-rank values of `values[0..n)` at each rank of `ranks` (ascending), by selection: the array is
 * reordered (partitioned), not sorted. Values must not be NaN. NaN results when n is 0.
 */
export function percentilesInPlace(values: Float64Array, n: number, ranks: readonly number[]): number[] {
  if (n === 0) return ranks.map(() => Number.NaN);
  let lo = 0;
  return ranks.map((p) => {
    const k = rankIndex(n, p);
    select(values, k, lo, n - 1);
    // Everything right of k is ≥ values[k]: the next, higher rank is found there.
    lo = k;
    return values[k]!;
  });
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
