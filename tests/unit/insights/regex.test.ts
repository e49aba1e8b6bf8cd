import { describe, expect, test } from 'vitest';
import { compileQuery } from '../../../harness/insights/compile.js';
import { type LocatedEvent, queryEvents } from '../../../harness/insights/engine.js';
import { parseQuery } from '../../../harness/insights/parser.js';
import { QuerySyntaxError } from '../../../harness/insights/query-error.js';
import { canRunLinear, userRegex } from '../../../harness/insights/regex.js';

// User regular expressions that backtrack catastrophically on a backtracking engine (docs/insights-limits.md#regular-expressions):
// they must finish with the right answer. Timing is only checked against a calibrated scan of the same input.

const T0 = Date.UTC(2024, 4, 1);

function run(queryString: string, messages: readonly string[]) {
  const events: LocatedEvent[] = messages.map((message, i) => ({
    logGroupName: '/aws/lambda/regex',
    logStreamName: 's',
    timestamp: T0 + i,
    ingestionTime: T0 + i,
    message,
  }));
  const result = queryEvents({ queryString, events, startTimeMs: T0, endTimeMs: T0 + 60_000 });
  // Without @ptr, which the assertions do not look at.
  return { ...result, rows: result.rows.map(({ '@ptr': _ptr, ...row }) => row) };
}

function compileError(query: string): QuerySyntaxError {
  try {
    compileQuery(parseQuery(query));
  } catch (error) {
    if (error instanceof QuerySyntaxError) return error;
    throw error;
  }
  throw new Error('the query compiled');
}

