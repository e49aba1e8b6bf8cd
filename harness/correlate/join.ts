/**
 * The join, pure: client records ⇄ handler log line (by `correlationId`) ⇄ REPORT line (by
 * `awsRequestId` = `@requestId`). Each sampled request ends in exactly one class (Loki canary's
 * semantics, docs/measurement.md#correlation): matched, no log line, no REPORT, duplicate; or not expected in the logs at
 * all because the handler never answered it. Logged ids that were never sent are `unexpected`.
 */
import type { InsightsRow } from '../target/target.js';

/** The handler's line for one request, as the correlation query returns it (all values are strings). */
export interface HandlerLine {
  readonly correlationId: string;
  readonly awsRequestId: string;
  readonly coldStart: boolean | undefined;
  readonly status: number | undefined;
  readonly durationMs: number;
  readonly message: string | undefined;
}

/** Lambda's REPORT line for one invocation. */
export interface ReportLine {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  /** NaN on warm invocations (the field is absent). */
  readonly initDurationMs: number;
  readonly maxMemoryUsedMb: number;
  readonly message: string | undefined;
}

/** One request the correlation looks for. */
export interface SampledRequest {
  /** Index in the run's request log. */
  readonly index: number;
  readonly correlationId: string;
  /** Why it is not expected in the logs (no answer from the handler), or undefined when it is. */
  readonly notExpected: string | undefined;
}

export type MissKind = 'no-log-line' | 'no-report' | 'duplicate';

/** What the join found. Per-request columns are indexed like the request log. */
export interface JoinResult {
  readonly sampled: number;
  /** Sampled requests the handler answered, so their lines must be in the logs. */
  readonly expected: number;
  /** Expected requests with exactly one handler line and exactly one REPORT. */
  readonly matched: number;
  /** Misses among expected requests, by kind, with their correlation ids. */
  readonly misses: Readonly<Record<MissKind, readonly string[]>>;
  /** Not-expected requests by reason, and how many of them were in the logs all the same. */
  readonly notExpected: Readonly<Record<string, number>>;
  readonly notExpectedButLogged: number;
  /** Logged correlation ids that were never sent; undefined when the census was incomplete or failed. */
  readonly unexpected: { readonly ids: readonly string[]; readonly lines: number } | undefined;
  /** 0 unknown, 1 warm, 2 cold. */
  readonly coldState: Uint8Array;
  /** REPORT Duration, ms; NaN when not matched. */
  readonly lambdaDurationMs: Float64Array;
  /** The handler's own `durationMs`; NaN when not matched. */
  readonly handlerDurationMs: Float64Array;
  /** REPORT Init Duration of cold starts, ms; NaN otherwise. */
  readonly initDurationMs: Float64Array;
  /** Lambda's request id per matched request. */
  readonly awsRequestIds: ReadonlyMap<number, string>;
}

export const ColdState = { Unknown: 0, Warm: 1, Cold: 2 } as const;

/** Parses a handler-line row; undefined when it lacks a correlation id. */
export function toHandlerLine(row: InsightsRow): HandlerLine | undefined {
  const correlationId = row.correlationId;
  if (!correlationId) return undefined;
  return {
    correlationId,
    awsRequestId: row.awsRequestId ?? '',
    coldStart: row.coldStart === undefined ? undefined : row.coldStart === 'true' || row.coldStart === '1',
    status: row.status === undefined ? undefined : Number(row.status),
    durationMs: num(row.durationMs),
    message: row['@message'],
  };
}

/** Parses a REPORT row; undefined when it lacks `@requestId`. */
export function toReportLine(row: InsightsRow): ReportLine | undefined {
  const requestId = row['@requestId'];
  if (!requestId) return undefined;
  return {
    requestId,
    durationMs: num(row['@duration']),
    billedDurationMs: num(row['@billedDuration']),
    initDurationMs: num(row['@initDuration']),
    // Insights reports memory in bytes as MB × 1,000,000 (docs/aws-behaviour.md#discovered-fields).
    maxMemoryUsedMb: num(row['@maxMemoryUsed']) / 1e6,
    message: row['@message'],
  };
}

