import type { PeriodUnit } from './ast.js';
import { QuerySyntaxError, type Span } from './query-error.js';

/** One token of a query. Keywords are identifiers; the parser decides by position (case-insensitive). */
export type Token =
  | { readonly type: 'ident'; readonly text: string; readonly span: Span }
  | { readonly type: 'quoted'; readonly text: string; readonly span: Span }
  | { readonly type: 'number'; readonly value: number; readonly raw: string; readonly span: Span }
  | {
      readonly type: 'period';
      readonly amount: number;
      readonly unit: PeriodUnit;
      readonly raw: string;
      readonly span: Span;
    }
  | { readonly type: 'string'; readonly value: string; readonly span: Span }
  | { readonly type: 'regex'; readonly source: string; readonly flags: string; readonly span: Span }
  | { readonly type: 'punct'; readonly text: Punct; readonly span: Span }
  | { readonly type: 'eof'; readonly span: Span };

export type Punct =
  | '|'
  | ','
  | '('
  | ')'
  | '['
  | ']'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '=~'
  // Only in `SOURCE logGroups(namePrefix: [...])`.
  | ':';

// Units and abbreviations of CWL_QuerySyntax-Stats; words of more than one letter also take a plural `s`.
const PERIOD_UNITS: Record<string, PeriodUnit> = {
  millisecond: 'ms',
  ms: 'ms',
  msec: 'ms',
  second: 's',
  s: 's',
  sec: 's',
  minute: 'm',
  m: 'm',
  min: 'm',
  hour: 'h',
  h: 'h',
  hr: 'h',
  day: 'd',
  d: 'd',
  week: 'w',
  w: 'w',
  month: 'mo',
  mo: 'mo',
  mon: 'mo',
  quarter: 'q',
  q: 'q',
  qtr: 'q',
  year: 'y',
  y: 'y',
  yr: 'y',
};

/** The unit a period suffix names, or undefined. `hrs` = `hr`, `mins` = `min`; `ms` is milliseconds. */
export function periodUnit(suffix: string): PeriodUnit | undefined {
  const lower = suffix.toLowerCase();
  const direct = PERIOD_UNITS[lower];
  if (direct) return direct;
  if (lower.length > 2 && lower.endsWith('s')) {
    const singular = lower.slice(0, -1);
    if (singular.length > 1) return PERIOD_UNITS[singular];
  }
  return undefined;
}

const IDENT_START = /[A-Za-z_@]/;
const IDENT_PART = /[A-Za-z0-9_@.]/;
const REGEX_FLAGS = /^[ims]*$/;

/**
 * Turns query text into tokens on demand. A `/` is division unless the parser asks for a regex at that
 * spot (after `like`, `=~`, in `parse`), because only the grammar knows which one it is.
 */
export class Lexer {
  private pos = 0;
  private peeked: Token | null = null;

  constructor(readonly source: string) {}

  /** The next token without consuming it. */
  peek(): Token {
    if (this.peeked === null) this.peeked = this.scan();
    return this.peeked;
  }

  /** Consumes and returns the next token. */
  next(): Token {
    const token = this.peek();
    this.peeked = null;
    return token;
  }

  /** True when the next non-blank character is `/` (a regex may start here). */
  atSlash(): boolean {
    const token = this.peek();
    return token.type === 'punct' && token.text === '/';
  }

  /** Consumes a `/regex/flags` starting at the next token, which must be `/`. */
  nextRegex(): Token & { type: 'regex' } {
    const slash = this.peek();
    this.peeked = null;
    const start = slash.span.start;
    let i = start + 1;
    let inClass = false;
    let body = '';
    for (;;) {
      if (i >= this.source.length || this.source[i] === '\n') {
        throw new QuerySyntaxError(
          this.source,
          { start, end: i },
          "unterminated regular expression: close it with '/'",
        );
      }
      const c = this.source[i];
      if (c === '\\' && i + 1 < this.source.length) {
        // `\/` is a slash inside the pattern; other escapes are the regex engine's business.
        body += this.source[i + 1] === '/' ? '/' : c + this.source[i + 1];
        i += 2;
        continue;
      }
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
      body += c;
      i++;
    }
    i++;
    let flags = '';
    while (i < this.source.length && /[A-Za-z]/.test(this.source[i]!)) flags += this.source[i++];
    if (!REGEX_FLAGS.test(flags)) {
      throw new QuerySyntaxError(
        this.source,
        { start: i - flags.length, end: i },
        `unknown regular expression flag in '${flags}': use i, m or s (or (?i) inside the pattern)`,
      );
    }
    this.pos = i;
    return { type: 'regex', source: body, flags, span: { start, end: i } };
  }

