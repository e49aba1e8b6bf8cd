import fs, { type FileHandle } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { readLogGroupType } from '../logstore/log-type-file.js';
import { parseStoredEvent } from '../logstore/store.js';
import type { Value } from './values.js';

/**
 * Log types: which fields Insights discovers depends on the kind of log (docs/aws-behaviour.md#log-type-discovery).
 * JSON logs (CloudTrail, Route 53 Resolver query logs, API Gateway JSON access logs) need nothing special: JSON
 * discovery finds their fields. Two AWS log types are space-separated text whose fields AWS also discovers: VPC
 * flow logs in the default format and Route 53 public DNS query logs. This module reads those two formats and
 * decides, for one log group and stream of the local store, which of them applies.
 *
 * The rule, first match wins:
 * 1. the type `logs import --log-type` stored with the group (`auto` stores nothing);
 * 2. the group's name: `/aws/lambda/...` is Lambda, `/aws/route53/...` holds Route 53 query logs (the prefix
 *    Route 53 recommends);
 * 3. sniffing: the first event of each stream is read; when it is a record of one of the two text formats,
 *    the stream is taken to be of that type. Both formats are strict enough (fixed field count, keywords in
 *    fixed places) that ordinary application lines never pass for them.
 * Whatever the type, a text-format field is only discovered on a line that is in that format; other lines keep
 * JSON discovery, as before.
 */

/** What `logs import --log-type` accepts. */
export const LOG_TYPES = [
  'auto',
  'vpc-flow',
  'route53',
  'route53-resolver',
  'cloudtrail',
  'apigateway',
  'lambda',
  'other',
] as const;

export type LogType = (typeof LOG_TYPES)[number];

/** One line of description per type, for help and error messages. */
export const LOG_TYPE_DESCRIPTIONS: Record<LogType, string> = {
  auto: 'decide from the log group name and the first event of each stream (the default)',
  'vpc-flow': 'VPC flow logs in the default (version 2) format',
  route53: 'Route 53 public DNS query logs (space-separated)',
  'route53-resolver': 'Route 53 Resolver query logs (JSON)',
  cloudtrail: 'CloudTrail events (JSON)',
  apigateway: 'API Gateway access logs (JSON fields are discovered; CLF lines need parse)',
  lambda: 'Lambda function logs, whatever the group and stream names',
  other: 'no flow-log or DNS discovery and no sniffing (JSON, and Lambda by stream name, as always)',
};

/** The log type a user typed, or a UsageError naming the bad value and the accepted ones. */
export function parseLogType(text: string): LogType {
  const type = (LOG_TYPES as readonly string[]).find((t) => t === text.trim().toLowerCase());
  if (type !== undefined) return type as LogType;
  throw new UsageError(
    'InvalidLogType',
    `unknown log type '${text}': use one of ${LOG_TYPES.join(', ')} (--log-type; auto decides from the group name and the events)`,
  );
}

/** A space-separated log format whose fields AWS discovers. */
export interface TextFormat {
  readonly type: 'vpc-flow' | 'route53';
  /** The discovered field names, in the record's order. */
  readonly fields: readonly string[];
  /** The fields of a record in this format, or null when the message is not one. */
  parse(message: string): ReadonlyMap<string, Value> | null;
}

function tokens(message: string): string[] {
  return message.trim().split(/[ \t]+/);
}

const DIGITS = /^\d+$/;
const VPC_NUMERIC = new Set(['version', 'srcPort', 'dstPort', 'protocol', 'packets', 'bytes', 'startTime', 'endTime']);

const VPC_FIELDS = [
  'version',
  'accountId',
  'interfaceId',
  'srcAddr',
  'dstAddr',
  'srcPort',
  'dstPort',
  'protocol',
  'packets',
  'bytes',
  'startTime',
  'endTime',
  'action',
  'logStatus',
];

/**
 * VPC flow logs, default format (version 2): `version account-id interface-id srcaddr dstaddr srcport dstport
 * protocol packets bytes start end action log-status`, discovered as the names AWS gives them (`startTime`,
 * `endTime`, camel case). Counts, ports, protocol and times are numbers; `-` (no data) stays `-`.
 */
export const VPC_FLOW_FORMAT: TextFormat = {
  type: 'vpc-flow',
  fields: VPC_FIELDS,
  parse(message) {
    const parts = tokens(message);
    if (parts.length !== 14) return null;
    const [version, , , , , , , , , , start, end, action, status] = parts as [string, ...string[]];
    if (!DIGITS.test(version) || !DIGITS.test(start!) || !DIGITS.test(end!)) return null;
    if (action !== 'ACCEPT' && action !== 'REJECT' && action !== '-') return null;
    if (status !== 'OK' && status !== 'NODATA' && status !== 'SKIPDATA') return null;
    const fields = new Map<string, Value>();
    for (let i = 0; i < VPC_FIELDS.length; i++) {
      const name = VPC_FIELDS[i]!;
      const text = parts[i]!;
      fields.set(name, VPC_NUMERIC.has(name) && DIGITS.test(text) ? Number(text) : text);
    }
    return fields;
  },
};

const ROUTE53_VERSION = /^\d+\.\d+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const HOSTED_ZONE = /^Z[A-Z0-9]+$/;

const ROUTE53_FIELDS = [
  'version',
  'queryTimestamp',
  'hostZoneId',
  'queryName',
  'queryType',
  'responseCode',
  'protocol',
  'edgeLocation',
  'resolverIp',
];

