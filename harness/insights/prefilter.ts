import type { Expr } from './ast.js';
import { compileFieldPredicate, type EventFilter } from './compile.js';
import { SYSTEM_FIELDS } from './discovery.js';
import type { Value } from './values.js';

/**
 * Cheap tests on raw stored lines that an event must pass to have any chance of matching the query's
 * leading filters, so most non-matching lines are skipped before anything is parsed. They only ever reject
 * lines whose filters are certainly false, so results are exactly those of the full evaluation:
 *
 * - a comparison, `like`, `in` or truthiness test on a field is false when the field is missing, so the
 *   field must be there: a JSON field's top-level key appears in the line, a REPORT field needs a REPORT line;
 * - `@message like "text"` needs the text; `x = "word"` needs the word when it cannot be a number;
 * - `x >= 500` on a top-level JSON field: the value is read straight from the stored line (see `scanTopLevel`)
 *   and the comparison decided there, without decoding the line or parsing the message.
 *
 * A stored line is `{"timestamp":..,"message":"<JSON-escaped message>"}`: text without quotes, backslashes
 * or control characters appears in it verbatim. JSON inside the message may itself use escapes
 * (`\u0073tatus` is `status`); those show up as a double backslash in the line, a line another writer
 * escaped shows `\u`, and then JSON-derived tests are not trusted.
 */
export type LinePrefilter = (line: string, lambda?: boolean) => boolean;

/** The same tests over lines inside a block of text, with needle searches shared across the block's lines. */
export interface LineMatcher {
  /** Starts a new block. */
  reset(text: string): void;
  /** Whether the line `text[start, end)` may match; `lambda` tells how its stream discovers JSON. */
  test(start: number, end: number, lambda: boolean): boolean;
}

type Need =
  | { readonly kind: 'all'; readonly parts: readonly Need[] }
  | { readonly kind: 'any'; readonly parts: readonly Need[] }
  | { readonly kind: 'text'; readonly needle: string; readonly fromJson: boolean }
  | { readonly kind: 'value'; readonly key: string; readonly test: (value: Value) => boolean };

const PLATFORM_NEEDLES: Record<string, string> = {
  '@type': 'RequestId: ',
  '@duration': 'REPORT RequestId: ',
  '@billedDuration': 'REPORT RequestId: ',
  '@memorySize': 'REPORT RequestId: ',
  '@maxMemoryUsed': 'REPORT RequestId: ',
  '@initDuration': 'Init Duration: ',
  '@xrayTraceId': 'XRAY TraceId: ',
  '@xraySegmentId': 'SegmentId: ',
};
const COMPARISON = new Set(['=', '!=', '<', '<=', '>', '>=']);
// Printable ASCII without `"` and `\`: stored verbatim inside the line's JSON string.
const VERBATIM = /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/;
// Characters of a rendered number; a literal with anything else can only equal or be inside text.
const NUMBER_CHARS = /^[0-9.+\-Ee]*$/;
const TOP_KEY = /^[A-Za-z0-9_]+$/;
/**
 * An escape the raw-line tests cannot see through: a backslash in the message shows as two in the line, and
 * `\u` in the line is a character (a quote, a key's letter) the scanner cannot read. One regex finds either
 * in one pass; two indexOf searches stopped at every `\"` of a JSON message, twice (a tenth of a JSON
 * filter's time over pino lines).
 */
const ESCAPES = /\\[\\u]/g;

/** The pre-check for a query's event-stage filters over single lines, or null when there is nothing to check. */
export function buildLinePrefilter(filters: readonly EventFilter[], source = ''): LinePrefilter | null {
  const matcher = buildLineMatcher(filters, source);
  if (matcher === null) return null;
  return (line, lambda = true) => {
    matcher.reset(line);
    return matcher.test(0, line.length, lambda);
  };
}

/** The pre-check as a matcher over blocks of lines, or null when the filters give nothing to check. */
export function buildLineMatcher(filters: readonly EventFilter[], source = ''): LineMatcher | null {
  const needs = filters.map((f) => need(f.expr, f.computedBefore, source)).filter((n): n is Need => n !== null);
  if (needs.length === 0) return null;
  const block = new Block();
  const test = compile(needs.length === 1 ? needs[0]! : { kind: 'all', parts: needs }, block);
  return {
    reset: (text) => block.reset(text),
    test,
  };
}

type LineTest = (start: number, end: number, lambda: boolean) => boolean;

/** The current block and the next position of each needle in it, so each needle is searched once per block. */
class Block {
  text = '';
  private readonly needles: Needle[] = [];

  reset(text: string): void {
    this.text = text;
    for (const needle of this.needles) needle.next = -2;
  }

