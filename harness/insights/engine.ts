import { abortError, UsageError } from '../errors.js';
import {
  forEachStoredBlock,
  formatStoredEvent,
  listLogGroups,
  listLogStreams,
  logGroupExists,
  parseStoredEvent,
  type StoredEvent,
} from '../logstore/store.js';
import { type HeldFile, rangesToRead, type SpanBuilder, type StoreTimeIndex } from '../logstore/time-index.js';
import type { InList, Query } from './ast.js';
import { type CompiledQuery, compileQuery, DEFAULT_LIMIT, MAX_LIMIT } from './compile.js';
import { isLambdaStream, LOCAL_ACCOUNT_ID } from './discovery.js';
import { QueryRun } from './execute.js';
import {
  firstStoredMessage,
  givenLogType,
  logTypeWarning,
  readsFirstEvent,
  storedLogType,
  streamDiscovery,
} from './log-types.js';
import { parseQuery } from './parser.js';
import { buildLineMatcher } from './prefilter.js';
import { QuerySyntaxError } from './query-error.js';
import type { InsightsResult } from './result.js';
import { EventRow, type StreamInfo } from './rows.js';
import { queryLogGroups, selectLogGroups, sourceCommandOf } from './source.js';
import { subqueriesOf, subqueryColumn } from './subquery.js';

/** A query over the local store, in the same terms as StartQuery. */
export interface LogStoreQueryOptions {
  /** The store folder (`<dir>/<group>/<stream>.ndjson`). */
  readonly logDir: string;
  readonly logGroupNames: readonly string[];
  readonly queryString: string;
  /** Inclusive bounds on `@timestamp`, epoch ms (docs/aws-behaviour.md#insights-api: both ends inclusive). */
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  /** Rows at most. @default 10000 (max 100000, as StartQuery) */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  /**
   * Kept between queries of one store, so each reads only the parts of the files that can hold events in its
   * time range and indexes each new byte once. @default none: every file is read whole
   */
  readonly timeIndex?: StoreTimeIndex;
}

/**
 * Runs a Logs Insights query over the local log store and returns what GetQueryResults would: string
 * values, `@ptr` on event rows, statistics. Files are streamed; each line's timestamp is read first and
 * lines outside the range are skipped before any parsing.
 *
 * @example
 * const result = await queryLogStore({ logDir: '.rda/logs', logGroupNames: ['/aws/lambda/fn'],
 *   queryString: 'filter @type = "REPORT" | stats count(*)', startTimeMs: 0, endTimeMs: Date.now() });
 */
export async function queryLogStore(options: LogStoreQueryOptions): Promise<InsightsResult> {
  const { startTimeMs, endTimeMs } = options;
  if (!Number.isFinite(startTimeMs) || !Number.isFinite(endTimeMs)) {
    throw new UsageError(
      'InvalidTimeRange',
      `start and end must be epoch milliseconds, got ${startTimeMs} and ${endTimeMs}`,
    );
  }
  if (startTimeMs > endTimeMs) {
    throw new UsageError(
      'InvalidTimeRange',
      `the start ${new Date(startTimeMs).toISOString()} is after the end ${new Date(endTimeMs).toISOString()}: swap them`,
    );
  }
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new UsageError('InvalidLimit', `limit must be a whole number from 1 to ${MAX_LIMIT}, got ${limit}`);
  }
  const query = parseQuery(options.queryString);
  const logGroupNames = await storeLogGroups(query, options.logGroupNames, options.logDir);
  // Subqueries run first, innermost first, over the same range (harness/insights/subquery.ts).
  const values = new Map<InList, readonly string[]>();
  let subRecords = 0;
  let subBytes = 0;
  for (const node of subqueriesOf(query)) {
    const sub = node.subquery!;
    const groups = sourceCommandOf(sub) ? await storeLogGroups(sub, [], options.logDir) : logGroupNames;
    const result = await scanStore(options, compileQuery(sub, values), groups, MAX_LIMIT);
    if (result.rows.length >= MAX_LIMIT) {
      throw new QuerySyntaxError(
        query.source,
        node.span,
        `the subquery returned ${MAX_LIMIT} rows or more, and values past them would be lost: narrow it (a filter, or stats ... by the field)`,
      );
    }
    const column = subqueryColumn(node, result.fields);
    values.set(
      node,
      result.rows.flatMap((row) => (row[column] === undefined ? [] : [row[column]!])),
    );
    subRecords += result.statistics.recordsScanned;
    subBytes += result.statistics.bytesScanned;
  }
  const result = await scanStore(options, compileQuery(query, values), logGroupNames, limit);
  if (subRecords === 0 && subBytes === 0) return result;
  // A subquery's scan is part of the query's (AWS bills the bytes of both).
  const statistics = result.statistics;
  return {
    ...result,
    statistics: {
      ...statistics,
      recordsScanned: statistics.recordsScanned + subRecords,
      bytesScanned: statistics.bytesScanned + subBytes,
    },
  };
}

