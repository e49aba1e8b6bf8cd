import { invalidParameter, quote } from './errors.js';

/**
 * Parameter specs and their strict parsers. One spec serves three readers: the query string (GET, every
 * value a string), the JSON body (POST, typed values) and the `/types` catalog.
 */

interface SpecBase {
  readonly name: string;
  readonly description: string;
  /** Required params have no default; a missing one is a 400. @default false */
  readonly required?: boolean;
}

/** An integer within [min, max]. */
export interface IntegerSpec extends SpecBase {
  readonly kind: 'integer';
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

/** A decimal number within [min, max] (no exponent, no sign but '-'). */
export interface NumberSpec extends SpecBase {
  readonly kind: 'number';
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

/** One of a fixed set of values. */
export interface EnumSpec extends SpecBase {
  readonly kind: 'enum';
  readonly values: readonly (string | number)[];
  readonly default?: string | number;
}

/** Printable text of minLength..maxLength characters (code points). */
export interface StringSpec extends SpecBase {
  readonly kind: 'string';
  readonly minLength: number;
  readonly maxLength: number;
  readonly default?: string;
}

/** A list: comma-separated in a query string, an array in JSON. */
export interface ListSpec extends SpecBase {
  readonly kind: 'list';
  readonly of: 'string' | 'number';
  readonly minItems: number;
  readonly maxItems: number;
  /** Longest string item, in characters. */
  readonly maxItemLength?: number;
  /** Bounds of number items. */
  readonly min?: number;
  readonly max?: number;
}

/** An ISO 8601 date (`2024-01-31`) or date-time with a zone (`2024-01-31T12:00:00Z`); parsed to epoch ms. */
export interface DateSpec extends SpecBase {
  readonly kind: 'date';
  readonly default: string;
}

/** Every kind of parameter a type can take. */
export type ParamSpec = IntegerSpec | NumberSpec | EnumSpec | StringSpec | ListSpec | DateSpec;

/** A parsed parameter value. */
export type ParamValue = number | string | readonly string[] | readonly number[];

/** Where a raw value came from: the two readers accept different JSON types for the same spec. */
export type ParamSource = 'query' | 'json';

// Strict shapes: no exponent, no '+', no leading zeros, no whitespace ("1 ", "1e3" and "" are 400s).
const INTEGER_PATTERN = /^-?(0|[1-9][0-9]{0,15})$/;
const DECIMAL_PATTERN = /^-?(0|[1-9][0-9]{0,15})(\.[0-9]{1,20})?$/;
// Control characters, line/paragraph separators and lone surrogates would break one-value-per-line output.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/u;

/** Lowest and highest instants a date parameter may name: 1970-01-01 to 9999-12-31T23:59:59.999Z. */
export const DATE_MIN_MS = 0;
export const DATE_MAX_MS = 253_402_300_799_999;

const DATE_PATTERN =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,3}))?)?(Z|[+-][0-9]{2}:[0-9]{2}))?$/;

function rangeText(min: number, max: number): string {
  return `from ${min} to ${max}`;
}

function parseInteger(spec: IntegerSpec, raw: unknown, source: ParamSource, path: string): number {
  const problem = `${path} must be an integer ${rangeText(spec.min, spec.max)}; got ${quote(raw)}`;
  let value: number;
  if (source === 'query' && typeof raw === 'string' && INTEGER_PATTERN.test(raw)) value = Number(raw);
  else if (source === 'json' && typeof raw === 'number') value = raw;
  else throw invalidParameter(path, problem);
  if (!Number.isSafeInteger(value) || value < spec.min || value > spec.max) throw invalidParameter(path, problem);
  return value === 0 ? 0 : value; // turns -0 into 0
}

function parseNumberValue(raw: unknown, source: ParamSource): number | null {
  if (source === 'query') return typeof raw === 'string' && DECIMAL_PATTERN.test(raw) ? Number(raw) : null;
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : null;
}

function parseNumber(spec: NumberSpec, raw: unknown, source: ParamSource, path: string): number {
  const value = parseNumberValue(raw, source);
  if (value === null || value < spec.min || value > spec.max) {
    throw invalidParameter(path, `${path} must be a number ${rangeText(spec.min, spec.max)}; got ${quote(raw)}`);
  }
  return value === 0 ? 0 : value;
}

