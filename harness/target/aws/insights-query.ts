import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  type QueryStatistics,
  type ResultField,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { abortError, abortSignalName, InfraError, InterruptedError, UsageError } from '../../errors.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../insights/compile.js';
import { QuerySyntaxError } from '../../insights/query-error.js';
import { selectsOwnLogGroups } from '../../insights/source.js';
import type { InsightsResult, InsightsRow } from '../target.js';
import { awsCallFailed, awsErrorCode, isRetryableAwsError } from './errors.js';
import { withBackoff } from './retry.js';

/** The part of the SDK client this module uses, so tests can hand in a stub that answers like the service. */
export type InsightsClient = Pick<CloudWatchLogsClient, 'send'>;

/**
 * One query for StartQuery; times are epoch ms and go out as whole seconds, both floored: AWS reads the end second
 * through its last millisecond (docs/aws-behaviour.md#insights-api), so that is the smallest range that holds them.
 */
export interface AwsInsightsQuery {
  readonly queryString: string;
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  /** Rows to return. @default 10000 */
  readonly limit?: number;
  /** 1 to 50 log group names (StartQuery's limit). */
  readonly logGroupNames: readonly string[];
  readonly signal?: AbortSignal;
}

/** How to poll. */
export interface AwsQueryOptions {
  /** First wait between GetQueryResults calls; doubles up to `maxPollIntervalMs`. @default 500 */
  readonly pollIntervalMs?: number;
  /** @default 5000 */
  readonly maxPollIntervalMs?: number;
  /** Give up (and StopQuery) after this long; AWS itself times queries out after 60 min. @default 600000 */
  readonly timeoutMs?: number;
  /** Called with each new status: Scheduled, Running, Complete, ... */
  readonly onStatus?: (status: string) => void;
  /** Waits between calls. @default an abortable timer */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Source of jitter in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** GetQueryResults' answer as rows, plus the query id and the service's own statistics. */
export interface AwsInsightsResult extends InsightsResult {
  readonly queryId: string;
  /** As the service sent them (may include estimatedRecordsSkipped, logGroupsScanned, ...). */
  readonly awsStatistics: QueryStatistics;
}

const DEFAULT_POLL_MS = 500;
const DEFAULT_MAX_POLL_MS = 5_000;
const DEFAULT_TIMEOUT_MS = 600_000;
// StartQuery allows 100 concurrent queries per account (docs/aws-behaviour.md#insights-api); past that it throttles. Retries
// follow the shared policy (retry.ts) from 250 ms, doubling up to the poll ceiling, within the overall timeout.
const RETRY_BASE_MS = 250;
const MAX_LOG_GROUPS = 50;

/**
 * Runs a Logs Insights query on AWS: StartQuery, then GetQueryResults with backoff through Scheduled and
 * Running until Complete (all result pages). Failed, Timeout, Cancelled and Unknown become `InfraError`s
 * (QueryFailed, QueryTimedOut, QueryCancelled, QueryStatusUnknown); an unknown log group becomes
 * `UsageError` LogGroupNotFound, a rejected query `UsageError` MalformedQuery; throttling is retried.
 *
 * @example
 * const result = await runAwsInsightsQuery(new CloudWatchLogsClient({}), {
 *   queryString: 'filter @type = "REPORT" | stats count(*)', logGroupNames: ['/aws/lambda/fn'],
 *   startTimeMs: Date.now() - 3_600_000, endTimeMs: Date.now() });
 */
export async function runAwsInsightsQuery(
  client: InsightsClient,
  query: AwsInsightsQuery,
  options: AwsQueryOptions = {},
): Promise<AwsInsightsResult> {
  validate(query);
  const sleep = options.sleep ?? ((ms, signal) => sleepFor(ms, undefined, { signal }));
  const random = options.random ?? Math.random;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxPollMs = options.maxPollIntervalMs ?? DEFAULT_MAX_POLL_MS;
  const deadline = Date.now() + timeoutMs;
  const signal = query.signal;

  const retrying = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await withBackoff(
        () => {
          throwIfAborted(signal);
          return call();
        },
        {
          attempts: Number.POSITIVE_INFINITY,
          baseDelayMs: RETRY_BASE_MS,
          maxDelayMs: maxPollMs,
          deadline,
          random,
          signal,
          sleep: (ms) => pause(sleep, ms, signal),
        },
      );
    } catch (error) {
      if (signal?.aborted) throw abortError(signal, 'the insights query');
      // Still throttled when the next wait would pass the deadline.
      if (isRetryableAwsError(error)) {
        throw new InfraError('QueryThrottled', `${what} was throttled for ${timeoutMs} ms: ${errorMessage(error)}`, {
          cause: error,
        });
      }
      throw error;
    }
  };

  let queryId: string;
  try {
    const started = await retrying('StartQuery', () =>
      client.send(
        new StartQueryCommand({
          queryString: query.queryString,
          // A query starting with SOURCE names its groups itself (docs/aws-behaviour.md#insights-source).
          logGroupNames: query.logGroupNames.length > 0 ? [...query.logGroupNames] : undefined,
          startTime: Math.floor(query.startTimeMs / 1000),
          endTime: Math.floor(query.endTimeMs / 1000),
          limit: query.limit ?? DEFAULT_LIMIT,
        }),
        { abortSignal: signal },
      ),
    );
    if (!started.queryId) throw new InfraError('StartQueryFailed', 'StartQuery answered without a queryId');
    queryId = started.queryId;
  } catch (error) {
    throw startError(error, query);
  }

  let interval = options.pollIntervalMs ?? DEFAULT_POLL_MS;
  let lastStatus: string | undefined;
  try {
    for (;;) {
      const response = await retrying('GetQueryResults', () =>
        client.send(new GetQueryResultsCommand({ queryId }), { abortSignal: signal }),
      );
      const status = response.status ?? 'Unknown';
      if (status !== lastStatus) {
        options.onStatus?.(status);
        lastStatus = status;
      }
      switch (status) {
        case 'Complete':
          return await collect(client, queryId, response, retrying, signal);
        case 'Scheduled':
        case 'Running':
          break;
        case 'Failed':
          throw new InfraError(
            'QueryFailed',
            `query ${queryId} failed on the service side: check the query and the log groups, then retry`,
          );
        case 'Timeout':
          throw new InfraError(
            'QueryTimedOut',
            `query ${queryId} hit the service's 60-minute limit: narrow the time range or the log groups`,
          );
        case 'Cancelled':
          throw new InfraError('QueryCancelled', `query ${queryId} was cancelled (StopQuery) before it completed`);
        default:
          throw new InfraError(
            'QueryStatusUnknown',
            `query ${queryId} has status '${status}': it may have expired; run it again`,
          );
      }
      if (Date.now() + interval > deadline) {
        await stopQuietly(client, queryId);
        throw new InfraError(
          'QueryDeadlineExceeded',
          `query ${queryId} was still ${status} after ${timeoutMs} ms: stopped it; narrow the time range or raise the timeout`,
        );
      }
      // Jitter of ±20 % spreads the polls of many queries started together.
      await pause(sleep, interval * (0.8 + 0.4 * random()), signal);
      interval = Math.min(maxPollMs, interval * 2);
    }
  } catch (error) {
    if (error instanceof InterruptedError || signal?.aborted) {
      await stopQuietly(client, queryId);
      if (error instanceof InterruptedError) throw error;
      throw new InterruptedError(abortSignalName(signal?.reason), 'the insights query');
    }
    if (error instanceof InfraError || error instanceof UsageError) throw error;
    throw awsCallFailed(`GetQueryResults of query ${queryId}`, error);
  }
}

