import { isIP } from 'node:net';
import type { PeriodUnit } from './ast.js';
import { DoubleValue, jsonMember, Structure, Timestamp, toMillis, toNumber, type Value, valueText } from './values.js';

/**
 * The scalar functions of Logs Insights (docs/aws-behaviour.md#insights-functions; CWL_QuerySyntax-operations-functions). Each
 * takes evaluated arguments; a missing (null) input gives a missing result unless the function is about
 * missing values (`ispresent`, `isempty`, `coalesce`).
 */
export interface ScalarFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Argument positions that must be a time period literal (`5m`). */
  readonly periodArgs?: readonly number[];
  /** Human signature for errors, e.g. `substr(str, start[, length])`. */
  readonly signature: string;
  readonly apply: (args: Value[]) => Value;
}

/** A time period in a unit; fixed units have a length in ms, calendar units count months. */
export interface Period {
  readonly amount: number;
  readonly unit: PeriodUnit;
}

const FIXED_MS: Partial<Record<PeriodUnit, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const MONTHS: Partial<Record<PeriodUnit, number>> = { mo: 1, q: 3, y: 12 };
// 1970-01-05 was a Monday: weeks start on Monday (ISO 8601); the docs do not say which day AWS uses.
const MONDAY_OFFSET_MS = 4 * 86_400_000;

/**
 * The start of the period that holds `ms`. Fixed units are aligned to the Unix epoch (a 5m bin starts at
 * :00, :05, ...), weeks on Mondays, months, quarters and years on the UTC calendar.
 */
export function floorToPeriod(ms: number, period: Period): number {
  const fixed = FIXED_MS[period.unit];
  if (fixed !== undefined) {
    const size = fixed * period.amount;
    const offset = period.unit === 'w' ? MONDAY_OFFSET_MS : 0;
    return Math.floor((ms - offset) / size) * size + offset;
  }
  const months = (MONTHS[period.unit] as number) * period.amount;
  const date = new Date(ms);
  const index = date.getUTCFullYear() * 12 + date.getUTCMonth();
  const floored = Math.floor(index / months) * months;
  return Date.UTC(Math.floor(floored / 12), floored % 12, 1);
}

/** The smallest period boundary at or after `ms`. */
export function ceilToPeriod(ms: number, period: Period): number {
  const floor = floorToPeriod(ms, period);
  if (floor === ms) return ms;
  const fixed = FIXED_MS[period.unit];
  if (fixed !== undefined) return floor + fixed * period.amount;
  const months = (MONTHS[period.unit] as number) * period.amount;
  const date = new Date(floor);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
}

function numeric(args: Value[], apply: (n: number) => number, keepDouble: boolean): Value {
  const n = toNumber(args[0]!);
  if (n === null) return null;
  const result = apply(n);
  return keepDouble && args[0] instanceof DoubleValue ? new DoubleValue(result) : result;
}

function double(n: number | null): Value {
  return n === null || Number.isNaN(n) ? null : new DoubleValue(n);
}

function pickNumber(args: Value[], better: (a: number, b: number) => boolean): Value {
  let best: Value = null;
  let bestNumber = 0;
  for (const arg of args) {
    const n = toNumber(arg);
    if (n === null) continue;
    if (best === null || better(n, bestNumber)) {
      best = arg;
      bestNumber = n;
    }
  }
  return best;
}

function text(value: Value): string | null {
  return value === null ? null : valueText(value);
}

function trimChars(value: string, chars: string | undefined, left: boolean, right: boolean): string {
  if (chars === undefined) {
    let out = value;
    if (left) out = out.replace(/^\s+/, '');
    if (right) out = out.replace(/\s+$/, '');
    return out;
  }
  const set = new Set(chars);
  let start = 0;
  let end = value.length;
  if (left) while (start < end && set.has(value[start]!)) start++;
  if (right) while (end > start && set.has(value[end - 1]!)) end--;
  return value.slice(start, end);
}

