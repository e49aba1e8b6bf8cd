/**
 * The report's data: one plain object that the markdown renders and the `.json` twin serialises, so
 * both always say the same thing. Built by {@link buildReport} (pure: every time and fact comes in).
 */

import {
  correlationCensusQuery,
  handlerLinesQuery,
  reportLinesQuery,
  type SavedQuery,
  savedQueries,
} from '../../stack/log-queries.js';
import { emulatorMarks } from '../check/emulator-limits.js';
import type { RunMeasurements } from '../check/measure.js';
import type { MeasuredOutcome, PhaseName } from '../check/outcome.js';
import { type SloResult, sloUsesLatency } from '../check/slo.js';
import type { CorrelationResult } from '../correlate/correlate.js';
import { ColdState } from '../correlate/join.js';
import type { LoadResult } from '../load/load.js';
import type { MachineSample } from '../load/machine.js';
import { Phase } from '../load/records.js';
import type { RunOptions } from '../options.js';
import { bucketIndex, histogram, logEdges, type PercentilesOverTime, percentilesOverTime } from '../stats/buckets.js';
import { PERCENTILE_RANKS } from '../stats/percentile.js';
import { underSampledStats } from '../stats/sampling.js';
import type { Summary } from '../stats/summary.js';
import { type EffectiveSetting, effectiveSettings } from '../target/cdk-context.js';
import type { DestroyReport, EmulatorFacts } from '../target/target.js';
import { type SamplesView, samplesView } from './samples.js';

export const REPORT_SCHEMA = 'rda-bench-report/2';

/** A phase of the run and how it ended. */
export interface PhaseRecord {
  readonly name: PhaseName;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly outcome: 'done' | 'failed' | 'interrupted' | 'skipped';
  readonly detail?: string;
}

/** Facts about the environment, gathered by the shell (git, clock, node). */
export interface RunFacts {
  readonly commit: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly nodeVersion: string;
  readonly baseUrl: string | undefined;
  readonly logGroupName: string | undefined;
  readonly region: string | undefined;
  readonly memorySizeMb: number | undefined;
}

/** What destroy did, or that it was skipped. */
export type DestroyOutcome =
  | { readonly kind: 'destroyed'; readonly report: DestroyReport }
  | { readonly kind: 'kept' }
  | { readonly kind: 'nothing-deployed' }
  | { readonly kind: 'failed'; readonly message: string };

/** Everything {@link buildReport} reads. */
export interface ReportInput {
  readonly options: RunOptions;
  readonly facts: RunFacts;
  readonly outcome: MeasuredOutcome;
  readonly exitCode: number;
  readonly phases: readonly PhaseRecord[];
  readonly load: LoadResult | undefined;
  readonly correlation: CorrelationResult | undefined;
  readonly measurements: RunMeasurements | undefined;
  readonly slos: readonly SloResult[];
  readonly destroy: DestroyOutcome;
  readonly warnings: readonly string[];
  /** The local emulator's Node.js and concurrency facts (none on AWS). @default undefined */
  readonly emulator?: EmulatorFacts;
}

/** The local emulator as the report shows it: what the function ran on and what the local limits did. */
export interface EmulatorView {
  readonly nodeRuntime: EmulatorFacts['nodeRuntime'];
  readonly concurrency: EmulatorFacts['concurrency'];
  /**
   * Why the run's figures are not what AWS would show (another Node.js major, this machine's cap reached);
   * the markdown and HTML mark the latency figures with {@link FIGURE_MARK} when there is any.
   */
  readonly marks: readonly { readonly code: string; readonly text: string }[];
}

/** Put next to figures a local limit or the wrong Node.js major may have changed. */
export const FIGURE_MARK = '‡';

/** Percentiles in ms, as the report prints them (null for "no data", JSON has no NaN). */
export interface SummaryView {
  readonly n: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly p99_9: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  /** Percentiles `n` is too few samples for (see `minSamplesFor`): the report marks them. */
  readonly underSampled: readonly string[];
}

export interface SloView {
  readonly slo: string;
  readonly metric: string;
  readonly comparator: string;
  readonly threshold: number;
  readonly unit: string;
  readonly value: number | null;
  readonly margin: number | null;
  readonly n: number;
  readonly status: SloResult['status'];
  readonly note?: string;
  /** True when the value is a percentile from too few samples. */
  readonly underSampled?: boolean;
}

