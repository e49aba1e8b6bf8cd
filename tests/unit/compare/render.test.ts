import { describe, expect, it } from 'vitest';
import {
  comparisonChart,
  comparisonData,
  EVIDENCE_NOTES,
  renderComparisonJson,
  renderComparisonMarkdown,
  renderComparisonText,
} from '../../../harness/compare/render.js';
import { COMPARE_SCHEMA, type ComparedSide, type Comparison } from '../../../harness/compare/saved.js';
import type { MetricComparison } from '../../../harness/compare/verdict.js';

const side = (file: string, commit: string, startedAt: string): ComparedSide => ({
  file,
  runId: 'r1',
  commit,
  target: 'local',
  region: 'local',
  memorySizeMb: 512,
  startedAt,
  endedAt: startedAt,
  mode: 'open',
  rateRps: 50,
  durationSeconds: 60,
  mix: 'int=3,uuid-v7',
  samples: 3000,
  thinnedFrom: null,
});

const row = (metric: string, values: Partial<MetricComparison>): MetricComparison => ({
  metric,
  statistic: 'p50',
  base: Number.NaN,
  head: Number.NaN,
  difference: Number.NaN,
  low: Number.NaN,
  high: Number.NaN,
  confidence: 0.95,
  tolerance: undefined,
  toleranceMs: undefined,
  verdict: 'info',
  reason: 'no tolerance set: not judged',
  ...values,
});

/** A small fixed comparison: a regression at p50, no interval at p99, an info row at p90 and for Lambda. */
function comparison(overrides: Partial<Comparison> = {}): Comparison {
  return {
    schema: COMPARE_SCHEMA,
    kind: 'sequential',
    base: side('reports/base.json', '0123456789abcdef0123', '2030-01-02T03:04:05.000Z'),
    head: side('reports/head.json', 'fedcba98765432100123', '2030-01-02T04:00:00.000Z'),
    verdict: 'regression',
    reasons: [],
    warnings: [],
    settings: {
      pairing: 'independent',
      confidence: 0.95,
      blockSeconds: 1,
      resamples: 2000,
      seed: 1,
      maxRegression: 'p50=+2ms,p99=+10%',
    },
    metrics: [
      row('latency p50', {
        base: 10,
        head: 12.5,
        difference: 2.5,
        low: 2.1,
        high: 2.9,
        tolerance: { amount: 2, unit: 'ms' },
        toleranceMs: 2,
        verdict: 'regression',
        reason: 'the whole interval is above the tolerance',
      }),
      row('latency p90', { statistic: 'p90', base: 20, head: 22, difference: 2, low: 1, high: 3 }),
      row('latency p99', {
        statistic: 'p99',
        base: 40,
        head: 41,
        difference: 1,
        tolerance: { amount: 10, unit: '%' },
        toleranceMs: 4,
        verdict: 'inconclusive',
        reason:
          '100 sample(s) on the base side; p99 needs at least 1000 for an interval (run longer or at a higher rate)',
      }),
      row('lambda p50', { base: 5, head: 4.6, difference: 4.6 - 5, low: -0.5, high: -0.3 }),
    ],
    ...overrides,
  };
}

