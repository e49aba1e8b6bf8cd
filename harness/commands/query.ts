import { readFile, stat } from 'node:fs/promises';
import { type DurationRange, parseDurationMs } from '../duration.js';
import { ExitCode, UsageError } from '../errors.js';
// The modules themselves, not the insights/index.js barrel: it also loads `logs import`'s code.
import { MAX_LIMIT } from '../insights/compile.js';
import { queryLogStore } from '../insights/engine.js';
import { formatResult, RESULT_FORMATS, type ResultFormat } from '../insights/format.js';
import { selectsOwnLogGroups } from '../insights/source.js';
import { offlineSupportText } from '../insights/support.js';
import { listLogGroups } from '../logstore/store.js';
import type { AwsInsightsResult } from '../target/aws/index.js';
import type { InsightsResult } from '../target/target.js';
import type { Command } from './command.js';

interface QueryArgs {
  query?: string;
  target: string;
  'log-dir'?: string;
  'log-group'?: string | string[];
  since?: string;
  start?: string;
  end?: string;
  limit?: number | string | (number | string)[];
  format: string;
  'query-file'?: string;
  region?: string;
}

// The latest time a JS Date can hold: "all of the store" when no range is given locally.
const END_OF_TIME_MS = 8.64e15;
const DEFAULT_AWS_SINCE = '1h';

/**
 * `query`: runs a Logs Insights query on the local log store (default) or on AWS, and prints the rows.
 *
 * @example
 * npm run harness -- query --log-dir .rda/logs --since 15m 'filter @type = "REPORT" | stats avg(@duration) by bin(1m)'
 */
export const queryCommand: Command<QueryArgs> = {
  builder: (y) =>
    y
      .positional('query', { type: 'string', desc: 'the query, e.g. \'filter @type = "REPORT" | stats count(*)\'' })
      .option('target', { type: 'string', choices: ['local', 'aws'], default: 'local', desc: 'where the logs are' })
      .option('log-dir', { type: 'string', desc: 'local log store folder (required with --target local)' })
      // Repeated rather than an array option, so `--log-group NAME 'QUERY'` does not swallow the query.
      .option('log-group', {
        type: 'string',
        desc: 'log group to query, repeatable (local default: every group in --log-dir; required with --target aws)',
      })
      .option('since', {
        type: 'string',
        desc: 'query the last period, e.g. 15m, 2h, 1d (default: all of the store locally, 1h on AWS)',
      })
      .option('start', {
        type: 'string',
        desc: 'range start: ISO 8601 (2024-05-01T12:00:00Z), epoch seconds or epoch ms',
      })
      .option('end', { type: 'string', desc: 'range end (inclusive), same forms as --start (default: now)' })
      // A string, parsed here, so `--limit abc` is quoted back as typed rather than as yargs' NaN.
      .option('limit', { type: 'string', desc: `rows to return, 1 to ${MAX_LIMIT} (default 10000, as AWS)` })
      .option('format', { type: 'string', default: 'table', desc: `output format: ${RESULT_FORMATS.join(', ')}` })
      .option('query-file', { type: 'string', desc: 'read the query from this file instead of the argument' })
      .option('region', {
        type: 'string',
        desc: 'AWS region for --target aws (default: $AWS_REGION, then $AWS_DEFAULT_REGION)',
      })
      .epilogue(offlineSupportText()),
  async run(args, ctx) {
    const format = parseFormat(args.format);
    const queryString = await readQuery(args);
    const nowMs = Date.now();
    const range = parseRange(args, nowMs, args.target === 'aws' ? DEFAULT_AWS_SINCE : undefined);
    const limit = parseLimit(args.limit);

    let result: InsightsResult;
    if (args.target === 'aws') {
      if (args['log-dir'] !== undefined) {
        throw new UsageError(
          'ConflictingFlags',
          '--log-dir is for --target local: on AWS name the log groups with --log-group',
        );
      }
      const groups = logGroups(args);
      // A query starting with SOURCE names its own groups (harness/insights/source.ts).
      if (groups.length === 0 && !selectsOwnLogGroups(queryString))
        throw new UsageError(
          'LogGroupMissing',
          'name at least one --log-group with --target aws, e.g. --log-group /aws/lambda/my-fn',
        );
      const { AwsAccount } = await import('../target/aws/index.js');
      const account = await AwsAccount.open({ region: args.region, env: ctx.env });
      try {
        result = await account.query(
          { queryString, ...range, limit, logGroupNames: groups, signal: ctx.signal },
          (status) => ctx.err(`query status: ${status}`),
        );
      } finally {
        account.close();
      }
    } else {
      const logDir = args['log-dir'];
      if (logDir === undefined) {
        throw new UsageError(
          'LogDirMissing',
          "--log-dir is required with --target local: give the log store folder (the emulator's, or one filled by 'logs import')",
        );
      }
      if (!(await isDirectory(logDir)))
        throw new UsageError('LogDirNotFound', `log folder '${logDir}' does not exist: check --log-dir`);
      const named = logGroups(args);
      // A query starting with SOURCE picks its own groups from the store (harness/insights/source.ts).
      const ownGroups = selectsOwnLogGroups(queryString);
      const groups = named.length > 0 || ownGroups ? named : await listLogGroups(logDir);
      if (groups.length === 0 && !ownGroups)
        throw new UsageError(
          'LogGroupMissing',
          `'${logDir}' holds no log groups: run the emulator or 'logs import' first`,
        );
      result = await queryLogStore({ logDir, logGroupNames: groups, queryString, ...range, limit, signal: ctx.signal });
    }

    ctx.out(result.rows.length === 0 && format === 'table' ? '(no rows)' : formatResult(result, format));
    ctx.err(describeStatistics(result));
    for (const warning of result.warnings ?? []) ctx.err(`warning: ${warning}`);
    return ExitCode.Pass;
  },
};

