/**
 * The one place where the engine builds RegExps from query text (`parse @message /.../`, `like /.../`, `=~`).
 * Every pattern it returns runs in time linear in the event's length, or, beyond the size V8's linear-time
 * engine handles, polynomial at worst; a pattern that could backtrack exponentially and that V8's linear-time
 * engine cannot run is refused with a {@link RegexLimitError} (docs/insights-limits.md#regular-expressions).
 */
import v8 from 'node:v8';

// The engine evaluates a whole block of events synchronously, so one catastrophically backtracking pattern
// (`/^(a+)+$/` on 'aaaa…b') would block the event loop and with it the Ctrl-C handler. With this flag V8 runs a
// RegExp compiled afterwards on its backtracking engine as usual and switches that call to its linear-time
// engine after --regexp-backtracks-before-fallback (default 50,000) backtracks: ordinary patterns keep their
// speed, pathological ones finish. The second flag only makes the `l` flag known, so that `canRunLinear` can ask
// V8 whether it could fall back for a pattern at all. Both are process-wide and affect only backtracking-heavy
// RegExps and the `l` flag. docs/insights-limits.md#regular-expressions
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
v8.setFlagsFromString('--enable-experimental-regexp-engine');

/** A valid pattern the local engine will not run because it cannot bound its cost; `index` is into the pattern. */
export class RegexLimitError extends Error {
  constructor(
    readonly index: number,
    readonly length: number,
    readonly problem: string,
  ) {
    super(problem);
    this.name = 'RegexLimitError';
  }
}

/**
 * The RegExp for an Insights pattern (its text between the slashes, `\/` already unescaped, and flags i, m, s):
 * `(?i)` switches case-insensitivity on for the whole pattern (JS has no inline flags; the docs only show it at
 * the start, or after `^`), `(?P<name>` becomes `(?<name>`. Throws SyntaxError for an invalid pattern and
 * RegexLimitError for one the engine refuses (backreferences and lookarounds, see the docs section above).
 */
export function userRegex(pattern: string, flags: string): RegExp {
  const tokens = tokenize(pattern);
  const jsFlags = tokens.some((t) => t.kind === 'inline-i') && !flags.includes('i') ? `${flags}i` : flags;
  const source = render(tokens, false);
  const regex = new RegExp(source, jsFlags);
  // Refused on every Node version, even where V8's linear engine may learn to run some of them, so that a
  // query means the same on Node 20 and on the Lambda runtime's Node.
  const unbounded = tokens.find((t) => t.kind === 'backref' || t.kind === 'lookaround');
  if (unbounded !== undefined) {
    const what =
      unbounded.kind === 'backref' ? `the backreference ${unbounded.text}` : `the lookaround ${unbounded.text}`;
    throw new RegexLimitError(
      unbounded.start,
      unbounded.text.length,
      `${what} is not supported by the local engine, which only runs regular expressions it can match in linear time (AWS accepts it): rewrite the pattern without backreferences and lookarounds, e.g. capture the part and filter on it`,
    );
  }
  if (canRunLinear(source, jsFlags)) return regex;
  // V8's linear engine has no case-insensitive mode (Node 20): spell the case variants out instead (`a` → `[aA]`).
  if (jsFlags.includes('i')) {
    const folded = render(tokens, true);
    const plainFlags = jsFlags.replace('i', '');
    if (canRunLinear(folded, plainFlags)) return new RegExp(folded, plainFlags);
  }
  // What is left exceeds the linear engine's size limits (counted repetitions such as \S{1,64}). Without nested
  // repetition its backtracking is polynomial, so it runs as it is; with it, it could be exponential.
  const nested = nestedRepetition(tokens);
  if (nested !== null) {
    throw new RegexLimitError(
      nested.start,
      nested.length,
      'this repeated group contains a repetition or an alternative, and with counted repetitions as large as these (such as {1,64}) the local engine cannot match the pattern in linear time (AWS accepts it): use + or * instead of the large {n,m}, or do not repeat the group',
    );
  }
  return regex;
}

/** Whether V8's linear-time engine can run `source`: then the backtrack fallback protects it too. */
export function canRunLinear(source: string, flags: string): boolean {
  try {
    new RegExp(source, `${flags}l`);
    return true;
  } catch {
    return false;
  }
}

type Token =
  | { readonly kind: 'char'; readonly start: number; readonly text: string; readonly code: number }
  | { readonly kind: 'class' | 'group' | 'lookaround'; readonly start: number; readonly text: string }
  | {
      readonly kind: 'close' | 'alt' | 'quantifier' | 'backref' | 'inline-i' | 'other';
      readonly start: number;
      readonly text: string;
    };