/** How trustworthy the run's timing was, as the report shows it. */
export interface TimingView {
  readonly warmupSettle: {
    readonly waitedMs: number;
    readonly boundMs: number;
    readonly inFlightAtStart: number;
  } | null;
  readonly startBacklog: {
    readonly detected: boolean;
    readonly leadingSlowRequests: number;
    readonly firstLatencyMs: number | null;
    readonly referenceP99Ms: number;
    readonly slowMs: number;
  } | null;
  readonly machine: MachineSample | null;
  readonly sendLagP99Ms: number | null;
  readonly saturated: boolean;
  readonly signals: readonly string[];
  /** Reasons a missed latency SLO was (or would have been) inconclusive. */
  readonly doubts: readonly { readonly code: string; readonly reason: string }[];
}

/** p50 and p99 of measured responses per bucket of due time. */
export interface OverTimeView {
  readonly bucketSeconds: number;
  readonly startSeconds: readonly number[];
  /** Responses per bucket; a bucket without any has null percentiles (not 0 ms). */
  readonly responses: readonly number[];
  readonly p50Ms: readonly (number | null)[];
  readonly p99Ms: readonly (number | null)[];
}

export interface SlowRequestView {
  readonly correlationId: string;
  readonly request: string;
  readonly atSeconds: number;
  readonly latencyMs: number;
  readonly status: number;
  readonly cold: boolean | null;
  readonly lambdaMs: number | null;
  readonly apiRequestId: string | null;
  readonly awsRequestId: string | null;
  readonly handlerLine: string | null;
  readonly reportLine: string | null;
}

/** The report as data. */
export interface RunReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly outcome: MeasuredOutcome;
  readonly exitCode: number;
  readonly run: {
    readonly runId: string;
    readonly stackName: string;
    readonly target: string;
    readonly region: string | null;
    readonly memorySizeMb: number | null;
    readonly commit: string;
    readonly startedAt: string;
    readonly endedAt: string;
    readonly nodeVersion: string;
    readonly baseUrl: string | null;
    readonly logGroupName: string | null;
    readonly mode: string;
    readonly rateRps: number | null;
    readonly durationSeconds: number;
    readonly warmupSeconds: number;
    readonly connections: number;
    readonly sample: number | null;
    readonly logsTimeoutSeconds: number;
    readonly expiresAt: string;
    readonly creator: string;
    readonly sloSource: string;
    readonly mix: readonly { name: string; weight: number; method: string; path: string }[];
    /** The stack's settings as synthesized: each key's value and where it came from (`-c`, `cdk.json`, `default`...). */
    readonly settings: readonly EffectiveSetting[];
    /** The local emulator; null on AWS. */
    readonly emulator: EmulatorView | null;
  };
  readonly phases: readonly PhaseRecord[];
  readonly slos: readonly SloView[];
  readonly load: {
    readonly closedLoop: boolean;
    readonly targetRps: number | null;
    readonly sentRps: number | null;
    readonly achievedRps: number | null;
    /** Open model: responses per second; peak: successful (2xx) responses per second. */
    readonly throughputRps: number;
    readonly successfulResponses: number;
    /** 429 responses, reported apart from the throughput. */
    readonly throttledResponses: number;
    readonly sendLagMaxMs: number | null;
    readonly sendLagP99Ms: number | null;
    readonly requests: number;
    readonly responses: number;
    readonly errors: number;
    readonly errorRatePercent: number | null;
    readonly statusCodes: Readonly<Record<string, number>>;
    readonly errorKinds: Readonly<Record<string, number>>;
    readonly warmup: { readonly requests: number; readonly errors: number; readonly latency: SummaryView };
  } | null;
  readonly latency: { readonly all: SummaryView; readonly warm: SummaryView; readonly cold: SummaryView } | null;
  readonly breakdown: {
    readonly client: SummaryView;
    readonly lambda: SummaryView;
    readonly handler: SummaryView;
    readonly gap: SummaryView;
  } | null;
  readonly coldStarts: {
    readonly measured: number;
    readonly warmup: number;
    readonly initDuration: SummaryView;
  } | null;
  readonly timing: TimingView | null;
  readonly slowest: readonly SlowRequestView[];
  readonly coverage: {
    readonly sampled: number;
    readonly expected: number;
    readonly matched: number;
    readonly coveragePercent: number | null;
    readonly timedOut: boolean;
    readonly rounds: number;
    readonly queries: number;
    readonly queryErrors: number;
    readonly lastQueryError: string | null;
    readonly elapsedMs: number;
    readonly misses: Readonly<Record<string, { readonly count: number; readonly examples: readonly string[] }>>;
    readonly notExpected: Readonly<Record<string, number>>;
    readonly notExpectedButLogged: number;
    readonly unexpected: {
      readonly count: number;
      readonly lines: number;
      readonly examples: readonly string[];
    } | null;
  } | null;
  readonly queries: readonly SavedQuery[];
  readonly destroy: DestroyOutcome;
  /** Every measured response (thinned past a cap), for `harness compare`; null when no load ran. */
  readonly samples: SamplesView | null;
  readonly charts: {
    /** The markdown's Mermaid chart: at most 60 buckets. */
    readonly overTime: OverTimeView;
    readonly histogram: { readonly edgesMs: readonly number[]; readonly counts: readonly number[] };
    /** The HTML report's chart: up to 600 buckets (1 s each up to 10 minutes). */
    readonly timeline: OverTimeView;
    /** Due times (s after the measured start) of measured requests the logs show were cold starts, the first 1,000. */
    readonly coldStartsAtSeconds: readonly number[];
    /**
     * Measured responses per latency bucket, ten buckets per decade (bucket i: `edgesMs[i]` up to `edgesMs[i + 1]`,
     * so each count array is one shorter than the edges),
     * apart by what the logs say of each request: warm, cold, or unknown (not correlated, or no correlation ran).
     */
    readonly distribution: {
      readonly edgesMs: readonly number[];
      readonly warm: readonly number[];
      readonly cold: readonly number[];
      readonly unknown: readonly number[];
    };
  } | null;
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
}

