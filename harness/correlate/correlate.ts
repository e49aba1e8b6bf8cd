/**
 * Correlation through `deployment.query()`: finds each sampled request's handler line and REPORT line
 * with batched Logs Insights queries, polling with backoff until every expected id is found or the logs
 * deadline passes (CloudWatch ingestion takes seconds, docs/aws-behaviour.md#ingestion-delay). Query errors are retried until
 * the deadline, never read as "zero results" (docs/measurement.md#correlation). The classification itself is joinLogs().
 *
 * Its cost stays linear in the run's length: the run's time range (widened by the clock skew the deployment
 * allows) is cut into consecutive slices of a few thousand requests each, and each slice is read with one
 * query per kind of line, so every log line is scanned once per round, however long the run
 * (docs/measurement.md#cost-grows-with-the-run-not-with-its-square).
 * `logsTimeoutMs` bounds the whole phase: a query still running at the deadline is aborted.
 */
import { DEFAULT_QUERY_LIMIT, handlerLinesInRangeQuery, reportLinesInRangeQuery } from '../../stack/log-queries.js';
import type { LoadResult } from '../load/load.js';
import { ERROR_KINDS, Phase } from '../load/records.js';
import { sleep } from '../sleep.js';
import type { Deployment, InsightsRow } from '../target/target.js';
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
  /** The whole phase ends after this long: polling stops and a query still running is aborted. */
  readonly logsTimeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (line: string) => void;
  /** Queries in flight at once. @default 4 (Logs Insights allows 30+ concurrent queries) */
  readonly concurrency?: number;
  /** A request's log lines are looked for up to this long after it was sent when it got no response. */
  readonly requestTimeoutMs?: number;
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
/**
 * Log timestamps come from the server's clock: how far they may be from ours when the deployment does not
 * say (a cloud region's clock against this machine's; both are NTP-synchronised, a minute is generous).
 */
export const DEFAULT_LOG_CLOCK_SKEW_MS = 60_000;
/** A slice holds this share of the row limit in requests: room for duplicates and lines of ids nobody sent. */
const TILE_FILL = 0.5;
/** How long a request that got no response is looked for after it was sent, when the caller does not say. */
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

const realClock: Clock = {
  now: () => Date.now(),
  sleep,
};