  private skipBlanksAndComments(): void {
    const s = this.source;
    while (this.pos < s.length) {
      const c = s[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        this.pos++;
      } else if (c === '#') {
        // `#` starts a comment to the end of the line, at the start of a line or after a command (CWL_QuerySyntax-Stats examples).
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  private scan(): Token {
    this.skipBlanksAndComments();
    const s = this.source;
    const start = this.pos;
    if (start >= s.length) return { type: 'eof', span: { start, end: start } };
    const c = s[start]!;

    if (IDENT_START.test(c)) {
      let i = start + 1;
      while (i < s.length && IDENT_PART.test(s[i]!)) i++;
      this.pos = i;
      return { type: 'ident', text: s.slice(start, i), span: { start, end: i } };
    }
    if (c >= '0' && c <= '9') return this.scanNumber(start);
    if (c === '"' || c === "'") return this.scanString(start, c);
    if (c === '`') {
      const close = s.indexOf('`', start + 1);
      if (close === -1 || s.slice(start + 1, close).includes('\n')) {
        throw new QuerySyntaxError(s, { start, end: start + 1 }, 'unterminated backtick field name: close it with `');
      }
      if (close === start + 1)
        throw new QuerySyntaxError(s, { start, end: close + 1 }, 'empty field name in backticks');
      this.pos = close + 1;
      return { type: 'quoted', text: s.slice(start + 1, close), span: { start, end: close + 1 } };
    }
    const two = s.slice(start, start + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '=~') {
      this.pos = start + 2;
      return { type: 'punct', text: two, span: { start, end: start + 2 } };
    }
    if ('|,()[]+-*/%^=<>:'.includes(c)) {
      this.pos = start + 1;
      return { type: 'punct', text: c as Punct, span: { start, end: start + 1 } };
    }
    const hint = c === '!' ? ": use 'not' or '!='" : c === '&' ? ": use 'and'" : '';
    throw new QuerySyntaxError(s, { start, end: start + 1 }, `unexpected character '${c}'${hint}`);
  }

  private scanNumber(start: number): Token {
    const s = this.source;
    const match = /^\d+(?:\.\d+)?(?:[eE][-+]?\d+)?/.exec(s.slice(start));
    const raw = match ? match[0] : s[start]!;
    const i = start + raw.length;
    if (i < s.length && /[A-Za-z]/.test(s[i]!)) {
      // A number glued to letters is a time period: 5m, 1h, 100ms.
      let j = i;
      while (j < s.length && /[A-Za-z]/.test(s[j]!)) j++;
      const suffix = s.slice(i, j);
      const unit = periodUnit(suffix);
      const span = { start, end: j };
      if (!unit) {
        throw new QuerySyntaxError(
          s,
          span,
          `unknown time unit '${suffix}' in '${s.slice(start, j)}': use ms, s, m, h, d, w, mo, q or y (e.g. 5m)`,
        );
      }
      if (!/^\d+$/.test(raw)) {
        throw new QuerySyntaxError(
          s,
          span,
          `a time period needs a whole number, got '${s.slice(start, j)}': e.g. 90s instead of 1.5m`,
        );
      }
      this.pos = j;
      return { type: 'period', amount: Number(raw), unit, raw: s.slice(start, j), span };
    }
    this.pos = i;
    return { type: 'number', value: Number(raw), raw, span: { start, end: i } };
  }

  private scanString(start: number, quote: string): Token {
    const s = this.source;
    let i = start + 1;
    let value = '';
    for (;;) {
      if (i >= s.length) {
        throw new QuerySyntaxError(s, { start, end: start + 1 }, `unterminated string: close it with ${quote}`);
      }
      const c = s[i];
      if (c === quote) break;
      if (c === '\\' && i + 1 < s.length) {
        const e = s[i + 1];
        // Known escapes become the character; any other backslash stays, so "C:\path" means what it says.
        if (e === quote || e === '\\') value += e;
        else if (e === 'n') value += '\n';
        else if (e === 't') value += '\t';
        else if (e === 'r') value += '\r';
        else value += c + e;
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    this.pos = i + 1;
    return { type: 'string', value, span: { start, end: i + 1 } };
  }
}