/** Says, in the report, what local numbers mean. */
export const LOCAL_LATENCY_NOTE =
  'This run used the local emulator: its latencies are those of Node processes on this machine over loopback, ' +
  'not AWS latencies. They say nothing about API Gateway, Lambda or the network in a region; run with ' +
  '`--target aws` for those.';

/** Points on the latency-over-time chart at most (xychart-beta stays readable). */
const MAX_CHART_POINTS = 60;
/** Points on the HTML report's timeline at most: one per second for runs up to ten minutes. */
const MAX_TIMELINE_POINTS = 600;
/** Cold starts marked on the HTML timeline at most. */
const MAX_COLD_MARKS = 1_000;
/** Buckets per decade of the HTML report's latency distribution. */
const DISTRIBUTION_BUCKETS_PER_DECADE = 10;
/** Histogram bucket edges in ms: 1-2-5 steps, trimmed to the data. */
const HISTOGRAM_EDGES_MS = [
  0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000,
];
/** Examples of each miss kind listed by id. */
const MISS_EXAMPLES = 10;

/** Builds the report data; the only loop over samples picks the chart's measured responses. */
export function buildReport(input: ReportInput): RunReport {
  const { options, facts, load, correlation, measurements: m } = input;
  const notes = options.target === 'local' ? [LOCAL_LATENCY_NOTE] : [];
  const warnings = [...input.warnings];
  if (load?.closedLoop) {
    notes.push(
      'Closed-loop (--mode peak) latencies are service times: each connection waits for a response before sending ' +
        'again, which hides queueing (coordinated omission). Use them for throughput, not for latency claims.',
    );
  }
  if (m && m.throttledResponses > 0) {
    warnings.push(
      `${m.throttledResponses} measured responses were throttled (429): they are not counted as throughput, and ` +
        'the rate probed the throttle, not the function',
    );
  }
  for (const doubt of m?.timing.doubts ?? []) warnings.push(`Timing: ${doubt.reason}`);

  return {
    schema: REPORT_SCHEMA,
    outcome: input.outcome,
    exitCode: input.exitCode,
    run: {
      runId: options.runId,
      stackName: options.stackName,
      target: options.target,
      region: facts.region ?? options.region ?? null,
      memorySizeMb: facts.memorySizeMb ?? options.memorySizeMb ?? null,
      commit: facts.commit,
      startedAt: facts.startedAt,
      endedAt: facts.endedAt,
      nodeVersion: facts.nodeVersion,
      baseUrl: facts.baseUrl ?? null,
      logGroupName: facts.logGroupName ?? null,
      mode: options.load.mode,
      rateRps: options.load.mode === 'open' ? options.load.rateRps : null,
      durationSeconds: options.load.durationSeconds,
      warmupSeconds: options.load.warmupSeconds,
      connections: options.load.connections,
      sample: options.sample ?? null,
      logsTimeoutSeconds: options.logsTimeoutMs / 1000,
      expiresAt: options.expiresAt,
      creator: options.creator,
      sloSource: options.sloSource,
      mix: options.load.mix.map((e) => ({ name: e.name, weight: e.weight, method: e.method, path: e.path })),
      settings: effectiveSettings({ values: options.stackContext, sources: options.contextSources }),
      emulator: input.emulator
        ? {
            nodeRuntime: input.emulator.nodeRuntime,
            concurrency: input.emulator.concurrency,
            marks: emulatorMarks(input.emulator),
          }
        : null,
    },
    phases: input.phases,
    slos: input.slos.map((r) => ({
      slo: r.slo.text,
      metric: r.slo.metric,
      comparator: r.slo.comparator,
      threshold: r.slo.threshold,
      unit: r.slo.unit,
      value: finite(r.value),
      margin: finite(r.margin),
      n: r.n,
      status: r.status,
      ...(r.note ? { note: r.note } : {}),
      ...(sloUnderSampled(r) ? { underSampled: true } : {}),
    })),
    load:
      load && m
        ? {
            closedLoop: load.closedLoop,
            targetRps: load.rates ? load.rates.targetRps : null,
            sentRps: load.rates ? load.rates.sentRps : null,
            achievedRps: load.rates ? load.rates.achievedRps : null,
            throughputRps: m.throughputRps,
            successfulResponses: m.successfulResponses,
            throttledResponses: m.throttledResponses,
            sendLagMaxMs: load.rates ? load.rates.sendLagMaxUs / 1000 : null,
            sendLagP99Ms: load.rates ? load.rates.sendLagP99Us / 1000 : null,
            requests: m.requests,
            responses: m.responses,
            errors: m.errors,
            errorRatePercent: finite(m.errorRatePercent),
            statusCodes: m.statusCodes,
            errorKinds: m.errorKinds,
            warmup: { requests: m.warmup.requests, errors: m.warmup.errors, latency: view(m.warmup.latency) },
          }
        : null,
    latency: m ? { all: view(m.latency.all), warm: view(m.latency.warm), cold: view(m.latency.cold) } : null,
    breakdown:
      m && correlation
        ? {
            client: view(m.breakdown.client),
            lambda: view(m.breakdown.lambda),
            handler: view(m.breakdown.handler),
            gap: view(m.breakdown.gap),
          }
        : null,
    coldStarts:
      m && correlation
        ? {
            measured: m.coldStarts.measured,
            warmup: m.coldStarts.warmup,
            initDuration: view(m.coldStarts.initDuration),
          }
        : null,
    timing: m ? timingView(m) : null,
    slowest: load ? slowestViews(load, correlation) : [],
    coverage: correlation ? coverageView(correlation) : null,
    queries: reportQueries(load, correlation),
    destroy: input.destroy,
    samples: load ? samplesView(load, correlation) : null,
    charts: load && load.log.count > 0 ? charts(load, correlation) : null,
    warnings: collapseRepeats(warnings),
    notes,
  };
}

