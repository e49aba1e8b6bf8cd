import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type LocatedEvent, queryEvents } from '../../../harness/insights/engine.js';
import { QuerySyntaxError } from '../../../harness/insights/query-error.js';
import { userRegex } from '../../../harness/insights/regex.js';

// Every query, adversarial regular expressions and globs included, costs time linear in the size of its events
// (docs/insights-limits.md#regular-expressions). The budget is a ratio to calibration runs in the same test, so
// that it holds on a loaded 2-core machine: a plain scan of the events, and the same query on a quarter of
// them (V8's linear-time engine is linear, but its cost per character grows with the pattern's size, which a
// plain scan does not show). Only a super-linear blow-up breaks it.

const T0 = Date.UTC(2024, 4, 1);
/** Per-query budget: this many calibrated runs (scaled to the same input), plus a constant for compiling and jitter. */
const SCAN_MULTIPLE = 50;
const CONSTANT_MS = 200;

// Regular expressions built from atoms that overlap ('a', \w, ., [ab]) under nested quantifiers and
// alternatives: the shapes that backtrack exponentially on a backtracking engine.
const atom = fc.constantFrom('a', 'b', 'x', '\\w', '\\s', '.', '[ab]', '[^b]', '\\d');
const { regex: regexBody } = fc.letrec<{ regex: string; term: string }>((tie) => ({
  regex: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('term'),
    fc.tuple(tie('term'), tie('regex')).map(([a, b]) => a + b),
    fc.tuple(tie('term'), tie('term')).map(([a, b]) => `(?:${a}|${b})`),
  ),
  term: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('regex'), fc.constantFrom('+', '*', '?', '{2}', '{1,3}', '{12}', '+?')).map(([r, q]) => `(${r})${q}`),
    fc.tuple(atom, fc.constantFrom('+', '*', '{1,40}')).map(([a, q]) => a + q),
  ),
}));
const regexPattern = fc
  .tuple(fc.boolean(), regexBody, fc.boolean(), fc.constantFrom('', '(?i)'))
  .map(([start, body, end, inline]) => `${inline}${start ? '^' : ''}${body}${end ? '$' : ''}`);

// Globs with many `*` between short, overlapping literals.
const globPattern = fc
  .array(fc.constantFrom('a', 'b', 'ab', 'aa', ' '), { minLength: 1, maxLength: 12 })
  .map((literals) => literals.join('*'));

const query = fc.oneof(
  regexPattern.map((r) => `filter @message like /${r}/ | stats count(*) as n`),
  regexPattern.map((r) => `filter @message =~ /${r}/ | fields @message`),
  regexPattern.map((r) => `parse @message /(?<g>${r})/ | stats count(g) as n`),
  globPattern.map((g) => {
    const names = g
      .split('*')
      .slice(1)
      .map((_, i) => `c${i}`);
    return names.length === 0 ? `filter @message like "${g}"` : `parse @message "${g}" as ${names.join(', ')}`;
  }),
);

// Messages of bounded size: long runs of what the atoms match, ended by a character that makes them fail.
const message = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('a', 'ab', 'a ', 'aa1', 'x'),
      fc.integer({ min: 0, max: 200 }),
      fc.constantFrom('', 'b', '!', ' ', 'y'),
    )
    .map(([unit, n, tail]) => unit.repeat(n) + tail),
  fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'x', '1', '='), maxLength: 600 }),
);
const messages = fc.array(message, { minLength: 1, maxLength: 6 });
/** How much larger the measured input is than the one the query itself is calibrated on. */
const SCALE = 4;

function toEvents(texts: readonly string[]): LocatedEvent[] {
  return texts.map((text, i) => ({
    logGroupName: '/aws/lambda/timing',
    logStreamName: 's',
    timestamp: T0 + i,
    ingestionTime: T0 + i,
    message: text,
  }));
}

function run(queryString: string, events: readonly LocatedEvent[]): void {
  try {
    queryEvents({ queryString, events, startTimeMs: T0, endTimeMs: T0 + 60_000 });
  } catch (error) {
    // A pattern the local engine refuses (or the generator got wrong) is a MalformedQuery, at once.
    if (!(error instanceof QuerySyntaxError)) throw error;
  }
}

/** Milliseconds of `queryString` over `events`: the fastest of `times` runs. */
function fastest(times: number, queryString: string, events: readonly LocatedEvent[]): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    run(queryString, events);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('query cost', () => {
  test('each generated query finishes within a multiple of calibrated runs over the same events', () => {
    fc.assert(
      fc.property(query, messages, (queryString, texts) => {
        // Prepare: the events, and each message repeated SCALE times for the measured run.
        const small = toEvents(texts);
        const large = toEvents(texts.map((t) => t.repeat(SCALE)));
        const scanMs = fastest(3, 'filter @message =~ /^[\\s\\S]*$/ | stats count(*) as n', large);
        const perQuarterMs = fastest(2, queryString, small);
        const budgetMs = SCAN_MULTIPLE * (scanMs + SCALE * perQuarterMs) + CONSTANT_MS;

        // Act
        const elapsedMs = fastest(1, queryString, large);

        // Assess
        expect(elapsedMs, queryString).toBeLessThan(budgetMs);
      }),
      { numRuns: 300 },
    );
  });
});

describe('case folding', () => {
  test('a case-insensitive pattern spelt out for the linear engine matches exactly as the i flag does', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'A', 'b', 'B', 'x', 'X', ' ', '1', 'é', 'É'), maxLength: 30 });
    const pattern = fc
      .array(fc.constantFrom('a', 'B', 'x', '[a-b]', '[^A]', '\\w', 'é', '(?:a|X)', '\\x41', '[A-Z]', '.', '\\d'), {
        minLength: 1,
        maxLength: 6,
      })
      .chain((parts) =>
        fc.tuple(
          fc.constant(parts),
          fc.array(fc.constantFrom('', '+', '*', '?'), { minLength: parts.length, maxLength: parts.length }),
        ),
      )
      .map(([parts, quantifiers]) => parts.map((p, i) => p + quantifiers[i]).join(''));
    fc.assert(
      fc.property(pattern, fc.array(text, { maxLength: 10 }), (source, texts) => {
        const folded = userRegex(source, 'i');
        const native = new RegExp(source, 'i');
        for (const t of texts) expect(folded.exec(t)?.[0], `${source} on ${t}`).toBe(native.exec(t)?.[0]);
      }),
      { numRuns: 200 },
    );
  });
});
