/**
 * Statistics of a benchmark's rounds: median, min and max over rounds, per-round ratios of a candidate to
 * its interleaved baseline, and the analytic latency reference of performance.md B7. Pure.
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
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
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

/**
 * Candidate / baseline, round by round: each ratio compares two runs made next to each other, so slow
 * drift of a shared machine cancels out (performance.md Part C). Both lists must have one value per round.
 */
export function pairwiseRatios(candidate: readonly number[], baseline: readonly number[]): number[] {
  checkPaired(candidate, baseline);
  return candidate.map((value, i) => value / baseline[i]);
}

/** Candidate − baseline, round by round (e.g. Δp50 in ms). */
export function pairwiseDifferences(candidate: readonly number[], baseline: readonly number[]): number[] {
  checkPaired(candidate, baseline);
  return candidate.map((value, i) => value - baseline[i]);
}

function checkPaired(candidate: readonly number[], baseline: readonly number[]): void {
  if (candidate.length !== baseline.length) {
    throw new RangeError(`paired rounds differ in length: ${candidate.length} candidate vs ${baseline.length} baseline values`);
  }
}

/** CPU time as a share of one core over a wall-clock interval: 1.0 is one core fully busy. */
export function shareOfCore(cpuMicros: number, wallMs: number): number {
  return wallMs > 0 ? cpuMicros / 1000 / wallMs : Number.NaN;
}

/**
 * The q-quantile of latency (ms) that an honest open-loop client sees against a server whose event loop
 * stalls for `stallMs` every `periodMs`, at a constant arrival rate (performance.md B7). A request that
 * arrives `φ` ms into a stall waits `stallMs − φ`, so P(latency > x) = (stallMs − x) / periodMs and the
 * quantile is stallMs − (1 − q)·periodMs; below the stalled share it is the (ignored) service time, 0.
 * Example: 100 ms every 1000 ms gives p99 = 90 ms and p95 = 50 ms.
 */
export function stallPercentileMs(stallMs: number, periodMs: number, q: number): number {
  if (!(stallMs >= 0 && periodMs > 0 && stallMs <= periodMs && q > 0 && q < 1)) {
    throw new RangeError(`stall ${stallMs} ms every ${periodMs} ms at quantile ${q}: need 0 ≤ stall ≤ period and 0 < q < 1`);
  }
  return Math.max(0, stallMs - (1 - q) * periodMs);
}