function substr(value: string, start: number, length: number | undefined): string {
  // Unicode code points, like strlen (a string of BMP characters is sliced directly).
  const points = /[\uD800-\uDFFF]/.test(value) ? Array.from(value) : null;
  const size = points ? points.length : value.length;
  const from = Math.max(0, Math.min(size, Math.trunc(start)));
  const to = length === undefined ? size : Math.max(from, Math.min(size, from + Math.trunc(length)));
  return points ? points.slice(from, to).join('') : value.slice(from, to);
}

/** IPv4 address to a 32-bit number, or null. */
function ipv4(address: string): number | null {
  if (isIP(address) !== 4) return null;
  return address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** IPv6 address to a 128-bit bigint, or null; embedded IPv4 tails (::ffff:1.2.3.4) included. */
function ipv6(address: string): bigint | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const v4 = ipv4(tail[1]!) as number;
    text = `${text.slice(0, tail.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = rest ? rest.split(':') : [];
  const groups =
    rest === undefined
      ? headGroups
      : [...headGroups, ...new Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.reduce((acc, group) => (acc << 16n) + BigInt(Number.parseInt(group || '0', 16)), 0n);
}

/** Whether `address` is in `subnet` (CIDR); `family` limits both to IPv4 or IPv6. */
export function ipInSubnet(address: string, subnet: string, family: 4 | 6 | 0): boolean {
  const slash = subnet.indexOf('/');
  if (slash === -1) return false;
  const base = subnet.slice(0, slash);
  const bitsText = subnet.slice(slash + 1);
  if (!/^\d+$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  if (family !== 6) {
    const a = ipv4(address);
    const b = ipv4(base);
    if (a !== null && b !== null) {
      if (bits > 32) return false;
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      return (a & mask) >>> 0 === (b & mask) >>> 0;
    }
    if (family === 4) return false;
  }
  const a = ipv6(address);
  const b = ipv6(base);
  if (a === null || b === null || bits > 128) return false;
  const shift = BigInt(128 - bits);
  return a >> shift === b >> shift;
}

function ipCheck(args: Value[], check: (address: string, other: string) => boolean): Value {
  const address = text(args[0]!);
  const other = args.length > 1 ? text(args[1]!) : '';
  if (address === null || other === null) return false;
  return check(address.trim(), other.trim());
}

/** Every scalar function by lowercase name. */
export const SCALAR_FUNCTIONS: Record<string, ScalarFunction> = {
  // Numeric (docs/aws-behaviour.md#insights-functions). ceil/floor give whole numbers; abs keeps a double a double.
  abs: { minArgs: 1, maxArgs: 1, signature: 'abs(number)', apply: (a) => numeric(a, Math.abs, true) },
  ceil: { minArgs: 1, maxArgs: 1, signature: 'ceil(number)', apply: (a) => numeric(a, Math.ceil, false) },
  floor: { minArgs: 1, maxArgs: 1, signature: 'floor(number)', apply: (a) => numeric(a, Math.floor, false) },
  greatest: {
    minArgs: 1,
    maxArgs: 100,
    signature: 'greatest(a, b, ...)',
    apply: (a) => pickNumber(a, (x, y) => x > y),
  },
  least: { minArgs: 1, maxArgs: 100, signature: 'least(a, b, ...)', apply: (a) => pickNumber(a, (x, y) => x < y) },
  log: { minArgs: 1, maxArgs: 1, signature: 'log(number)', apply: (a) => double(mapNumber(a[0]!, Math.log)) },
  sqrt: { minArgs: 1, maxArgs: 1, signature: 'sqrt(number)', apply: (a) => double(mapNumber(a[0]!, Math.sqrt)) },

  // General.
  ispresent: { minArgs: 1, maxArgs: 1, signature: 'ispresent(field)', apply: (a) => a[0] !== null },
  coalesce: {
    minArgs: 1,
    maxArgs: 100,
    signature: 'coalesce(a, b, ...)',
    apply: (a) => a.find((v) => v !== null) ?? null,
  },

  // String.
  isempty: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'isempty(field)',
    apply: (a) => a[0] === null || valueText(a[0]!) === '',
  },
  isblank: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'isblank(field)',
    apply: (a) => a[0] === null || valueText(a[0]!).trim() === '',
  },
  // Choice: a missing argument adds nothing (the docs do not say; SQL would give null).
  concat: { minArgs: 1, maxArgs: 100, signature: 'concat(a, b, ...)', apply: (a) => a.map(valueText).join('') },
  ltrim: { minArgs: 1, maxArgs: 2, signature: 'ltrim(str[, chars])', apply: (a) => trimWith(a, true, false) },
  rtrim: { minArgs: 1, maxArgs: 2, signature: 'rtrim(str[, chars])', apply: (a) => trimWith(a, false, true) },
  trim: { minArgs: 1, maxArgs: 2, signature: 'trim(str[, chars])', apply: (a) => trimWith(a, true, true) },
  strlen: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'strlen(str)',
    apply: (a) => (a[0] === null ? null : Array.from(valueText(a[0]!)).length),
  },
  toupper: { minArgs: 1, maxArgs: 1, signature: 'toupper(str)', apply: (a) => mapText(a[0]!, (s) => s.toUpperCase()) },
  tolower: { minArgs: 1, maxArgs: 1, signature: 'tolower(str)', apply: (a) => mapText(a[0]!, (s) => s.toLowerCase()) },
  substr: {
    minArgs: 2,
    maxArgs: 3,
    signature: 'substr(str, start[, length])',
    apply: (a) => {
      const s = text(a[0]!);
      const start = toNumber(a[1]!);
      const length = a.length > 2 ? toNumber(a[2]!) : undefined;
      if (s === null || start === null || length === null) return null;
      return substr(s, start, length);
    },
  },
  replace: {
    minArgs: 3,
    maxArgs: 3,
    signature: 'replace(str, search, replacement)',
    apply: (a) => {
      const [s, search, replacement] = a.map(text) as [string | null, string | null, string | null];
      if (s === null || search === null || replacement === null) return null;
      return search === '' ? s : s.split(search).join(replacement);
    },
  },
  strcontains: {
    minArgs: 2,
    maxArgs: 2,
    signature: 'strcontains(str, search)',
    apply: (a) => {
      const [s, search] = a.map(text) as [string | null, string | null];
      if (s === null || search === null) return null;
      return s.includes(search) ? 1 : 0;
    },
  },

  // Datetime. bin() is compiled by the engine (it reads @timestamp); the others take their time argument.
  datefloor: {
    minArgs: 2,
    maxArgs: 2,
    periodArgs: [1],
    signature: 'datefloor(timestamp, period)',
    apply: () => null,
  },
  dateceil: {
    minArgs: 2,
    maxArgs: 2,
    periodArgs: [1],
    signature: 'dateceil(timestamp, period)',
    apply: () => null,
  },
  bin: { minArgs: 1, maxArgs: 1, periodArgs: [0], signature: 'bin(period)', apply: () => null },
  frommillis: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'fromMillis(milliseconds)',
    apply: (a) => {
      const n = toNumber(a[0]!);
      return n === null ? null : new Timestamp(Math.trunc(n));
    },
  },
  tomillis: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'toMillis(timestamp)',
    apply: (a) => {
      const ms = toMillis(a[0]!);
      return ms === null ? null : ms;
    },
  },

  // JSON (docs/aws-behaviour.md#insights-functions): jsonParse makes a map or a list of a JSON string,
  // jsonStringify writes one back as a JSON string.
  jsonparse: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'jsonParse(str)',
    apply: (a) => parseJsonValue(a[0]!),
  },
  jsonstringify: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'jsonStringify(map or list)',
    apply: (a) => stringifyJsonValue(a[0]!),
  },

  // IP address strings.
  isvalidip: { minArgs: 1, maxArgs: 1, signature: 'isValidIp(str)', apply: (a) => ipCheck(a, (ip) => isIP(ip) !== 0) },
  isvalidipv4: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'isValidIpV4(str)',
    apply: (a) => ipCheck(a, (ip) => isIP(ip) === 4),
  },
  isvalidipv6: {
    minArgs: 1,
    maxArgs: 1,
    signature: 'isValidIpV6(str)',
    apply: (a) => ipCheck(a, (ip) => isIP(ip) === 6),
  },
  isipinsubnet: {
    minArgs: 2,
    maxArgs: 2,
    signature: 'isIpInSubnet(str, cidr)',
    apply: (a) => ipCheck(a, (ip, cidr) => ipInSubnet(ip, cidr, 0)),
  },
  isipv4insubnet: {
    minArgs: 2,
    maxArgs: 2,
    signature: 'isIpv4InSubnet(str, cidr)',
    apply: (a) => ipCheck(a, (ip, cidr) => ipInSubnet(ip, cidr, 4)),
  },
  isipv6insubnet: {
    minArgs: 2,
    maxArgs: 2,
    signature: 'isIpv6InSubnet(str, cidr)',
    apply: (a) => ipCheck(a, (ip, cidr) => ipInSubnet(ip, cidr, 6)),
  },
};

/**
 * `jsonParse`: a JSON object gives a map, an array a list (`Structure`); a JSON string, number or boolean gives
 * that scalar. Text that is not JSON, and a missing input, give a missing value (choice: the docs do not say).
 * A structure passes through unchanged.
 */
function parseJsonValue(value: Value): Value {
  if (value === null) return null;
  if (value instanceof Structure) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(valueText(value));
  } catch {
    return null;
  }
  return jsonMember(parsed);
}

/**
 * `jsonStringify`: a map or list as compact JSON text (keys in their parsed order). Choice where the docs are
 * silent: any other present value is written as the JSON of its rendering (a string in quotes, a number bare).
 */
function stringifyJsonValue(value: Value): Value {
  if (value === null) return null;
  if (value instanceof Structure) return JSON.stringify(value.json);
  const n = typeof value === 'number' ? value : null;
  return n !== null ? valueText(n) : JSON.stringify(valueText(value));
}

function mapNumber(value: Value, apply: (n: number) => number): number | null {
  const n = toNumber(value);
  return n === null ? null : apply(n);
}

function mapText(value: Value, apply: (s: string) => string): Value {
  return value === null ? null : apply(valueText(value));
}

function trimWith(args: Value[], left: boolean, right: boolean): Value {
  const s = text(args[0]!);
  if (s === null) return null;
  const chars = args.length > 1 ? text(args[1]!) : undefined;
  if (chars === null) return null;
  return trimChars(s, chars, left, right);
}

/** Aggregations and the stats non-aggregation functions (only valid inside `stats`). */
export const AGGREGATE_FUNCTIONS: Record<string, { minArgs: number; maxArgs: number; signature: string }> = {
  avg: { minArgs: 1, maxArgs: 1, signature: 'avg(field)' },
  count: { minArgs: 0, maxArgs: 1, signature: 'count(*) or count(field)' },
  count_distinct: { minArgs: 1, maxArgs: 1, signature: 'count_distinct(field)' },
  max: { minArgs: 1, maxArgs: 1, signature: 'max(field)' },
  min: { minArgs: 1, maxArgs: 1, signature: 'min(field)' },
  pct: { minArgs: 2, maxArgs: 2, signature: 'pct(field, percent)' },
  percentile: { minArgs: 2, maxArgs: 2, signature: 'percentile(field, percent)' },
  stddev: { minArgs: 1, maxArgs: 1, signature: 'stddev(field)' },
  sum: { minArgs: 1, maxArgs: 1, signature: 'sum(field)' },
  earliest: { minArgs: 1, maxArgs: 1, signature: 'earliest(field)' },
  latest: { minArgs: 1, maxArgs: 1, signature: 'latest(field)' },
  sortsfirst: { minArgs: 1, maxArgs: 1, signature: 'sortsFirst(field)' },
  sortslast: { minArgs: 1, maxArgs: 1, signature: 'sortsLast(field)' },
};
