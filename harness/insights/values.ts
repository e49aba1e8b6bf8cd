/**
 * The values a Logs Insights query computes with, how they compare, sort and render. Results come back
 * as strings, as GetQueryResults returns them (docs/aws-behaviour.md#insights-api), so rendering is part of the semantics.
 */

/** A point in time (`@timestamp`, `@ingestionTime`, `bin()`, `fromMillis()`); renders as `YYYY-MM-DD HH:MM:SS.mmm` UTC. */
export class Timestamp {
  constructor(readonly ms: number) {}
}

/**
 * A number the service holds as a Java double, so it renders the way Java prints doubles: `15.0`, `1.28E8`
 * (docs/aws-behaviour.md#discovered-fields, recorded `@billedDuration` "15.0", `@memorySize` "1.28E8"). Plain JS numbers are
 * JSON numbers and integer results (`count`), and render as written (`200`, `4.5`).
 */
export class DoubleValue {
  constructor(readonly n: number) {}
}

/**
 * A map or a list, the structure types that `jsonParse()` makes (docs/aws-behaviour.md#insights-functions):
 * `json` is the parsed JSON object (map) or array (list). Its members are read with dots (`m.key`, `list.0`,
 * see `structureMember`). As a result value it renders as compact JSON (choice: the docs show no rendering).
 */
export class Structure {
  constructor(readonly json: { readonly [key: string]: unknown } | readonly unknown[]) {}

  get isList(): boolean {
    return Array.isArray(this.json);
  }
}

/** Every value an expression can produce; `null` is a missing field. */
export type Value = string | number | boolean | Timestamp | DoubleValue | Structure | null;

/**
 * One member of a parsed JSON value as a query value: objects and arrays stay structures, strings and numbers
 * are themselves, booleans the words `true`/`false` (as discovered JSON fields render them), null is missing.
 */
export function jsonMember(value: unknown): Value {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return new Structure(value as { [key: string]: unknown } | unknown[]);
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return null;
}

/**
 * Reads `path` (dot-separated keys; list items by index) inside a structure: `structureMember(m, ['a', '0'])`
 * is `m.a[0]`. A key may itself hold dots (`{"a.b": 1}`), so a longer key is tried before splitting. Missing
 * members, and paths through something that is not a structure, give null.
 */
export function structureMember(value: Value, path: readonly string[]): Value {
  if (path.length === 0) return value;
  if (!(value instanceof Structure)) return null;
  const json = value.json;
  for (let take = path.length; take >= 1; take--) {
    const key = path.slice(0, take).join('.');
    let member: unknown;
    if (Array.isArray(json)) {
      if (!/^\d+$/.test(key)) continue;
      member = json[Number(key)];
    } else {
      if (!Object.hasOwn(json, key)) continue;
      member = (json as { [key: string]: unknown })[key];
    }
    return structureMember(jsonMember(member), path.slice(take));
  }
  return null;
}

// A string counts as a number when it is one decimal number and nothing else (sort doc: "values that
// include only numbers"); signs, a fraction and an exponent are allowed so parsed fields like "-3.5" compare as numbers.
const NUMERIC_STRING = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The numeric reading of a value, or null when it has none (missing, or a string that is not a number). */
export function toNumber(value: Value): number | null {
  if (value === null) return null;
  switch (typeof value) {
    case 'number':
      return value;
    case 'string':
      return NUMERIC_STRING.test(value) ? Number(value) : null;
    case 'boolean':
      return value ? 1 : 0;
    default:
      if (value instanceof Structure) return null;
      return value instanceof Timestamp ? value.ms : value.n;
  }
}

/** True for numbers, doubles, timestamps, booleans and numeric strings. */
export function isNumberLike(value: Value): boolean {
  return toNumber(value) !== null;
}

/** Whether a filter treats the value as true: present, non-zero, non-empty. */
export function truthy(value: Value): boolean {
  if (value === null) return false;
  switch (typeof value) {
    case 'boolean':
      return value;
    case 'number':
      return value !== 0 && !Number.isNaN(value);
    case 'string':
      return value.length > 0;
    default:
      if (value instanceof Structure) return true;
      return value instanceof Timestamp ? true : value.n !== 0 && !Number.isNaN(value.n);
  }
}

/** The string GetQueryResults would carry for this value; null stays null (the field is left out of the row). */
export function renderValue(value: Value): string | null {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return renderPlainNumber(value);
    // Choice: booleans render 1/0, as the 2022 syntax doc says of `fields ispresent(x) as isRes` ("either 0 or 1").
    case 'boolean':
      return value ? '1' : '0';
    default:
      if (value instanceof Structure) return JSON.stringify(value.json);
      return value instanceof Timestamp ? formatTimestamp(value.ms) : formatJavaDouble(value.n);
  }
}

/** Renders a value for comparisons and string functions: like `renderValue`, with null as the empty string. */
export function valueText(value: Value): string {
  return renderValue(value) ?? '';
}

