/**
 * The "too few samples" rule: below how many samples a nearest-rank percentile is only the largest
 * values and not an estimate. The report marks such percentiles; see docs/measurement.md.
 */
import { PERCENTILE_RANKS, type PercentileKey } from './percentile.js';

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
export function underSampledStats(n: number): PercentileKey[] {
  if (n === 0) return [];
  return (Object.keys(PERCENTILE_RANKS) as PercentileKey[]).filter((key) => n < minSamplesFor(PERCENTILE_RANKS[key]));
}
