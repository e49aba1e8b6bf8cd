/**
 * Renders a {@link RunReport} as GitHub-flavoured markdown: verdict and SLO table first, then the numbers
 * behind them, the evidence from the logs, the queries, and Mermaid charts GitHub draws. Pure: template
 * strings over the report data, no sample loops.
 */
import type { MeasuredOutcome } from '../check/outcome.js';
import {
  EVENT_LOOP_DELAY_P99_LIMIT_MS,
  HOST_CPU_BUSY_LIMIT_PERCENT,
  PROCESS_CPU_LIMIT_PERCENT,
  SEND_LAG_P99_LIMIT_MS,
} from '../check/timing.js';
import { harnessCommand } from '../shell-quote.js';
import { PERCENTILE_RANKS } from '../stats/percentile.js';
import { minSamplesFor } from '../stats/sampling.js';
import { markdownTable } from './markdown.js';
import { FIGURE_MARK, type RunReport, type SloView, type SummaryView } from './model.js';

/** Where the markdown points for its HTML page: the file beside it, and the workflow run whose artifacts hold it. */
export interface HtmlLink {
  readonly name: string;
  /** The GitHub Actions run page, when the report is written in one (PR comments and step summaries link there). */
  readonly runUrl?: string;
}

/** Renders the full report; `html` names its HTML page, linked under the verdict. */
export function renderReport(report: RunReport, html?: HtmlLink): string {
  const legend = legendOnce();
  const sections = [
    headline(report),
    html ? htmlLine(html) : '',
    notes(report),
    sloTable(report, legend),
    warnings(report),
    latency(report, legend),
    load(report),
    coldStarts(report, legend),
    breakdown(report, legend),
    timing(report),
    slowest(report),
    coverage(report),
    chartsSection(report),
    queries(report),
    destroy(report),
    emulator(report),
    settings(report),
    metadata(report),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

function htmlLine(html: HtmlLink): string {
  const file = `[${html.name}](${encodeURI(html.name)})`;
  const artifacts = html.runUrl ? `, also in the [workflow run's artifacts](${html.runUrl})` : '';
  return `Charts and the same numbers in one page: ${file} beside this file${artifacts}; it opens offline in any browser.`;
}

const VERDICT_TEXT = { pass: 'PASS', fail: 'FAIL', inconclusive: 'INCONCLUSIVE' } as const;

/** One line saying how the run ended, e.g. `FAIL (exit 1)` or `INTERRUPTED during load by SIGINT`. */
export function outcomeLine(outcome: MeasuredOutcome, exitCode: number): string {
  switch (outcome.kind) {
    case 'verdict':
      return `${VERDICT_TEXT[outcome.verdict]} (exit ${exitCode})`;
    case 'interrupted':
      return `INTERRUPTED during ${outcome.phase} by ${outcome.signal} (exit ${exitCode})`;
    case 'error':
      return `ERROR during ${outcome.phase}: [${outcome.code}] ${outcome.message} (exit ${exitCode})`;
  }
}

function headline(r: RunReport): string {
  const lines = [
    `# Bench report: ${r.run.stackName} on ${r.run.target}`,
    '',
    `**Verdict: ${outcomeLine(r.outcome, r.exitCode)}**`,
  ];
  if (r.outcome.kind === 'verdict') {
    lines.push('', ...r.outcome.reasons.map((reason) => `- ${reason}`));
  } else if (r.outcome.kind === 'interrupted') {
    lines.push(
      '',
      `The run was stopped during the **${r.outcome.phase}** phase; what it had measured is below, and ` +
        'nothing here is a verdict.',
    );
  }
  return lines.join('\n');
}

function notes(r: RunReport): string {
  return r.notes.map((note) => `> [!NOTE]\n> ${note}`).join('\n\n');
}

function sloTable(r: RunReport, legend: Legend): string {
  if (r.slos.length === 0) return '';
  const rows = r.slos.map((s) => [
    `\`${s.slo}\``,
    sloSubject(s),
    `${valueWithUnit(s.value, s.unit)}${s.underSampled ? UNDER_SAMPLED_MARK : ''}${s.unit === 'ms' ? figureMark(r) : ''}`,
    `${s.comparator.replace('<=', '≤').replace('>=', '≥')} ${valueWithUnit(s.threshold, s.unit)}`,
    s.margin === null ? '–' : `${s.margin >= 0 ? '+' : '−'}${valueWithUnit(Math.abs(s.margin), s.unit)}`,
    String(s.n),
    s.note ? `${s.status} (${s.note})` : s.status,
  ]);
  return [
    `## SLOs (${r.run.sloSource === 'defaults' ? 'defaults' : 'from flags or config'})`,
    '',
    markdownTable(['SLO', 'measures', 'value', 'threshold', 'margin', 'n', 'status'], rows, [
      'left',
      'left',
      'right',
      'left',
      'right',
      'right',
      'left',
    ]),
    ...legend(r.slos.some((s) => s.underSampled)),
  ].join('\n');
}

/** Marks a percentile computed from too few samples. */
const UNDER_SAMPLED_MARK = '†';

/** The legend of {@link UNDER_SAMPLED_MARK}, with each percentile's minimum from the one rule in harness/stats/sampling.ts. */
export function underSampledLegend(): string {
  const minimums = Object.entries(PERCENTILE_RANKS)
    .map(([key, rank]) => `${key.replace('_', '.')} ${minSamplesFor(rank).toLocaleString('en-US')}`)
    .join(', ');
  return (
    `${UNDER_SAMPLED_MARK} too few samples for this percentile: pX needs n ≥ ln(0.05)/ln(X) ≈ 3/(1−X) (${minimums}); ` +
    'with fewer, the chance that every sample lies below the true pX exceeds 5 %, and the value is little more than the maximum.'
  );
}

/** Lines to add after a table: the legend, the first time a table has a mark. */
type Legend = (marked: boolean) => string[];

function legendOnce(): Legend {
  let shown = false;
  return (marked) => {
    if (!marked || shown) return [];
    shown = true;
    return ['', underSampledLegend()];
  };
}

function anyUnderSampled(...summaries: SummaryView[]): boolean {
  return summaries.some((s) => s.underSampled.length > 0);
}

const SCOPE_TEXT: Record<string, string> = {
  all: 'client latency, all requests',
  warm: 'client latency, warm requests',
  cold: 'client latency, cold starts',
  lambda: 'Lambda Duration (REPORT)',
  init: 'Init Duration of cold starts',
};

function sloSubject(s: SloView): string {
  if (s.metric === 'errors') return 'failed requests';
  if (s.metric === 'coverage') return 'requests found in the logs';
  if (s.metric === 'cold_starts') return 'cold starts while measuring';
  const [scope = '', stat = ''] = s.metric.split('.');
  return `${stat.replace('_', '.')} of ${SCOPE_TEXT[scope] ?? scope}`;
}

function warnings(r: RunReport): string {
  if (r.warnings.length === 0) return '';
  return ['> [!WARNING]', ...r.warnings.map((w) => `> - ${w}`)].join('\n');
}

function latency(r: RunReport, legend: Legend): string {
  if (!r.latency) return '';
  const label = r.load?.closedLoop
    ? "closed-loop service times, from each request's actual send time (autocannon)"
    : "from each request's scheduled send time (open model, µs resolution)";
  return [
    `## Latency (ms, measured phase, ${label})${figureMark(r)}`,
    ...figureMarkNotes(r),
    '',
    percentileTable('requests', [
      ['all', r.latency.all],
      ['warm', r.latency.warm],
      ['cold', r.latency.cold],
    ]),
    ...legend(anyUnderSampled(r.latency.all, r.latency.warm, r.latency.cold)),
  ].join('\n');
}

function load(r: RunReport): string {
  const l = r.load;
  if (!l) return '';
  const lines = ['## Load', ''];
  if (l.targetRps !== null) {
    lines.push(
      `- Rate: target ${fixed(l.targetRps, 1)} req/s, sent ${fixed(l.sentRps, 1)} req/s, achieved ` +
        `${fixed(l.achievedRps, 1)} req/s (${percentText(l.achievedRps, l.targetRps)} of target); send lag p99 ` +
        `${ms(l.sendLagP99Ms)} ms, worst ${ms(l.sendLagMaxMs)} ms`,
    );
  } else {
    lines.push(
      `- Peak throughput (closed loop, ${r.run.connections} connections): ${fixed(l.throughputRps, 1)} successful (2xx) ` +
        `responses/s; ${l.throttledResponses} throttled (429) responses counted apart`,
    );
  }
  lines.push(
    `- Requests: ${l.requests} measured, ${l.responses} answered, ${l.errors} failed ` +
      `(${l.errorRatePercent === null ? '–' : `${fixed(l.errorRatePercent, 3)}%`})`,
    `- Warm-up (not judged): ${l.warmup.requests} requests, ${l.warmup.errors} failed, p50 ` +
      `${ms(l.warmup.latency.p50)} ms, p99 ${ms(l.warmup.latency.p99)} ms`,
    l.closedLoop
      ? `- Connections: ${r.run.connections} keep-alive, each sending its next request when the previous one is answered`
      : `- Connections: ${r.run.connections} keep-alive; requests that find them all busy queue, and the wait counts`,
    '',
    markdownTable(
      ['status', 'responses'],
      Object.entries(l.statusCodes).map(([status, count]) => [status, String(count)]),
      ['left', 'right'],
    ),
  );
  const kinds = Object.entries(l.errorKinds);
  if (kinds.length > 0) {
    lines.push(
      '',
      markdownTable(
        ['error kind', 'requests'],
        kinds.map(([k, c]) => [k, String(c)]),
        ['left', 'right'],
      ),
    );
  }
  return lines.join('\n');
}

function coldStarts(r: RunReport, legend: Legend): string {
  const c = r.coldStarts;
  if (!c || !r.latency) return '';
  return [
    `## Cold starts${figureMark(r)}`,
    '',
    `${c.measured} while measuring, ${c.warmup} during warm-up. Init Duration (ms) of all of them and client ` +
      'latency (ms) of cold vs warm measured requests:',
    '',
    percentileTable('', [
      ['Init Duration', c.initDuration],
      ['client, cold', r.latency.cold],
      ['client, warm', r.latency.warm],
    ]),
    ...legend(anyUnderSampled(c.initDuration, r.latency.cold, r.latency.warm)),
  ].join('\n');
}

function breakdown(r: RunReport, legend: Legend): string {
  const b = r.breakdown;
  if (!b) return '';
  return [
    `## Where the time goes (ms, matched measured requests)${figureMark(r)}`,
    '',
    percentileTable('', [
      ['client latency', b.client],
      ['Lambda Duration (REPORT)', b.lambda],
      ['handler durationMs', b.handler],
      ['gap = client − Lambda', b.gap],
    ]),
    ...legend(anyUnderSampled(b.client, b.lambda, b.handler, b.gap)),
    '',
    r.run.target === 'local'
      ? "The gap is queueing in the client pool, loopback HTTP and the emulator's API Gateway and runtime hop."
      : 'The gap is the network, API Gateway, and queueing in the client pool.',
  ].join('\n');
}

function timing(r: RunReport): string {
  const t = r.timing;
  if (!t) return '';
  const lines = ['## Machine and timing (measured phase)', ''];
  const m = t.machine;
  if (m) {
    lines.push(
      `- Host CPU: ${m.hostCpuPercent === null ? '–' : `${fixed(m.hostCpuPercent, 0)}%`} busy of ${m.cores} cores ` +
        `(all processes${r.run.target === 'local' ? ', the emulated Lambda runtimes among them' : ''}); load average ` +
        `${fixed(m.loadAverage1m, 2)}`,
      `- Harness process CPU: ${fixed(m.processCpuPercent, 0)}% of one core ` +
        `(${r.run.target === 'local' ? "load generator and the emulator's API Gateway" : 'load generator'})`,
      `- Event-loop delay: p99 ${ms(m.eventLoopDelayP99Ms)} ms, max ${ms(m.eventLoopDelayMaxMs)} ms (over ${fixed(m.seconds, 1)} s)`,
    );
  }
  if (t.sendLagP99Ms !== null) lines.push(`- Send lag: p99 ${ms(t.sendLagP99Ms)} ms`);
  const w = t.warmupSettle;
  if (w) {
    lines.push(
      w.inFlightAtStart > 0
        ? `- Warm-up hand-over: ${w.inFlightAtStart} warm-up requests were still in flight when measuring began, after waiting ${fixed(w.waitedMs / 1000, 1)} s (bound ${fixed(w.boundMs / 1000, 1)} s)`
        : `- Warm-up hand-over: settled, nothing in flight; measuring began ${ms(w.waitedMs)} ms later than planned`,
    );
  }
  const b = t.startBacklog;
  if (b) {
    lines.push(
      `- Start of the measured phase: ${b.detected ? `**backlog**: the first ${b.leadingSlowRequests} requests took over` : 'no backlog; first request'} ` +
        `${b.detected ? `${ms(b.slowMs)} ms` : `${ms(b.firstLatencyMs)} ms`} against a p99 of ${ms(b.referenceP99Ms)} ms in the second half`,
    );
  }
  const limits =
    `host CPU ${HOST_CPU_BUSY_LIMIT_PERCENT}% (local only), process CPU ${PROCESS_CPU_LIMIT_PERCENT}% of a core, ` +
    `event-loop delay p99 ${EVENT_LOOP_DELAY_P99_LIMIT_MS} ms, send lag p99 ${SEND_LAG_P99_LIMIT_MS} ms`;
  lines.push(
    '',
    t.saturated
      ? `**${r.run.target === 'local' ? 'The machine was saturated' : 'The load generator was saturated'}**: ${t.signals.join('; ')}.`
      : `Not saturated (limits: ${limits}).`,
  );
  if (t.doubts.length > 0) {
    lines.push(
      '',
      'Latency SLOs that missed are inconclusive rather than failed, because of:',
      ...t.doubts.map((d) => `- ${d.reason}`),
    );
  }
  return lines.join('\n');
}

function slowest(r: RunReport): string {
  if (r.slowest.length === 0) return '';
  const lines = [
    `## The ${r.slowest.length} slowest requests`,
    '',
    markdownTable(
      ['#', 'at (s)', 'request', 'latency (ms)', 'status', 'cold', 'Lambda (ms)', 'correlation id'],
      r.slowest.map((s, i) => [
        String(i + 1),
        fixed(s.atSeconds, 3),
        s.request,
        ms(s.latencyMs),
        String(s.status),
        s.cold === null ? '?' : s.cold ? 'yes' : 'no',
        ms(s.lambdaMs),
        `\`${s.correlationId}\``,
      ]),
      ['right', 'right', 'left', 'right', 'right', 'left', 'right', 'left'],
    ),
    '',
    '<details><summary>Their log lines</summary>',
    '',
  ];
  for (const [i, s] of r.slowest.entries()) {
    lines.push(
      `${i + 1}. \`${s.correlationId}\` (x-amzn-RequestId ${s.apiRequestId ?? '–'}, Lambda ${s.awsRequestId ?? '–'})`,
      '',
      '   ```',
      `   ${(s.handlerLine ?? '(handler line not found)').trimEnd()}`,
      `   ${(s.reportLine ?? '(REPORT line not found)').trimEnd().replace(/\t/g, '  ')}`,
      '   ```',
      '',
    );
  }
  lines.push('</details>');
  return lines.join('\n');
}

function coverage(r: RunReport): string {
  const c = r.coverage;
  if (!c) return '';
  const lines = [
    '## Log coverage',
    '',
    `- ${c.matched} of ${c.expected} expected requests matched to exactly one handler line and one REPORT line: ` +
      `**${c.coveragePercent === null ? '–' : `${fixed(c.coveragePercent, 2)}%`}** ` +
      `(${c.sampled} sampled; ${c.rounds} polling round${c.rounds === 1 ? '' : 's'}, ${c.queries} queries, ` +
      `${c.queryErrors} query errors, ${fixed(c.elapsedMs / 1000, 1)} s)`,
  ];
  if (c.timedOut) lines.push(`- The logs deadline (${r.run.logsTimeoutSeconds} s) passed with ids still missing.`);
  if (c.lastQueryError) lines.push(`- Last query error: ${c.lastQueryError}`);
  lines.push(
    '',
    markdownTable(
      ['miss', 'requests', 'examples'],
      [
        ...Object.entries(c.misses).map(([kind, m]) => [
          kind,
          String(m.count),
          m.examples.map((id) => `\`${id}\``).join(' ') || '–',
        ]),
        [
          'unexpected (logged, never sent)',
          c.unexpected ? `${c.unexpected.count} ids, ${c.unexpected.lines} lines` : 'not checked',
          c.unexpected?.examples.map((id) => `\`${id}\``).join(' ') || '–',
        ],
      ],
      ['left', 'right', 'left'],
    ),
  );
  const notExpected = Object.entries(c.notExpected);
  if (notExpected.length > 0) {
    lines.push(
      '',
      'Not expected in the logs (the handler never answered them), so outside coverage; ' +
        `${c.notExpectedButLogged} were logged all the same:`,
      '',
      ...notExpected.map(([reason, count]) => `- ${reason}: ${count}`),
    );
  }
  return lines.join('\n');
}

function chartsSection(r: RunReport): string {
  const c = r.charts;
  if (!c) return '';
  const t = c.overTime;
  // Buckets without responses are left out: no responses is not 0 ms.
  const kept = t.startSeconds.flatMap((start, i) =>
    t.p50Ms[i] === null || t.p99Ms[i] === null ? [] : [{ start, p50: t.p50Ms[i]!, p99: t.p99Ms[i]! }],
  );
  const empty = t.startSeconds.length - kept.length;
  const top = Math.max(1, ...kept.map((k) => k.p99));
  const labels = c.histogram.edgesMs.map((edge, i, edges) =>
    i + 1 < edges.length ? `"${edge}–${edges[i + 1]}"` : `"≥${edge}"`,
  );
  return [
    '## Charts',
    '',
    `Latency over the measured phase: p50 (first line) and p99 (second line) per ${t.bucketSeconds} s of ` +
      `${r.load?.closedLoop ? 'send time' : 'scheduled send time'}` +
      `${empty > 0 ? `; ${empty} interval${empty === 1 ? '' : 's'} without responses left out` : ''}. A p99 of fewer ` +
      `than ${minSamplesFor(PERCENTILE_RANKS.p99)} responses is close to that interval's maximum.`,
    '',
    '```mermaid',
    'xychart-beta',
    `    title "Latency over time (ms)"`,
    `    x-axis "seconds into the measured phase" [${kept.map((k) => k.start).join(', ')}]`,
    `    y-axis "latency (ms)" 0 --> ${niceCeiling(top)}`,
    `    line [${kept.map((k) => k.p50).join(', ')}]`,
    `    line [${kept.map((k) => k.p99).join(', ')}]`,
    '```',
    '',
    'Latency histogram of the measured phase (requests per latency range, ms).',
    '',
    '```mermaid',
    'xychart-beta',
    `    title "Latency histogram"`,
    `    x-axis [${labels.join(', ')}]`,
    `    y-axis "requests"`,
    `    bar [${c.histogram.counts.join(', ')}]`,
    '```',
  ].join('\n');
}

function queries(r: RunReport): string {
  const lines = [
    '## Logs Insights queries',
    '',
    `Paste into CloudWatch Logs Insights for log group \`${r.run.logGroupName ?? '/aws/lambda/<function>'}\` ` +
      '(or `npm run harness -- query` locally).',
  ];
  if (r.run.target === 'aws') {
    lines.push(
      '',
      `The stack saved the console queries below as query definitions named \`rda/${r.run.runId}/<name>\` ` +
        '(they go with the stack when it is destroyed).',
    );
  }
  for (const q of r.queries) lines.push('', `**${q.name}**: ${q.description}`, '', '```', q.queryString, '```');
  return lines.join('\n');
}

function destroy(r: RunReport): string {
  const d = r.destroy;
  const lines = ['## Destroy', ''];
  switch (d.kind) {
    case 'kept':
      lines.push(
        '> [!WARNING]',
        `> \`--keep\` was given: ${r.run.stackName} was NOT destroyed. Remove it with ` +
          `\`${harnessCommand(['destroy', '--run-id', r.run.runId])}\`.`,
      );
      break;
    case 'nothing-deployed':
      lines.push('Nothing was deployed, so nothing was destroyed.');
      break;
    case 'failed':
      lines.push(
        '> [!CAUTION]',
        `> Destroy failed: ${d.message}. Finish it with \`${harnessCommand(['destroy', '--run-id', r.run.runId])}\`.`,
      );
      break;
    case 'destroyed': {
      const report = d.report;
      lines.push(
        `${report.verified ? 'Verified: nothing left' : '**Not verified: something is left**'} ` +
          `(${fixed(report.durationMs / 1000, 1)} s).`,
        '',
        ...report.checks.map((check) => `- ${check}`),
      );
      if (report.leftovers.length > 0) lines.push('', 'Left over:', ...report.leftovers.map((l) => `- ${l}`));
      break;
    }
  }
  return lines.join('\n');
}

/** ` ‡` after a heading whose figures a local limit or the wrong Node.js major may have changed. */
function figureMark(r: RunReport): string {
  return (r.run.emulator?.marks.length ?? 0) > 0 ? ` ${FIGURE_MARK}` : '';
}

/** What the mark means, under the first marked heading. */
function figureMarkNotes(r: RunReport): string[] {
  const marks = r.run.emulator?.marks ?? [];
  if (marks.length === 0) return [];
  return ['', '> [!CAUTION]', ...marks.map((m) => `> ${FIGURE_MARK} ${m.text}`)];
}

/** The local emulator: the Node.js the function ran on, and Lambda's limit vs this machine's cap. */
function emulator(r: RunReport): string {
  const e = r.run.emulator;
  if (!e) return '';
  const n = e.nodeRuntime;
  const c = e.concurrency;
  const pairs: [string, string][] = [
    [
      'Node.js',
      `${n.nodeVersion} for ${n.runtime} (Lambda runs Node.js ${n.wantedMajor})` +
        (n.matches ? '' : ` ${FIGURE_MARK} **wrong major**${n.problem ? `: ${n.problem}` : ''}`),
    ],
    ['Node.js binary', n.nodePath],
    [
      "Lambda's concurrency limit",
      `${c.concurrencyLimit} (${c.limitSource === 'reserved' ? 'reserved concurrency' : 'account default'}); ` +
        `${c.throttled} throttled (500, as on AWS)`,
    ],
    [
      "this machine's cap on environments",
      `${c.environmentCap}; ${c.queued > 0 ? `**reached** ${FIGURE_MARK}` : 'not reached'}: ${c.queued} invocations waited ` +
        `(longest ${fixed(c.maxQueueWaitMs, 1)} ms), ${c.expiredInQueue} dropped at the integration timeout (504)`,
    ],
    ['environments at most', String(c.peakEnvironments)],
  ];
  return ['## Local emulator', '', markdownTable(['', ''], pairs)].join('\n');
}

/** The stack's settings as synthesized, each with where its value came from. */
function settings(r: RunReport): string {
  if (r.run.settings.length === 0) return '';
  return [
    '## Settings (CDK context, resolved as `cdk synth` does)',
    '',
    markdownTable(
      ['key', 'value', 'from'],
      r.run.settings.map((s) => [s.key, s.value === null ? '–' : String(s.value), s.source]),
    ),
  ].join('\n');
}

function metadata(r: RunReport): string {
  const run = r.run;
  const pairs: [string, string][] = [
    ['run id', run.runId],
    ['stack', run.stackName],
    ['target', run.target],
    ['region', run.region ?? '–'],
    ['memory', run.memorySizeMb === null ? 'stack default' : `${run.memorySizeMb} MB`],
    ['commit', run.commit],
    ['started', run.startedAt],
    ['ended', run.endedAt],
    ['mode', run.mode === 'open' ? 'open model (constant arrival rate)' : 'peak (closed loop)'],
    ['rate', run.rateRps === null ? '–' : `${run.rateRps} req/s`],
    ['duration', `${run.durationSeconds} s measured after ${run.warmupSeconds} s warm-up`],
    ['connections', String(run.connections)],
    ['sample', run.sample === null ? 'all requests' : String(run.sample)],
    ['logs deadline', `${run.logsTimeoutSeconds} s`],
    ['base URL', run.baseUrl ?? '–'],
    ['log group', run.logGroupName ?? '–'],
    ['expires', run.expiresAt],
    ['creator', run.creator],
    ['node', run.nodeVersion],
    ['mix', run.mix.map((e) => `${e.name}×${e.weight}`).join(', ')],
  ];
  return [
    '## Run',
    '',
    markdownTable(['', ''], pairs),
    '',
    markdownTable(
      ['phase', 'started', 'took (s)', 'outcome'],
      r.phases.map((p) => [
        p.name,
        p.startedAt,
        fixed(p.durationMs / 1000, 3),
        p.detail ? `${p.outcome}: ${p.detail}` : p.outcome,
      ]),
      ['left', 'left', 'right', 'left'],
    ),
  ].join('\n');
}

/** Percentiles (ms) of labelled summaries, one row each. */
function percentileTable(first: string, summaries: readonly (readonly [string, SummaryView])[]): string {
  return markdownTable(
    [first, 'n', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
    summaries.map(([label, s]) => summaryCells(label, s)),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

function summaryCells(label: string, s: SummaryView): string[] {
  const mark = (key: string, value: number | null) =>
    `${ms(value)}${value !== null && s.underSampled.includes(key) ? UNDER_SAMPLED_MARK : ''}`;
  return [
    label,
    String(s.n),
    mark('p50', s.p50),
    mark('p90', s.p90),
    mark('p95', s.p95),
    mark('p99', s.p99),
    mark('p99_9', s.p99_9),
    ms(s.max),
  ];
}

/** Milliseconds with precision that fits their size: 0.153, 12.35, 143.2. */
export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  return value.toFixed(abs < 10 ? 3 : abs < 100 ? 2 : 1);
}

function fixed(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function percentText(value: number | null, of: number | null): string {
  return value === null || of === null || of === 0 ? '–' : `${((value / of) * 100).toFixed(1)}%`;
}

function valueWithUnit(value: number | null, unit: string): string {
  if (value === null) return '–';
  if (unit === 'ms') return `${ms(value)} ms`;
  if (unit === '%') return `${Number(value.toFixed(4))}%`;
  return String(Number(value.toFixed(2)));
}

/** A round axis maximum above `value` (1-2-5 steps). */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
