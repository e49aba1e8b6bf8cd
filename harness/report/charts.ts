/**
 * The HTML report's charts: Vega-Lite specs over the report data, rendered to SVG strings in Node by Vega's
 * headless view (no browser, no canvas, nothing fetched). Every value plotted comes from the {@link RunReport}
 * as written to the `.json`; nothing here loops over samples.
 */
import { parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { RunReport } from './model.js';

/** One chart of the report: what it shows in a line, and the drawing. */
export interface Chart {
  readonly id: string;
  readonly title: string;
  readonly caption: string;
  readonly svg: string;
}

const WIDTH = 720;
const FONT = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';
const COLORS = { p50: '#1f77b4', p99: '#d62728', warm: '#1f77b4', cold: '#ff7f0e', unknown: '#7f7f7f' };

/** Renders the charts the report has data for, in reading order. */
export async function renderCharts(r: RunReport): Promise<Chart[]> {
  const charts: Chart[] = [];
  if (r.charts) {
    charts.push(await timelineChart(r.charts, r.run.warmupSeconds));
    const distribution = await distributionChart(r.charts.distribution);
    if (distribution) charts.push(distribution);
  }
  if (r.breakdown) charts.push(await breakdownChart(r.breakdown));
  if (r.coverage) charts.push(await coverageChart(r.coverage));
  return charts;
}

/** A Vega-Lite spec drawn as SVG; `renderer: 'none'` keeps Vega from looking for a DOM or a canvas. */
export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parseVega(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const CONFIG = {
  font: FONT,
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e5e5e5', labelLimit: 260 },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: 'top' as const },
  view: { stroke: null },
};

type Charts = NonNullable<RunReport['charts']>;

async function timelineChart(c: Charts, warmupSeconds: number): Promise<Chart> {
  const t = c.timeline;
  const points = t.startSeconds.flatMap((s, i) => [
    { s, stat: 'p50', ms: t.p50Ms[i] },
    { s, stat: 'p99', ms: t.p99Ms[i] },
  ]);
  const rates = t.startSeconds.map((s, i) => ({ s, end: s + t.bucketSeconds, rps: t.responses[i]! / t.bucketSeconds }));
  const cold = c.coldStartsAtSeconds.map((s) => ({ s }));
  const x = { field: 's', type: 'quantitative' as const, title: 'seconds into the measured phase' };
  const latency = {
    width: WIDTH,
    height: 220,
    layer: [
      {
        data: { values: points.filter((p) => p.ms !== null) },
        mark: { type: 'line' as const, point: t.startSeconds.length <= 120, strokeWidth: 1.5 },
        encoding: {
          x,
          y: {
            field: 'ms',
            type: 'quantitative' as const,
            scale: { type: 'log' as const },
            title: 'latency (ms, log)',
          },
          color: {
            field: 'stat',
            type: 'nominal' as const,
            title: null,
            // The legend names the cold-start ticks too, when there are any.
            scale:
              cold.length > 0
                ? { domain: ['p50', 'p99', 'cold start'], range: [COLORS.p50, COLORS.p99, COLORS.cold] }
                : { domain: ['p50', 'p99'], range: [COLORS.p50, COLORS.p99] },
          },
        },
      },
      ...(cold.length > 0
        ? [
            {
              data: { values: cold },
              mark: { type: 'tick' as const, color: COLORS.cold, thickness: 1.5, size: 14 },
              encoding: { x, y: { value: 7 } },
            },
          ]
        : []),
    ],
  };
  const throughput = {
    width: WIDTH,
    height: 90,
    data: { values: rates },
    mark: { type: 'bar' as const, color: '#9ecae1' },
    encoding: {
      x,
      x2: { field: 'end' },
      y: { field: 'rps', type: 'quantitative' as const, title: 'responses/s', axis: { format: ',~f', tickCount: 3 } },
      y2: { datum: 0 },
    },
  };
  const svg = await toSvg({ config: CONFIG, vconcat: [latency, throughput], spacing: 8 } as TopLevelSpec);
  const bucket = t.bucketSeconds === 1 ? 'second' : `${t.bucketSeconds} s`;
  const warmup = warmupSeconds > 0 ? `, after ${warmupSeconds} s of warm-up` : '';
  return {
    id: 'chart-timeline',
    title: 'Latency over the measured phase',
    caption:
      `p50 and p99 client latency per ${bucket} of due time (log scale) with responses per second beneath${warmup}; ` +
      (cold.length === 0
        ? 'the logs show no cold start among the measured requests.'
        : `orange ticks at the top mark requests the logs show were cold starts${cold.length >= 1_000 ? ' (the first 1,000)' : ''}.`),
    svg,
  };
}

/** Undefined when no group has a response to show. */
async function distributionChart(d: Charts['distribution']): Promise<Chart | undefined> {
  const groups = (['warm', 'cold', 'unknown'] as const)
    .map((state) => ({ state, counts: d[state], n: d[state].reduce((a, b) => a + b, 0) }))
    .filter((g) => g.n > 0);
  if (groups.length === 0) return undefined;
  const values = groups.flatMap((g) =>
    g.counts.map((count, i) => ({
      group: `${g.state} (n=${g.n})`,
      from: d.edgesMs[i]!,
      to: d.edgesMs[i + 1]!,
      percent: (count / g.n) * 100,
    })),
  );
  const spec = {
    config: CONFIG,
    width: WIDTH,
    height: 240,
    data: { values: values.filter((v) => v.percent > 0) },
    mark: { type: 'bar' as const, opacity: 0.55, binSpacing: 0 },
    encoding: {
      x: { field: 'from', type: 'quantitative' as const, scale: { type: 'log' as const }, title: 'latency (ms, log)' },
      x2: { field: 'to' },
      y: { field: 'percent', type: 'quantitative' as const, title: '% of the group', stack: null },
      y2: { datum: 0 },
      color: {
        field: 'group',
        type: 'nominal' as const,
        title: null,
        scale: {
          domain: groups.map((g) => `${g.state} (n=${g.n})`),
          range: groups.map((g) => COLORS[g.state]),
        },
      },
    },
  };
  return {
    id: 'chart-distribution',
    title: 'Latency distribution',
    caption:
      'Share of each group of measured responses per latency bucket (ten buckets per decade, log axis): warm and ' +
      'cold starts apart, as the logs tell them; unknown = not matched to a log line.',
    svg: await toSvg(spec as TopLevelSpec),
  };
}

const PARTS = [
  ['client', 'client latency'],
  ['gap', 'outside the function'],
  ['lambda', 'Lambda Duration'],
  ['handler', 'handler durationMs'],
] as const;

async function breakdownChart(b: NonNullable<RunReport['breakdown']>): Promise<Chart> {
  const values = PARTS.flatMap(([key, label]) =>
    (['p50', 'p99'] as const).flatMap((stat) => {
      const ms = b[key][stat];
      return ms === null ? [] : [{ part: label, stat, ms }];
    }),
  );
  const spec = {
    config: CONFIG,
    width: WIDTH - 200,
    data: { values },
    mark: { type: 'bar' as const },
    encoding: {
      y: { field: 'part', type: 'nominal' as const, title: null, sort: PARTS.map(([, label]) => label) },
      yOffset: { field: 'stat' },
      x: { field: 'ms', type: 'quantitative' as const, title: 'ms' },
      color: {
        field: 'stat',
        type: 'nominal' as const,
        title: null,
        scale: { domain: ['p50', 'p99'], range: [COLORS.p50, COLORS.p99] },
      },
    },
  };
  return {
    id: 'chart-breakdown',
    title: 'Where the time goes',
    caption:
      'p50 and p99 of each part of a correlated request, in ms: what the client saw, the part outside the function ' +
      "(client − Lambda Duration: API Gateway or the emulator, the network and the client's queue), Lambda's " +
      "Duration, and the handler's own durationMs.",
    svg: await toSvg(spec as TopLevelSpec),
  };
}

async function coverageChart(c: NonNullable<RunReport['coverage']>): Promise<Chart> {
  const values = [
    { kind: 'matched', count: c.matched },
    ...Object.entries(c.misses).map(([kind, m]) => ({ kind: `missed: ${kind}`, count: m.count })),
    ...(c.unexpected ? [{ kind: 'in the logs, never sent', count: c.unexpected.count }] : []),
  ];
  const spec = {
    config: CONFIG,
    width: WIDTH - 200,
    data: { values },
    mark: { type: 'bar' as const },
    encoding: {
      y: { field: 'kind', type: 'nominal' as const, title: null, sort: null },
      x: { field: 'count', type: 'quantitative' as const, title: 'requests' },
      color: {
        condition: { test: "datum.kind === 'matched'", value: '#2ca02c' },
        value: COLORS.p99,
      },
    },
  };
  return {
    id: 'chart-coverage',
    title: 'Coverage',
    caption: `Sampled requests found in the server's logs (${c.matched} of ${c.expected} expected) and each kind of miss.`,
    svg: await toSvg(spec as TopLevelSpec),
  };
}
