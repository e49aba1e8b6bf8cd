/**
 * Median, min and max of a figure measured over several rounds (a benchmark's rounds), non-finite
 * values (a failed round) left out. Unlike the nearest-rank p50, the median of an even count is the mean
 * of the two middle values: with three to five rounds that is the usual, symmetric choice.
 */

/** Median, min and max of one figure over its rounds; all NaN (n = 0) when no round gave a finite value. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Rounds that gave a finite value. */
  readonly n: number;
}

/** The spread of nothing: what a phase that produced no number reports. */
export const NO_SPREAD: Spread = { median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 };

/** Median of the finite values (mean of the two middle ones for an even count); NaN when there are none. */
export function median(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, min and max of the finite values; non-finite ones (a failed round) are left out and not counted. */
export function spreadOf(values: readonly number[]): Spread {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return NO_SPREAD;
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

/** A figure measured once (or reported only as a median by its producer). */
export function single(value: number): Spread {
  return Number.isFinite(value) ? { median: value, min: value, max: value, n: 1 } : NO_SPREAD;
}