function parseEnum(spec: EnumSpec, raw: unknown, path: string): string | number {
  if (typeof raw === 'string' || typeof raw === 'number') {
    const text = String(raw);
    const match = spec.values.find((value) => String(value) === text);
    if (match !== undefined) return match;
  }
  throw invalidParameter(path, `${path} must be one of ${spec.values.join(', ')}; got ${quote(raw)}`);
}

/** Length in code points, so an emoji counts as one character. */
function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length++;
  return length;
}

/** Checks text is printable: no control characters, line separators or lone surrogates. */
export function isPrintable(text: string): boolean {
  return !UNPRINTABLE.test(text);
}

function parseString(spec: StringSpec, raw: unknown, path: string): string {
  const problem = `${path} must be ${spec.minLength} to ${spec.maxLength} printable characters; got ${quote(raw)}`;
  if (typeof raw !== 'string' || !isPrintable(raw)) throw invalidParameter(path, problem);
  // Cheap pre-check first: a UTF-16 length under the minimum or far over the maximum settles it.
  if (raw.length < spec.minLength || raw.length > spec.maxLength * 2) throw invalidParameter(path, problem);
  const length = codePointLength(raw);
  if (length < spec.minLength || length > spec.maxLength) throw invalidParameter(path, problem);
  return raw;
}

function parseList(
  spec: ListSpec,
  raw: unknown,
  source: ParamSource,
  path: string,
): readonly string[] | readonly number[] {
  const shape =
    source === 'query'
      ? `a comma-separated list of ${spec.minItems} to ${spec.maxItems}`
      : `an array of ${spec.minItems} to ${spec.maxItems}`;
  const itemText =
    spec.of === 'string'
      ? `printable strings of 1 to ${spec.maxItemLength} characters`
      : `numbers ${rangeText(spec.min ?? 0, spec.max ?? 0)}`;
  const problem = `${path} must be ${shape} ${itemText}; got ${quote(raw)}`;
  let items: unknown[];
  if (source === 'query' && typeof raw === 'string') items = raw.split(',', spec.maxItems + 1);
  else if (source === 'json' && Array.isArray(raw)) items = raw;
  else throw invalidParameter(path, problem);
  if (items.length < spec.minItems || items.length > spec.maxItems) throw invalidParameter(path, problem);
  if (spec.of === 'string') {
    const maxItemLength = spec.maxItemLength ?? 1;
    for (const item of items) {
      if (typeof item !== 'string' || item.length === 0 || !isPrintable(item)) throw invalidParameter(path, problem);
      if (item.length > maxItemLength && codePointLength(item) > maxItemLength) throw invalidParameter(path, problem);
    }
    return items as string[];
  }
  const numbers: number[] = [];
  for (const item of items) {
    const value = parseNumberValue(item, source);
    if (value === null || value < (spec.min ?? 0) || value > (spec.max ?? 0)) throw invalidParameter(path, problem);
    numbers.push(value);
  }
  return numbers;
}

