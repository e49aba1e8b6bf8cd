import { describe, expect, it } from 'vitest';
import {
  decideVerdict,
  evaluateSlos,
  type LoadFacts,
  type Metrics,
  MIN_SAMPLES,
  parseSlo,
  type SloResult,
} from '../../../harness/check/slo.js';
import { UsageError } from '../../../harness/errors.js';

describe('parseSlo', () => {
  it.each([
    ['p99<=100ms', { metric: 'warm.p99', comparator: '<=', threshold: 100, unit: 'ms' }],
    ['p50 <= 50 ms', { metric: 'warm.p50', comparator: '<=', threshold: 50, unit: 'ms' }],
    ['all.p99_9<1s', { metric: 'all.p99_9', comparator: '<', threshold: 1000, unit: 'ms' }],
    ['cold.max<=1500us', { metric: 'cold.max', comparator: '<=', threshold: 1.5, unit: 'ms' }],
    ['lambda.p90<=.5ms', { metric: 'lambda.p90', comparator: '<=', threshold: 0.5, unit: 'ms' }],
    ['init.mean<=300ms', { metric: 'init.mean', comparator: '<=', threshold: 300, unit: 'ms' }],
    ['errors<=0.1%', { metric: 'errors', comparator: '<=', threshold: 0.1, unit: '%' }],
    ['coverage>=100%', { metric: 'coverage', comparator: '>=', threshold: 100, unit: '%' }],
    ['cold_starts<=3', { metric: 'cold_starts', comparator: '<=', threshold: 3, unit: '' }],
    ['WARM.P95<=20ms', { metric: 'warm.p95', comparator: '<=', threshold: 20, unit: 'ms' }],
  ])('reads %s', (text, expected) => {
    expect(parseSlo(text)).toEqual({ text, ...expected });
  });

  it('rejects an unknown metric with a usage error that names it and lists the valid metrics', () => {
    const error = captureError(() => parseSlo('p98<=5ms'));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.code).toBe('UnknownSloMetric');
    expect(error.message).toContain("unknown metric 'p98'");
    for (const metric of ['p50', 'p90', 'p95', 'p99', 'p99_9', 'max', 'errors', 'coverage', 'cold_starts', 'all.']) {
      expect(error.message).toContain(metric);
    }
  });

  it.each([
    ['latency99<=5ms', 'UnknownSloMetric'],
    ['hot.p99<=5ms', 'UnknownSloMetric'],
    ['warm.p99.x<=5ms', 'UnknownSloMetric'],
    ['p99=800ms', 'InvalidSlo'],
    ['p99 100ms', 'InvalidSlo'],
    ['p99<=', 'InvalidSlo'],
    ['p99<=-5ms', 'InvalidSlo'],
    ['', 'InvalidSlo'],
    ['p99<=100', 'InvalidSloUnit'],
    ['p99<=100%', 'InvalidSloUnit'],
    ['p99<=100min', 'InvalidSloUnit'],
    ['errors<=0.1', 'InvalidSloUnit'],
    ['errors<=5ms', 'InvalidSloUnit'],
    ['cold_starts<=3%', 'InvalidSloUnit'],
    ['coverage>=101%', 'InvalidSlo'],
  ])('rejects %j with %s', (text, code) => {
    const error = captureError(() => parseSlo(text));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.code).toBe(code);
    expect(error.message).toContain(`'${text}'`);
  });

  it('suggests the comparison when = is used', () => {
    expect(captureError(() => parseSlo('p99=800ms')).message).toContain('write p99<=800ms');
  });
});

describe('evaluateSlos', () => {
  const metrics: Metrics = {
    'warm.p99': { value: 80, n: 500 },
    errors: { value: 0.5, n: 500 },
    coverage: { value: 98, n: 500, provisional: true },
  };

  it('passes, fails and computes the margin in the SLO unit', () => {
    const [p99, errors] = evaluateSlos([parseSlo('p99<=100ms'), parseSlo('errors<=0.1%')], metrics, {
      closedLoop: false,
    });
    expect(p99).toMatchObject({ status: 'pass', value: 80, margin: 20, n: 500 });
    expect(errors).toMatchObject({ status: 'fail', value: 0.5 });
    expect(errors!.margin).toBeCloseTo(-0.4);
  });

  it('treats a strict comparison at the threshold as a miss', () => {
    const [result] = evaluateSlos([parseSlo('p99<80ms')], metrics, { closedLoop: false });
    expect(result!.status).toBe('fail');
  });

  it('calls a provisional miss inconclusive and a provisional pass a pass', () => {
    const [missed, met] = evaluateSlos([parseSlo('coverage>=100%'), parseSlo('coverage>=90%')], metrics, {
      closedLoop: false,
    });
    expect(missed).toMatchObject({ status: 'inconclusive', value: 98, margin: -2 });
    expect(met).toMatchObject({ status: 'pass', margin: 8 });
  });

  it('never passes an SLO without data', () => {
    const [result] = evaluateSlos([parseSlo('cold.p99<=1ms')], metrics, { closedLoop: false });
    expect(result).toMatchObject({ status: 'inconclusive', value: undefined, n: 0 });
  });

  it('does not judge latency SLOs on closed-loop measurements, but still judges the others', () => {
    const results = evaluateSlos([parseSlo('p99<=1ms'), parseSlo('errors<=0.1%')], metrics, { closedLoop: true });
    expect(results.map((r) => r.status)).toEqual(['not-judged', 'fail']);
  });
});