async function collect(
  client: InsightsClient,
  queryId: string,
  first: GetQueryResultsCommandOutput,
  retrying: <T>(what: string, call: () => Promise<T>) => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<AwsInsightsResult> {
  const results: ResultField[][] = [...(first.results ?? [])];
  let token = first.nextToken;
  // Pages of up to 10,000 rows, 100,000 in all (docs/aws-behaviour.md#insights-api).
  while (token && results.length < MAX_LIMIT) {
    const nextToken = token;
    const page = await retrying('GetQueryResults', () =>
      client.send(new GetQueryResultsCommand({ queryId, nextToken }), { abortSignal: signal }),
    );
    results.push(...(page.results ?? []));
    token = page.nextToken;
  }
  const { fields, rows } = toRows(results);
  const awsStatistics = first.statistics ?? {};
  return {
    status: 'Complete',
    queryId,
    fields,
    rows,
    statistics: {
      recordsMatched: awsStatistics.recordsMatched ?? 0,
      recordsScanned: awsStatistics.recordsScanned ?? 0,
      bytesScanned: awsStatistics.bytesScanned ?? 0,
    },
    awsStatistics,
  };
}

/** `[[{field, value}]]` to row objects; `fields` in first-seen order, without `@ptr`. */
export function toRows(results: readonly (readonly ResultField[])[]): { fields: string[]; rows: InsightsRow[] } {
  const fields: string[] = [];
  const seen = new Set<string>();
  const rows = results.map((result) => {
    const row: InsightsRow = {};
    for (const { field, value } of result) {
      if (field === undefined || value === undefined) continue;
      row[field] = value;
      if (field !== '@ptr' && !seen.has(field)) {
        seen.add(field);
        fields.push(field);
      }
    }
    return row;
  });
  return { fields, rows };
}

function validate(query: AwsInsightsQuery): void {
  const count = query.logGroupNames.length;
  if (selectsOwnLogGroups(query.queryString)) {
    if (count > 0) {
      throw new UsageError(
        'ConflictingFlags',
        `the query picks its log groups with SOURCE and log groups were named as well (${query.logGroupNames.join(', ')}): use one or the other`,
      );
    }
  } else if (count === 0 || count > MAX_LOG_GROUPS) {
    throw new UsageError('InvalidLogGroups', `StartQuery takes 1 to ${MAX_LOG_GROUPS} log groups, got ${count}`);
  }
  if (!Number.isFinite(query.startTimeMs) || !Number.isFinite(query.endTimeMs) || query.startTimeMs > query.endTimeMs) {
    throw new UsageError(
      'InvalidTimeRange',
      `the time range ${query.startTimeMs}..${query.endTimeMs} is not a valid start..end in epoch ms`,
    );
  }
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new UsageError('InvalidLimit', `limit must be a whole number from 1 to ${MAX_LIMIT}, got ${limit}`);
  }
}

