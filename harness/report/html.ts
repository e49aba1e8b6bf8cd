/**
 * Renders a {@link RunReport} as one self-contained HTML page: the verdict, the tables of the markdown report
 * and SVG charts (report/charts.ts), with inline CSS only. A Content-Security-Policy that allows nothing
 * from the network proves the page needs nothing from it; it prints on paper as it reads on screen.
 *
 * Every number in a table cell carries `data-path`, the place in the report's `.json` it comes from, so a
 * test (and a curious reader) can check the page against the data.
 */
import type { Chart } from './charts.js';
import { FIGURE_MARK, type RunReport, type SummaryView } from './model.js';
import { ms, outcomeLine } from './render.js';

/** Draws the report's charts; report/charts.ts, loaded only when a report is written (not with every command). */
async function drawCharts(r: RunReport): Promise<Chart[]> {
  const { renderCharts } = await import('./charts.js');
  return renderCharts(r);
}

/**
 * Renders the page. Async only because the charts are drawn by Vega's asynchronous view. A chart that cannot
 * be drawn costs the page its charts, with the reason shown, never the report.
 */
export async function renderHtml(r: RunReport, draw: (r: RunReport) => Promise<Chart[]> = drawCharts): Promise<string> {
  let charts: Chart[] = [];
  let chartError: string | undefined;
  try {
    charts = await draw(r);
  } catch (error) {
    chartError = `The charts could not be drawn (${(error as Error).message}); the tables below are complete.`;
  }
  const figure = (id: string) => {
    const chart = charts.find((c) => c.id === id);
    if (!chart) return '';
    return (
      `<figure id="${chart.id}"><h3>${esc(chart.title)}</h3>${chart.svg}` +
      `<figcaption>${esc(chart.caption)}</figcaption></figure>`
    );
  };
  const title = `Bench report: ${r.run.stackName} on ${r.run.target}`;
  const body = [
    headline(r),
    list('notes', 'note', r.notes),
    list('warnings', 'warning', r.warnings),
    chartError ? `<p class="warning" id="chart-error">${esc(chartError)}</p>` : '',
    slos(r),
    latency(r),
    figure('chart-timeline'),
    figure('chart-distribution'),
    breakdown(r, figure('chart-breakdown')),
    coldStarts(r),
    load(r),
    coverage(r, figure('chart-coverage')),
    slowest(r),
    destroy(r),
    emulator(r),
    settings(r),
    metadata(r),
  ].filter((s) => s !== '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // Nothing may be fetched: no scripts, fonts, images or styles from anywhere.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${esc(title)}</h1>`,
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const STYLE = `
:root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
body { margin: 0; color: #1b1b1b; background: #fff; line-height: 1.45; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 1.5rem; margin: 0 0 8px; }
h2 { font-size: 1.2rem; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 1rem; margin: 0 0 6px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 0.9rem; }
th, td { border: 1px solid #d0d0d0; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { font-size: 1.15rem; font-weight: 600; padding: 8px 12px; border-left: 6px solid #888; background: #f6f6f6; }
.verdict strong { text-transform: uppercase; }
.v-pass { border-color: #2ca02c; } .v-fail, .v-error { border-color: #d62728; } .v-inconclusive, .v-interrupted { border-color: #ff7f0e; }
.status-pass { color: #1a7f1a; } .status-fail { color: #b3171b; font-weight: 600; } .status-inconclusive, .status-skipped { color: #a65c00; }
.note { border-left: 4px solid #1f77b4; padding: 4px 10px; background: #f2f7fc; }
.warning { border-left: 4px solid #ff7f0e; padding: 4px 10px; background: #fff6ec; }
figure { margin: 20px 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #444; }
pre { white-space: pre-wrap; word-break: break-all; font-size: 0.78rem; background: #f6f6f6; padding: 6px; margin: 4px 0; }
code { font-size: 0.85em; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } table, pre { break-inside: avoid; } }
`;

/** Text made safe inside HTML (element content and quoted attribute values). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The value at a dotted path of the report (`latency.all.p99`, `slowest.0.latencyMs`). */
function at(r: RunReport, path: string): unknown {
  let value: unknown = r;
  for (const key of path.split('.')) value = (value as Record<string, unknown> | null | undefined)?.[key];
  return value;
}

/** A cell showing a number of the report, formatted by `format` (ms by default), tied to its path. */
function num(r: RunReport, path: string, format: (n: number) => string = (n) => ms(n), suffix = ''): string {
  const value = at(r, path);
  const text = typeof value === 'number' && Number.isFinite(value) ? `${format(value)}${suffix}` : '–';
  return `<td class="num" data-path="${esc(path)}">${esc(text)}</td>`;
}

/** A cell showing a string (or, rarely, a boolean) of the report as it is, tied to its path. */
function str(r: RunReport, path: string): string {
  const value = at(r, path);
  const text = value === null || value === undefined ? '–' : String(value);
  return `<td data-path="${esc(path)}">${esc(text)}</td>`;
}

const count = (n: number) => String(n);
const fixed = (digits: number) => (n: number) => n.toFixed(digits);

function table(headers: readonly string[], rows: readonly string[]): string {
  const head = headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

const row = (label: string, cells: readonly string[]) => `<tr><th scope="row">${esc(label)}</th>${cells.join('')}</tr>`;

function list(kind: string, className: string, items: readonly string[]): string {
  if (items.length === 0) return '';
  const lis = items.map((item, i) => `<li class="${className}" data-path="${kind}.${i}">${esc(item)}</li>`);
  return `<section id="${kind}"><ul>${lis.join('')}</ul></section>`;
}

function headline(r: RunReport): string {
  const o = r.outcome;
  const exit = `<span data-path="exitCode">${r.exitCode}</span>`;
  let line: string;
  let reasons: readonly string[] = [];
  switch (o.kind) {
    case 'verdict':
      line = `Verdict: <strong data-path="outcome.verdict">${esc(o.verdict)}</strong> (exit ${exit})`;
      reasons = o.reasons;
      break;
    case 'interrupted':
      line =
        `<strong>Interrupted</strong> during <span data-path="outcome.phase">${esc(o.phase)}</span> by ` +
        `<span data-path="outcome.signal">${esc(o.signal)}</span> (exit ${exit}); nothing here is a verdict`;
      break;
    case 'error':
      line =
        `<strong>Error</strong> during <span data-path="outcome.phase">${esc(o.phase)}</span>: ` +
        `<span data-path="outcome.code">${esc(o.code)}</span> <span data-path="outcome.message">${esc(o.message)}</span> (exit ${exit})`;
      break;
  }
  const kind = o.kind === 'verdict' ? o.verdict : o.kind;
  const items = reasons.map((reason, i) => `<li data-path="outcome.reasons.${i}">${esc(reason)}</li>`).join('');
  return (
    `<p class="verdict v-${kind}" title="${esc(outcomeLine(o, r.exitCode))}">${line}</p>` +
    (items ? `<ul class="reasons">${items}</ul>` : '')
  );
}

function slos(r: RunReport): string {
  if (r.slos.length === 0) return '';
  const marked = (r.run.emulator?.marks.length ?? 0) > 0;
  const rows = r.slos.map((s, i) => {
    const p = `slos.${i}`;
    const unit = s.unit === 'ms' ? ' ms' : s.unit === '%' ? '%' : '';
    const value = (n: number) => (s.unit === 'ms' ? ms(n) : String(Number(n.toFixed(4))));
    const margin = (n: number) => `${n >= 0 ? '+' : '−'}${value(Math.abs(n))}`;
    return (
      `<tr>${str(r, `${p}.slo`)}${str(r, `${p}.metric`)}${num(r, `${p}.value`, value, `${unit}${s.underSampled ? ' †' : ''}${s.unit === 'ms' && marked ? ` ${FIGURE_MARK}` : ''}`)}` +
      `${str(r, `${p}.comparator`)}${num(r, `${p}.threshold`, value, unit)}${num(r, `${p}.margin`, margin, unit)}` +
      `${num(r, `${p}.n`, count)}<td class="status-${s.status}" data-path="${p}.status">${esc(s.status)}</td></tr>`
    );
  });
  const sampled = r.slos.some((s) => s.underSampled)
    ? '<p>† a percentile from fewer samples than it needs to be more than the largest few values.</p>'
    : '';
  return `<section id="slos"><h2>SLOs</h2>${table(['SLO', 'metric', 'value', 'is', 'threshold', 'margin', 'n', 'status'], rows)}${sampled}</section>`;
}

const STATS = ['n', 'p50', 'p90', 'p95', 'p99', 'p99_9', 'max'] as const;

function summaryRows(r: RunReport, rows: readonly (readonly [string, string])[]): string {
  return table(
    ['', 'n', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
    rows.map(([label, path]) => {
      const s = at(r, path) as SummaryView;
      return row(
        label,
        STATS.map((stat) =>
          num(r, `${path}.${stat}`, stat === 'n' ? count : ms, s.underSampled.includes(stat) ? ' †' : ''),
        ),
      );
    }),
  );
}

function latency(r: RunReport): string {
  if (!r.latency) return '';
  const from = r.load?.closedLoop ? 'send time (closed loop)' : "each request's scheduled send time (open model)";
  return (
    `<section id="latency"><h2>Latency (ms, measured phase, from ${esc(from)})${figureMark(r)}</h2>` +
    figureMarkNotes(r) +
    summaryRows(r, [
      ['all', 'latency.all'],
      ['warm', 'latency.warm'],
      ['cold', 'latency.cold'],
    ]) +
    '</section>'
  );
}

function breakdown(r: RunReport, chart: string): string {
  if (!r.breakdown) return '';
  const gap =
    r.run.target === 'local'
      ? "The gap is queueing in the client pool, loopback HTTP and the emulator's API Gateway and runtime hop."
      : 'The gap is the network, API Gateway, and queueing in the client pool.';
  return (
    `<section id="breakdown"><h2>Where the time goes (ms, matched measured requests)${figureMark(r)}</h2>` +
    summaryRows(r, [
      ['client latency', 'breakdown.client'],
      ['Lambda Duration (REPORT)', 'breakdown.lambda'],
      ['handler durationMs', 'breakdown.handler'],
      ['gap = client − Lambda', 'breakdown.gap'],
    ]) +
    `<p>${esc(gap)}</p>${chart}</section>`
  );
}

function coldStarts(r: RunReport): string {
  if (!r.coldStarts) return '';
  return (
    `<section id="cold-starts"><h2>Cold starts${figureMark(r)}</h2>` +
    table(
      ['', 'count'],
      [
        row('while measuring', [num(r, 'coldStarts.measured', count)]),
        row('during warm-up', [num(r, 'coldStarts.warmup', count)]),
      ],
    ) +
    summaryRows(r, [['Init Duration (ms)', 'coldStarts.initDuration']]) +
    '</section>'
  );
}

function load(r: RunReport): string {
  const l = r.load;
  if (!l) return '';
  const rows = [
    row('target rate (req/s)', [num(r, 'load.targetRps', fixed(1))]),
    row('sent rate (req/s)', [num(r, 'load.sentRps', fixed(1))]),
    row('achieved rate (req/s)', [num(r, 'load.achievedRps', fixed(1))]),
    row('throughput (responses/s)', [num(r, 'load.throughputRps', fixed(1))]),
    row('send lag p99 (ms)', [num(r, 'load.sendLagP99Ms')]),
    row('send lag worst (ms)', [num(r, 'load.sendLagMaxMs')]),
    row('measured requests', [num(r, 'load.requests', count)]),
    row('responses', [num(r, 'load.responses', count)]),
    row('failed', [num(r, 'load.errors', count)]),
    row('error rate (%)', [num(r, 'load.errorRatePercent', fixed(3))]),
    row('throttled (429)', [num(r, 'load.throttledResponses', count)]),
    row('warm-up requests (not judged)', [num(r, 'load.warmup.requests', count)]),
  ];
  const statuses = Object.keys(l.statusCodes).map((code) => row(code, [num(r, `load.statusCodes.${code}`, count)]));
  const kinds = Object.keys(l.errorKinds).map((kind) => row(kind, [num(r, `load.errorKinds.${kind}`, count)]));
  return (
    `<section id="load"><h2>Load</h2>${table(['', ''], rows)}` +
    (statuses.length > 0 ? table(['status', 'responses'], statuses) : '') +
    (kinds.length > 0 ? table(['error kind', 'requests'], kinds) : '') +
    '</section>'
  );
}

function coverage(r: RunReport, chart: string): string {
  const c = r.coverage;
  if (!c) return '';
  const rows = [
    row('sampled', [num(r, 'coverage.sampled', count)]),
    row('expected in the logs', [num(r, 'coverage.expected', count)]),
    row('matched', [num(r, 'coverage.matched', count)]),
    row('coverage (%)', [num(r, 'coverage.coveragePercent', fixed(2))]),
    row('queries', [num(r, 'coverage.queries', count)]),
    row('query errors', [num(r, 'coverage.queryErrors', count)]),
    row('correlation took (ms)', [num(r, 'coverage.elapsedMs', fixed(0))]),
    row('logs deadline passed', [str(r, 'coverage.timedOut')]),
  ];
  const misses = Object.keys(c.misses).map((kind) =>
    row(kind, [num(r, `coverage.misses.${kind}.count`, count), examples(r, `coverage.misses.${kind}.examples`)]),
  );
  if (c.unexpected) {
    misses.push(
      row('logged, never sent', [
        num(r, 'coverage.unexpected.count', count),
        examples(r, 'coverage.unexpected.examples'),
      ]),
    );
  }
  return (
    `<section id="coverage"><h2>Log coverage</h2>${table(['', ''], rows)}` +
    (misses.length > 0 ? table(['miss', 'requests', 'examples'], misses) : '<p>No misses.</p>') +
    `${chart}</section>`
  );
}

function examples(r: RunReport, path: string): string {
  const ids = at(r, path) as readonly string[];
  const items = ids.map((id, i) => `<code data-path="${esc(path)}.${i}">${esc(id)}</code>`).join(' ');
  return `<td>${items || '–'}</td>`;
}

function slowest(r: RunReport): string {
  if (r.slowest.length === 0) return '';
  const rows = r.slowest.map((s, i) => {
    const p = `slowest.${i}`;
    const line = (key: 'handlerLine' | 'reportLine', missing: string) => {
      const value = s[key];
      return value === null ? `<p>${missing}</p>` : `<pre data-path="${p}.${key}">${esc(value)}</pre>`;
    };
    return (
      `<tr>${num(r, `${p}.atSeconds`, fixed(3))}${str(r, `${p}.request`)}${num(r, `${p}.latencyMs`)}` +
      `${num(r, `${p}.status`, count)}${str(r, `${p}.cold`)}${num(r, `${p}.lambdaMs`)}` +
      `<td><code data-path="${p}.correlationId">${esc(s.correlationId)}</code>` +
      `${line('handlerLine', '(handler line not found)')}${line('reportLine', '(REPORT line not found)')}</td></tr>`
    );
  });
  return (
    `<section id="slowest"><h2>The slowest requests, with their log lines</h2>` +
    table(
      ['at (s)', 'request', 'latency (ms)', 'status', 'cold', 'Lambda (ms)', 'correlation id and log lines'],
      rows,
    ) +
    '</section>'
  );
}

function destroy(r: RunReport): string {
  const d = r.destroy;
  let body: string;
  switch (d.kind) {
    case 'kept':
      body = `<p class="warning">--keep was given: ${esc(r.run.stackName)} was NOT destroyed.</p>`;
      break;
    case 'nothing-deployed':
      body = '<p>Nothing was deployed, so nothing was destroyed.</p>';
      break;
    case 'failed':
      body = `<p class="warning" data-path="destroy.message">${esc(d.message)}</p>`;
      break;
    case 'destroyed':
      body =
        table(
          ['', ''],
          [
            row('verified, nothing left', [str(r, 'destroy.report.verified')]),
            row('took (ms)', [num(r, 'destroy.report.durationMs', fixed(0))]),
          ],
        ) +
        `<ul>${d.report.checks.map((c, i) => `<li data-path="destroy.report.checks.${i}">${esc(c)}</li>`).join('')}</ul>` +
        (d.report.leftovers.length > 0
          ? `<p>Left over:</p><ul>${d.report.leftovers.map((l, i) => `<li class="warning" data-path="destroy.report.leftovers.${i}">${esc(l)}</li>`).join('')}</ul>`
          : '');
      break;
  }
  return `<section id="destroy"><h2>Destroy</h2>${body}</section>`;
}

const RUN_FACTS = [
  ['run id', 'runId'],
  ['stack', 'stackName'],
  ['target', 'target'],
  ['region', 'region'],
  ['memory (MB)', 'memorySizeMb'],
  ['commit', 'commit'],
  ['started', 'startedAt'],
  ['ended', 'endedAt'],
  ['mode', 'mode'],
  ['rate (req/s)', 'rateRps'],
  ['measured (s)', 'durationSeconds'],
  ['warm-up (s)', 'warmupSeconds'],
  ['connections', 'connections'],
  ['sample', 'sample'],
  ['logs deadline (s)', 'logsTimeoutSeconds'],
  ['base URL', 'baseUrl'],
  ['log group', 'logGroupName'],
  ['expires', 'expiresAt'],
  ['creator', 'creator'],
  ['node', 'nodeVersion'],
] as const;

/** ` ‡` after a heading whose figures a local limit or the wrong Node.js major may have changed. */
function figureMark(r: RunReport): string {
  return (r.run.emulator?.marks.length ?? 0) > 0 ? ` <span class="mark">${FIGURE_MARK}</span>` : '';
}

function figureMarkNotes(r: RunReport): string {
  const marks = r.run.emulator?.marks ?? [];
  if (marks.length === 0) return '';
  const items = marks.map(
    (_, i) =>
      `<li class="warning">${FIGURE_MARK} <span data-path="run.emulator.marks.${i}.text">${esc(marks[i]!.text)}</span></li>`,
  );
  return `<ul class="marks">${items.join('')}</ul>`;
}

/** The local emulator: the Node.js the function ran on, and Lambda's limit vs this machine's cap. */
function emulator(r: RunReport): string {
  const e = r.run.emulator;
  if (!e) return '';
  const base = 'run.emulator';
  const rows = [
    row('runtime', [str(r, `${base}.nodeRuntime.runtime`)]),
    row('Node.js major on Lambda', [num(r, `${base}.nodeRuntime.wantedMajor`, count)]),
    row(`Node.js here${e.nodeRuntime.matches ? '' : ` ${FIGURE_MARK} wrong major`}`, [
      str(r, `${base}.nodeRuntime.nodeVersion`),
    ]),
    row('Node.js binary', [str(r, `${base}.nodeRuntime.nodePath`)]),
    ...(e.nodeRuntime.problem ? [row('problem', [str(r, `${base}.nodeRuntime.problem`)])] : []),
    row("Lambda's concurrency limit", [num(r, `${base}.concurrency.concurrencyLimit`, count)]),
    row('limit from', [str(r, `${base}.concurrency.limitSource`)]),
    row('throttled by it (500, as on AWS)', [num(r, `${base}.concurrency.throttled`, count)]),
    row("this machine's cap on environments", [num(r, `${base}.concurrency.environmentCap`, count)]),
    row(`invocations that waited for the cap${e.concurrency.queued > 0 ? ` ${FIGURE_MARK}` : ''}`, [
      num(r, `${base}.concurrency.queued`, count),
    ]),
    row('longest wait (ms)', [num(r, `${base}.concurrency.maxQueueWaitMs`, fixed(1))]),
    row('dropped at the integration timeout (504)', [num(r, `${base}.concurrency.expiredInQueue`, count)]),
    row('environments at most', [num(r, `${base}.concurrency.peakEnvironments`, count)]),
  ];
  return `<section id="emulator"><h2>Local emulator</h2>${table(['', ''], rows)}</section>`;
}

/** The stack's settings as synthesized, each with where its value came from. */
function settings(r: RunReport): string {
  if (r.run.settings.length === 0) return '';
  const rows = r.run.settings.map(
    (_, i) =>
      `<tr>${str(r, `run.settings.${i}.key`)}${str(r, `run.settings.${i}.value`)}${str(r, `run.settings.${i}.source`)}</tr>`,
  );
  return `<section id="settings"><h2>Settings (CDK context, resolved as cdk synth does)</h2>${table(['key', 'value', 'from'], rows)}</section>`;
}

function metadata(r: RunReport): string {
  const facts = RUN_FACTS.map(([label, key]) =>
    row(label, [typeof r.run[key] === 'number' ? num(r, `run.${key}`, count) : str(r, `run.${key}`)]),
  );
  const mix = r.run.mix.map(
    (_, i) =>
      `<tr>${str(r, `run.mix.${i}.name`)}${num(r, `run.mix.${i}.weight`, count)}${str(r, `run.mix.${i}.method`)}${str(r, `run.mix.${i}.path`)}</tr>`,
  );
  const phases = r.phases.map(
    (_, i) =>
      `<tr>${str(r, `phases.${i}.name`)}${str(r, `phases.${i}.startedAt`)}${num(r, `phases.${i}.durationMs`, fixed(0))}${str(r, `phases.${i}.outcome`)}</tr>`,
  );
  return (
    `<section id="run"><h2>Run</h2>${table(['', ''], facts)}` +
    table(['request', 'weight', 'method', 'path'], mix) +
    table(['phase', 'started', 'took (ms)', 'outcome'], phases) +
    '</section>'
  );
}