/** Integers print as integers; anything else as a Java double would (identical to JS between 1e-3 and 1e7). */
export function renderPlainNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  return formatJavaDouble(n);
}

/**
 * `Double.toString` of Java: plain decimal with at least one fraction digit for 1e-3 ≤ |x| < 1e7, otherwise
 * computerized scientific notation `d.dddE±n`. The digits are the shortest that round-trip, which is what
 * both JS and Java (JDK 19+) print.
 */
export function formatJavaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(n);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split('e');
  const digits = mantissa!.includes('.') ? mantissa : `${mantissa}.0`;
  return `${digits}E${Number(exponent)}`;
}

/** `2023-12-05 22:14:43.877`: how Insights renders `@timestamp` and `@ingestionTime` (docs/aws-behaviour.md#discovered-fields). */
export function formatTimestamp(ms: number): string {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return String(ms);
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** Milliseconds of a value used as a time: timestamps, numbers (epoch ms) and date strings. */
export function toMillis(value: Value): number | null {
  if (value === null) return null;
  if (value instanceof Timestamp) return value.ms;
  const n = toNumber(value);
  if (n !== null) return n;
  if (typeof value === 'string') {
    // Insights' own rendering has a space and no zone: read it as UTC.
    const normalized = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
    const ms = Date.parse(normalized);
    return Number.isNaN(ms) ? null : ms;
  }
  return null;
}

/**
 * Orders two values for `=`, `<` and friends; null when they cannot be compared, which makes the comparison
 * false: a missing field, or a number (or time) against text that is not one ("N/A" >= 500 is false, not a
 * text comparison; choice, the docs only say comparisons "accept all data types"). Numbers compare
 * numerically when both sides read as numbers ("200" = 200), timestamps with epoch ms or date strings, two
 * strings as text in UTF-16 order.
 */
export function compareValues(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = a instanceof Timestamp || b instanceof Timestamp ? toMillis(a) : toNumber(a);
  const y = a instanceof Timestamp || b instanceof Timestamp ? toMillis(b) : toNumber(b);
  if (x === null || y === null) return null;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `=` semantics shared by `in [..]`: string pairs compare exactly ("complete string matches"), numbers numerically. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return compareValues(a, b) === 0;
}

/** True when `sort` treats the value as a number ("values that include only numbers"). */
function isSortNumber(value: Value): boolean {
  if (typeof value === 'string') return NUMERIC_STRING.test(value);
  return value !== null && !(value instanceof Structure);
}

/**
 * The `sort` order of the CWL_QuerySyntax-Sort page, ascending: every non-number before every number;
 * numbers numerically; other values split into runs of digits and runs of non-digits, digit runs ordered by
 * length then value, everything else by code unit. Ties between equal numbers fall back to the text ("0" < "01").
 * Missing values are the caller's business (they go last in both directions).
 */
export function naturalCompare(a: Value, b: Value): number {
  const aNumber = isSortNumber(a);
  const bNumber = isSortNumber(b);
  if (aNumber && bNumber) {
    const x = toNumber(a) as number;
    const y = toNumber(b) as number;
    if (x !== y) return x < y ? -1 : 1;
    const s = valueText(a);
    const t = valueText(b);
    return s < t ? -1 : s > t ? 1 : 0;
  }
  if (aNumber !== bNumber) return aNumber ? 1 : -1;
  return compareChunked(valueText(a), valueText(b));
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function compareChunked(s: string, t: string): number {
  let i = 0;
  let j = 0;
  while (i < s.length && j < t.length) {
    const sDigits = isDigit(s.charCodeAt(i));
    const tDigits = isDigit(t.charCodeAt(j));
    let iEnd = i + 1;
    while (iEnd < s.length && isDigit(s.charCodeAt(iEnd)) === sDigits) iEnd++;
    let jEnd = j + 1;
    while (jEnd < t.length && isDigit(t.charCodeAt(jEnd)) === tDigits) jEnd++;
    const chunkS = s.slice(i, iEnd);
    const chunkT = t.slice(j, jEnd);
    if (sDigits && tDigits) {
      if (chunkS.length !== chunkT.length) return chunkS.length < chunkT.length ? -1 : 1;
      if (chunkS !== chunkT) return chunkS < chunkT ? -1 : 1;
    } else if (chunkS !== chunkT) {
      // Different text runs (or a text run against a digit run): the first differing code unit decides,
      // and a value that runs out first sorts first.
      const restS = s.slice(i);
      const restT = t.slice(j);
      return restS < restT ? -1 : restS > restT ? 1 : 0;
    }
    i = iEnd;
    j = jEnd;
  }
  if (i < s.length) return 1;
  if (j < t.length) return -1;
  return 0;
}

/** A grouping key for `stats ... by`, `dedup` and `count_distinct`: equal when the rendered values are equal. */
export function valueKey(value: Value): string | number {
  if (value === null) return '\u0000';
  if (value instanceof Timestamp) return value.ms;
  return `s${valueText(value)}`;
}
