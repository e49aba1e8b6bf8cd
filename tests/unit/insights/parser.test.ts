import { describe, expect, test } from 'vitest';
import type { Expr } from '../../../harness/insights/ast.js';
import { periodUnit } from '../../../harness/insights/lexer.js';
import { parseQuery } from '../../../harness/insights/parser.js';
import { printQuery } from '../../../harness/insights/printer.js';
import { QuerySyntaxError } from '../../../harness/insights/query-error.js';

// Drops positions and source text so trees can be compared structurally.
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(
          ([key]) => key !== 'span' && key !== 'text' && key !== 'quoted' && !(key === 'source' && 'commands' in value),
        )
        .map(([key, v]) => [key, shape(v)]),
    );
  }
  return value;
}

function filterExpr(query: string): Expr {
  const command = parseQuery(query).commands[0];
  if (command!.kind !== 'filter') throw new Error('not a filter');
  return command!.expr;
}

describe('parsing', () => {
  test('splits a pipeline into commands', () => {
    const query = parseQuery('fields a, b as c | filter a > 1 | stats count(*) by bin(5m) | sort c desc | limit 10');
    expect(query.commands.map((c) => c.kind)).toEqual(['fields', 'filter', 'stats', 'sort', 'limit']);
  });

  test('and binds tighter than or, not looser than comparisons', () => {
    expect(shape(filterExpr('filter not a = 1 or b = 2 and c = 3'))).toEqual(
      shape(filterExpr('filter (not (a = 1)) or ((b = 2) and (c = 3))')),
    );
  });

  test('^ groups to the right and binds tighter than * and unary minus', () => {
    expect(shape(filterExpr('filter x = 2 ^ 3 ^ 2 * -4'))).toEqual(
      shape(filterExpr('filter x = (2 ^ (3 ^ 2)) * (-4)')),
    );
  });

  test('reads like, =~, not like, in and not in', () => {
    const expr = filterExpr('filter a like "x" and b =~ /y/i and c not like /z/ and d in [1, "2"] and e not in []');
    const kinds: string[] = [];
    const walk = (e: Expr) => {
      if (e.kind === 'binary') {
        walk(e.left);
        walk(e.right);
      } else
        kinds.push(
          e.kind === 'match'
            ? `${e.negated ? 'not ' : ''}${e.op}:${e.pattern.kind}`
            : `${e.kind}${'negated' in e && e.negated ? ' not' : ''}`,
        );
    };
    walk(expr);
    expect(kinds).toEqual(['like:string', '=~:regex', 'not like:regex', 'in', 'in not']);
  });

  test('keeps a regex slash escaped with a backslash inside the pattern', () => {
    const expr = filterExpr('filter @message like /a\\/b[/]c/');
    expect(expr.kind === 'match' && expr.pattern.kind === 'regex' && expr.pattern.source).toBe('a/b[/]c');
  });

  test('names an unaliased projection by its text as written', () => {
    const command = parseQuery('stats   avg( @duration ) ,count(*)').commands[0];
    expect(command!.kind === 'stats' && command!.items.map((i) => i.text)).toEqual(['avg( @duration )', 'count(*)']);
  });

  test.each([
    ['ms', 'ms'],
    ['msecs', 'ms'],
    ['sec', 's'],
    ['mins', 'm'],
    ['hrs', 'h'],
    ['days', 'd'],
    ['mo', 'mo'],
    ['qtr', 'q'],
    ['years', 'y'],
  ])('the time unit %s means %s (CWL_QuerySyntax-Stats)', (suffix, unit) => {
    expect(periodUnit(suffix)).toBe(unit);
  });

  test('rejects a plural on a one-letter unit', () => {
    expect(periodUnit('hs')).toBeUndefined();
  });

  test('a syntax error carries the line and column of the problem', () => {
    const error = (() => {
      try {
        parseQuery('fields a\n  | filter (b > 1');
      } catch (e) {
        return e;
      }
    })() as QuerySyntaxError;
    expect(error).toBeInstanceOf(QuerySyntaxError);
    expect([error.line, error.column]).toEqual([2, 18]);
    expect(error.problem).toBe("expected ')' to close '(', found the end of the query");
  });
});

describe('printing', () => {
  test('prints the canonical form with only the parentheses the tree needs', () => {
    const query = parseQuery(
      "FIELDS `a-b` AS x , (1 + 2) * 3 | FILTER (a = 1 or b = 2) and not c | SORT x DESC | parse @message 'k=*' as `v w`",
    );
    expect(printQuery(query)).toBe(
      'fields `a-b` as x, (1 + 2) * 3 | filter (a = 1 or b = 2) and not c | sort x desc | parse @message "k=*" as `v w`',
    );
  });

  test('printing then parsing gives the same tree', () => {
    const query = parseQuery(
      'filter @type = "REPORT" and @message not like /Init \\/ Duration/ | parse /(?<a>\\d+)/ | stats pct(@duration, 99) as p, count(*) by bin(1m), `x y` | sort p | dedup a | limit 5',
    );
    expect(shape(parseQuery(printQuery(query)))).toEqual(shape(query));
  });
});
