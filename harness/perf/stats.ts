/**
 * Benchmark-only statistics: per-round ratios of a candidate to its interleaved baseline, CPU shares, and
 * the analytic latency reference of a stalling server (docs/measurement.md). Medians and spreads over rounds are in
 * harness/stats/spread.ts. Pure.
 */

/**
 * Candidate / baseline, round by round: each ratio compares two runs made next to each other, so slow
 * drift of a shared machine cancels out (docs/measurement.md#interleaved-rounds). Both lists must have one value per round.
 */
export function pairwiseRatios(candidate: readonly number[], baseline: readonly number[]): number[] {
  checkPaired(candidate, baseline);
  return candidate.map((value, i) => value / baseline[i]!);
}

/** Candidate − baseline, round by round (e.g. Δp50 in ms). */
export function pairwiseDifferences(candidate: readonly number[], baseline: readonly number[]): number[] {
  checkPaired(candidate, baseline);
  return candidate.map((value, i) => value - baseline[i]!);
}

function checkPaired(candidate: readonly number[], baseline: readonly number[]): void {
  if (candidate.length !== baseline.length) {
    throw new RangeError(
      `paired rounds differ in length: ${candidate.length} candidate vs ${baseline.length} baseline values`,
    );
  }
}

/** CPU time as a share of one core over a wall-clock interval: 1.0 is one core fully busy. */
export function shareOfCore(cpuMicros: number, wallMs: number): number {
  return wallMs > 0 ? cpuMicros / 1000 / wallMs : Number.NaN;
}

/**
 * The q-quantile of latency (ms) that an honest open-loop client sees against a server whose event loop
 * stalls for `stallMs` every `periodMs`, at a constant arrival rate (docs/measurement.md#coordinated-omission). A request that
 * arrives `φ` ms into a stall waits `stallMs − φ`, so P(latency > x) = (stallMs − x) / periodMs and the
 * quantile is stallMs − (1 − q)·periodMs; below the stalled share it is the (ignored) service time, 0.
 * Example: 100 ms every 1000 ms gives p99 = 90 ms and p95 = 50 ms.
 */
export function stallPercentileMs(stallMs: number, periodMs: number, q: number): number {
  if (!(stallMs >= 0 && periodMs > 0 && stallMs <= periodMs && q > 0 && q < 1)) {
    throw new RangeError(
      `stall ${stallMs} ms every ${periodMs} ms at quantile ${q}: need 0 ≤ stall ≤ period and 0 < q < 1`,
    );
  }
  return Math.max(0, stallMs - (1 - q) * periodMs);
}