describe('renderComparisonMarkdown', () => {
  it('says first that these are two sequential runs, weaker evidence than an interleaved comparison', () => {
    // Act
    const lines = renderComparisonMarkdown(comparison()).split('\n');

    // Assess
    expect(lines[0]).toBe('## Comparison of two sequential runs: regression');
    expect(lines[2]).toBe(`**${EVIDENCE_NOTES.sequential}**`);
    expect(EVIDENCE_NOTES.sequential).toContain('two sequential runs');
    expect(EVIDENCE_NOTES.sequential).toContain('not drift between the runs');
    expect(EVIDENCE_NOTES.sequential).toContain('weaker evidence than an interleaved comparison');
    expect(lines[4]).toBe('**verdict: regression (exit 1)**');
  });

  it('draws the metric table with the interval, the tolerance and the verdict of each row', () => {
    // Act
    const markdown = renderComparisonMarkdown(comparison());

    // Assess
    const start = markdown.indexOf('| metric |');
    expect(markdown.slice(start).split('\n').slice(0, 6)).toEqual([
      '| metric | base | head | difference (interval) | tolerance | verdict |',
      '| --- | ---: | ---: | ---: | ---: | --- |',
      '| latency p50 | 10.00 ms | 12.50 ms | +2.500 ms (+2.100 to +2.900) | +2 ms | regression |',
      '| latency p90 | 20.00 ms | 22.00 ms | +2.000 ms (+1.000 to +3.000) | – | info |',
      '| latency p99 | 40.00 ms | 41.00 ms | +1.000 ms (no interval) | +10 % (4.000 ms) | inconclusive |',
      '| lambda p50 | 5.000 ms | 4.600 ms | -0.400 ms (-0.500 to -0.300) | – | info |',
    ]);
  });

  it('shows both runs side by side, and why a row has no interval', () => {
    // Act
    const markdown = renderComparisonMarkdown(comparison());

    // Assess
    expect(markdown).toContain('| commit | 0123456789ab | fedcba987654 |');
    expect(markdown).toContain('| report | reports/base.json | reports/head.json |');
    expect(markdown).toContain('| started | 2030-01-02T03:04:05.000Z | 2030-01-02T04:00:00.000Z |');
    expect(markdown).toContain('| load | open, 50 req/s for 60 s | open, 50 req/s for 60 s |');
    expect(markdown).toContain(
      '- latency p99: 100 sample(s) on the base side; p99 needs at least 1000 for an interval (run longer or at a higher rate).',
    );
    expect(markdown).toContain('2000 resamples, seed 1), each run resampled on its own');
  });

  it('warns loudly of setup differences and gives the reasons that overrode the rows', () => {
    // Prepare
    const c = comparison({
      verdict: 'inconclusive',
      warnings: ['the runs differ in target: base local, head aws'],
      reasons: ['the runs differ in target: base local, head aws: they measured different things, so no verdict'],
    });

    // Act
    const markdown = renderComparisonMarkdown(c);

    // Assess
    expect(markdown).toContain(
      '**verdict: inconclusive (exit 4)**\n- the runs differ in target: base local, head aws: they measured different things, so no verdict',
    );
    expect(markdown).toContain('> [!WARNING]\n> - the runs differ in target: base local, head aws');
  });

  it('states the thinning of a side', () => {
    const c = comparison({ head: { ...comparison().head, samples: 200_000, thinnedFrom: 400_000 } });
    const markdown = renderComparisonMarkdown(c);
    expect(markdown).toContain('| samples | 3000 | 200000 (thinned from 400000) |');
    expect(markdown).toContain('The head report keeps 200000 of its 400000 measured responses');
  });
});

describe('comparisonChart', () => {
  it('draws base and head client latency at p50, p90 and p99 as two lines from 0', () => {
    expect(comparisonChart(comparison()).split('\n')).toEqual([
      'Client latency percentiles (ms): base (first line) and head (second line).',
      '',
      '```mermaid',
      'xychart-beta',
      '    title "Client latency, base vs head (ms)"',
      '    x-axis ["p50", "p90", "p99"]',
      '    y-axis "latency (ms)" 0 --> 46',
      '    line [10, 20, 40]',
      '    line [12.5, 22, 41]',
      '```',
    ]);
    expect(renderComparisonMarkdown(comparison())).toContain(comparisonChart(comparison()));
  });

  it('draws nothing when a percentile is missing on a side', () => {
    const c = comparison();
    const metrics = c.metrics.map((m) => (m.metric === 'latency p90' ? { ...m, head: Number.NaN } : m));
    expect(comparisonChart({ ...c, metrics })).toBe('');
    expect(renderComparisonMarkdown({ ...c, metrics })).not.toContain('```mermaid');
  });
});

describe('renderComparisonText', () => {
  it('prints the evidence note, the runs and an aligned table', () => {
    // Act
    const lines = renderComparisonText(comparison()).split('\n');

    // Assess
    expect(lines[0]).toBe('Comparison of two sequential runs: REGRESSION');
    expect(lines[1]).toBe(EVIDENCE_NOTES.sequential);
    const header = lines.findIndex((line) => line.startsWith('metric'));
    expect(lines.slice(header, header + 3)).toEqual([
      'metric       base      head      difference (interval)         tolerance         verdict',
      '-----------  --------  --------  ----------------------------  ----------------  ------------',
      'latency p50  10.00 ms  12.50 ms  +2.500 ms (+2.100 to +2.900)  +2 ms             regression',
    ]);
  });

  it('puts each warning on its own WARNING line', () => {
    const text = renderComparisonText(comparison({ warnings: ['the runs differ in mix: base a, head b'] }));
    expect(text).toContain('\nWARNING: the runs differ in mix: base a, head b\n');
  });
});

describe('comparison JSON', () => {
  it('is plain data: NaN and absent tolerances are null', () => {
    // Act
    const data = comparisonData(comparison()) as { schema: string; kind: string; verdict: string; metrics: object[] };

    // Assess
    expect(data).toMatchObject({ schema: 'rda-compare/1', kind: 'sequential', verdict: 'regression' });
    expect(data.metrics[2]).toMatchObject({ metric: 'latency p99', low: null, high: null, verdict: 'inconclusive' });
    expect(data.metrics[1]).toMatchObject({ tolerance: null, toleranceMs: null });
    expect(JSON.parse(renderComparisonJson(comparison()))).toEqual(data);
  });
});