function num(value: string | undefined): number {
  if (value === undefined || value === '') return Number.NaN;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : Number.NaN;
}

/** Inputs of {@link joinLogs}. */
export interface JoinInput {
  readonly sampled: readonly SampledRequest[];
  /** Every handler line found, grouped by correlation id (an id queried and not found maps to []). */
  readonly handlerLines: ReadonlyMap<string, readonly HandlerLine[]>;
  /** Every REPORT line found, grouped by `@requestId`. */
  readonly reportLines: ReadonlyMap<string, readonly ReportLine[]>;
  /** Lines per logged correlation id over the run's time range; undefined when incomplete. */
  readonly census: ReadonlyMap<string, number> | undefined;
  /** Every correlation id the run sent (warm-up included), sampled or not. */
  readonly sentIds: ReadonlySet<string>;
  /** Length of the request log, for the per-request columns. */
  readonly requestCount: number;
}

/** Classifies every sampled request and fills the per-request columns. */
export function joinLogs(input: JoinInput): JoinResult {
  const n = input.requestCount;
  const coldState = new Uint8Array(n);
  const lambdaDurationMs = new Float64Array(n).fill(Number.NaN);
  const handlerDurationMs = new Float64Array(n).fill(Number.NaN);
  const initDurationMs = new Float64Array(n).fill(Number.NaN);
  const awsRequestIds = new Map<number, string>();
  const misses: Record<MissKind, string[]> = { 'no-log-line': [], 'no-report': [], duplicate: [] };
  const notExpected: Record<string, number> = {};
  let notExpectedButLogged = 0;
  let expected = 0;
  let matched = 0;

  for (const request of input.sampled) {
    const lines = input.handlerLines.get(request.correlationId) ?? [];
    const line = lines.length === 1 ? lines[0]! : undefined;
    const reports = line ? (input.reportLines.get(line.awsRequestId) ?? []) : [];
    const report = reports.length === 1 ? reports[0]! : undefined;
    const kind: MissKind | 'matched' =
      lines.length === 0
        ? 'no-log-line'
        : lines.length > 1
          ? 'duplicate'
          : reports.length === 0
            ? 'no-report'
            : reports.length > 1
              ? 'duplicate'
              : 'matched';

    if (request.notExpected !== undefined) {
      notExpected[request.notExpected] = (notExpected[request.notExpected] ?? 0) + 1;
      if (lines.length > 0) notExpectedButLogged++;
    } else {
      expected++;
      if (kind === 'matched') matched++;
      else misses[kind].push(request.correlationId);
    }
    if (kind === 'matched' && line && report) {
      const i = request.index;
      const cold = Number.isFinite(report.initDurationMs) || line.coldStart === true;
      coldState[i] = cold ? ColdState.Cold : ColdState.Warm;
      lambdaDurationMs[i] = report.durationMs;
      handlerDurationMs[i] = line.durationMs;
      if (Number.isFinite(report.initDurationMs)) initDurationMs[i] = report.initDurationMs;
      awsRequestIds.set(i, line.awsRequestId);
    }
  }

  let unexpected: JoinResult['unexpected'];
  if (input.census) {
    const ids: string[] = [];
    let lines = 0;
    for (const [id, count] of input.census) {
      if (!input.sentIds.has(id)) {
        ids.push(id);
        lines += count;
      }
    }
    unexpected = { ids, lines };
  }

  return {
    sampled: input.sampled.length,
    expected,
    matched,
    misses,
    notExpected,
    notExpectedButLogged,
    unexpected,
    coldState,
    lambdaDurationMs,
    handlerDurationMs,
    initDurationMs,
    awsRequestIds,
  };
}

/** Groups parsed lines by a key, keeping every line (duplicates are what the join looks for). */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
