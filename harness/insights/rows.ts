import {
  firstJsonObject,
  type JsonObject,
  jsonField,
  LAMBDA_FIELDS,
  lambdaFields,
  type PlatformFields,
  parseReportLine,
  platformType,
  type ReportLine,
  reportField,
} from './discovery.js';
import type { TextFormat } from './log-types.js';
import { Timestamp, type Value } from './values.js';

/** A row flowing through a query: a log event, or a row that `stats` produced. */
export interface Row {
  get(name: string): Value;
  set(name: string, value: Value): void;
}

/** What every event of one stream shares. */
export interface StreamInfo {
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** `<account>:<group>`, the `@log` field. */
  readonly log: string;
  /** Whether Lambda's fields are discovered here (`isLambdaStream`). */
  readonly lambda: boolean;
  /** The text format (VPC flow, Route 53) whose records' fields are discovered here (log-types.ts). @default none */
  readonly format?: TextFormat | null;
}

/**
 * One log event. Discovered fields are computed on first use and cached: a query that only reads
 * `@timestamp` never parses JSON, and one that reads a JSON field parses the message once.
 */
export class EventRow implements Row {
  /** Fields set by `fields`, `parse` and `display` expressions; they shadow discovered fields. */
  computed: Map<string, Value> | null = null;
  private json: JsonObject | null | undefined = undefined;
  private platform: PlatformFields | undefined = undefined;
  private report: ReportLine | null | undefined = undefined;
  private formatFields: ReadonlyMap<string, Value> | null | undefined = undefined;

  constructor(
    readonly stream: StreamInfo,
    /** Position in the scan: breaks ties between events with the same timestamp. */
    readonly seq: number,
    /** 0-based line of the event in its stream file, for `@ptr`. */
    readonly lineNo: number,
    readonly timestamp: number,
    readonly ingestionTime: number,
    readonly message: string,
  ) {}

  get(name: string): Value {
    if (this.computed?.has(name)) return this.computed.get(name) as Value;
    return this.field(name);
  }

  set(name: string, value: Value): void {
    if (this.computed === null) this.computed = new Map();
    this.computed.set(name, value);
  }

  /** A field of the event itself (system, Lambda or JSON), ignoring computed fields. */
  field(name: string): Value {
    switch (name) {
      case '@timestamp':
        return new Timestamp(this.timestamp);
      case '@message':
        return this.message;
      case '@logStream':
        return this.stream.logStreamName;
      case '@log':
        return this.stream.log;
      case '@ingestionTime':
        return new Timestamp(this.ingestionTime);
      case '@ptr':
        return this.ptr();
      default:
        return LAMBDA_FIELDS.has(name) ? this.lambdaField(name) : this.jsonField(name);
    }
  }

  /** A Lambda platform field (`@type`, `@duration`, ...), null outside Lambda streams. */
  lambdaField(name: string): Value {
    if (!this.stream.lambda) return null;
    // `@type` is the common filter: answer it from the line's first word without parsing the rest.
    if (name === '@type' && this.platform === undefined) return platformType(this.message);
    // REPORT fields are what stats read most: parse the usual layout once into numbers.
    if (this.report === undefined)
      this.report = this.message.startsWith('REPORT ') ? parseReportLine(this.message) : null;
    if (this.report !== null) return reportField(this.report, name);
    if (this.platform === undefined) this.platform = lambdaFields(this.message);
    return this.platform.get(name) ?? null;
  }

  /**
   * A field of the message's JSON object (flattened name), null when there is none. In a stream of a text
   * format (VPC flow, Route 53 query logs) a record in that format gives its fields instead.
   */
  jsonField(name: string): Value {
    const format = this.stream.format;
    if (format) {
      if (this.formatFields === undefined) this.formatFields = format.parse(this.message);
      if (this.formatFields !== null) return this.formatFields.get(name) ?? null;
    }
    if (this.json === undefined) this.json = firstJsonObject(this.message, this.stream.lambda);
    return this.json === null ? null : jsonField(this.json, name);
  }

  /** An opaque pointer to the event, like GetQueryResults' `@ptr` (base64 of group, stream and line). */
  ptr(): string {
    return encodePtr(this.stream.logGroupName, this.stream.logStreamName, this.lineNo);
  }
}

/** A row made by `stats`: field name to value. */
export class MapRow implements Row {
  constructor(readonly values: Map<string, Value> = new Map()) {}

  get(name: string): Value {
    return this.values.get(name) ?? null;
  }

  set(name: string, value: Value): void {
    this.values.set(name, value);
  }
}

/** Builds a local `@ptr`. */
export function encodePtr(logGroupName: string, logStreamName: string, lineNo: number): string {
  return Buffer.from(JSON.stringify([logGroupName, logStreamName, lineNo]), 'utf8').toString('base64');
}

/** Reads a local `@ptr` back into group, stream and line, or null when it is not one of ours. */
export function decodePtr(ptr: string): { logGroupName: string; logStreamName: string; lineNo: number } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(ptr, 'base64').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 3 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      Number.isInteger(value[2])
    ) {
      return { logGroupName: value[0], logStreamName: value[1], lineNo: value[2] };
    }
  } catch {
    // not ours
  }
  return null;
}
