/**
 * Turns the load's records and the correlation into the numbers SLOs are judged on and the report shows:
 * latency summaries for all / warm / cold requests, where time goes (client vs Lambda vs handler), cold
 * starts, error rate and coverage. Pure; a few linear passes over the records.
 */
import type { CorrelationResult } from '../correlate/correlate.js';
import { ColdState } from '../correlate/join.js';
import type { LoadResult } from '../load/load.js';
import type { MachineSample } from '../load/machine.js';
import type { WarmupSettle } from '../load/open-loop.js';
import { ERROR_KINDS, ErrorKind, Phase } from '../load/records.js';
import type { RateFacts } from '../load/schedule.js';
import { type Summary, summarizeInPlace } from '../stats/summary.js';
import { LATENCY_STATS, type LatencyDoubt, type Metrics, type MetricValue } from './slo.js';
import {
  assessMachine,
  detectStartBacklog,
  latencyDoubts,
  type MachineAssessment,
  type StartBacklog,
} from './timing.js';

/** HTTP status of a throttled request (API Gateway's stage or account throttle). */
export const THROTTLED_STATUS = 429;

/** How trustworthy the run's timing was: warm-up hand-over, backlog at the start, machine load. */
export interface TimingMeasurements {
  readonly warmupSettle: WarmupSettle | undefined;
  readonly startBacklog: StartBacklog | undefined;
  readonly machine: MachineSample | undefined;
  /** p99 of due time → hand-over to the pool, ms (open model only). */
  readonly sendLagP99Ms: number | undefined;
  readonly assessment: MachineAssessment;
  /** Reasons a missed latency SLO would be inconclusive; empty when the timing was clean. */
  readonly doubts: readonly LatencyDoubt[];
}

/** Latency summaries in milliseconds. */
export interface LatencyBreakdown {
  /** Client latency from due time (open model) or send time (closed loop). */
  readonly client: Summary;
  /** Lambda's REPORT Duration. */
  readonly lambda: Summary;
  /** The handler's own `durationMs`. */
  readonly handler: Summary;
  /** Client latency − Lambda Duration: network, API Gateway (or the emulator's proxy), queueing. */
  readonly gap: Summary;
}

/** Numbers of one run, the input of SLO evaluation and of the report. */
export interface RunMeasurements {
  /** Measured-phase requests sent (aborted ones excluded). */
  readonly requests: number;
  /** Of those, how many got a response. */
  readonly responses: number;
  readonly errors: number;
  /** errors / requests, percent. */
  readonly errorRatePercent: number;
  /** Responses by HTTP status, measured phase. */
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Failed requests by kind, measured phase. */
  readonly errorKinds: Readonly<Record<string, number>>;
  readonly latency: { readonly all: Summary; readonly warm: Summary; readonly cold: Summary };
  /** Matched measured requests only. */
  readonly breakdown: LatencyBreakdown;
  readonly coldStarts: {
    readonly measured: number;
    readonly warmup: number;
    /** Init Duration of every cold start seen (both phases), ms. */
    readonly initDuration: Summary;
  };
  readonly warmup: { readonly requests: number; readonly errors: number; readonly latency: Summary };
  readonly rates: RateFacts | undefined;
  /** Responses per second of the measured phase; peak mode: successful (2xx) responses only, the throughput found. */
  readonly throughputRps: number;
  /** Measured responses with a 2xx status. */
  readonly successfulResponses: number;
  /** Measured responses refused by a throttle (429), counted apart from the throughput. */
  readonly throttledResponses: number;
  readonly timing: TimingMeasurements;
  /** SLO metric key → value. */
  readonly metrics: Metrics;
}

