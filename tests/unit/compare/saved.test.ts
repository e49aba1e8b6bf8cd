import { describe, expect, it } from 'vitest';
import {
  COMPARE_SCHEMA,
  compareSavedReports,
  parseSavedReport,
  type SavedReport,
} from '../../../harness/compare/saved.js';
import { parseMaxRegression } from '../../../harness/compare/tolerance.js';
import type { MetricComparison } from '../../../harness/compare/verdict.js';
import { UsageError } from '../../../harness/errors.js';
import type { RunReport } from '../../../harness/report/model.js';
import { nearestRank } from '../../../harness/stats/percentile.js';
import { fixtureReport } from '../report/fixture.js';
import { type SyntheticLoad, syntheticReport } from './fixture.js';

/** A synthetic report as `harness compare` reads it: serialised, then parsed and checked. */
function saved(file: string, load: SyntheticLoad, run: Partial<RunReport['run']> = {}): SavedReport {
  return parseSavedReport(file, JSON.stringify(syntheticReport(load, run)));
}

const rowOf = (metrics: readonly MetricComparison[], metric: string) => metrics.find((m) => m.metric === metric)!;

/** The UsageError `act` throws. */
function usageError(act: () => unknown): UsageError {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('compareSavedReports', () => {
  it('finds a regression when head is shifted by +5 ms, and judges only client latency', () => {
    // Prepare
    const base = saved('base.json', { seed: 1 });
    const head = saved('head.json', { seed: 2, shiftMs: 5 });

    // Act
    const comparison = compareSavedReports(base, head);

    // Assess
    expect(comparison.verdict).toBe('regression');
    expect(comparison.metrics.map((m) => m.metric)).toEqual([
      'latency p50',
      'latency p90',
      'latency p99',
      'lambda p50',
      'lambda p99',
      'handler p50',
      'handler p99',
    ]);
    const p50 = rowOf(comparison.metrics, 'latency p50');
    expect(p50).toMatchObject({ verdict: 'regression', tolerance: { amount: 2, unit: 'ms' }, toleranceMs: 2 });
    expect(p50.low).toBeGreaterThan(2);
    expect(p50.low).toBeLessThan(5);
    expect(p50.high).toBeGreaterThan(5);
    // No default tolerance for p90, and none ever for Lambda's or the handler's durations.
    for (const metric of ['latency p90', 'lambda p50', 'lambda p99', 'handler p50', 'handler p99']) {
      expect(rowOf(comparison.metrics, metric)).toMatchObject({ verdict: 'info', tolerance: undefined });
    }
    expect(rowOf(comparison.metrics, 'handler p50').low).toBeGreaterThan(4);
  });

  it('gives no-change for two runs of the same distribution', () => {
    // Prepare
    const base = saved('base.json', { seed: 3 });
    const head = saved('head.json', { seed: 4 });

    // Act
    const comparison = compareSavedReports(base, head);

    // Assess
    expect(comparison.verdict).toBe('no-change');
    expect(rowOf(comparison.metrics, 'latency p50').verdict).toBe('no-change');
    expect(rowOf(comparison.metrics, 'latency p99').verdict).toBe('no-change');
    expect(comparison.warnings).toEqual([]);
    expect(comparison.reasons).toEqual([]);
  });

  it('is inconclusive, with the reason, when a run has too few samples for p99', () => {
    // Prepare: 100 samples over 20 s: enough for p50, not for p99 (1000).
    const base = saved('base.json', { seed: 5, seconds: 20, perSecond: 5 });
    const head = saved('head.json', { seed: 6, seconds: 20, perSecond: 5 });

    // Act
    const comparison = compareSavedReports(base, head);

    // Assess
    expect(comparison.verdict).toBe('inconclusive');
    const p99 = rowOf(comparison.metrics, 'latency p99');
    expect(p99.verdict).toBe('inconclusive');
    expect(p99.reason).toContain('p99 needs at least 1000');
    expect(p99.low).toBeNaN();
    expect(Number.isFinite(p99.base)).toBe(true);
  });

  it('uses only the correlated samples for the Lambda rows', () => {
    // Prepare
    const base = saved('base.json', { seed: 7 });
    const head = saved('head.json', { seed: 8 });

    // Act
    const comparison = compareSavedReports(base, head);

    // Assess: the nearest-rank p50 of the non-null values, not of nulls read as 0.
    const correlated = base.samples.lambdaMs.filter((v): v is number => v !== null).sort((a, b) => a - b);
    expect(correlated.length).toBe(2700);
    expect(rowOf(comparison.metrics, 'lambda p50').base).toBe(nearestRank(correlated, correlated.length, 0.5));
  });

  it('applies --max-regression to client latency only, including p90 when given', () => {
    // Prepare
    const base = saved('base.json', { seed: 1 });
    const head = saved('head.json', { seed: 2, shiftMs: 5 });

    // Act
    const comparison = compareSavedReports(base, head, { maxRegression: parseMaxRegression('p90=+10ms') });

    // Assess
    expect(rowOf(comparison.metrics, 'latency p90')).toMatchObject({ verdict: 'no-change', toleranceMs: 10 });
    expect(rowOf(comparison.metrics, 'latency p50').verdict).toBe('info');
    expect(comparison.settings.maxRegression).toBe('p90=+10ms');
    expect(comparison.verdict).toBe('no-change');
  });

  it('gives the same comparison for the same files and seed, and other intervals for another seed', () => {
    // Prepare
    const base = saved('base.json', { seed: 9 });
    const head = saved('head.json', { seed: 10, shiftMs: 1 });

    // Act
    const first = compareSavedReports(base, head);
    const again = compareSavedReports(base, head);
    const reseeded = compareSavedReports(base, head, { seed: 99 });

    // Assess
    expect(again).toEqual(first);
    expect(first.settings.seed).toBe(1);
    expect(reseeded.settings.seed).toBe(99);
    expect(reseeded.metrics[0]!.difference).toBe(first.metrics[0]!.difference);
    expect(reseeded.metrics[0]!.low).not.toBe(first.metrics[0]!.low);
  });

  it('says what it compared: both runs, a sequential kind and independent resampling', () => {
    // Prepare
    const base = saved('a/base.json', { seed: 1 }, { commit: 'a'.repeat(40), startedAt: '2030-01-02T03:04:05.000Z' });
    const head = saved('b/head.json', { seed: 2 }, { commit: 'b'.repeat(40), startedAt: '2030-01-03T03:04:05.000Z' });

    // Act
    const comparison = compareSavedReports(base, head);

    // Assess
    expect(comparison).toMatchObject({ schema: COMPARE_SCHEMA, kind: 'sequential' });
    expect(comparison.settings).toMatchObject({ pairing: 'independent', confidence: 0.95, blockSeconds: 1 });
    expect(comparison.base).toEqual({
      file: 'a/base.json',
      runId: 'snap',
      commit: 'a'.repeat(40),
      target: 'local',
      region: 'local',
      memorySizeMb: 512,
      startedAt: '2030-01-02T03:04:05.000Z',
      endedAt: '2030-01-02T03:04:13.250Z',
      mode: 'open',
      rateRps: 10,
      durationSeconds: 4,
      mix: 'int=3,post-records',
      samples: 3000,
      thinnedFrom: null,
    });
    expect(comparison.head).toMatchObject({ file: 'b/head.json', commit: 'b'.repeat(40) });
  });

  it('makes a different target or mix inconclusive, with the reason, and warns of a different rate', () => {
    // Prepare: head is slower, but on another target.
    const base = saved('base.json', { seed: 1 });
    const otherTarget = saved('head.json', { seed: 2, shiftMs: 5 }, { target: 'aws', region: 'eu-west-1' });
    const otherMix = saved(
      'head.json',
      { seed: 2 },
      { mix: [{ name: 'int', weight: 1, method: 'GET', path: 'random/int' }] },
    );
    const otherRate = saved('head.json', { seed: 2 }, { rateRps: 50, memorySizeMb: 1024 });

    // Act
    const byTarget = compareSavedReports(base, otherTarget);
    const byMix = compareSavedReports(base, otherMix);
    const byRate = compareSavedReports(base, otherRate);

    // Assess
    expect(byTarget.verdict).toBe('inconclusive');
    expect(byTarget.warnings).toEqual([
      'the runs differ in target: base local, head aws',
      'the runs differ in region: base local, head eu-west-1',
    ]);
    expect(byTarget.reasons).toEqual([
      'the runs differ in target: base local, head aws: they measured different things, so no verdict',
    ]);
    expect(byMix.verdict).toBe('inconclusive');
    expect(byMix.warnings).toEqual(['the runs differ in mix: base int=3,post-records, head int']);
    expect(byRate.verdict).toBe('no-change');
    expect(byRate.warnings).toEqual([
      'the runs differ in rate (req/s): base 10, head 50',
      'the runs differ in memory size (MB): base 512, head 1024',
    ]);
    expect(byRate.reasons).toEqual([]);
  });

  it('treats the same names and weights over other requests as a different mix', () => {
    // Prepare
    const base = saved('base.json', { seed: 1 });
    const mix = structuredClone(base.run.mix).map((entry) => ({ ...entry, path: `${entry.path}&x=1` }));
    const head = saved('head.json', { seed: 2 }, { mix });

    // Act
    const comparison = compareSavedReports(base, head);

    // Assess
    expect(comparison.verdict).toBe('inconclusive');
    expect(comparison.warnings[0]).toMatch(/^the runs differ in mix requests: /);
  });

  it('warns when a run did not finish, without deciding the verdict for it', () => {
    // Prepare
    const report = syntheticReport({ seed: 2 });
    const interrupted = { ...report, outcome: { kind: 'interrupted', signal: 'SIGINT', phase: 'load' } };
    const head = parseSavedReport('head.json', JSON.stringify(interrupted));

    // Act
    const comparison = compareSavedReports(saved('base.json', { seed: 1 }), head);

    // Assess
    expect(comparison.warnings).toEqual([
      'the head run did not finish (interrupted during load): its samples may cover only part of its load',
    ]);
    expect(comparison.verdict).toBe('no-change');
  });

  it('keeps the thinning of each side', () => {
    // Prepare
    const report = syntheticReport({ seed: 1 });
    const thinned = { ...report, samples: { ...report.samples!, thinnedFrom: 6000 } };
    const base = parseSavedReport('base.json', JSON.stringify(thinned));

    // Act
    const comparison = compareSavedReports(base, saved('head.json', { seed: 2 }));

    // Assess
    expect(comparison.base).toMatchObject({ samples: 3000, thinnedFrom: 6000 });
    expect(comparison.head.thinnedFrom).toBeNull();
  });
});

describe('parseSavedReport', () => {
  it('refuses an empty file', () => {
    const error = usageError(() => parseSavedReport('reports/x.json', '  \n'));
    expect(error.code).toBe('ReportFileEmpty');
    expect(error.message).toBe("'reports/x.json' is empty: give the .json of a bench report");
  });

  it('refuses a file that is not JSON, such as the markdown report', () => {
    const error = usageError(() => parseSavedReport('reports/x.md', '# Bench report'));
    expect(error.code).toBe('ReportFileInvalid');
    expect(error.message).toMatch(
      /^'reports\/x\.md' is not JSON \(.*\): give the \.json of a bench report, not its \.md or \.html$/,
    );
  });

  it('refuses JSON that is not a bench report', () => {
    for (const text of ['{"schema":"rda-perf/1"}', '[1,2]', '{"run":{}}']) {
      const error = usageError(() => parseSavedReport('other.json', text));
      expect(error.code).toBe('ReportFileInvalid');
      expect(error.message).toContain("'other.json' is not a bench report (no schema 'rda-bench-report/…')");
    }
  });

  it('refuses a version-1 report: it has no samples, re-run the bench', () => {
    // Prepare: what version 1 wrote, without samples.
    const { samples: _samples, ...rest } = fixtureReport();
    const v1 = JSON.stringify({ ...rest, schema: 'rda-bench-report/1' });

    // Act
    const error = usageError(() => parseSavedReport('old.json', v1));

    // Assess
    expect(error.code).toBe('ReportVersionUnsupported');
    expect(error.message).toBe(
      "'old.json' is a rda-bench-report/1 report: it has no samples, and an interval needs them; " +
        'run `npm run bench` again with this version of the harness and compare its report',
    );
  });

  it('refuses the report of a run with no load', () => {
    const noLoad = JSON.stringify({ ...fixtureReport(), samples: null });
    const error = usageError(() => parseSavedReport('failed.json', noLoad));
    expect(error.code).toBe('ReportHasNoSamples');
    expect(error.message).toContain("'failed.json' is the report of a run with no load");
    expect(error.message).toContain('compare two runs that finished their load');
  });

  it('refuses samples whose columns are not arrays of one length', () => {
    const report = syntheticReport({ seed: 1, seconds: 2 });
    const broken = JSON.stringify({ ...report, samples: { ...report.samples!, lambdaMs: [1] } });
    const error = usageError(() => parseSavedReport('broken.json', broken));
    expect(error.message).toContain("'broken.json' says rda-bench-report/2 but its run or samples are malformed");
  });

  it('accepts the report the bench writes', () => {
    const report = parseSavedReport('r.json', JSON.stringify(fixtureReport()));
    expect(report.samples.latencyMs.length).toBeGreaterThan(30);
    expect(report.run.target).toBe('local');
  });
});