// A pattern in the JS syntax without the `u` flag (the lexer allows only i, m and s), with the Insights
// extensions `(?i)` and `(?P<name>`. The tokens only need to be exact for what case folding and the checks above
// look at; the rest is copied as written, and invalid syntax is left for the RegExp constructor to report.
function tokenize(p: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < p.length) {
    const start = i;
    const c = p[i]!;
    if (c === '\\') {
      const next = p[i + 1];
      if (next !== undefined && next >= '1' && next <= '9') {
        let j = i + 2;
        while (j < p.length && p[j]! >= '0' && p[j]! <= '9') j++;
        tokens.push({ kind: 'backref', start, text: p.slice(i, j) });
        i = j;
      } else if (next === 'k' && p[i + 2] === '<') {
        const close = p.indexOf('>', i);
        const j = close === -1 ? p.length : close + 1;
        tokens.push({ kind: 'backref', start, text: p.slice(i, j) });
        i = j;
      } else if (next === 'b' || next === 'B' || (next !== undefined && 'dDwWsS'.includes(next))) {
        tokens.push({ kind: 'other', start, text: p.slice(i, i + 2) });
        i += 2;
      } else {
        const esc = readEscape(p, i);
        tokens.push({ kind: 'char', start, text: p.slice(i, esc.end), code: esc.code });
        i = esc.end;
      }
    } else if (c === '[') {
      const cls = readClass(p, i, false);
      tokens.push({ kind: 'class', start, text: p.slice(i, cls.end) });
      i = cls.end;
    } else if (c === '(') {
      const rest = p.slice(i, i + 4);
      if (rest.startsWith('(?i)')) {
        tokens.push({ kind: 'inline-i', start, text: '(?i)' });
        i += 4;
      } else if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
        tokens.push({ kind: 'lookaround', start, text: rest.slice(0, 3) });
        i += 3;
      } else if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
        tokens.push({ kind: 'lookaround', start, text: rest });
        i += 4;
      } else if (rest.startsWith('(?P<')) {
        tokens.push({ kind: 'group', start, text: '(?<' });
        i += 4;
      } else {
        const open = /^\((?:\?:|\?<(?=[A-Za-z_$]))?/.exec(p.slice(i))![0];
        tokens.push({ kind: 'group', start, text: open });
        i += open.length;
      }
    } else if (c === ')') {
      tokens.push({ kind: 'close', start, text: c });
      i++;
    } else if (c === '|') {
      tokens.push({ kind: 'alt', start, text: c });
      i++;
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(?:,\d*)?\}/.test(p.slice(i)))) {
      const q = /^(?:[*+?]|\{\d+(?:,\d*)?\})\??/.exec(p.slice(i))![0];
      tokens.push({ kind: 'quantifier', start, text: q });
      i += q.length;
    } else if (c === '^' || c === '$' || c === '.') {
      tokens.push({ kind: 'other', start, text: c });
      i++;
    } else {
      tokens.push({ kind: 'char', start, text: c, code: c.charCodeAt(0) });
      i++;
    }
    // The name of a named group is copied with its opening, never folded.
    const last = tokens[tokens.length - 1]!;
    if (last.kind === 'group' && last.text === '(?<') {
      const close = p.indexOf('>', i);
      const end = close === -1 ? p.length : close + 1;
      tokens[tokens.length - 1] = { kind: 'group', start, text: `(?<${p.slice(i, end)}` };
      i = end;
    }
  }
  return tokens;
}

const CONTROL: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13 };

// One escape that stands for a single character (Annex B: `\a` is `a`, `\0`..`\377` octal).
function readEscape(p: string, i: number): { end: number; code: number } {
  const next = p[i + 1];
  if (next === undefined) return { end: i + 1, code: 92 };
  if (next in CONTROL) return { end: i + 2, code: CONTROL[next]! };
  const hex = next === 'x' ? /^[0-9A-Fa-f]{2}/.exec(p.slice(i + 2)) : null;
  if (hex) return { end: i + 4, code: Number.parseInt(hex[0], 16) };
  const unicode = next === 'u' ? /^[0-9A-Fa-f]{4}/.exec(p.slice(i + 2)) : null;
  if (unicode) return { end: i + 6, code: Number.parseInt(unicode[0], 16) };
  if (next === 'c' && /^[A-Za-z]/.test(p[i + 2] ?? '')) return { end: i + 3, code: p.charCodeAt(i + 2) % 32 };
  const octal = /^[0-7]{1,3}/.exec(p.slice(i + 1));
  if (octal) {
    const digits = Number.parseInt(octal[0], 8) > 0o377 ? octal[0].slice(0, 2) : octal[0];
    return { end: i + 1 + digits.length, code: Number.parseInt(digits, 8) };
  }
  return { end: i + 2, code: p.charCodeAt(i + 1) };
}

