import { describe, expect, it } from 'vitest';
import type { CompareStatistic, DifferenceInterval } from '../../../harness/compare/interval.js';
import { DEFAULT_MAX_REGRESSION } from '../../../harness/compare/tolerance.js';
import {
  decide,
  judgeMetric,
  judgeMetrics,
  overallVerdict,
  type Verdict,
  verdictExitCode,
} from '../../../harness/compare/verdict.js';
import { ExitCode } from '../../../harness/errors.js';

/** An interval of head − base with base 50 ms, as differenceInterval returns it. */
function interval(low: number, high: number, statistic: CompareStatistic = 'p50'): DifferenceInterval {
  return {
    statistic,
    mode: 'paired',
    confidence: 0.95,
    blockSeconds: 1,
    base: 50,
    head: 50 + (low + high) / 2,
    difference: (low + high) / 2,
    low,
    high,
    blocks: { base: 60, head: 60 },
    baseSamples: 3000,
    headSamples: 3000,
    insufficient: false,
    reason: undefined,
  };
}

describe('decide (region of practical equivalence, t = 2 ms)', () => {
  it.each([
    [2.001, 5, 'regression'],
    [2, 5, 'inconclusive'],
    [1, 3, 'inconclusive'],
    [-2, 2, 'no-change'],
    [-1, 1, 'no-change'],
    [-3, 1, 'inconclusive'],
    [-5, -2, 'inconclusive'],
    [-5, -2.001, 'improvement'],
    [-3, 3, 'inconclusive'],
  ] as const)('[%d, %d] → %s', (low, high, verdict) => {
    expect(decide(low, high, 2)).toBe(verdict);
  });

  it('with a zero tolerance needs the interval to exclude 0 and can only call an exact interval no-change', () => {
    expect(decide(0.1, 0.2, 0)).toBe('regression');
    expect(decide(-0.2, -0.1, 0)).toBe('improvement');
    expect(decide(-0.1, 0.1, 0)).toBe('inconclusive');
    expect(decide(0, 0, 0)).toBe('no-change');
  });

  it('is inconclusive for NaN ends or tolerance', () => {
    expect(decide(Number.NaN, Number.NaN, 2)).toBe('inconclusive');
    expect(decide(5, 6, Number.NaN)).toBe('inconclusive');
  });
});

describe('judgeMetric', () => {
  it('turns a relative tolerance into ms against the base and copies the interval into the row', () => {
    // Prepare: base 50 ms, so +10 % is 5 ms.
    const tolerance = { amount: 10, unit: '%' } as const;
    // Act
    const inside = judgeMetric('p99', interval(-4, 4.9, 'p99'), tolerance);
    const above = judgeMetric('lambda.p99', interval(5.1, 9, 'p99'), tolerance);
    // Assess
    expect(inside).toMatchObject({
      metric: 'p99',
      statistic: 'p99',
      base: 50,
      low: -4,
      high: 4.9,
      tolerance,
      verdict: 'no-change',
    });
    expect(inside.toleranceMs).toBeCloseTo(5, 12);
    expect(inside.reason).toContain('within the tolerance');
    expect(above.metric).toBe('lambda.p99');
    expect(above.verdict).toBe('regression');
  });

  it('makes an insufficient interval inconclusive, with its reason', () => {
    const thin = { ...interval(Number.NaN, Number.NaN), insufficient: true, reason: '4 time block(s) of 1 s' };
    const row = judgeMetric('p50', thin, { amount: 2, unit: 'ms' });
    expect(row.verdict).toBe('inconclusive');
    expect(row.reason).toBe('4 time block(s) of 1 s');
  });

  it('reports a statistic without a tolerance as info, even when its interval is far from 0', () => {
    const row = judgeMetric('p90', interval(10, 20, 'p90'));
    expect(row.verdict).toBe('info');
    expect(row.tolerance).toBeUndefined();
    expect(row.low).toBe(10);
  });

  it('is plain data that survives JSON', () => {
    const row = judgeMetric('p50', interval(1, 2), { amount: 2, unit: 'ms' });
    expect(JSON.parse(JSON.stringify(row))).toEqual(row);
  });
});

describe('judgeMetrics', () => {
  it('takes each statistic’s tolerance from the map and leaves the others as info', () => {
    // Act: defaults are p50=+2ms, p99=+10 % of the base (5 ms).
    const rows = judgeMetrics(
      [
        { interval: interval(3, 4, 'p50') },
        { interval: interval(3, 4, 'p99') },
        { metric: 'warm.p90', interval: interval(3, 4, 'p90') },
      ],
      DEFAULT_MAX_REGRESSION,
    );
    // Assess
    expect(rows.map((r) => [r.metric, r.verdict])).toEqual([
      ['p50', 'regression'],
      ['p99', 'no-change'],
      ['warm.p90', 'info'],
    ]);
  });
});

describe('overallVerdict and its exit code', () => {
  const of = (...verdicts: (Verdict | 'info')[]) => overallVerdict(verdicts.map((verdict) => ({ verdict })));

  it('lets a regression win over everything, then inconclusive, then improvement', () => {
    expect(of('no-change', 'inconclusive', 'improvement', 'regression')).toBe('regression');
    expect(of('no-change', 'improvement', 'inconclusive')).toBe('inconclusive');
    expect(of('no-change', 'improvement')).toBe('improvement');
    expect(of('no-change', 'no-change')).toBe('no-change');
  });

  it('ignores info metrics, and is inconclusive when nothing was judged', () => {
    expect(of('no-change', 'info')).toBe('no-change');
    expect(of('info')).toBe('inconclusive');
    expect(of()).toBe('inconclusive');
  });

  it('exits 1 for a regression, 4 when inconclusive and 0 otherwise', () => {
    expect(verdictExitCode('regression')).toBe(ExitCode.Fail);
    expect(verdictExitCode('regression')).toBe(1);
    expect(verdictExitCode('inconclusive')).toBe(4);
    expect(verdictExitCode('improvement')).toBe(0);
    expect(verdictExitCode('no-change')).toBe(0);
  });
});