/** Each distinct warning once, in first-seen order, with `(×N)` when it was given N > 1 times. */
export function collapseRepeats(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, count]) => (count > 1 ? `${line} (×${count})` : line));
}

/** True when a latency SLO's statistic is a percentile its sample count is too small for. */
function sloUnderSampled(r: SloResult): boolean {
  if (!sloUsesLatency(r.slo) || r.n === 0) return false;
  const stat = r.slo.metric.split('.')[1] ?? '';
  return stat in PERCENTILE_RANKS && (underSampledStats(r.n) as string[]).includes(stat);
}

function timingView(m: RunMeasurements): TimingView {
  const t = m.timing;
  const machine = t.machine;
  return {
    warmupSettle: t.warmupSettle ? { ...t.warmupSettle } : null,
    startBacklog: t.startBacklog
      ? {
          detected: t.startBacklog.detected,
          leadingSlowRequests: t.startBacklog.leadingSlowRequests,
          firstLatencyMs: finite(t.startBacklog.firstLatencyMs),
          referenceP99Ms: t.startBacklog.referenceP99Ms,
          slowMs: t.startBacklog.slowMs,
        }
      : null,
    machine: machine
      ? {
          seconds: machine.seconds,
          cores: machine.cores,
          hostCpuPercent: machine.hostCpuPercent,
          processCpuPercent: machine.processCpuPercent,
          loadAverage1m: machine.loadAverage1m,
          eventLoopDelayP99Ms: machine.eventLoopDelayP99Ms,
          eventLoopDelayMaxMs: machine.eventLoopDelayMaxMs,
        }
      : null,
    sendLagP99Ms: finite(t.sendLagP99Ms),
    saturated: t.assessment.saturated,
    signals: t.assessment.signals,
    doubts: t.doubts.map((d) => ({ code: d.code, reason: d.reason })),
  };
}

