/**
 * Correlation through `deployment.query()`: finds each sampled request's handler line and REPORT line
 * with batched Logs Insights queries, polling with backoff until every expected id is found or the logs
 * deadline passes (CloudWatch ingestion takes seconds, docs/aws-behaviour.md#ingestion-delay). Query errors are retried until
 * the deadline, never read as "zero results" (docs/measurement.md#correlation). The classification itself is joinLogs().
 */
import {
  correlationCensusQuery,
  DEFAULT_QUERY_LIMIT,
  handlerLinesQuery,
  reportLinesQuery,
} from '../../stack/log-queries.js';
import type { LoadResult } from '../load/load.js';
import { ERROR_KINDS, Phase } from '../load/records.js';
import { sleep } from '../sleep.js';
import type { Deployment, InsightsRow } from '../target/target.js';
import { batchIds } from './batch.js';
import {
  groupBy,
  type HandlerLine,
  type JoinResult,
  joinLogs,
  type ReportLine,
  type SampledRequest,
  toHandlerLine,
  toReportLine,
} from './join.js';

/** Options of {@link correlate}. */
export interface CorrelateOptions {
  /** Correlate this many requests, evenly spaced over the run; all when undefined. */
  readonly sample?: number;
  /** Stop polling for missing ids after this long. */
  readonly logsTimeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
  /** Queries in flight at once. @default 4 (Logs Insights allows 30+ concurrent queries) */
  readonly concurrency?: number;
  /** The clock and sleep, injectable for tests. */
  readonly clock?: Clock;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The join's result plus how the polling went. */
export interface CorrelationResult extends JoinResult {
  /** matched / expected; NaN when nothing was expected. */
  readonly coverage: number;
  /** True when the deadline passed with expected ids still missing a line. */
  readonly timedOut: boolean;
  readonly rounds: number;
  readonly queries: number;
  readonly queryErrors: number;
  readonly lastQueryError: string | undefined;
  readonly elapsedMs: number;
  /** Epoch ms range the queries covered. */
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  /** The slowest measured requests with their log lines (as far as found). */
  readonly slowest: readonly SlowRequest[];
}

/** One of the slowest requests and its log lines. */
export interface SlowRequest {
  readonly index: number;
  readonly handlerLine: string | undefined;
  readonly reportLine: string | undefined;
}

/** How many of the slowest requests the report shows with their log lines. */
export const SLOWEST_COUNT = 10;

const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 5_000;
// Log timestamps come from the server's clock; allow for skew against ours on both ends of the range.
const CLOCK_SKEW_MS = 60_000;

const realClock: Clock = {
  now: () => Date.now(),
  sleep,
};

/** Correlates the load's requests with the deployment's logs. */
export async function correlate(
  deployment: Pick<Deployment, 'query'>,
  load: LoadResult,
  options: CorrelateOptions,
): Promise<CorrelationResult> {
  const clock = options.clock ?? realClock;
  const { signal } = options;
  const startedMs = clock.now();
  const deadlineMs = startedMs + options.logsTimeoutMs;
  const log = load.log;

  const slowestIndices = slowestMeasured(load, SLOWEST_COUNT);
  const sampled = pickSample(load, options.sample, slowestIndices);
  const keepMessageFor = new Set(slowestIndices.map((i) => log.correlationId[i]!));
  const startTimeMs = load.t0EpochMs - CLOCK_SKEW_MS;
  let endTimeMs = Math.max(load.endEpochMs, clock.now()) + CLOCK_SKEW_MS;

  const handlerLines = new Map<string, HandlerLine[]>();
  const reportLines = new Map<string, ReportLine[]>();
  let queries = 0;
  let queryErrors = 0;
  let lastQueryError: string | undefined;

  const runQuery = async (
    queryString: string,
    limit = DEFAULT_QUERY_LIMIT,
  ): Promise<readonly InsightsRow[] | undefined> => {
    signal?.throwIfAborted();
    queries++;
    try {
      const result = await deployment.query({ queryString, startTimeMs, endTimeMs, limit, signal });
      return result.rows;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      queryErrors++;
      lastQueryError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  };

  const findHandlerLines = async (ids: readonly string[]) => {
    const batches = batchIds(ids, (batch) => handlerLinesQuery(batch));
    await mapLimit(batches, options.concurrency ?? 4, async (batch) => {
      const rows = await runQuery(handlerLinesQuery(batch));
      if (!rows) return;
      const found = groupBy(
        rows.flatMap((row) => {
          const line = toHandlerLine(row);
          return line ? [keepMessageFor.has(line.correlationId) ? line : { ...line, message: undefined }] : [];
        }),
        (line) => line.correlationId,
      );
      for (const id of batch) handlerLines.set(id, found.get(id) ?? []);
    });
  };

  const findReportLines = async (requestIds: readonly string[], keep: ReadonlySet<string>) => {
    const batches = batchIds(requestIds, (batch) => reportLinesQuery(batch));
    await mapLimit(batches, options.concurrency ?? 4, async (batch) => {
      const rows = await runQuery(reportLinesQuery(batch));
      if (!rows) return;
      const found = groupBy(
        rows.flatMap((row) => {
          const line = toReportLine(row);
          return line ? [keep.has(line.requestId) ? line : { ...line, message: undefined }] : [];
        }),
        (line) => line.requestId,
      );
      for (const id of batch) reportLines.set(id, found.get(id) ?? []);
    });
  };

  const expected = sampled.filter((request) => request.notExpected === undefined);
  let needHandler = sampled.map((request) => request.correlationId);
  let rounds = 0;
  let timedOut = false;
  for (;;) {
    rounds++;
    endTimeMs = Math.max(endTimeMs, clock.now() + CLOCK_SKEW_MS);
    await findHandlerLines(needHandler);
    const keepReport = new Set<string>();
    const needReport: string[] = [];
    for (const request of rounds === 1 ? sampled : expected) {
      const lines = handlerLines.get(request.correlationId);
      if (lines?.length !== 1) continue;
      const requestId = lines[0]!.awsRequestId;
      if (keepMessageFor.has(request.correlationId)) keepReport.add(requestId);
      if (requestId && !(reportLines.get(requestId)?.length ?? 0)) needReport.push(requestId);
    }
    await findReportLines(needReport, keepReport);

    const pendingHandler = expected.filter((r) => !(handlerLines.get(r.correlationId)?.length ?? 0));
    const pendingReport = expected.filter((r) => {
      const lines = handlerLines.get(r.correlationId);
      return lines?.length === 1 && !(reportLines.get(lines[0]!.awsRequestId)?.length ?? 0);
    });
    const pending = pendingHandler.length + pendingReport.length;
    if (pending === 0) break;
    if (clock.now() >= deadlineMs) {
      timedOut = true;
      break;
    }
    options.onProgress?.(`correlate: ${pending} of ${expected.length} ids still missing a line, polling again`);
    const backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (rounds - 1)) * (0.8 + 0.4 * Math.random());
    await clock.sleep(Math.max(0, Math.min(backoffMs, deadlineMs - clock.now())), signal);
    needHandler = pendingHandler.map((r) => r.correlationId);
  }

  const censusRows = await runQuery(correlationCensusQuery());
  const census =
    censusRows && censusRows.length < DEFAULT_QUERY_LIMIT
      ? new Map(
          censusRows
            .map((row) => [row.correlationId ?? '', Number(row.lines ?? 0)] as const)
            .filter(([id]) => id !== ''),
        )
      : undefined;
  const sentIds = new Set<string>();
  for (let i = 0; i < log.count; i++) if (log.correlationId[i]) sentIds.add(log.correlationId[i]!);

  const join = joinLogs({ sampled, handlerLines, reportLines, census, sentIds, requestCount: log.count });
  const slowest = slowestIndices.map((index): SlowRequest => {
    const line = handlerLines.get(log.correlationId[index]!)?.[0];
    const report = line ? reportLines.get(line.awsRequestId)?.[0] : undefined;
    return { index, handlerLine: line?.message, reportLine: report?.message };
  });
  return {
    ...join,
    coverage: join.expected === 0 ? Number.NaN : join.matched / join.expected,
    timedOut,
    rounds,
    queries,
    queryErrors,
    lastQueryError,
    elapsedMs: clock.now() - startedMs,
    startTimeMs,
    endTimeMs,
    slowest,
  };
}

/**
 * Which requests to look for: every request with a correlation id, or `sample` of them evenly spaced
 * (plus the slowest, whose lines the report shows). A request the handler never answered (no echo of our
 * id and no 2xx) is sampled but not expected in the logs.
 */
export function pickSample(
  load: LoadResult,
  sample: number | undefined,
  mustInclude: readonly number[] = [],
): SampledRequest[] {
  const log = load.log;
  const candidates: number[] = [];
  for (let i = 0; i < log.count; i++) if (log.correlationId[i]) candidates.push(i);
  let chosen = candidates;
  if (sample !== undefined && sample < candidates.length) {
    const picked = new Set<number>();
    for (let k = 0; k < sample; k++) picked.add(candidates[Math.floor((k * candidates.length) / sample)]!);
    for (const i of mustInclude) picked.add(i);
    chosen = [...picked].sort((a, b) => a - b);
  }
  return chosen.map((index) => ({
    index,
    correlationId: log.correlationId[index]!,
    notExpected: notExpectedReason(load, index),
  }));
}

function notExpectedReason(load: LoadResult, i: number): string | undefined {
  const log = load.log;
  const status = log.status[i]!;
  if (log.echoed[i] === 1 || (status >= 200 && status < 300)) return undefined;
  if (status === 0) return `no response (${ERROR_KINDS[log.errorKind[i]!]})`;
  return `status ${status} without the handler's echo`;
}

/** Indices of the `count` slowest measured requests that got a response, slowest first. */
export function slowestMeasured(load: LoadResult, count: number): number[] {
  const log = load.log;
  const top: number[] = [];
  for (let i = 0; i < log.count; i++) {
    if (log.phase[i] !== Phase.Measured || !log.correlationId[i]) continue;
    const latency = log.latencyUs[i]!;
    if (!Number.isFinite(latency)) continue;
    if (top.length === count && latency <= log.latencyUs[top[top.length - 1]!]!) continue;
    let at = top.length;
    while (at > 0 && log.latencyUs[top[at - 1]!]! < latency) at--;
    top.splice(at, 0, i);
    if (top.length > count) top.pop();
  }
  return top;
}

async function mapLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}