  needle(text: string): Needle {
    const existing = this.needles.find((n) => n.needle === text);
    if (existing) return existing;
    const created = new Needle(this, text);
    this.needles.push(created);
    return created;
  }

  /** The search for {@link ESCAPES}, shared by every test of the block. */
  escapes(): Needle {
    return this.needle(ESCAPES.source);
  }
}

class Needle {
  /** Index of the first occurrence at or after `searchedFrom`; -1 none, -2 not searched in this block. */
  next = -2;
  private searchedFrom = 0;

  constructor(
    private readonly block: Block,
    readonly needle: string,
  ) {}

  // Index of the first occurrence at or after `start` in the block, -1 for none. Other needles are verbatim
  // text without backslashes (VERBATIM, TOP_KEY, PLATFORM_NEEDLES), so none can be mistaken for ESCAPES.
  private search(start: number): number {
    if (this.needle !== ESCAPES.source) return this.block.text.indexOf(this.needle, start);
    ESCAPES.lastIndex = start;
    return ESCAPES.exec(this.block.text)?.index ?? -1;
  }

  /** Whether the needle occurs in `[start, end)`; needles hold no newline, so an occurrence never spans lines. */
  within(start: number, end: number): boolean {
    const next = this.from(start);
    return next < end;
  }

  /**
   * The first occurrence at or after `start` (Infinity when none). Callers move forward through the block,
   * so each search resumes where the last one stopped and the block is scanned about once per needle.
   */
  from(start: number): number {
    // The cached answer holds for any start between where it was searched from and the occurrence found.
    if (this.next === -2 || start < this.searchedFrom || (this.next !== -1 && this.next < start)) {
      this.next = this.search(start);
      this.searchedFrom = start;
    }
    return this.next === -1 ? Number.POSITIVE_INFINITY : this.next;
  }
}

function compile(need: Need, block: Block): LineTest {
  switch (need.kind) {
    case 'text': {
      const needle = block.needle(need.needle);
      if (!need.fromJson) return (start, end) => needle.within(start, end);
      const escaped = block.escapes();
      return (start, end) => needle.within(start, end) || escaped.within(start, end);
    }
    case 'value': {
      const escaped = block.escapes();
      const { key, test } = need;
      return (start, end, lambda) => {
        if (escaped.within(start, end)) return true;
        // A slice shares the block's characters; searches in it stop at the line's end.
        const value = scanTopLevel(block.text.slice(start, end), key, lambda);
        return value === UNKNOWN || test(value as Value);
      };
    }
    case 'all': {
      const parts = need.parts.map((p) => compile(p, block));
      return (start, end, lambda) => {
        for (let i = 0; i < parts.length; i++) if (!parts[i]!(start, end, lambda)) return false;
        return true;
      };
    }
    case 'any': {
      const parts = need.parts.map((p) => compile(p, block));
      return (start, end, lambda) => {
        for (let i = 0; i < parts.length; i++) if (parts[i]!(start, end, lambda)) return true;
        return false;
      };
    }
  }
}

function need(expr: Expr, computed: ReadonlySet<string>, source: string): Need | null {
  switch (expr.kind) {
    case 'field':
      return presence(expr.name, computed);
    case 'binary': {
      if (expr.op === 'and') return all([need(expr.left, computed, source), need(expr.right, computed, source)]);
      if (expr.op === 'or') {
        const left = need(expr.left, computed, source);
        const right = need(expr.right, computed, source);
        return left === null || right === null ? null : { kind: 'any', parts: [left, right] };
      }
      if (!COMPARISON.has(expr.op)) return null;
      const parts: (Need | null)[] = [];
      for (const [side, other] of [
        [expr.left, expr.right],
        [expr.right, expr.left],
      ]) {
        if (side!.kind !== 'field') continue;
        parts.push(presence(side.name, computed));
        if (expr.op === '=' && other!.kind === 'string') parts.push(valueNeed(side.name, other.value, computed));
        if (isLiteral(other!)) parts.push(scannedValue(side.name, expr, computed, source));
      }
      return all(parts);
    }
    case 'match': {
      if (expr.subject.kind !== 'field') return null;
      const name = expr.subject.name;
      const parts = [presence(name, computed), scannedValue(name, expr, computed, source)];
      if (!expr.negated && expr.pattern.kind === 'string') parts.push(valueNeed(name, expr.pattern.value, computed));
      return all(parts);
    }
    case 'in': {
      if (expr.subject.kind !== 'field') return null;
      const name = expr.subject.name;
      // A subquery's values are known only once it ran: the line must have the field, nothing more is checked.
      if (expr.subquery) return presence(name, computed);
      const parts = [presence(name, computed)];
      if (expr.items.every(isLiteral)) parts.push(scannedValue(name, expr, computed, source));
      if (!expr.negated && expr.items.length > 0) {
        const options = expr.items.map((item) =>
          item.kind === 'string' ? valueNeed(name, item.value, computed) : null,
        );
        if (options.every((o) => o !== null)) parts.push({ kind: 'any', parts: options as Need[] });
      }
      return all(parts);
    }
    default:
      return null;
  }
}

