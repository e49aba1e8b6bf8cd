import { DoubleValue, type Value } from './values.js';

/**
 * Field discovery: what Insights finds in an event without being told (docs/aws-behaviour.md#discovered-fields, #json-field-discovery). Each
 * function is pure and works on one message; the engine calls them lazily, only for fields a query uses.
 */

/** The account in `@log` (`<account>:<group>`) for the local store; moto and LocalStack use the same one. */
export const LOCAL_ACCOUNT_ID = '123456789012';

/** Fields every event has (docs/aws-behaviour.md#discovered-fields, "system fields"). */
export const SYSTEM_FIELDS = new Set(['@timestamp', '@message', '@logStream', '@log', '@ingestionTime', '@ptr']);

/** Fields discovered on Lambda's platform lines (docs/aws-behaviour.md#discovered-fields, "Lambda fields"). */
export const LAMBDA_FIELDS = new Set([
  '@type',
  '@requestId',
  '@duration',
  '@billedDuration',
  '@memorySize',
  '@maxMemoryUsed',
  '@initDuration',
  '@xrayTraceId',
  '@xraySegmentId',
]);

const LAMBDA_STREAM = /^\d{4}\/\d{2}\/\d{2}\/\[[^\]]+\][0-9a-f]{32}$/;

/**
 * Whether Lambda's fields are discovered for a stream: its group is `/aws/lambda/...` or the stream is named
 * the way Lambda names streams (`YYYY/MM/DD/[$LATEST]<32 hex>`, docs/aws-behaviour.md#log-groups-and-streams), so logs imported under
 * another group name keep their Lambda fields.
 */
export function isLambdaStream(logGroupName: string, logStreamName: string): boolean {
  return logGroupName.startsWith('/aws/lambda/') || LAMBDA_STREAM.test(logStreamName);
}

const UUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/;

/** What a platform line (START/END/REPORT) carries, by field name. */
export type PlatformFields = ReadonlyMap<string, Value>;

const NO_FIELDS: PlatformFields = new Map();

/**
 * The Lambda fields of one message (empty map for none). START, END and REPORT lines give `@type` and
 * `@requestId`; REPORT adds `@duration`, `@billedDuration` (ms), `@memorySize`, `@maxMemoryUsed` (bytes =
 * MB × 1,000,000), `@initDuration` when present, and the X-Ray ids; all numbers are doubles, rendered
 * `15.0`, `1.28E8` (docs/aws-behaviour.md#discovered-fields). Any other line gets `@requestId` = the first UUID on it, the way
 * Insights does it (OBS ASFHyP3/hyp3#1252: "it seems that Logs Insights automatically looks for any UUID in
 * each log line and assigns it to the @requestId field"); INIT_START gets no `@type`.
 */
export function lambdaFields(message: string): PlatformFields {
  const type = platformType(message);
  if (type === null) {
    const uuid = UUID.exec(message);
    return uuid ? new Map([['@requestId', uuid[0]]]) : NO_FIELDS;
  }
  if (type === 'REPORT') {
    const report = parseReportLine(message);
    if (report !== null) {
      const fields = new Map<string, Value>();
      for (const name of REPORT_FIELDS) {
        const value = reportField(report, name);
        if (value !== null) fields.set(name, value);
      }
      return fields;
    }
  }
  const fields = new Map<string, Value>([['@type', type]]);
  const idStart = type.length + ' RequestId: '.length;
  const uuid = UUID.exec(message.slice(idStart, idStart + 36));
  if (uuid) fields.set('@requestId', uuid[0]);
  if (type !== 'REPORT') return fields;
  // Fields are tab-separated; the X-Ray part may start on a new line of the same event.
  for (const raw of message.split('\t')) {
    const part = raw.trimStart();
    const colon = part.indexOf(': ');
    if (colon === -1) continue;
    const key = part.slice(0, colon);
    const text = part.slice(colon + 2);
    switch (key) {
      case 'Duration':
        setNumber(fields, '@duration', text, 'ms', 1);
        break;
      case 'Billed Duration':
        setNumber(fields, '@billedDuration', text, 'ms', 1);
        break;
      case 'Memory Size':
        setNumber(fields, '@memorySize', text, 'MB', 1_000_000);
        break;
      case 'Max Memory Used':
        setNumber(fields, '@maxMemoryUsed', text, 'MB', 1_000_000);
        break;
      case 'Init Duration':
        setNumber(fields, '@initDuration', text, 'ms', 1);
        break;
      case 'XRAY TraceId':
        fields.set('@xrayTraceId', text);
        break;
      case 'SegmentId':
        fields.set('@xraySegmentId', text);
        break;
      default:
        break;
    }
  }
  return fields;
}

