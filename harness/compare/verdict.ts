/**
 * Verdicts of a base/head comparison, per statistic and overall. The rule is a region-of-practical-
 * equivalence decision: the tolerance t ≥ 0 (ms; a relative one is its share of the base's value) marks the
 * region [−t, +t] of differences that do not matter, and the interval [low, high] of head − base decides:
 * - `regression`   when low > t: the whole interval lies above the tolerance;
 * - `improvement`  when high < −t: the whole interval lies below minus the tolerance;
 * - `no-change`    when −t ≤ low and high ≤ t: the whole interval lies inside the region;
 * - `inconclusive` otherwise (the interval straddles ±t: more data or a wider tolerance is needed), and
 *   always for an insufficient interval.
 * With a 95 % interval a true difference of 0 is called a regression at most ~2.5 % of the time.
 */
import { ExitCode } from '../errors.js';
import type { CompareStatistic, DifferenceInterval } from './interval.js';
import { type MaxRegression, type Tolerance, toleranceMs } from './tolerance.js';

export type Verdict = 'regression' | 'improvement' | 'no-change' | 'inconclusive';

/** A statistic without a tolerance is `info`: shown with its interval, never deciding the overall verdict. */
export type MetricVerdict = Verdict | 'info';

/** One row of the comparison table and of the JSON `comparison.metrics`, as plain data (ms). */
export interface MetricComparison {
  /** What was compared, e.g. `p99` or `lambda.p99`. */
  readonly metric: string;
  readonly statistic: CompareStatistic;
  readonly base: number;
  readonly head: number;
  readonly difference: number;
  /** Interval of head − base; NaN when insufficient. */
  readonly low: number;
  readonly high: number;
  readonly confidence: number;
  /** As the user gave it; undefined for an `info` metric. */
  readonly tolerance: Tolerance | undefined;
  /** The tolerance in ms against this base; undefined for an `info` metric. */
  readonly toleranceMs: number | undefined;
  readonly verdict: MetricVerdict;
  /** Why, in words: the rule that applied, or why there is no interval. */
  readonly reason: string;
}

/** The verdict of an interval [low, high] of head − base against a tolerance of `tMs` ≥ 0 (the rule above). */
export function decide(low: number, high: number, tMs: number): Verdict {
  if (!(low <= high) || !(tMs >= 0)) return 'inconclusive';
  if (low > tMs) return 'regression';
  if (high < -tMs) return 'improvement';
  if (-tMs <= low && high <= tMs) return 'no-change';
  return 'inconclusive';
}

const REASONS: Readonly<Record<Verdict, string>> = {
  regression: 'the whole interval is above the tolerance',
  improvement: 'the whole interval is below minus the tolerance',
  'no-change': 'the whole interval is within the tolerance both ways',
  inconclusive: 'the interval reaches beyond the tolerance without lying wholly outside it',
};

/** Judges one statistic's interval; `tolerance` undefined makes it an `info` row. */
export function judgeMetric(metric: string, interval: DifferenceInterval, tolerance?: Tolerance): MetricComparison {
  const row = {
    metric,
    statistic: interval.statistic,
    base: interval.base,
    head: interval.head,
    difference: interval.difference,
    low: interval.low,
    high: interval.high,
    confidence: interval.confidence,
    tolerance,
    toleranceMs: tolerance === undefined ? undefined : toleranceMs(tolerance, interval.base),
  };
  if (interval.insufficient) {
    const reason = interval.reason ?? 'too little data for an interval';
    return { ...row, verdict: tolerance === undefined ? 'info' : 'inconclusive', reason };
  }
  if (row.toleranceMs === undefined) return { ...row, verdict: 'info', reason: 'no tolerance set: not judged' };
  const verdict = decide(interval.low, interval.high, row.toleranceMs);
  return { ...row, verdict, reason: REASONS[verdict] };
}

/** Judges each interval with the tolerance of its statistic; `metric` defaults to the statistic's name. */
export function judgeMetrics(
  intervals: readonly { readonly metric?: string; readonly interval: DifferenceInterval }[],
  maxRegression: MaxRegression,
): MetricComparison[] {
  return intervals.map(({ metric, interval }) =>
    judgeMetric(metric ?? interval.statistic, interval, maxRegression[interval.statistic]),
  );
}

/**
 * The overall verdict: `regression` if any judged metric regressed; else `inconclusive` if any is; else
 * `improvement` if any improved; else `no-change`. `info` metrics do not count, and with no judged metric at
 * all the verdict is `inconclusive` (nothing was shown to be unchanged).
 */
export function overallVerdict(metrics: readonly Pick<MetricComparison, 'verdict'>[]): Verdict {
  const judged = metrics.map((m) => m.verdict).filter((v): v is Verdict => v !== 'info');
  if (judged.length === 0) return 'inconclusive';
  if (judged.includes('regression')) return 'regression';
  if (judged.includes('inconclusive')) return 'inconclusive';
  if (judged.includes('improvement')) return 'improvement';
  return 'no-change';
}

/** Exit code of a comparison: regression 1, inconclusive 4, no-change and improvement 0. */
export function verdictExitCode(verdict: Verdict): number {
  if (verdict === 'regression') return ExitCode.Fail;
  if (verdict === 'inconclusive') return ExitCode.Inconclusive;
  return ExitCode.Pass;
}