function finite(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** A summary with NaN turned into null (JSON cannot carry NaN). */
export function view(summary: Summary): SummaryView {
  return {
    n: summary.n,
    p50: finite(summary.p50),
    p90: finite(summary.p90),
    p95: finite(summary.p95),
    p99: finite(summary.p99),
    p99_9: finite(summary.p99_9),
    max: finite(summary.max),
    mean: finite(summary.mean),
    underSampled: underSampledStats(summary.n),
  };
}

function slowestViews(load: LoadResult, correlation: CorrelationResult | undefined): SlowRequestView[] {
  const log = load.log;
  return (correlation?.slowest ?? []).map((slow) => {
    const i = slow.index;
    const coldState = correlation?.coldState[i] ?? ColdState.Unknown;
    return {
      correlationId: log.correlationId[i]!,
      request: load.mix[log.mixIndex[i]!]?.name ?? '?',
      atSeconds: (log.dueUs[i]! - load.measuredStartUs) / 1e6,
      latencyMs: log.latencyUs[i]! / 1000,
      status: log.status[i]!,
      cold: coldState === ColdState.Unknown ? null : coldState === ColdState.Cold,
      lambdaMs: finite(correlation?.lambdaDurationMs[i]),
      apiRequestId: log.apiRequestId[i] ?? null,
      awsRequestId: correlation?.awsRequestIds.get(i) ?? null,
      handlerLine: slow.handlerLine ?? null,
      reportLine: slow.reportLine ?? null,
    };
  });
}

function coverageView(c: CorrelationResult): NonNullable<RunReport['coverage']> {
  const misses: Record<string, { count: number; examples: string[] }> = {};
  for (const [kind, ids] of Object.entries(c.misses)) {
    misses[kind] = { count: ids.length, examples: ids.slice(0, MISS_EXAMPLES) };
  }
  return {
    sampled: c.sampled,
    expected: c.expected,
    matched: c.matched,
    coveragePercent: finite(c.coverage * 100),
    timedOut: c.timedOut,
    rounds: c.rounds,
    queries: c.queries,
    queryErrors: c.queryErrors,
    lastQueryError: c.lastQueryError ?? null,
    elapsedMs: c.elapsedMs,
    misses,
    notExpected: c.notExpected,
    notExpectedButLogged: c.notExpectedButLogged,
    unexpected: c.unexpected
      ? {
          count: c.unexpected.ids.length,
          lines: c.unexpected.lines,
          examples: c.unexpected.ids.slice(0, MISS_EXAMPLES),
        }
      : null,
  };
}

/** The saved console queries plus the correlation queries with two of this run's ids, ready to paste. */
function reportQueries(load: LoadResult | undefined, correlation: CorrelationResult | undefined): SavedQuery[] {
  const ids: string[] = [];
  const requestIds: string[] = [];
  if (load) {
    for (let i = 0; i < load.log.count && ids.length < 2; i++) {
      if (load.log.correlationId[i]) ids.push(load.log.correlationId[i]!);
    }
  }
  if (correlation) for (const id of correlation.awsRequestIds.values()) if (requestIds.length < 2) requestIds.push(id);
  return [
    ...savedQueries,
    {
      name: 'correlation-handler-lines',
      description: 'The handler lines of given requests, by correlation id (up to 10,000 characters per query)',
      queryString: handlerLinesQuery(ids.length > 0 ? ids : ['<correlation-id>']),
    },
    {
      name: 'correlation-report-lines',
      description: 'The REPORT lines of given invocations, by the awsRequestId of their handler lines',
      queryString: reportLinesQuery(requestIds.length > 0 ? requestIds : ['<aws-request-id>']),
    },
    {
      name: 'correlation-census',
      description: 'Every id in the logs with its line count: ids nobody sent, and ids logged twice',
      queryString: correlationCensusQuery(),
    },
  ];
}

/** Latency over time (p50 and p99 per bucket of due time), latency histograms and cold starts, measured phase. */
function charts(load: LoadResult, correlation: CorrelationResult | undefined): NonNullable<RunReport['charts']> {
  const { latencyMs, atSeconds, cold } = measuredResponses(load, correlation);
  const histogramMs = histogram(latencyMs, HISTOGRAM_EDGES_MS);
  return {
    overTime: overTimeView(percentilesOverTime(latencyMs, atSeconds, load.measuredSeconds, MAX_CHART_POINTS)),
    histogram: { edgesMs: [...histogramMs.edges], counts: [...histogramMs.counts] },
    timeline: overTimeView(percentilesOverTime(latencyMs, atSeconds, load.measuredSeconds, MAX_TIMELINE_POINTS)),
    coldStartsAtSeconds: coldMarks(atSeconds, cold),
    distribution: distributionView(latencyMs, cold),
  };
}

function overTimeView(overTime: PercentilesOverTime): OverTimeView {
  // No responses is not 0 ms: an empty bucket's point is left out (null).
  const point = (ms: number) => (Number.isFinite(ms) ? round3(ms) : null);
  return {
    bucketSeconds: overTime.bucketSeconds,
    startSeconds: [...overTime.startSeconds],
    responses: [...overTime.counts],
    p50Ms: overTime.p50.map(point),
    p99Ms: overTime.p99.map(point),
  };
}

function coldMarks(atSeconds: Float64Array, cold: Uint8Array): number[] {
  const marks: number[] = [];
  for (let i = 0; i < atSeconds.length && marks.length < MAX_COLD_MARKS; i++) {
    if (cold[i] === ColdState.Cold) marks.push(round3(atSeconds[i]!));
  }
  return marks;
}

function distributionView(latencyMs: Float64Array, cold: Uint8Array): NonNullable<RunReport['charts']>['distribution'] {
  const edgesMs = logEdges(latencyMs, DISTRIBUTION_BUCKETS_PER_DECADE);
  // The last edge lies above the largest value: it closes the last bucket and has none of its own.
  const zeros = () => new Array<number>(Math.max(0, edgesMs.length - 1)).fill(0);
  const counts = { warm: zeros(), cold: zeros(), unknown: zeros() };
  for (let i = 0; i < latencyMs.length; i++) {
    const state = cold[i] === ColdState.Cold ? counts.cold : cold[i] === ColdState.Warm ? counts.warm : counts.unknown;
    state[bucketIndex(edgesMs, latencyMs[i]!)]!++;
  }
  return { edgesMs, ...counts };
}

/**
 * Measured requests that got a response: latency (ms), due time (s after the measured start) and what the
 * logs say of each ({@link ColdState}; Unknown without correlation).
 */
function measuredResponses(
  load: LoadResult,
  correlation: CorrelationResult | undefined,
): { latencyMs: Float64Array; atSeconds: Float64Array; cold: Uint8Array } {
  const log = load.log;
  const latencyMs = new Float64Array(log.count);
  const atSeconds = new Float64Array(log.count);
  const cold = new Uint8Array(log.count);
  let n = 0;
  for (let i = 0; i < log.count; i++) {
    if (log.phase[i] !== Phase.Measured || log.status[i] === 0) continue;
    const ms = log.latencyUs[i]! / 1000;
    if (!Number.isFinite(ms)) continue;
    latencyMs[n] = ms;
    cold[n] = correlation?.coldState[i] ?? ColdState.Unknown;
    atSeconds[n++] = (log.dueUs[i]! - load.measuredStartUs) / 1e6;
  }
  return { latencyMs: latencyMs.subarray(0, n), atSeconds: atSeconds.subarray(0, n), cold: cold.subarray(0, n) };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