function isLiteral(expr: Expr): boolean {
  return (
    expr.kind === 'number' ||
    expr.kind === 'string' ||
    (expr.kind === 'unary' && expr.op === '-' && expr.operand.kind === 'number')
  );
}

function all(parts: readonly (Need | null)[]): Need | null {
  const present = parts.filter((p): p is Need => p !== null);
  if (present.length === 0) return null;
  return present.length === 1 ? present[0]! : { kind: 'all', parts: present };
}

// What the line must contain for the field to exist on the event.
function presence(name: string, computed: ReadonlySet<string>): Need | null {
  if (computed.has(name) || SYSTEM_FIELDS.has(name)) return null;
  const platform = PLATFORM_NEEDLES[name];
  if (platform) return { kind: 'text', needle: platform, fromJson: false };
  if (name.startsWith('@')) return null;
  const top = name.split('.')[0]!;
  return TOP_KEY.test(top) ? { kind: 'text', needle: top, fromJson: true } : null;
}

// What the line must contain for the field's text to equal or contain `literal`.
function valueNeed(name: string, literal: string, computed: ReadonlySet<string>): Need | null {
  if (computed.has(name) || !VERBATIM.test(literal)) return null;
  if (name === '@message') return { kind: 'text', needle: literal, fromJson: false };
  if (name === '@type') {
    return literal === 'START' || literal === 'END' || literal === 'REPORT'
      ? { kind: 'text', needle: `${literal} RequestId: `, fromJson: false }
      : null;
  }
  if (name.startsWith('@') || NUMBER_CHARS.test(literal)) return null;
  return { kind: 'text', needle: literal, fromJson: true };
}

// A comparison of a top-level JSON field with literals, decided on the value read from the raw line.
function scannedValue(name: string, expr: Expr, computed: ReadonlySet<string>, source: string): Need | null {
  if (computed.has(name) || !TOP_KEY.test(name)) return null;
  return { kind: 'value', key: name, test: compileFieldPredicate(expr, source) };
}

/** What `scanTopLevel` answers when it cannot tell; the line then goes to full parsing. */
export const UNKNOWN: unique symbol = Symbol('unknown');

/**
 * The value of top-level key `key` in the first JSON object of a stored line's message, read from the
 * line itself (the message still JSON-escaped inside it), or null when the object has no such key or there
 * is no object. Only for lines in the canonical layout whose message holds no backslash and no `\u`
 * escape (the caller checks): then every `\"` in the line is a quote of the message's JSON. The answer is
 * exact whenever that object is valid JSON, last duplicate key winning as in JSON.parse; when it is not,
 * discovery finds no fields at all, and a false verdict is still right.
 */
export function scanTopLevel(line: string, key: string, lambda: boolean): Value | typeof UNKNOWN {
  const text = line;
  const end = line.length;
  const body = messageBodyStart(text, 0, end);
  if (body === -1) return UNKNOWN;
  const bodyEnd = end - 2;
  let i = body;
  if (lambda) {
    i = find(text, '{', body);
    if (i >= bodyEnd) return null;
  } else {
    // Outside Lambda streams the message must start with the object (after blanks, a tab being `\t` here).
    for (;;) {
      if (text.charCodeAt(i) === 32) i++;
      else if (text.startsWith('\\t', i)) i += 2;
      else break;
    }
    if (text.charCodeAt(i) !== 123) return null;
  }
  const quick = flatLookup(text, i, bodyEnd, key);
  if (quick !== UNKNOWN) return quick;
  let depth = 0;
  let found: Value | typeof UNKNOWN | undefined;
  // Jump from quote to quote: between strings only punctuation, numbers and literals can occur, and only
  // their braces and brackets matter; string contents are skipped with a native search.
  while (i < bodyEnd) {
    const quote = find(text, '\\"', i);
    const stop = Math.min(quote, bodyEnd);
    for (; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        depth--;
        if (depth === 0) return found === undefined ? null : found;
      }
    }
    if (stop === bodyEnd) break;
    const close = find(text, '\\"', quote + 2);
    if (close >= bodyEnd) return null;
    if (depth === 1 && close - (quote + 2) === key.length && text.startsWith(key, quote + 2)) {
      let after = close + 2;
      while (text.charCodeAt(after) === 32) after++;
      if (text.charCodeAt(after) === 58) {
        found = scanValue(text, after + 1, bodyEnd);
        if (found === UNKNOWN) return UNKNOWN;
      }
    }
    i = close + 2;
  }
  // The object never closes: discovery finds nothing.
  return null;
}