/** The log groups of the store a query runs over: SOURCE in the query or the names given, each one there. */
async function storeLogGroups(query: Query, named: readonly string[], logDir: string): Promise<string[]> {
  const logGroupNames = await queryLogGroups(query, named, () => listLogGroups(logDir));
  for (const name of logGroupNames) {
    if (!(await logGroupExists(logDir, name))) {
      // AWS's own words (docs/aws-behaviour.md#insights-api, recorded ResourceNotFoundException message).
      throw new UsageError(
        'LogGroupNotFound',
        `Log group '${name}' does not exist for account ID '${LOCAL_ACCOUNT_ID}'`,
      );
    }
  }
  return logGroupNames;
}

/** One scan of the store's groups for a compiled query, at most `limit` rows. */
async function scanStore(
  options: LogStoreQueryOptions,
  compiled: CompiledQuery,
  logGroupNames: readonly string[],
  limit: number,
): Promise<InsightsResult> {
  const { startTimeMs, endTimeMs } = options;
  const run = new QueryRun(compiled, limit);
  const matcher = buildLineMatcher(compiled.eventFilters, options.queryString);
  const timeIndex = options.timeIndex;
  let recordsScanned = 0;
  let bytesScanned = 0;
  /** Why some fields may come back empty (docs/aws-behaviour.md#log-type-discovery). */
  const warnings: string[] = [];
  const signal = options.signal;

  // The hot loop: per line, read the timestamp in place, check the range and the pre-check, and only then cut
  // the line out of the block and parse it. `spans` (when indexing) is told every complete line's timestamp.
  const scanBlock = (
    info: StreamInfo,
    base: number,
    text: string,
    ascii: boolean,
    firstLineNo: number,
    spans: { readonly builder: SpanBuilder; readonly startByte: number } | null,
  ): number => {
    matcher?.reset(text);
    const lambda = info.lambda;
    const textFormat = Boolean(info.format);
    let lineNo = firstLineNo;
    let start = 0;
    // Where the open span starts in the text and in the file: spans close at line ends inside a block too.
    let spanChar = 0;
    let spanByte = spans?.startByte ?? 0;
    while (start < text.length) {
      const newline = text.indexOf('\n', start);
      const next = newline === -1 ? text.length : newline;
      const end = next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
      const line = lineNo++;
      const lineStart = start;
      start = next + 1;
      let timestamp = timestampAt(text, lineStart, end);
      if (timestamp === null) timestamp = parseStoredEvent(text.slice(lineStart, end))?.timestamp ?? null;
      if (spans !== null) {
        spans.builder.line(timestamp);
        // A character is at least one byte, so a span is only measured once it may be large enough.
        if (start - spanChar >= spans.builder.targetBytes) {
          spanByte += ascii ? start - spanChar : Buffer.byteLength(text.slice(spanChar, start), 'utf8');
          spanChar = start;
          spans.builder.blockEnd(spanByte);
        }
      }
      if (timestamp === null || timestamp < startTimeMs || timestamp > endTimeMs) continue;
      recordsScanned++;
      bytesScanned += ascii ? end - lineStart : Buffer.byteLength(text.slice(lineStart, end), 'utf8');
      // The pre-check reads JSON keys in the raw line; text-format records (VPC flow, Route 53) name no keys.
      if (matcher !== null && !textFormat && !matcher.test(lineStart, end, lambda)) continue;
      const event = parseStoredEvent(text.slice(lineStart, end));
      // A torn or foreign line (a crash mid-write) is not an event: skip it rather than fail the query.
      if (event === null) continue;
      run.push(new EventRow(info, base + line, line, event.timestamp, event.ingestionTime, event.message));
    }
    return lineNo - firstLineNo;
  };

  /** Scans one stream file; returns its line count. `base` numbers its lines after the files before it. */
  const scanFile = async (file: string, info: StreamInfo, base: number): Promise<number> => {
    if (timeIndex === undefined) {
      const summary = await forEachStoredBlock(
        file,
        (text, ascii, firstLineNo) => scanBlock(info, base, text, ascii, firstLineNo, null),
        signal,
      );
      return summary.lines;
    }
    const held = await timeIndex.hold(file);
    try {
      return await scanIndexedFile(file, info, base, timeIndex, held);
    } finally {
      held.release();
    }
  };

  const scanIndexedFile = async (
    file: string,
    info: StreamInfo,
    base: number,
    timeIndex: StoreTimeIndex,
    { index, spans }: HeldFile,
  ): Promise<number> => {
    // What the index knows: read only its spans that may hold events in the range.
    for (const range of rangesToRead(index, startTimeMs, endTimeMs)) {
      await forEachStoredBlock(
        file,
        (text, ascii, firstLineNo, _startByte, byteLength) => {
          timeIndex.bytesRead += byteLength;
          return scanBlock(info, base, text, ascii, firstLineNo, null);
        },
        signal,
        range,
      );
    }
    // The rest is new since the last query: read it all, indexing its complete lines.
    const resume = spans.resumeAt;
    let nextByte = resume.startByte;
    let nextLine = resume.firstLineNo;
    const summary = await forEachStoredBlock(
      file,
      (text, ascii, firstLineNo, startByte, byteLength) => {
        timeIndex.bytesRead += byteLength;
        // A gap is a line too long to read that the reader skipped.
        if (startByte > nextByte) spans.skipped(nextByte, startByte, firstLineNo - nextLine);
        const complete = text.charCodeAt(text.length - 1) === 10;
        const lines = scanBlock(info, base, text, ascii, firstLineNo, complete ? { builder: spans, startByte } : null);
        if (complete) {
          spans.blockEnd(startByte + byteLength);
          nextByte = startByte + byteLength;
          nextLine = firstLineNo + lines;
        }
        return lines;
      },
      signal,
      resume,
    );
    spans.finish(nextByte);
    return resume.firstLineNo + summary.lines;
  };

  try {
    let base = 0;
    for (const logGroupName of logGroupNames) {
      const storedType = await storedLogType(options.logDir, logGroupName);
      // Read the first event to sniff an untyped stream, or to check a typed one (one warning per group).
      const readFirst = readsFirstEvent(givenLogType(storedType, logGroupName));
      let warned = false;
      for (const stream of await listLogStreams(options.logDir, logGroupName)) {
        // docs/aws-behaviour.md#log-type-discovery: stored type, then group name, then the first event.
        const first = readFirst ? await firstStoredMessage(stream.file) : null;
        const discovery = streamDiscovery(storedType, logGroupName, first);
        const warning = warned ? null : logTypeWarning(storedType, logGroupName, stream.name, first);
        if (warning !== null) {
          warnings.push(warning);
          warned = true;
        }
        const info: StreamInfo = {
          logGroupName,
          logStreamName: stream.name,
          log: `${LOCAL_ACCOUNT_ID}:${logGroupName}`,
          lambda: discovery.lambda || isLambdaStream(logGroupName, stream.name),
          format: discovery.format,
        };
        base += await scanFile(stream.file, info, base);
      }
    }
  } catch (error) {
    if (signal?.aborted) throw abortError(signal, 'the insights query');
    throw error;
  }
  return completeResult(run, recordsScanned, bytesScanned, warnings);
}