function startError(error: unknown, query: AwsInsightsQuery): Error {
  if (error instanceof InterruptedError || error instanceof InfraError || error instanceof UsageError) return error;
  const name = awsErrorCode(error);
  const message = errorMessage(error);
  switch (name) {
    case 'ResourceNotFoundException': {
      // AWS says "Log group '<name>' does not exist for account ID '<acct>'"; keep it, or say which groups were asked for.
      const text = /log group '/i.test(message)
        ? message
        : `Log group '${query.logGroupNames.join("', '")}' does not exist (${message})`;
      return new UsageError('LogGroupNotFound', text, { cause: error });
    }
    case 'MalformedQueryException': {
      const location = (
        error as {
          queryCompileError?: { location?: { startCharOffset?: number; endCharOffset?: number }; message?: string };
        }
      ).queryCompileError;
      const start = location?.location?.startCharOffset;
      if (typeof start === 'number') {
        const end = location?.location?.endCharOffset ?? start + 1;
        return new QuerySyntaxError(
          query.queryString,
          { start, end: Math.max(end, start + 1) },
          location?.message ?? message,
        );
      }
      return new UsageError('MalformedQuery', `the service rejected the query: ${message}`, { cause: error });
    }
    case 'InvalidParameterException':
      return new UsageError('InvalidParameter', `StartQuery rejected a parameter: ${message}`, { cause: error });
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'ExpiredTokenException':
      return new InfraError(
        'AwsAccessDenied',
        `StartQuery was denied (${name}): ${message}; check the credentials and logs:StartQuery`,
        {
          cause: error,
        },
      );
    default:
      return awsCallFailed('StartQuery', error);
  }
}

async function stopQuietly(client: InsightsClient, queryId: string): Promise<void> {
  // Not through the retry policy: this runs on the way out (an abort, a deadline), where waiting helps nobody.
  try {
    await client.send(new StopQueryCommand({ queryId }));
  } catch {
    // Best effort: the query may have ended meanwhile (StopQuery errors then), and AWS times it out anyway.
  }
}

async function pause(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (error) {
    if (signal?.aborted) throw abortError(signal, 'the insights query');
    throw error;
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal, 'the insights query');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
