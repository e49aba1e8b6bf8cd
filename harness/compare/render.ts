/**
 * A {@link Comparison} as markdown (report sections, PR comments, `--out`), as terminal text, and as JSON data.
 * The table is one set of cells for all three, so they always say the same thing. Pure.
 */
import { markdownTable, textTable } from '../report/markdown.js';
import { ms } from '../report/render.js';
import type { ComparedSide, Comparison, ComparisonKind } from './saved.js';
import { formatTolerance } from './tolerance.js';
import { type MetricComparison, verdictExitCode } from './verdict.js';

/** What an interval of each kind covers, said first so nobody reads a sequential table as an interleaved one. */
export const EVIDENCE_NOTES: Readonly<Record<ComparisonKind, string>> = {
  sequential:
    'These are two sequential runs: base and head ran at different moments, possibly on different machines or ' +
    'deployments. Each interval covers only the sampling noise within each run, not drift between the runs ' +
    '(another time of day, a busier machine or region, another deployment), so this is weaker evidence than an ' +
    'interleaved comparison, where one run loads base and head side by side.',
  interleaved:
    'Base and head ran interleaved in one run: one schedule sent each request to one side or the other in a ' +
    'random, balanced order, so noise both sides shared cancels in the paired intervals.',
};

/** The metric table's header; its rows are {@link metricCells}. */
export const METRIC_HEADERS = ['metric', 'base', 'head', 'difference (interval)', 'tolerance', 'verdict'] as const;

const KIND_TITLES: Readonly<Record<ComparisonKind, string>> = {
  sequential: 'two sequential runs',
  interleaved: 'an interleaved run',
};

/** The cells of one metric row, in {@link METRIC_HEADERS} order. */
export function metricCells(m: MetricComparison): string[] {
  const interval = Number.isFinite(m.low) && Number.isFinite(m.high);
  const difference = `${signedMs(m.difference)} ms ${interval ? `(${signedMs(m.low)} to ${signedMs(m.high)})` : '(no interval)'}`;
  return [m.metric, withMs(m.base), withMs(m.head), difference, toleranceCell(m), m.verdict];
}

function withMs(value: number): string {
  return Number.isFinite(value) ? `${ms(value)} ms` : '–';
}

/** `+1.250`, `-0.400`, `0.000`: a difference always shows its sign. */
function signedMs(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value > 0 ? `+${ms(value)}` : ms(value);
}

function toleranceCell(m: MetricComparison): string {
  if (m.tolerance === undefined) return '–';
  const text = formatTolerance(m.tolerance);
  // A relative tolerance is shown with what it came to against this base.
  return m.tolerance.unit === '%' && m.toleranceMs !== undefined ? `${text} (${withMs(m.toleranceMs)})` : text;
}

/** Rows of the two runs' facts: what was compared with what. */
function sideRows(c: Comparison): string[][] {
  const row = (label: string, cell: (s: ComparedSide) => string) => [label, cell(c.base), cell(c.head)];
  return [
    ...(c.base.file !== null || c.head.file !== null ? [row('report', (s) => s.file ?? '–')] : []),
    row('commit', (s) => s.commit.slice(0, 12)),
    row('target', (s) => s.target),
    row('region', (s) => s.region ?? '–'),
    row('memory', (s) => (s.memorySizeMb === null ? '–' : `${s.memorySizeMb} MB`)),
    row('started', (s) => s.startedAt),
    row('load', loadText),
    row('mix', (s) => s.mix),
    row('samples', samplesText),
  ];
}

function loadText(s: ComparedSide): string {
  const rate = s.rateRps === null ? s.mode : `${s.mode}, ${s.rateRps} req/s`;
  return `${rate} for ${s.durationSeconds} s`;
}

function samplesText(s: ComparedSide): string {
  return s.thinnedFrom === null ? String(s.samples) : `${s.samples} (thinned from ${s.thinnedFrom})`;
}

/** Notes under the table: how the intervals were made, thinning, and why each row without a verdict has none. */
function notes(c: Comparison): string[] {
  const s = c.settings;
  const lines = [
    `Intervals: ${Math.round(s.confidence * 100)} % block bootstrap of head − base (${s.blockSeconds} s blocks, ` +
      `${s.resamples} resamples, seed ${s.seed}), ${s.pairing === 'paired' ? 'both sides drawn from the same blocks' : 'each run resampled on its own'}. ` +
      `Tolerances (${s.maxRegression}) judge client latency only; the lambda and handler rows are info.`,
  ];
  for (const [label, side] of [
    ['base', c.base],
    ['head', c.head],
  ] as const) {
    if (side.thinnedFrom !== null) {
      lines.push(
        `The ${label} report keeps ${side.samples} of its ${side.thinnedFrom} measured responses (evenly thinned ` +
          'in time): its percentiles and intervals come from those.',
      );
    }
  }
  for (const m of c.metrics) {
    if (m.verdict === 'inconclusive' || !Number.isFinite(m.low)) lines.push(`${m.metric}: ${m.reason}.`);
  }
  return lines;
}

