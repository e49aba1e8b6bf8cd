import { describe, expect, test } from 'vitest';
import { globMatcher } from '../../../harness/insights/compile.js';
import { type LocatedEvent, queryEvents } from '../../../harness/insights/engine.js';
import { MAX_EXPRESSION_DEPTH, parseQuery } from '../../../harness/insights/parser.js';
import { QuerySyntaxError } from '../../../harness/insights/query-error.js';

// Inputs that must not hang or crash the engine (issue 13).

const T0 = Date.UTC(2024, 4, 1);

function run(queryString: string, messages: readonly string[]) {
  const events: LocatedEvent[] = messages.map((message, i) => ({
    logGroupName: '/aws/lambda/patho',
    logStreamName: 's',
    timestamp: T0 + i,
    ingestionTime: T0 + i,
    message,
  }));
  return queryEvents({ queryString, events, startTimeMs: T0, endTimeMs: T0 + 60_000 });
}

function syntaxError(query: string): QuerySyntaxError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error('the query parsed');
}

describe('parse glob patterns on adversarial lines', () => {
  test('"*a*a*a*b" on 400 a\'s: no match, quickly; with a b at the end: the lazy captures', () => {
    const started = Date.now();
    const noB = run('parse @message "*a*a*a*b" as w, x, y, z | fields w, x, y, z', ['a'.repeat(400)]);
    const withB = run('parse @message "*a*a*a*b" as w, x, y, z | fields w, x, y, z', [`${'a'.repeat(400)}b`]);
    expect(noB.rows).toHaveLength(1);
    expect(noB.rows[0]!.z).toBeUndefined();
    expect(withB.rows[0]).toMatchObject({ w: '', x: '', y: '', z: 'a'.repeat(397) });
    // Backstop only: the old backtracking regular expression took about 50 s here.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('the matcher does one search per literal: a megabyte line with ten stars', () => {
    const text = 'a'.repeat(1_000_000);
    let searches = 0;
    // Count the work through a string whose indexOf is instrumented; the result does not depend on it.
    const counting = {
      length: text.length,
      indexOf: (needle: string, from?: number) => {
        searches++;
        return text.indexOf(needle, from);
      },
      slice: (start?: number, end?: number) => text.slice(start, end),
    } as unknown as string;
    expect(globMatcher('*a*a*a*a*a*a*a*a*a*b')(counting)).toBeNull();
    expect(searches).toBeLessThanOrEqual(11);
    const captures = globMatcher('*a*a*a*a*a*a*a*a*a*')(text);
    expect(captures).toEqual([...Array(9).fill(''), 'a'.repeat(1_000_000 - 9)]);
  });

  test('a trailing * takes the rest of the line, an inner one as little as it can, the match may start anywhere', () => {
    expect(globMatcher('x=* y=*')('pre x=1 y=2 y=3')).toEqual(['1', '2 y=3']);
    expect(globMatcher('[*] *:')('2024 [ERROR] a: b: c')).toEqual(['ERROR', 'a']);
    expect(globMatcher('a*b')('aaa')).toBeNull();
  });
});

describe('deeply nested expressions', () => {
  const deep: [string, string][] = [
    ['parentheses', `fields ${'('.repeat(5000)}1${')'.repeat(5000)}`],
    ['parentheses in a filter', `filter ${'('.repeat(5000)}x = 1${')'.repeat(5000)}`],
    ['not not not ...', `filter ${'not '.repeat(5000)}x`],
    ['unary minus', `fields ${'- '.repeat(5000)}1`],
    ['a chain of ^', `fields ${'2 ^ '.repeat(5000)}2`],
    ['a chain of +', `fields ${'1 + '.repeat(5000)}1`],
    ['a chain of and', `filter ${'x and '.repeat(5000)}x`],
    ['nested calls', `fields ${'abs('.repeat(5000)}1${')'.repeat(5000)}`],
  ];
  test.each(deep)('%s: MalformedQuery with a position, not a stack overflow', (_name, query) => {
    const error = syntaxError(query);
    expect(error.code).toBe('MalformedQuery');
    expect(error.problem).toBe(`expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels; simplify the query`);
    expect(error.line).toBe(1);
    expect(error.column).toBeGreaterThan(1);
    expect(error.message).toMatch(/^line 1, column \d+: expression nested deeper than/);
  });

  test('the position is on the next line of a multi-line query', () => {
    const error = syntaxError(`fields a\n| filter ${'('.repeat(300)}1${')'.repeat(300)}`);
    expect(error.line).toBe(2);
  });

  test('expressions just within the limit parse, compile and evaluate', () => {
    const n = 60;
    const result = run(
      [
        `fields ${'('.repeat(n)}1${')'.repeat(n)} as p`,
        `| fields ${'- '.repeat(n)}1 as m`,
        `| fields ${'1 + '.repeat(n)}1 as s`,
        `| filter ${'not '.repeat(n)}(1 = 1)`,
      ].join(' '),
      ['x'],
    );
    expect(result.rows).toEqual([expect.objectContaining({ p: '1', m: '1', s: String(n + 1) })]);
    const limit = MAX_EXPRESSION_DEPTH - 1;
    expect(() => parseQuery(`fields ${'1 + '.repeat(limit)}1`)).not.toThrow();
    expect(() => parseQuery(`fields ${'- '.repeat(limit - 1)}1`)).not.toThrow();
  });
});