/**
 * Route 53 public DNS query logs: `version query-timestamp hosted-zone-id query-name query-type response-code
 * protocol edge-location resolver-ip edns-client-subnet`. AWS discovers the first nine under the names below
 * (the EDNS client subnet is not in its list); all are text, `version` included (`1.0`).
 */
export const ROUTE53_QUERY_FORMAT: TextFormat = {
  type: 'route53',
  fields: ROUTE53_FIELDS,
  parse(message) {
    const parts = tokens(message);
    if (parts.length !== 9 && parts.length !== 10) return null;
    if (!ROUTE53_VERSION.test(parts[0]!) || !ISO_TIME.test(parts[1]!) || !HOSTED_ZONE.test(parts[2]!)) return null;
    if (parts[6] !== 'UDP' && parts[6] !== 'TCP') return null;
    const fields = new Map<string, Value>();
    for (let i = 0; i < ROUTE53_FIELDS.length; i++) fields.set(ROUTE53_FIELDS[i]!, parts[i]!);
    return fields;
  },
};

const TEXT_FORMATS: readonly TextFormat[] = [VPC_FLOW_FORMAT, ROUTE53_QUERY_FORMAT];

/** The text format of a type, or null for types discovered as JSON (or not at all). */
export function textFormatOf(type: LogType | null): TextFormat | null {
  return TEXT_FORMATS.find((f) => f.type === type) ?? null;
}

/** The text format a message is a record of, or null. */
export function sniffTextFormat(message: string): TextFormat | null {
  return TEXT_FORMATS.find((f) => f.parse(message) !== null) ?? null;
}

/** The type a log group's name implies by AWS convention, or null. */
export function logTypeFromGroupName(logGroupName: string): LogType | null {
  if (logGroupName.startsWith('/aws/lambda/')) return 'lambda';
  if (logGroupName.startsWith('/aws/route53/')) return 'route53';
  return null;
}

/**
 * The type `logs import --log-type` stored with a group, or null when none was (or the file holds a word this
 * version does not know, written by hand: then the other rules decide, as without a type).
 */
export async function storedLogType(dir: string, logGroupName: string): Promise<LogType | null> {
  const text = await readLogGroupType(dir, logGroupName);
  return text !== null && (LOG_TYPES as readonly string[]).includes(text) ? (text as LogType) : null;
}

/** The type a group was given: the one `logs import` stored (`auto` is none), else its name's convention; null: none. */
export function givenLogType(storedType: LogType | null, logGroupName: string): LogType | null {
  return storedType !== null && storedType !== 'auto' ? storedType : logTypeFromGroupName(logGroupName);
}

/**
 * Whether a scan reads each stream's first event for a group of this given type: to sniff an untyped stream,
 * or to check that a typed one is in a format {@link logTypeWarning} can find wrong.
 */
export function readsFirstEvent(givenType: LogType | null): boolean {
  return givenType === null || textFormatOf(givenType) !== null || givenType === 'apigateway';
}

/** How one stream's events are discovered, beyond JSON. */
export interface StreamDiscovery {
  /** Lambda's platform fields are discovered (besides `isLambdaStream`). */
  readonly lambda: boolean;
  /** The text format whose records get their fields discovered, or null. */
  readonly format: TextFormat | null;
}

/**
 * The discovery of one stream, by the rule at the top of this file. `storedType` is what the import stored
 * (null when none); `firstMessage` the stream's first event, when one was read.
 */
export function streamDiscovery(
  storedType: LogType | null,
  logGroupName: string,
  firstMessage: string | null,
): StreamDiscovery {
  const type = givenLogType(storedType, logGroupName);
  if (type !== null) return { lambda: type === 'lambda', format: textFormatOf(type) };
  return { lambda: false, format: firstMessage === null ? null : sniffTextFormat(firstMessage) };
}

/**
 * A warning for a stream whose type was given (stored or by group name) but whose first event does not look
 * like that type, so that a query answering with empty fields says why; null when all is as expected.
 */
export function logTypeWarning(
  storedType: LogType | null,
  logGroupName: string,
  logStreamName: string,
  firstMessage: string | null,
): string | null {
  const type = givenLogType(storedType, logGroupName);
  if (type === null || firstMessage === null) return null;
  const how = type === storedType ? 'logs import --log-type' : 'its name';
  const format = textFormatOf(type);
  if (format !== null && format.parse(firstMessage) === null) {
    return (
      `log group '${logGroupName}' is of type ${type} (${how}), but stream '${logStreamName}' starts with an event ` +
      `that is not ${LOG_TYPE_DESCRIPTIONS[type]}: its fields are not discovered (AWS discovers the documented format only); ` +
      `name them with parse, or import the group again with the right --log-type`
    );
  }
  if (type === 'apigateway' && !firstMessage.trimStart().startsWith('{')) {
    return (
      `log group '${logGroupName}' holds API Gateway access logs that are not JSON (CLF?), starting with stream ` +
      `'${logStreamName}': AWS discovers no fields in them; name them with parse`
    );
  }
  return null;
}

// Enough for any first line the importer or the emulator writes short of a huge message; longer: no sniffing.
const SNIFF_BYTES = 64 * 1024;

/** The message of the first event in a stream file (within its first 64 KiB), or null. */
export async function firstStoredMessage(file: string): Promise<string | null> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch {
    return null;
  }
  try {
    const buffer = Buffer.allocUnsafe(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n');
    // The last piece may be cut short, unless the file ended within the read.
    if (bytesRead === SNIFF_BYTES) lines.pop();
    for (const line of lines) {
      const event = parseStoredEvent(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (event !== null) return event.message;
    }
    return null;
  } finally {
    await handle.close();
  }
}