describe('decideVerdict', () => {
  const result = (status: SloResult['status']): SloResult => ({
    slo: parseSlo('p99<=100ms'),
    status,
    value: 1,
    n: 100,
    margin: 1,
  });
  const healthy: LoadFacts = { responses: 400, sentRatio: 1, achievedRatio: 0.99 };

  it('passes when every judged SLO passed and the load reached its rate', () => {
    expect(decideVerdict([result('pass'), result('not-judged')], healthy).verdict).toBe('pass');
  });

  it('fails when any SLO failed, naming it', () => {
    const verdict = decideVerdict([result('pass'), result('fail'), result('inconclusive')], healthy);
    expect(verdict).toEqual({ verdict: 'fail', reasons: ['SLO p99<=100ms missed'] });
  });

  describe('with a fault of the deployment itself (log events lost to a full disk)', () => {
    const fault = 'the local log store could not write 6 log event(s) (ENOSPC)';
    const coverage = (status: SloResult['status']): SloResult => ({
      slo: parseSlo('coverage>=100%'),
      status,
      value: 98,
      n: 100,
      margin: -2,
    });

    it('never passes, and says why', () => {
      const verdict = decideVerdict([result('pass'), coverage('pass')], { ...healthy, deploymentFaults: [fault] });
      expect(verdict).toEqual({
        verdict: 'inconclusive',
        reasons: [`the deployment had a fault, so the run cannot pass: ${fault}`],
      });
    });

    it('does not blame a coverage miss on the API, since lost lines look like unlogged requests', () => {
      const verdict = decideVerdict([result('pass'), coverage('fail')], { ...healthy, deploymentFaults: [fault] });
      expect(verdict.verdict).toBe('inconclusive');
      expect(verdict.reasons).toContain('SLO coverage>=100% missed, but not judged: the deployment had a fault');
    });

    it('still fails on a miss the fault cannot explain', () => {
      const verdict = decideVerdict([result('fail'), coverage('fail')], { ...healthy, deploymentFaults: [fault] });
      expect(verdict).toEqual({ verdict: 'fail', reasons: ['SLO p99<=100ms missed'] });
    });
  });

  it('is inconclusive when an SLO could not be judged', () => {
    expect(decideVerdict([result('pass'), result('inconclusive')], healthy).verdict).toBe('inconclusive');
  });

  it('is inconclusive below 95% of the target rate achieved, even with every SLO met', () => {
    const verdict = decideVerdict([result('pass')], { ...healthy, achievedRatio: 0.94 });
    expect(verdict.verdict).toBe('inconclusive');
    expect(verdict.reasons[0]).toContain('achieved rate was 94.0% of the target');
  });

  it('is inconclusive, not failed, when the generator could not keep its schedule', () => {
    const verdict = decideVerdict([result('fail')], { ...healthy, sentRatio: 0.8 });
    expect(verdict.verdict).toBe('inconclusive');
    expect(verdict.reasons[0]).toContain('sent only 80.0% of the target rate');
  });

  it(`is inconclusive with fewer than ${MIN_SAMPLES} responses`, () => {
    expect(decideVerdict([result('pass')], { ...healthy, responses: MIN_SAMPLES - 1 }).verdict).toBe('inconclusive');
    expect(decideVerdict([result('pass')], { ...healthy, responses: MIN_SAMPLES }).verdict).toBe('pass');
  });

  it('fails on the errors SLO even when the rate fell short: every request refused is a failure, not a doubt', () => {
    // Prepare: a dead port: no responses at all, errors 100 % of 100 requests.
    const [errors, p99] = evaluateSlos(
      [parseSlo('errors<=0.1%'), parseSlo('p99<=100ms')],
      { errors: { value: 100, n: 100 } },
      { closedLoop: false },
    );

    // Act
    const verdict = decideVerdict([errors!, p99!], { responses: 0, sentRatio: 1, achievedRatio: 0 });

    // Assess: the latency SLO had no samples, and says so, but the errors SLO decides.
    expect(verdict.verdict).toBe('fail');
    expect(verdict.reasons).toEqual([
      'SLO errors<=0.1% missed',
      `other SLOs not judged: only 0 measured responses (at least ${MIN_SAMPLES} are needed)`,
    ]);
  });

  it('fails on coverage even when the generator lagged, but keeps a latency miss inconclusive then', () => {
    // Prepare
    const coverage: SloResult = { slo: parseSlo('coverage>=100%'), status: 'fail', value: 90, n: 400, margin: -10 };

    // Act
    const withCoverage = decideVerdict([result('fail'), coverage], { ...healthy, sentRatio: 0.5 });
    const latencyOnly = decideVerdict([result('fail')], { ...healthy, sentRatio: 0.5 });

    // Assess
    expect(withCoverage.verdict).toBe('fail');
    expect(withCoverage.reasons[0]).toBe('SLO coverage>=100% missed');
    expect(latencyOnly.verdict).toBe('inconclusive');
  });

  it('lists every missed SLO, the timing-independent ones first, when the load can be trusted', () => {
    const coverage: SloResult = { slo: parseSlo('coverage>=100%'), status: 'fail', value: 90, n: 400, margin: -10 };
    expect(decideVerdict([result('fail'), coverage], healthy).reasons).toEqual([
      'SLO coverage>=100% missed',
      'SLO p99<=100ms missed',
    ]);
  });

  it('judges peak runs (no target rate) on their SLOs alone', () => {
    const peak: LoadFacts = { responses: 1000, sentRatio: undefined, achievedRatio: undefined };
    expect(decideVerdict([result('pass')], peak).verdict).toBe('pass');
  });
});

function captureError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    return error as UsageError;
  }
  throw new Error('expected an error');
}