/** Correlates the load's requests with the deployment's logs. */
export async function correlate(
  deployment: Pick<Deployment, 'query' | 'logClockSkewMs'>,
  load: LoadResult,
  options: CorrelateOptions,
): Promise<CorrelationResult> {
  const clock = options.clock ?? realClock;
  const userSignal = options.signal;
  const startedMs = clock.now();
  const deadlineMs = startedMs + options.logsTimeoutMs;
  const log = load.log;
  const skewMs = deployment.logClockSkewMs ?? DEFAULT_LOG_CLOCK_SKEW_MS;
  const limit = DEFAULT_QUERY_LIMIT;

  // The deadline aborts whatever query is running when it passes; the user's signal aborts everything.
  const deadline = new AbortController();
  const stopTimer = new AbortController();
  clock.sleep(options.logsTimeoutMs, stopTimer.signal).then(
    () => deadline.abort(new Error('the logs timeout passed')),
    () => {},
  );
  const signal = userSignal ? AbortSignal.any([userSignal, deadline.signal]) : deadline.signal;
  const pastDeadline = () => deadline.signal.aborted || clock.now() >= deadlineMs;

  const slowestIndices = slowestMeasured(load, SLOWEST_COUNT);
  const sampled = pickSample(load, options.sample, slowestIndices);
  const sampledIds = new Set(sampled.map((request) => request.correlationId));
  const keepMessageFor = new Set(slowestIndices.map((i) => log.correlationId[i]!));
  const startTimeMs = Math.floor((load.t0EpochMs - skewMs) / 1000) * 1000;
  const endTimeMs = Math.ceil(Math.max(load.endEpochMs, clock.now()) + skewMs);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const sentMsOf = (i: number) => {
    const sendUs = Number.isFinite(log.sendUs[i]!) && log.sendUs[i]! > 0 ? log.sendUs[i]! : log.dueUs[i]!;
    return load.t0EpochMs + sendUs / 1000;
  };
  /** When request i's lines can have been written: from its send to its response (or timeout), give or take the skew. */
  const windowOf = (i: number): { fromMs: number; toMs: number } => {
    const sentMs = sentMsOf(i);
    const latencyMs = log.latencyUs[i]! / 1000;
    const lastMs = Number.isFinite(latencyMs) ? sentMs + latencyMs : sentMs + requestTimeoutMs;
    return { fromMs: sentMs - skewMs, toMs: lastMs + skewMs };
  };

  const tiles = planTiles(load, sentMsOf, startTimeMs, endTimeMs, Math.floor(limit * TILE_FILL));
  let queries = 0;
  let queryErrors = 0;
  let lastQueryError: string | undefined;
  let timedOut = false;

  const runQuery = async (
    queryString: string,
    range: { startTimeMs: number; endTimeMs: number },
  ): Promise<readonly InsightsRow[] | undefined> => {
    userSignal?.throwIfAborted();
    if (pastDeadline()) {
      timedOut = true;
      return undefined;
    }
    queries++;
    try {
      const result = await deployment.query({ queryString, ...range, limit, signal });
      return result.rows;
    } catch (error) {
      if (userSignal?.aborted) throw userSignal.reason;
      if (pastDeadline()) {
        timedOut = true;
        return undefined;
      }
      queryErrors++;
      lastQueryError = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  };

  /**
   * Reads one tile's lines of one kind. A tile that fills the row limit may have more: it is split in two and
   * each half read (down to one millisecond, where a full answer is an error: lines beyond the limit are lost).
   */
  const readTile = async <T>(
    tile: Tile,
    queryString: string,
    toLine: (row: InsightsRow) => T | undefined,
  ): Promise<T[] | undefined> => {
    const rows = await runQuery(queryString, { startTimeMs: tile.fromMs, endTimeMs: tile.toMs });
    if (rows === undefined) return undefined;
    if (rows.length < limit) return rows.flatMap((row) => toLine(row) ?? []);
    // Halves are cut at a whole second: AWS reads ranges in whole seconds (docs/aws-behaviour.md#insights-api).
    const fromSecond = Math.floor(tile.fromMs / 1000);
    const toSecond = Math.floor(tile.toMs / 1000);
    if (toSecond <= fromSecond) {
      queryErrors++;
      lastQueryError = `more than ${limit} log lines in the second ${new Date(tile.fromMs).toISOString()}: some were not read`;
      return rows.flatMap((row) => toLine(row) ?? []);
    }
    const cutMs = Math.floor((fromSecond + toSecond + 1) / 2) * 1000;
    const halves = await Promise.all([
      readTile({ fromMs: tile.fromMs, toMs: cutMs - 1 }, queryString, toLine),
      readTile({ fromMs: cutMs, toMs: tile.toMs }, queryString, toLine),
    ]);
    return halves[0] && halves[1] ? [...halves[0], ...halves[1]] : undefined;
  };

  // Per tile, its lines as last read (a tile read again replaces them); lines of one kind are in one tile each.
  const handlerByTile: (HandlerLine[] | undefined)[] = tiles.map(() => undefined);
  const reportByTile: (ReportLine[] | undefined)[] = tiles.map(() => undefined);
  const keepReportFor = new Set<string>();
  const handlerLineOf = (row: InsightsRow): HandlerLine | undefined => {
    const line = toHandlerLine(row);
    return line && !keepMessageFor.has(line.correlationId) ? { ...line, message: undefined } : line;
  };
  const reportLineOf = (row: InsightsRow): ReportLine | undefined => {
    const line = toReportLine(row);
    return line && !keepReportFor.has(line.requestId) ? { ...line, message: undefined } : line;
  };

  let handlerLines = new Map<string, HandlerLine[]>();
  let reportLines = new Map<string, ReportLine[]>();
  const expected = sampled.filter((request) => request.notExpected === undefined);
  let toRead = tiles.map((_, t) => t);
  let rounds = 0;
  try {
    for (;;) {
      rounds++;
      await mapLimit(toRead, options.concurrency ?? 4, async (t) => {
        const lines = await readTile(tiles[t]!, handlerLinesInRangeQuery(limit), handlerLineOf);
        if (lines) handlerByTile[t] = lines;
      });
      handlerLines = groupBy(
        handlerByTile.flatMap((lines) => lines ?? []).filter((line) => sampledIds.has(line.correlationId)),
        (line) => line.correlationId,
      );
      for (const id of keepMessageFor) {
        const lines = handlerLines.get(id);
        if (lines?.length === 1) keepReportFor.add(lines[0]!.awsRequestId);
      }
      await mapLimit(toRead, options.concurrency ?? 4, async (t) => {
        const lines = await readTile(tiles[t]!, reportLinesInRangeQuery(limit), reportLineOf);
        if (lines) reportByTile[t] = lines;
      });
      reportLines = groupBy(
        reportByTile.flatMap((lines) => lines ?? []),
        (line) => line.requestId,
      );

      const pending = expected.filter((request) => {
        const lines = handlerLines.get(request.correlationId);
        if (!lines?.length) return true;
        return lines.length === 1 && !(reportLines.get(lines[0]!.awsRequestId)?.length ?? 0);
      });
      const unread = tiles.some((_, t) => handlerByTile[t] === undefined || reportByTile[t] === undefined);
      if (pending.length === 0 && !unread) break;
      if (timedOut || clock.now() >= deadlineMs) {
        timedOut = true;
        break;
      }
      options.onProgress?.(
        `correlate: ${pending.length} of ${expected.length} ids still missing a line, polling again`,
      );
      const backoffMs = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (rounds - 1)) * (0.8 + 0.4 * Math.random());
      await clock.sleep(Math.max(0, Math.min(backoffMs, deadlineMs - clock.now())), userSignal);
      // Read again only the tiles where a missing line can be, and those a failed query left unread.
      const again = new Set<number>();
      for (const request of pending) {
        const window = windowOf(request.index);
        for (const [t, tile] of tiles.entries())
          if (tile.toMs >= window.fromMs && tile.fromMs <= window.toMs) again.add(t);
      }
      for (const [t] of tiles.entries())
        if (handlerByTile[t] === undefined || reportByTile[t] === undefined) again.add(t);
      toRead = [...again].sort((a, b) => a - b);
    }
  } finally {
    stopTimer.abort();
  }

  // Every handler line of the run was read, so the census of ids in the logs comes with it, when complete.
  let census: Map<string, number> | undefined;
  if (handlerByTile.every((lines) => lines !== undefined)) {
    census = new Map();
    for (const lines of handlerByTile)
      for (const line of lines!) census.set(line.correlationId, (census.get(line.correlationId) ?? 0) + 1);
  }
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

/** A slice of the run's time range, both ends inclusive (epoch ms), as Logs Insights reads ranges. */
interface Tile {
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Cuts [startMs, endMs] into consecutive tiles that each hold about `requestsPerTile` requests by send time (so
 * about as many handler and REPORT lines): few queries, each well under the row limit.
 */
function planTiles(
  load: LoadResult,
  sentMsOf: (i: number) => number,
  startMs: number,
  endMs: number,
  requestsPerTile: number,
): Tile[] {
  const sent: number[] = [];
  for (let i = 0; i < load.log.count; i++) sent.push(sentMsOf(i));
  sent.sort((a, b) => a - b);
  const tiles: Tile[] = [];
  let fromMs = startMs;
  for (let k = requestsPerTile; k < sent.length; k += requestsPerTile) {
    // At a whole second, so that AWS's whole-second ranges of two tiles do not overlap.
    const cutMs = Math.floor(sent[k]! / 1000) * 1000;
    if (cutMs <= fromMs || cutMs >= endMs) continue;
    tiles.push({ fromMs, toMs: cutMs - 1 });
    fromMs = cutMs;
  }
  tiles.push({ fromMs, toMs: endMs });
  return tiles;
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