// A character class and, for case folding, the case variants of its characters that it does not hold already.
function readClass(p: string, open: number, withExtra: boolean): { end: number; extra: string } {
  let i = open + 1;
  if (p[i] === '^') i++;
  const items: (number | null)[] = [];
  while (i < p.length && p[i] !== ']') {
    if (p[i] === '\\') {
      const next = p[i + 1];
      if (next !== undefined && 'dDwWsS'.includes(next)) {
        items.push(null);
        i += 2;
        continue;
      }
      const esc = next === 'b' ? { end: i + 2, code: 8 } : readEscape(p, i);
      items.push(esc.code);
      i = esc.end;
    } else {
      items.push(p.charCodeAt(i));
      i++;
    }
    // A range `x-y` (not `x-]`, and not from or to a class escape, where `-` is literal).
    if (p[i] === '-' && i + 1 < p.length && p[i + 1] !== ']' && items[items.length - 1] !== null) {
      const low = items.pop()!;
      i++;
      let high: number;
      if (p[i] === '\\') {
        const esc = p[i + 1] === 'b' ? { end: i + 2, code: 8 } : readEscape(p, i);
        high = esc.code;
        i = esc.end;
      } else {
        high = p.charCodeAt(i);
        i++;
      }
      if (withExtra) for (let code = low; code <= high; code++) items.push(code);
    }
  }
  const end = Math.min(i + 1, p.length);
  if (!withExtra) return { end, extra: '' };
  const members = new Set(items.filter((code): code is number => code !== null));
  const extra = new Set<number>();
  for (const code of members) for (const variant of caseVariants(code)) if (!members.has(variant)) extra.add(variant);
  const sorted = [...extra].sort((a, b) => a - b);
  let text = '';
  for (let k = 0; k < sorted.length; ) {
    let last = k;
    while (last + 1 < sorted.length && sorted[last + 1] === sorted[last]! + 1) last++;
    text += last > k ? `${escapeUnit(sorted[k]!)}-${escapeUnit(sorted[last]!)}` : escapeUnit(sorted[k]!);
    k = last + 1;
  }
  return { end, extra: text };
}

function render(tokens: readonly Token[], fold: boolean): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'inline-i') continue;
    if (fold && t.kind === 'char') {
      const variants = caseVariants(t.code);
      out += variants.length === 0 ? t.text : `[${escapeUnit(t.code)}${variants.map(escapeUnit).join('')}]`;
    } else if (fold && t.kind === 'class') {
      const { extra } = readClass(t.text, 0, true);
      out += extra === '' ? t.text : `${t.text.slice(0, -1)}${extra}]`;
    } else {
      out += t.text;
    }
  }
  return out;
}

// The first repeated group holding a repetition or an alternative (`(a+)+`, `(a|ab)*`), as a span of the pattern.
function nestedRepetition(tokens: readonly Token[]): { start: number; length: number } | null {
  const open: { start: number; risky: boolean }[] = [];
  let closed: { start: number; end: number; risky: boolean } | null = null;
  for (const t of tokens) {
    if (t.kind === 'quantifier') {
      if (closed?.risky) return { start: closed.start, length: closed.end - closed.start };
      if (open.length > 0) open[open.length - 1]!.risky = true;
    } else if (t.kind === 'alt') {
      if (open.length > 0) open[open.length - 1]!.risky = true;
    }
    closed = null;
    if (t.kind === 'group' || t.kind === 'lookaround') open.push({ start: t.start, risky: false });
    else if (t.kind === 'close') {
      const group = open.pop();
      if (group !== undefined) {
        closed = { start: group.start, end: t.start + 1, risky: group.risky };
        if (group.risky && open.length > 0) open[open.length - 1]!.risky = true;
      }
    }
  }
  return null;
}

let variantTable: Map<number, number[]> | null = null;

/**
 * The other code units that match `code` under the `i` flag without `u`: those with the same Canonicalize
 * value (ECMA-262 22.2.2.7.3: toUpperCase when that gives one code unit, and not non-ASCII to ASCII).
 */
function caseVariants(code: number): readonly number[] {
  // No non-ASCII unit canonicalizes to ASCII, so an ASCII letter has exactly its other case.
  if (code < 128) {
    if (code >= 65 && code <= 90) return [code + 32];
    if (code >= 97 && code <= 122) return [code - 32];
    return [];
  }
  // Beyond ASCII, every unit's canonical value is needed once (about 0.1-0.5 s, then cached).
  if (variantTable === null) {
    const byCanonical = new Map<number, number[]>();
    for (let unit = 128; unit < 0x10000; unit++) {
      if (unit >= 0xd800 && unit <= 0xdfff) continue;
      const canonical = canonicalize(unit);
      if (canonical === unit && !byCanonical.has(unit)) continue;
      const list = byCanonical.get(canonical);
      if (list === undefined) byCanonical.set(canonical, canonical === unit ? [unit] : [canonical, unit]);
      else if (!list.includes(unit)) list.push(unit);
    }
    variantTable = new Map();
    for (const list of byCanonical.values()) {
      for (const unit of list)
        variantTable.set(
          unit,
          list.filter((other) => other !== unit),
        );
    }
  }
  return variantTable.get(code) ?? [];
}

function canonicalize(unit: number): number {
  const upper = String.fromCharCode(unit).toUpperCase();
  if (upper.length !== 1) return unit;
  const result = upper.charCodeAt(0);
  return unit >= 128 && result < 128 ? unit : result;
}

function escapeUnit(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