/** Ends a scan: the query's rows as GetQueryResults gives them, with the scan's statistics. */
function completeResult(
  run: QueryRun,
  recordsScanned: number,
  bytesScanned: number,
  warnings: readonly string[] = [],
): InsightsResult {
  const output = run.finish();
  return {
    status: 'Complete',
    fields: output.fields,
    rows: output.rows,
    statistics: { recordsMatched: output.recordsMatched, recordsScanned, bytesScanned },
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/** One event for `queryEvents`: a stored event and where it lives. */
export interface LocatedEvent extends StoredEvent {
  readonly logGroupName: string;
  readonly logStreamName: string;
}

/**
 * The same query semantics over events in memory (pure: no files). Events are scanned in the order given,
 * which breaks ties between equal timestamps like the store's file order does. For tests and small inputs.
 */
export function queryEvents(options: {
  readonly queryString: string;
  readonly events: Iterable<LocatedEvent>;
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  readonly limit?: number;
}): InsightsResult {
  const compiled = compileQuery(parseQuery(options.queryString));
  const run = new QueryRun(compiled, options.limit ?? DEFAULT_LIMIT);
  // With SOURCE, only the events of the groups it selects are scanned.
  const source = sourceCommandOf(compiled.query);
  const selected = new Map<string, boolean>();
  const inSource = (group: string): boolean => {
    if (source === null) return true;
    let yes = selected.get(group);
    if (yes === undefined) {
      yes = selectLogGroups(source, [group], options.queryString).length > 0;
      selected.set(group, yes);
    }
    return yes;
  };
  const streams = new Map<string, StreamInfo>();
  const lineNumbers = new Map<string, number>();
  let seq = 0;
  let recordsScanned = 0;
  let bytesScanned = 0;
  for (const event of options.events) {
    if (!inSource(event.logGroupName)) continue;
    const key = `${event.logGroupName}\u0000${event.logStreamName}`;
    let info = streams.get(key);
    if (info === undefined) {
      // No stored type in memory: the group name, then the stream's first event decide (log-types.ts).
      const discovery = streamDiscovery(null, event.logGroupName, event.message);
      info = {
        logGroupName: event.logGroupName,
        logStreamName: event.logStreamName,
        log: `${LOCAL_ACCOUNT_ID}:${event.logGroupName}`,
        lambda: discovery.lambda || isLambdaStream(event.logGroupName, event.logStreamName),
        format: discovery.format,
      };
      streams.set(key, info);
    }
    const lineNo = lineNumbers.get(key) ?? 0;
    lineNumbers.set(key, lineNo + 1);
    const position = seq++;
    if (event.timestamp < options.startTimeMs || event.timestamp > options.endTimeMs) continue;
    recordsScanned++;
    bytesScanned += Buffer.byteLength(formatStoredEvent(event), 'utf8');
    run.push(new EventRow(info, position, lineNo, event.timestamp, event.ingestionTime, event.message));
  }
  return completeResult(run, recordsScanned, bytesScanned);
}

const TIMESTAMP_PREFIX = '{"timestamp":';

/**
 * The event time of the line `text[start, end)` when it starts the way the emulator and the importer write
 * lines, `{"timestamp":<ms>,`, read in place without parsing; null for any other layout.
 */
function timestampAt(text: string, start: number, end: number): number | null {
  if (!text.startsWith(TIMESTAMP_PREFIX, start)) return null;
  let i = start + TIMESTAMP_PREFIX.length;
  const first = i;
  let value = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  const next = text.charCodeAt(i);
  return i > first && i - first <= 15 && (next === 44 || next === 125) ? value : null;
}