/** Parses an ISO 8601 date or zoned date-time to epoch ms, or returns null when it is not one. */
export function parseIsoDate(text: string): number | null {
  const match = DATE_PATTERN.exec(text);
  if (match === null) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const millis = frac === undefined ? 0 : Number(frac.padEnd(3, '0'));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  // Date.UTC rolls 2023-02-30 over to March; comparing the day back rejects it.
  const dayStart = Date.UTC(year, month - 1, day);
  if (day < 1 || new Date(dayStart).getUTCDate() !== day || year < 1000) return null;
  let offsetMs = 0;
  if (zone !== undefined && zone !== 'Z') {
    const offsetHours = Number(zone.slice(1, 3));
    const offsetMinutes = Number(zone.slice(4, 6));
    if (offsetHours > 23 || offsetMinutes > 59) return null;
    offsetMs = (zone[0] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMs;
}

function parseDate(raw: unknown, path: string): number {
  const value = typeof raw === 'string' ? parseIsoDate(raw) : null;
  if (value === null || value < DATE_MIN_MS || value > DATE_MAX_MS) {
    throw invalidParameter(
      path,
      `${path} must be an ISO 8601 date or date-time with a zone (e.g. 2024-01-31 or 2024-01-31T12:00:00Z) from 1970-01-01 to 9999-12-31; got ${quote(raw)}`,
    );
  }
  return value;
}

/** Parses one raw value against its spec; throws a 400 naming `path` when it does not fit. */
export function parseParam(spec: ParamSpec, raw: unknown, source: ParamSource, path: string): ParamValue {
  switch (spec.kind) {
    case 'integer':
      return parseInteger(spec, raw, source, path);
    case 'number':
      return parseNumber(spec, raw, source, path);
    case 'enum':
      return parseEnum(spec, raw, path);
    case 'string':
      return parseString(spec, raw, path);
    case 'list':
      return parseList(spec, raw, source, path);
    case 'date':
      return parseDate(raw, path);
  }
}

/** The default of a spec as a parsed value, or undefined when it has none. */
function defaultValue(spec: ParamSpec): ParamValue | undefined {
  if (spec.kind === 'date') return parseIsoDate(spec.default) ?? undefined;
  if (spec.kind === 'list') return undefined;
  return spec.default;
}

/**
 * The parsed parameters of one type (or one POST field), with defaults filled in. `path(name)` gives
 * the name a client sees in errors: `max` on GET, `fields.age.max` on POST.
 */
export class Params {
  private constructor(
    private readonly values: ReadonlyMap<string, ParamValue>,
    private readonly given: ReadonlySet<string>,
    readonly path: (name: string) => string,
  ) {}

  /**
   * Parses `raw` (name → raw value) against `specs`. Unknown names, missing required params and bad
   * values are 400s; the first problem in spec order wins, so the error is stable.
   */
  static parse(
    specs: readonly ParamSpec[],
    raw: ReadonlyMap<string, unknown>,
    source: ParamSource,
    path: (name: string) => string,
    context: string,
  ): Params {
    for (const name of raw.keys()) {
      if (!specs.some((spec) => spec.name === name)) {
        const allowed = specs.map((spec) => spec.name).join(', ') || 'none';
        throw invalidParameter(path(name), `unknown parameter ${quote(name)} for ${context}; allowed: ${allowed}`);
      }
    }
    const values = new Map<string, ParamValue>();
    for (const spec of specs) {
      const given = raw.get(spec.name);
      if (given === undefined) {
        if (spec.required === true) {
          throw invalidParameter(path(spec.name), `${path(spec.name)} is required for ${context}: ${spec.description}`);
        }
        const fallback = defaultValue(spec);
        if (fallback !== undefined) values.set(spec.name, fallback);
        continue;
      }
      values.set(spec.name, parseParam(spec, given, source, path(spec.name)));
    }
    return new Params(values, new Set(raw.keys()), path);
  }

  /** True when the client gave this param (a default does not count). */
  isGiven(name: string): boolean {
    return this.given.has(name);
  }

  number(name: string): number {
    const value = this.values.get(name);
    if (typeof value !== 'number') throw new Error(`param '${name}' is not a number; the type's spec is wrong`);
    return value;
  }

  string(name: string): string {
    const value = this.values.get(name);
    if (typeof value !== 'string') throw new Error(`param '${name}' is not a string; the type's spec is wrong`);
    return value;
  }

  /** Enum values may be numbers (uuid version) or strings (format). */
  choice(name: string): string | number {
    const value = this.values.get(name);
    if (typeof value !== 'string' && typeof value !== 'number') throw new Error(`param '${name}' is not an enum value`);
    return value;
  }

  optionalNumber(name: string): number | undefined {
    return this.values.has(name) ? this.number(name) : undefined;
  }

  optionalString(name: string): string | undefined {
    return this.values.has(name) ? this.string(name) : undefined;
  }

  strings(name: string): readonly string[] | undefined {
    const value = this.values.get(name);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
  }

  numbers(name: string): readonly number[] | undefined {
    const value = this.values.get(name);
    return Array.isArray(value) && value.every((item) => typeof item === 'number') ? (value as number[]) : undefined;
  }
}