const REPORT_LINE =
  /^REPORT RequestId: ([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\tDuration: (\d+(?:\.\d+)?) ms\tBilled Duration: (\d+(?:\.\d+)?) ms\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t(?:Init Duration: (\d+(?:\.\d+)?) ms\t)?([\s\S]*)$/;

/** The numbers of a REPORT line in the usual layout, as written (MB, ms). */
export interface ReportLine {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** NaN on warm starts (no `Init Duration`). */
  readonly initDurationMs: number;
}

const REPORT_FIELDS = [
  '@type',
  '@requestId',
  '@duration',
  '@billedDuration',
  '@memorySize',
  '@maxMemoryUsed',
  '@initDuration',
];

/**
 * A REPORT line in the usual layout of docs/aws-behaviour.md#lambda-report-line read with one regex, or null for any other shape
 * (X-Ray ids, SnapStart restore fields), which `lambdaFields` then splits field by field.
 */
export function parseReportLine(message: string): ReportLine | null {
  const m = REPORT_LINE.exec(message);
  if (m === null || m[7]!.includes('TraceId') || m[7]!.includes('Restore')) return null;
  return {
    requestId: m[1]!,
    durationMs: Number(m[2]),
    billedDurationMs: Number(m[3]),
    memorySizeMb: Number(m[4]),
    maxMemoryUsedMb: Number(m[5]),
    initDurationMs: m[6] === undefined ? Number.NaN : Number(m[6]),
  };
}

/** One Lambda field of a parsed REPORT line: doubles in ms, memory in bytes (MB × 1,000,000, docs/aws-behaviour.md#discovered-fields). */
export function reportField(report: ReportLine, name: string): Value {
  switch (name) {
    case '@type':
      return 'REPORT';
    case '@requestId':
      return report.requestId;
    case '@duration':
      return new DoubleValue(report.durationMs);
    case '@billedDuration':
      return new DoubleValue(report.billedDurationMs);
    case '@memorySize':
      return new DoubleValue(report.memorySizeMb * 1_000_000);
    case '@maxMemoryUsed':
      return new DoubleValue(report.maxMemoryUsedMb * 1_000_000);
    case '@initDuration':
      return Number.isNaN(report.initDurationMs) ? null : new DoubleValue(report.initDurationMs);
    default:
      return null;
  }
}

/** `START`, `END` or `REPORT` when the message is that platform line, else null. */
export function platformType(message: string): 'START' | 'END' | 'REPORT' | null {
  if (message.startsWith('REPORT RequestId: ')) return 'REPORT';
  if (message.startsWith('START RequestId: ')) return 'START';
  if (message.startsWith('END RequestId: ')) return 'END';
  return null;
}

const AMOUNT = /^(\d+(?:\.\d+)?) (ms|MB)$/;

function setNumber(fields: Map<string, Value>, name: string, text: string, unit: 'ms' | 'MB', scale: number): void {
  const match = AMOUNT.exec(text.trim());
  if (match && match[2] === unit) fields.set(name, new DoubleValue(Number(match[1]) * scale));
}

/** A parsed JSON object, as discovery sees it. */
export type JsonObject = Record<string, unknown>;

/**
 * The JSON object Insights discovers in a message, or null. Only the first JSON fragment counts
 * (docs/aws-behaviour.md#discovered-fields): for Lambda streams it may follow a text prefix, as in the runtime's
 * `<iso>\t<requestId>\tERROR\tInvoke Error \t{...}` lines; elsewhere the message must start with it. The
 * fragment is the first `{` and its matching `}`; choice: when that is not valid JSON nothing is discovered
 * (later braces are not tried), which also lets the line pre-check read values without parsing.
 */
export function firstJsonObject(message: string, lambda: boolean): JsonObject | null {
  let start = 0;
  while (start < message.length && (message[start] === ' ' || message[start] === '\t')) start++;
  if (message[start] === '{') {
    const whole = tryParseObject(message);
    if (whole) return whole;
  } else if (!lambda) {
    return null;
  }
  const open = message.indexOf('{', start);
  if (open === -1) return null;
  const close = matchingBrace(message, open);
  return close === -1 ? null : tryParseObject(message.slice(open, close + 1));
}

function tryParseObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : null;
  } catch {
    return null;
  }
}

// Index of the '}' closing the '{' at `open`, skipping braces inside strings; -1 when it never closes.
function matchingBrace(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123) {
      depth++;
    } else if (c === 125) {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** A leaf JSON value as a field value: strings as they are, numbers as numbers, booleans as "true"/"false". */
export function jsonLeaf(value: unknown): Value {
  switch (typeof value) {
    case 'string':
    case 'number':
      return value;
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return null;
  }
}

/**
 * The value of a flattened field name in a JSON object (docs/aws-behaviour.md#json-field-discovery: dots for nesting, indexes for
 * arrays: `req.headers.host`, `tags.0`). A top-level key that itself starts with `@` is named with an extra
 * `@` (`@@example.com`, docs/aws-behaviour.md#insights-commands). Objects and arrays are not fields themselves; null is missing.
 */
export function jsonField(object: JsonObject, name: string): Value {
  let path = name;
  if (name.startsWith('@')) {
    if (!name.startsWith('@@')) return null;
    path = name.slice(1);
  }
  const direct = Object.hasOwn(object, path) ? object[path] : undefined;
  if (direct !== undefined && (direct === null || typeof direct !== 'object')) return jsonLeaf(direct);
  if (!path.includes('.')) return null;
  const walked = walk(object, path.split('.'), 0);
  if (walked !== undefined) return jsonLeaf(walked);
  // Keys may contain dots themselves ({"a.b": {"c": 1}} flattens to a.b.c): fall back to the full map.
  return flattenJson(object).get(name) ?? null;
}

function walk(node: unknown, segments: string[], index: number): unknown {
  let current = node;
  for (let i = index; i < segments.length; i++) {
    if (current === null || typeof current !== 'object') return undefined;
    const segment = segments[i]!;
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined;
      current = current[Number(segment)];
    } else {
      current = Object.hasOwn(current, segment) ? (current as JsonObject)[segment] : undefined;
    }
  }
  return current !== null && typeof current === 'object' ? undefined : current;
}

/** Every leaf of a JSON object under its flattened name, in document order. */
export function flattenJson(object: JsonObject): Map<string, Value> {
  const out = new Map<string, Value>();
  const visit = (node: unknown, prefix: string) => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) visit(node[i], `${prefix}.${i}`);
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) visit(value, prefix === '' ? key : `${prefix}.${key}`);
    } else if (node !== null && node !== undefined) {
      out.set(prefix.startsWith('@') ? `@${prefix}` : prefix, jsonLeaf(node));
    }
  };
  for (const [key, value] of Object.entries(object)) visit(value, key);
  return out;
}