/** One line for stderr: rows, records matched and scanned, bytes scanned. */
export function describeStatistics(result: InsightsResult): string {
  const s = result.statistics;
  const extra = (result as Partial<AwsInsightsResult>).queryId
    ? ` (query ${(result as AwsInsightsResult).queryId})`
    : '';
  return `${result.rows.length} row(s); ${s.recordsMatched} records matched, ${s.recordsScanned} scanned, ${s.bytesScanned} bytes scanned${extra}`;
}

function logGroups(args: QueryArgs): string[] {
  const value = args['log-group'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function parseFormat(value: string): ResultFormat {
  if ((RESULT_FORMATS as readonly string[]).includes(value)) return value as ResultFormat;
  throw new UsageError('UnknownFormat', `unknown --format '${value}': use ${RESULT_FORMATS.join(', ')}`);
}

function parseLimit(raw: QueryArgs['limit']): number | undefined {
  if (raw === undefined) return undefined;
  const text = Array.isArray(raw) ? raw.join("', '") : String(raw).trim();
  const value = typeof raw === 'number' ? raw : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw new UsageError(
      'InvalidLimit',
      `--limit '${text}' is not a whole number from 1 to ${MAX_LIMIT}: give e.g. --limit 100`,
    );
  }
  return value;
}

async function readQuery(args: QueryArgs): Promise<string> {
  const file = args['query-file'];
  if (file !== undefined && args.query !== undefined) {
    throw new UsageError('ConflictingFlags', 'give the query either as an argument or with --query-file, not both');
  }
  if (file !== undefined) {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      throw new UsageError('QueryFileNotFound', `cannot read --query-file '${file}': ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (args.query === undefined || args.query.trim() === '') {
    throw new UsageError(
      'QueryMissing',
      "give a query, e.g. query 'fields @timestamp, @message | limit 20', or --query-file FILE",
    );
  }
  return args.query;
}

/**
 * `--since`: at least a second, at most 3653 days (CloudWatch Logs' longest retention, 10 years), so the start
 * of the range is always a real time.
 */
const SINCE_RANGE: DurationRange = { minMs: 1_000, maxMs: 3_653 * 86_400_000, example: '15m' };

/** The inclusive time range from --since or --start/--end; `defaultSince` applies when none is given. */
export function parseRange(
  args: { since?: string; start?: string; end?: string },
  nowMs: number,
  defaultSince: string | undefined,
): { startTimeMs: number; endTimeMs: number } {
  if (args.since !== undefined && (args.start !== undefined || args.end !== undefined)) {
    throw new UsageError('ConflictingFlags', 'use either --since or --start/--end, not both');
  }
  if (args.start === undefined && args.end !== undefined) {
    throw new UsageError('StartMissing', '--end needs --start: give both, or use --since');
  }
  if (args.start !== undefined) {
    const startTimeMs = parseTime(args.start, '--start');
    const endTimeMs = args.end === undefined ? nowMs : parseTime(args.end, '--end');
    if (startTimeMs > endTimeMs) {
      throw new UsageError(
        'InvalidTimeRange',
        `--start '${args.start}' is after --end '${args.end ?? 'now'}': swap them`,
      );
    }
    return { startTimeMs, endTimeMs };
  }
  const since = args.since ?? defaultSince;
  if (since === undefined) return { startTimeMs: 0, endTimeMs: END_OF_TIME_MS };
  return { startTimeMs: nowMs - parseDurationMs('--since', since, SINCE_RANGE), endTimeMs: nowMs };
}

/** ISO 8601 (a date without a zone is UTC), `now`, epoch seconds (up to 11 digits) or epoch ms. */
export function parseTime(text: string, flag: string): number {
  const value = text.trim();
  if (value === 'now') return Date.now();
  if (/^\d+$/.test(value)) return value.length <= 11 ? Number(value) * 1000 : Number(value);
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(value)
    ? `${value.replace(' ', 'T')}${value.length > 10 ? 'Z' : ''}`
    : value;
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) {
    throw new UsageError(
      'InvalidTime',
      `${flag} '${text}' is not a time: use ISO 8601 (2024-05-01T12:00:00Z), epoch seconds or epoch ms`,
    );
  }
  return ms;
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