// Milliseconds of `fn`, the fastest of `times` runs.
function fastest(times: number, fn: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const A = (n: number) => 'a'.repeat(n);
const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 10}`).join(' ');

// [name, query, messages, the values of column `m` in order]: matching lines keep their index as `m`.
const catastrophic: [string, string, string[], string[]][] = [
  [
    '(a+)+$ on 1-10 KB of a followed by b',
    'filter @message =~ /^(a+)+$/ | sort @timestamp asc | fields strlen(@message) as m',
    [`${A(1_000)}b`, `${A(10_000)}b`, A(5_000), `${A(3_000)}!`],
    ['5000'],
  ],
  [
    '(?i)(a+)+$ case-insensitive, on mixed case',
    'filter @message like /(?i)^(a+)+$/ | sort @timestamp asc | fields strlen(@message) as m',
    [`${'aA'.repeat(2_000)}b`, 'aA'.repeat(2_000), A(8_000)],
    ['4000', '8000'],
  ],
  [
    '(\\w+\\s?)*$ on words ending in punctuation',
    'filter @message =~ /^(\\w+\\s?)*$/ | sort @timestamp asc | fields strlen(@message) as m',
    [`${words(1_000)}!`, words(200), `${A(5_000)}!`],
    [String(words(200).length)],
  ],
  [
    '(.*a){12} on 10 KB without enough a',
    'filter @message like /(.*a){12}x/ | sort @timestamp asc | fields strlen(@message) as m',
    [`${'ab'.repeat(5_000)}`, `${'b'.repeat(9_000)}${A(11)}x`, `${A(12)}x`],
    ['13'],
  ],
  [
    '(a|aa)+$ on a run of a and a b',
    'filter @message =~ /^(a|aa)+$/ | sort @timestamp asc | fields strlen(@message) as m',
    [`${A(6_000)}b`, A(6_000)],
    ['6000'],
  ],
  [
    '(x+x+)+y on 10 KB of x',
    'filter @message =~ /(x+x+)+y/ | sort @timestamp asc | fields strlen(@message) as m',
    ['x'.repeat(10_000), `${'x'.repeat(10_000)}y`],
    ['10001'],
  ],
];

describe('catastrophic regular expressions finish with the right answer', () => {
  test.each(catastrophic)('%s', (_name, query, messages, expected) => {
    // Prepare
    const calibration = fastest(3, () => run('fields strlen(@message) as m', messages));

    // Act
    const started = performance.now();
    const result = run(query, messages);
    const elapsedMs = performance.now() - started;

    // Assess
    expect(result.rows.map((r) => r.m)).toEqual(expected);
    // Only a super-linear blow-up breaks this: without the fallback these take minutes to hours. The bound is
    // loose on purpose (a machine busy with other test workers stretches both runs unevenly).
    expect(elapsedMs).toBeLessThan(200 * calibration + 2_000);
  });

  test('parse with nested quantifiers extracts the groups of the leftmost match', () => {
    // Act
    const result = run('parse @message /^(?<head>(a+)+)(?<tail>[bc])$/ | sort @timestamp asc | fields head, tail', [
      `${A(5_000)}c`,
      `${A(5_000)}d`,
    ]);

    // Assess
    expect(result.rows).toEqual([{ head: A(5_000), tail: 'c' }, {}]);
  });

  test('the fallback keeps JS semantics for captures: greedy groups, the last iteration of a repeated group', () => {
    // Prepare: the same pattern on a string that makes V8 fall back to its linear engine, and on a short one.
    const regex = userRegex('^(?<run>(a|b)+)(?<last>(a|b))c?$', '');
    const long = `${'ab'.repeat(3_000)}c`;

    // Act
    const found = regex.exec(long);

    // Assess
    expect(found?.groups).toEqual({ run: long.slice(0, -2), last: 'b' });
  });
});

describe('case-insensitive patterns run on the linear engine', () => {
  test('(?i) and the i flag are spelt out as case variants, names of groups kept', () => {
    // Act
    const regex = userRegex('(?i)user=(?P<user>[a-c]+)', '');

    // Assess
    expect(regex.flags).toBe('');
    expect(regex.exec('USER=aBc')?.groups).toEqual({ user: 'aBc' });
    expect(regex.exec('user=d')).toBeNull();
    expect(canRunLinear(regex.source, regex.flags)).toBe(true);
  });

  test('escapes, negated classes and characters without case fold as the i flag does', () => {
    const cases: [string, string[], string[]][] = [
      ['\\x41\\u0062', ['ab', 'AB', 'aB'], ['ac']],
      ['[^a-c]', ['d', 'D'], ['a', 'A', 'C']],
      ['é+\\.', ['éÉ.'], ['e.']],
      ['\\w\\d-\\s', ['Z1- '], ['Z1-x']],
    ];
    for (const [pattern, matching, other] of cases) {
      const regex = userRegex(pattern, 'i');
      const native = new RegExp(pattern, 'i');
      for (const text of [...matching, ...other])
        expect(regex.test(text), `${pattern} on ${text}`).toBe(native.test(text));
      for (const text of matching) expect(regex.test(text)).toBe(true);
    }
  });
});

describe('patterns the local engine cannot bound', () => {
  const refused: [string, string, string][] = [
    ['a backreference', 'filter @message =~ /(a+)\\1/', '\\1'],
    ['a named backreference', 'parse @message /(?<x>a+)-\\k<x>/', '\\k<x>'],
    ['a lookahead', 'filter @message like /x(?=y)/', '(?='],
    ['a negative lookahead', 'filter @message like /x(?!y)/', '(?!'],
    ['a lookbehind', 'parse @message /(?<=user=)(?<u>\\w+)/', '(?<='],
    ['a negative lookbehind', 'filter @message =~ /(?<!x)y/', '(?<!'],
  ];
  test.each(refused)(
    '%s is a MalformedQuery at its position, saying it is a local limit',
    (_name, query, construct) => {
      // Act
      const error = compileError(query);

      // Assess
      expect(error.code).toBe('MalformedQuery');
      expect(error.line).toBe(1);
      expect(error.column).toBe(query.indexOf(construct) + 1);
      expect(error.problem).toMatch(/is not supported by the local engine, .*\(AWS accepts it\)/);
    },
  );

  test('the position counts an escaped slash in the query as two characters', () => {
    const query = 'filter @message like /a\\/b(?=c)/';
    expect(compileError(query).column).toBe(query.indexOf('(?=') + 1);
  });

  test('a repeated group with a repetition inside is refused when a large {n,m} keeps it off the linear engine', () => {
    // Prepare
    const query = 'filter @message =~ /(\\S{1,64}\\s)+$/';

    // Act
    const error = compileError(query);

    // Assess
    expect(error.column).toBe(query.indexOf('(') + 1);
    expect(error.problem).toMatch(/cannot match the pattern in linear time \(AWS accepts it\)/);
  });

  test('a large {n,m} without nested repetition runs as written', () => {
    // Act
    const result = run('parse @message /id=(?<id>\\S{1,64})/ | sort @timestamp asc | fields id', [
      'id=abc def',
      `id=${'x'.repeat(100)}`,
    ]);

    // Assess
    expect(result.rows).toEqual([{ id: 'abc' }, { id: 'x'.repeat(64) }]);
  });
});
