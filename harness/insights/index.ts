/**
 * The Logs Insights room: a query language implementation over the local log store (`queryLogStore`), the
 * same queries on AWS through the SDK (`runAwsInsightsQuery`), and the pieces both build on.
 */

export {
  appendStoredEvents,
  forEachStoredLine,
  formatStoredEvent,
  groupDirPath,
  listLogGroups,
  listLogStreams,
  readStoredEvents,
  type StoredEvent,
  streamFilePath,
} from '../logstore/store.js';
export type { Command, Expr, Query } from './ast.js';
export { type CompiledQuery, compileQuery, DEFAULT_LIMIT, MAX_LIMIT } from './compile.js';
export { isLambdaStream, LOCAL_ACCOUNT_ID } from './discovery.js';
export { type LocatedEvent, type LogStoreQueryOptions, queryEvents, queryLogStore } from './engine.js';
export { QueryRun } from './execute.js';
export { formatResult, RESULT_FORMATS, type ResultFormat } from './format.js';
export { type ImportOptions, type ImportReport, importFilterLogEvents } from './import.js';
export { parseQuery } from './parser.js';
export { printQuery } from './printer.js';
export { QuerySyntaxError } from './query-error.js';
export { decodePtr, EventRow, type StreamInfo } from './rows.js';
export { selectsOwnLogGroups } from './source.js';