/** The overall verdict's line: the word, the exit code, and the reasons that overrode the rows. */
function verdictLine(c: Comparison): string {
  return `verdict: ${c.verdict} (exit ${verdictExitCode(c.verdict)})`;
}

/** A Mermaid `xychart-beta` of base vs head client latency at p50, p90 and p99; '' when a value is missing. */
export function comparisonChart(c: Comparison): string {
  const points = (['p50', 'p90', 'p99'] as const).map((statistic) =>
    c.metrics.find((m) => m.metric === `latency ${statistic}`),
  );
  if (!points.every((m) => m !== undefined && Number.isFinite(m.base) && Number.isFinite(m.head))) return '';
  const rows = points as MetricComparison[];
  const round3 = (value: number) => Math.round(value * 1000) / 1000;
  const top = Math.max(...rows.flatMap((m) => [m.base, m.head]));
  return [
    'Client latency percentiles (ms): base (first line) and head (second line).',
    '',
    '```mermaid',
    'xychart-beta',
    '    title "Client latency, base vs head (ms)"',
    '    x-axis ["p50", "p90", "p99"]',
    // From 0, so the chart does not magnify a small difference; 10 % headroom above the highest point.
    `    y-axis "latency (ms)" 0 --> ${axisTop(top)}`,
    `    line [${rows.map((m) => round3(m.base)).join(', ')}]`,
    `    line [${rows.map((m) => round3(m.head)).join(', ')}]`,
    '```',
  ].join('\n');
}

/** 10 % above `value`, rounded up to two significant digits. */
function axisTop(value: number): number {
  if (!(value > 0)) return 1;
  const target = value * 1.1;
  const power = 10 ** (Math.floor(Math.log10(target)) - 1);
  return Math.ceil(target / power) * power;
}

/** The comparison as a markdown section: evidence note first, then verdict, warnings, runs, table, notes, chart. */
export function renderComparisonMarkdown(c: Comparison): string {
  const parts = [
    `## Comparison of ${KIND_TITLES[c.kind]}: ${c.verdict}`,
    '',
    `**${EVIDENCE_NOTES[c.kind]}**`,
    '',
    `**${verdictLine(c)}**${c.reasons.map((reason) => `\n- ${reason}`).join('')}`,
  ];
  if (c.warnings.length > 0) {
    // GitHub's alert block: loud, and still plain text elsewhere.
    parts.push('', '> [!WARNING]', ...c.warnings.map((warning) => `> - ${warning}`));
  }
  parts.push(
    '',
    markdownTable(['', 'base', 'head'], sideRows(c)),
    '',
    markdownTable(METRIC_HEADERS, c.metrics.map(metricCells), ['left', 'right', 'right', 'right', 'right', 'left']),
    '',
    ...notes(c).map((line) => `- ${line}`),
  );
  const chart = comparisonChart(c);
  if (chart !== '') parts.push('', chart);
  return parts.join('\n');
}

/** The comparison for a terminal: the same content as the markdown, as aligned plain text. */
export function renderComparisonText(c: Comparison): string {
  return [
    `Comparison of ${KIND_TITLES[c.kind]}: ${c.verdict.toUpperCase()}`,
    EVIDENCE_NOTES[c.kind],
    '',
    ...c.warnings.map((warning) => `WARNING: ${warning}`),
    verdictLine(c),
    ...c.reasons.map((reason) => `  ${reason}`),
    '',
    textTable(['', 'base', 'head'], sideRows(c)),
    '',
    textTable([...METRIC_HEADERS], c.metrics.map(metricCells)),
    '',
    ...notes(c),
  ].join('\n');
}

/** The comparison as plain JSON data: NaN (no value, no interval) and absent fields become null. */
export function comparisonData(c: Comparison): unknown {
  return JSON.parse(JSON.stringify(c, jsonSafe));
}

/** `comparisonData` as text, for `--format json` and `--out`. */
export function renderComparisonJson(c: Comparison): string {
  return JSON.stringify(c, jsonSafe, 2);
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (value === undefined) return null;
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