/** Measures a run; `correlation` is undefined when the run stopped before correlating. */
export function measureRun(
  load: LoadResult,
  correlation: CorrelationResult | undefined,
  target: 'local' | 'aws',
): RunMeasurements {
  const log = load.log;
  const n = log.count;
  const all = new Float64Array(n);
  const warm = new Float64Array(n);
  const cold = new Float64Array(n);
  const lambda = new Float64Array(n);
  const handler = new Float64Array(n);
  const gap = new Float64Array(n);
  const init = new Float64Array(n);
  const warmupLatency = new Float64Array(n);
  let nAll = 0;
  let nWarm = 0;
  let nCold = 0;
  let nMatched = 0;
  let nInit = 0;
  let nWarmup = 0;
  let requests = 0;
  let errors = 0;
  let warmupRequests = 0;
  let warmupErrors = 0;
  let coldMeasured = 0;
  let coldWarmup = 0;
  let successful = 0;
  let throttled = 0;
  const statusCodes: Record<string, number> = {};
  const errorKinds: Record<string, number> = {};

  for (let i = 0; i < n; i++) {
    const kind = log.errorKind[i]!;
    if (kind === ErrorKind.Aborted) continue;
    const latencyMs = log.latencyUs[i]! / 1000;
    const responded = log.status[i]! > 0 && Number.isFinite(latencyMs);
    const coldState = correlation?.coldState[i] ?? ColdState.Unknown;
    if (correlation && Number.isFinite(correlation.initDurationMs[i]!)) init[nInit++] = correlation.initDurationMs[i]!;
    if (log.phase[i] === Phase.Warmup) {
      warmupRequests++;
      if (kind !== ErrorKind.None) warmupErrors++;
      if (responded) warmupLatency[nWarmup++] = latencyMs;
      if (coldState === ColdState.Cold) coldWarmup++;
      continue;
    }
    requests++;
    if (kind !== ErrorKind.None) {
      errors++;
      const name = ERROR_KINDS[kind]!;
      errorKinds[name] = (errorKinds[name] ?? 0) + 1;
    }
    if (!responded) continue;
    const status = String(log.status[i]);
    statusCodes[status] = (statusCodes[status] ?? 0) + 1;
    if (log.status[i]! >= 200 && log.status[i]! < 300) successful++;
    if (log.status[i] === THROTTLED_STATUS) throttled++;
    all[nAll++] = latencyMs;
    if (coldState === ColdState.Warm) warm[nWarm++] = latencyMs;
    if (coldState === ColdState.Cold) {
      cold[nCold++] = latencyMs;
      coldMeasured++;
    }
    const lambdaMs = correlation?.lambdaDurationMs[i] ?? Number.NaN;
    if (Number.isFinite(lambdaMs)) {
      lambda[nMatched] = lambdaMs;
      gap[nMatched] = latencyMs - lambdaMs;
      const handlerMs = correlation!.handlerDurationMs[i]!;
      handler[nMatched] = Number.isFinite(handlerMs) ? handlerMs : lambdaMs;
      nMatched++;
    }
  }

  const latency = {
    all: summarizeInPlace(all, nAll),
    warm: summarizeInPlace(warm, nWarm),
    cold: summarizeInPlace(cold, nCold),
  };
  const breakdown: LatencyBreakdown = {
    client: latency.all,
    lambda: summarizeInPlace(lambda, nMatched),
    handler: summarizeInPlace(handler, nMatched),
    gap: summarizeInPlace(gap, nMatched),
  };
  const initDuration = summarizeInPlace(init, nInit);
  const errorRatePercent = requests === 0 ? Number.NaN : (errors / requests) * 100;
  // A closed loop's throughput is what the API served: 429s and 5xx answer fast and would inflate it.
  const throughputRps = load.rates ? load.rates.achievedRps : successful / Math.max(load.measuredSeconds, 1e-9);

  const metrics: Record<string, MetricValue | undefined> = {};
  const putLatency = (scope: string, summary: Summary) => {
    if (summary.n === 0) return;
    for (const stat of LATENCY_STATS) metrics[`${scope}.${stat}`] = { value: summary[stat], n: summary.n };
  };
  putLatency('all', latency.all);
  putLatency('warm', latency.warm);
  putLatency('cold', latency.cold);
  putLatency('lambda', breakdown.lambda);
  putLatency('init', initDuration);
  if (requests > 0) metrics.errors = { value: errorRatePercent, n: requests };
  if (correlation) {
    metrics.cold_starts = { value: coldMeasured, n: correlation.expected };
    if (correlation.expected > 0) {
      metrics.coverage = {
        value: correlation.coverage * 100,
        n: correlation.expected,
        // Missing lines at the deadline may be late, not lost; duplicates are final.
        provisional: correlation.timedOut,
      };
    }
  }

  return {
    requests,
    responses: nAll,
    errors,
    errorRatePercent,
    statusCodes,
    errorKinds,
    latency,
    breakdown,
    coldStarts: { measured: coldMeasured, warmup: coldWarmup, initDuration },
    warmup: { requests: warmupRequests, errors: warmupErrors, latency: summarizeInPlace(warmupLatency, nWarmup) },
    rates: load.rates,
    throughputRps,
    successfulResponses: successful,
    throttledResponses: throttled,
    timing: measureTiming(load, target),
    metrics,
  };
}

function measureTiming(load: LoadResult, target: 'local' | 'aws'): TimingMeasurements {
  const sendLagP99Ms = load.rates ? load.rates.sendLagP99Us / 1000 : undefined;
  const startBacklog = load.closedLoop
    ? undefined
    : detectStartBacklog(load.log, load.measuredStartUs, load.measuredSeconds);
  const assessment = assessMachine(load.machine, sendLagP99Ms, target, load.rates?.strain);
  return {
    warmupSettle: load.warmupSettle,
    startBacklog,
    machine: load.machine,
    sendLagP99Ms,
    assessment,
    doubts: latencyDoubts({ target, warmupSettle: load.warmupSettle, startBacklog, machine: assessment }),
  };
}