/**
 * The common case in a few native searches: every occurrence of the key's string token comes before the
 * object's first nested or closing bracket, so it sits at depth 1 (in valid JSON a `\"key\"` in that region
 * is the key's token). No occurrence at all means no such key. Anything else is UNKNOWN here.
 */
function flatLookup(text: string, open: number, bodyEnd: number, key: string): Value | typeof UNKNOWN {
  const token = keyToken(key);
  const tail = token.slice(2);
  let at = findKeyToken(text, tail, open);
  if (at >= bodyEnd) return null;
  const limit = Math.min(
    find(text, '{', open + 1),
    find(text, '[', open + 1),
    find(text, '}', open + 1),
    find(text, ']', open + 1),
    bodyEnd,
  );
  let found: Value | typeof UNKNOWN | undefined;
  while (at < bodyEnd) {
    if (at > limit) return UNKNOWN;
    let after = at + token.length;
    while (text.charCodeAt(after) === 32) after++;
    if (text.charCodeAt(after) === 58) {
      found = scanValue(text, after + 1, bodyEnd);
      if (found === UNKNOWN) return UNKNOWN;
    }
    at = findKeyToken(text, tail, at + token.length);
  }
  return found === undefined ? null : found;
}

const KEY_TOKENS = new Map<string, string>();

// A key as it appears in a stored line: inside the message's JSON its quotes are escaped, `\"key\"`.
function keyToken(key: string): string {
  let token = KEY_TOKENS.get(key);
  if (token === undefined) KEY_TOKENS.set(key, (token = `\\"${key}\\"`));
  return token;
}

/**
 * `find(text, token, from)` for a key token `\"key\"`, given its `tail` `key\"`: the search runs on the tail
 * and checks the `\"` before it, because a search that starts with a backslash stops at every `\"` of the
 * message's JSON (a pino line has dozens before its `status`), while a key's first letter is rarer.
 */
function findKeyToken(text: string, tail: string, from: number): number {
  for (let at = text.indexOf(tail, from + 2); at !== -1; at = text.indexOf(tail, at + 1)) {
    if (text.charCodeAt(at - 2) === 92 && text.charCodeAt(at - 1) === 34) return at - 2;
  }
  return Number.POSITIVE_INFINITY;
}

// indexOf with "not found" as Infinity, so it compares as past any limit.
function find(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at === -1 ? Number.POSITIVE_INFINITY : at;
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

function scanValue(text: string, from: number, limit: number): Value | typeof UNKNOWN {
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  const c = text.charCodeAt(i);
  if (c === 92 && text.charCodeAt(i + 1) === 34) {
    const close = text.indexOf('\\"', i + 2);
    return close === -1 || close >= limit ? UNKNOWN : text.slice(i + 2, close);
  }
  if (c === 45 || (c >= 48 && c <= 57)) {
    let j = i + 1;
    for (
      let d = text.charCodeAt(j);
      (d >= 48 && d <= 57) || d === 46 || d === 43 || d === 45 || d === 69 || d === 101;
      d = text.charCodeAt(++j)
    ) {
      // number characters
    }
    const token = text.slice(i, j);
    return JSON_NUMBER.test(token) ? Number(token) : UNKNOWN;
  }
  if (text.startsWith('true', i)) return 'true';
  if (text.startsWith('false', i)) return 'false';
  if (text.startsWith('null', i)) return null;
  // An object or an array is not a field itself.
  if (c === 123 || c === 91) return null;
  return UNKNOWN;
}

const CANONICAL_PREFIX = '{"timestamp":';
const INGESTION_KEY = ',"ingestionTime":';
const MESSAGE_KEY = ',"message":"';

// Where the message text starts in a canonical line (`formatStoredEvent`), or -1 for any other layout.
function messageBodyStart(text: string, start: number, end: number): number {
  if (!text.startsWith(CANONICAL_PREFIX, start) || text.charCodeAt(end - 2) !== 34 || text.charCodeAt(end - 1) !== 125)
    return -1;
  let i = start + CANONICAL_PREFIX.length;
  while (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (!text.startsWith(INGESTION_KEY, i)) return -1;
  i += INGESTION_KEY.length;
  while (text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  if (!text.startsWith(MESSAGE_KEY, i)) return -1;
  return i + MESSAGE_KEY.length;
}
