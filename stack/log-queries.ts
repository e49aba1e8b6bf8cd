/**
 * The Logs Insights queries asked of a run's logs, in one module: the harness runs them, the report
 * prints them, and the stack saves the static ones as `AWS::Logs::QueryDefinition`s.
 *
 * Field names are the handler's explicit JSON fields (`correlationId`, `awsRequestId`, ...) and Lambda's
 * discovered REPORT fields (`@type`, `@requestId`, `@duration`, ...; docs/aws-behaviour.md#discovered-fields). Correlation never
 * keys on `@requestId` of application lines: Insights may assign any UUID on a line to it.
 */
export interface SavedQuery {
  /** Short kebab-case name; the QueryDefinition is named `rda/<runId>/<name>`. */
  readonly name: string;
  readonly description: string;
  readonly queryString: string;
}

/** StartQuery rejects a `queryString` longer than this (docs/aws-behaviour.md#insights-api). */
export const MAX_QUERY_LENGTH = 10_000;

/** Rows a query returns unless it says otherwise; also the most one GetQueryResults page holds (docs/aws-behaviour.md#insights-api). */
export const DEFAULT_QUERY_LIMIT = 10_000;

/** Placeholder in the find-by-correlation-id template, replaced by the user in the console. */
export const CORRELATION_ID_PLACEHOLDER = 'PUT-CORRELATION-ID-HERE';

/** Fields the handler writes on its one line per request, as the correlation query asks for them. */
export const HANDLER_FIELDS = [
  '@timestamp',
  'correlationId',
  'awsRequestId',
  'apiRequestId',
  'coldStart',
  'status',
  'durationMs',
  'errorCode',
  '@message',
] as const;

/** Lambda's discovered fields on a REPORT line, as the correlation query asks for them. */
export const REPORT_FIELDS = [
  '@timestamp',
  '@requestId',
  '@duration',
  '@billedDuration',
  '@initDuration',
  '@maxMemoryUsed',
  '@memorySize',
  '@message',
] as const;

/** A double-quoted Insights string literal; backslashes and quotes are escaped. */
export function quoteLiteral(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function inList(values: readonly string[]): string {
  return `[${values.map(quoteLiteral).join(', ')}]`;
}

/**
 * Every handler line in the query's time range: correlation reads a run in consecutive time slices with it, so
 * each line is scanned once however many requests the run sent.
 */
export function handlerLinesInRangeQuery(limit = DEFAULT_QUERY_LIMIT): string {
  return [`fields ${HANDLER_FIELDS.join(', ')}`, 'filter ispresent(correlationId)', `limit ${limit}`].join('\n| ');
}

/** Every REPORT line in the query's time range (see {@link handlerLinesInRangeQuery}). */
export function reportLinesInRangeQuery(limit = DEFAULT_QUERY_LIMIT): string {
  return [`fields ${REPORT_FIELDS.join(', ')}`, 'filter @type = "REPORT"', `limit ${limit}`].join('\n| ');
}

/** The handler's line for each of `correlationIds` (one per request when nothing is lost or doubled). */
export function handlerLinesQuery(correlationIds: readonly string[], limit = DEFAULT_QUERY_LIMIT): string {
  return [
    `fields ${HANDLER_FIELDS.join(', ')}`,
    `filter correlationId in ${inList(correlationIds)}`,
    `limit ${limit}`,
  ].join('\n| ');
}

/** The REPORT line of each Lambda invocation in `awsRequestIds`. */
export function reportLinesQuery(awsRequestIds: readonly string[], limit = DEFAULT_QUERY_LIMIT): string {
  return [
    `fields ${REPORT_FIELDS.join(', ')}`,
    `filter @type = "REPORT" and @requestId in ${inList(awsRequestIds)}`,
    `limit ${limit}`,
  ].join('\n| ');
}

/** How many handler lines each correlation id has: finds ids that were logged but never sent. */
export function correlationCensusQuery(limit = DEFAULT_QUERY_LIMIT): string {
  return ['filter ispresent(correlationId)', 'stats count(*) as lines by correlationId', `limit ${limit}`].join('\n| ');
}

/** Queries worth keeping in the CloudWatch console for a run's log group. */
export const savedQueries: readonly SavedQuery[] = [
  {
    name: 'latency-by-minute',
    description: 'Lambda Duration percentiles per minute, from REPORT lines',
    queryString: [
      'filter @type = "REPORT"',
      'stats count(*) as invocations, pct(@duration, 50) as p50, pct(@duration, 90) as p90, ' +
        'pct(@duration, 99) as p99, max(@duration) as max by bin(1m)',
    ].join('\n| '),
  },
  {
    name: 'cold-starts',
    description: 'Cold starts per 5 minutes and their Init Duration, from REPORT lines',
    queryString: [
      'filter @type = "REPORT" and ispresent(@initDuration)',
      'stats count(*) as coldStarts, avg(@initDuration) as avgInit, pct(@initDuration, 99) as p99Init, ' +
        'max(@initDuration) as maxInit by bin(5m)',
    ].join('\n| '),
  },
  {
    name: 'errors-by-code',
    description: 'Requests the handler answered with an error, by error code and status',
    queryString: [
      'filter ispresent(correlationId) and status >= 400',
      'stats count(*) as requests by errorCode, status',
      'sort requests desc',
    ].join('\n| '),
  },
  {
    name: 'status-by-minute',
    description: 'Requests per minute by HTTP status, from the handler lines',
    queryString: ['filter ispresent(correlationId)', 'stats count(*) as requests by bin(1m), status'].join('\n| '),
  },
  {
    name: 'slowest-requests',
    description: 'The 20 slowest requests as the handler timed them',
    queryString: [
      'fields @timestamp, correlationId, awsRequestId, method, path, status, durationMs, coldStart',
      'filter ispresent(correlationId)',
      'sort durationMs desc',
      'limit 20',
    ].join('\n| '),
  },
  {
    name: 'find-by-correlation-id',
    description: `Every line of one request: replace ${CORRELATION_ID_PLACEHOLDER} with its x-correlation-id`,
    queryString: [
      `fields ${HANDLER_FIELDS.join(', ')}`,
      `filter correlationId = ${quoteLiteral(CORRELATION_ID_PLACEHOLDER)}`,
    ].join('\n| '),
  },
];
