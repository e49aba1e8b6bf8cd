import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Command, Expr, PeriodUnit, Projection, Query } from '../../../harness/insights/ast.js';
import { parseQuery } from '../../../harness/insights/parser.js';
import { printQuery } from '../../../harness/insights/printer.js';

// parse ∘ print round trip (CONTRIBUTING.md#property-tests): any syntax tree, printed, parses back to the
// same tree. Positions and source text differ by construction and are left out of the comparison.

const NO_SPAN = { start: 0, end: 0 };
const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc']);

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

const identifier = fc.stringMatching(/^[A-Za-z_@][A-Za-z0-9_@.]{0,8}$/).filter((s) => !KEYWORDS.has(s.toLowerCase()));
// Any field name without a backtick or a line break: printed in backticks when it is not a plain identifier.
const fieldName = fc.oneof(identifier, fc.stringMatching(/^[^`\n\r]{1,10}$/));
const field = fieldName.map((name): Expr => ({ kind: 'field', name, quoted: false, span: NO_SPAN }));
const number = fc
  .stringMatching(/^\d{1,4}(\.\d{1,3})?$/)
  .map((raw): Expr => ({ kind: 'number', value: Number(raw), raw, span: NO_SPAN }));
const string = fc
  .string({ maxLength: 12 })
  .map((value): Expr & { kind: 'string' } => ({ kind: 'string', value, span: NO_SPAN }));
const units: PeriodUnit[] = ['ms', 's', 'm', 'h', 'd', 'w', 'mo', 'q', 'y'];
const period = fc
  .record({ amount: fc.integer({ min: 1, max: 90 }), unit: fc.constantFrom(...units) })
  .map(({ amount, unit }): Expr => ({ kind: 'period', amount, unit, raw: `${amount}${unit}`, span: NO_SPAN }));
const regex = fc
  .record({
    source: fc.stringMatching(/^[A-Za-z0-9 .*+?^$|(){}:/-]{0,10}$/),
    flags: fc.subarray(['i', 'm', 's']).map((f) => f.join('')),
  })
  .map(({ source, flags }): Expr & { kind: 'regex' } => ({ kind: 'regex', source, flags, span: NO_SPAN }));
const functionName = fc.constantFrom(
  'abs',
  'concat',
  'count',
  'bin',
  'ispresent',
  'pct',
  'percentile',
  'jsonParse',
  'jsonStringify',
  'coalesce',
  'substr',
  'tomillis',
);

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    field,
    number,
    string,
    fc
      .record({ op: fc.constantFrom('-' as const, 'not' as const), operand: tie('expr') })
      .map((u): Expr => ({ kind: 'unary', ...u, span: NO_SPAN })),
    fc
      .record({
        op: fc.constantFrom('+', '-', '*', '/', '%', '^', '=', '!=', '<', '<=', '>', '>=', 'and', 'or' as const),
        left: tie('expr'),
        right: tie('expr'),
      })
      .map((b): Expr => ({ kind: 'binary', ...(b as { op: '+' }), left: b.left, right: b.right, span: NO_SPAN })),
    fc
      .record({
        op: fc.constantFrom('like' as const, '=~' as const),
        negated: fc.boolean(),
        subject: tie('expr'),
        pattern: fc.oneof(string, regex),
      })
      // `not` only goes with `like` (there is no `not =~`).
      .map((m): Expr => ({ kind: 'match', ...m, negated: m.op === 'like' && m.negated, span: NO_SPAN })),
    fc
      .record({ negated: fc.boolean(), subject: tie('expr'), items: fc.array(tie('expr'), { maxLength: 3 }) })
      .map((i): Expr => ({ kind: 'in', ...i, span: NO_SPAN })),
    // A subquery (CWL_QuerySyntax-Subqueries): SOURCE '<group>' or not, filters, and the column it returns.
    fc
      .record({
        negated: fc.boolean(),
        subject: tie('expr'),
        group: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
        filters: fc.array(tie('expr'), { maxLength: 2 }),
        column: field,
      })
      .map(
        ({ negated, subject, group, filters, column }): Expr => ({
          kind: 'in',
          negated,
          subject,
          items: [],
          subquery: {
            source: '',
            commands: [
              ...(group === null
                ? []
                : [
                    {
                      kind: 'source' as const,
                      names: [group],
                      namePrefixes: null,
                      classes: null,
                      accountIdentifiers: null,
                      span: NO_SPAN,
                    },
                  ]),
              ...filters.map((e) => ({ kind: 'filter' as const, expr: e, span: NO_SPAN })),
              { kind: 'fields' as const, items: [{ expr: column, alias: null, text: '' }], span: NO_SPAN },
            ],
          },
          span: NO_SPAN,
        }),
      ),
    fc
      .record({
        name: functionName,
        args: fc.oneof(
          fc.array(fc.oneof(tie('expr'), period), { maxLength: 3 }),
          fc.constant([{ kind: 'star', span: NO_SPAN } as Expr]),
        ),
      })
      // The tree keeps the name as written (rawName) and lower-cased (name), as the parser does.
      .map(({ name, args }): Expr => ({ kind: 'call', name: name.toLowerCase(), rawName: name, args, span: NO_SPAN })),
  ),
}));

const alias = fieldName.map((name) => ({ name, span: NO_SPAN }));
const projection = fc
  .record({ expr, alias: fc.option(alias, { nil: null }) })
  .map((p): Projection => ({ ...p, text: '' }));
const fieldRef = fieldName.map((name) => ({ kind: 'field' as const, name, quoted: false, span: NO_SPAN }));

const command: fc.Arbitrary<Command> = fc.oneof(
  fc
    .record({
      kind: fc.constantFrom('fields' as const, 'display' as const),
      items: fc.array(projection, { minLength: 1, maxLength: 3 }),
    })
    .map((c) => ({ ...c, span: NO_SPAN })),
  expr.map((e): Command => ({ kind: 'filter', expr: e, span: NO_SPAN })),
  fc
    .record({ items: fc.array(projection, { minLength: 1, maxLength: 3 }), by: fc.array(projection, { maxLength: 2 }) })
    .map((s): Command => ({ kind: 'stats', ...s, span: NO_SPAN })),
  fc
    .array(fc.record({ expr, order: fc.constantFrom('asc' as const, 'desc' as const), explicitOrder: fc.boolean() }), {
      minLength: 1,
      maxLength: 3,
    })
    .map(
      (keys): Command => ({
        kind: 'sort',
        keys: keys.map((k) => (k.explicitOrder ? k : { ...k, order: 'asc' })),
        span: NO_SPAN,
      }),
    ),
  fc.integer({ min: 1, max: 100_000 }).map((count): Command => ({ kind: 'limit', count, span: NO_SPAN })),
  fc
    .record({
      field: fc.option(fieldRef, { nil: null }),
      glob: fc.boolean(),
      pattern: string,
      regex,
      aliases: fc.array(alias, { minLength: 1, maxLength: 3 }),
    })
    .map(
      (p): Command => ({
        kind: 'parse',
        field: p.field,
        pattern: p.glob ? p.pattern : p.regex,
        aliases: p.glob ? p.aliases : [],
        span: NO_SPAN,
      }),
    ),
  fc
    .array(fieldRef, { minLength: 1, maxLength: 3 })
    .map((fields): Command => ({ kind: 'dedup', fields, span: NO_SPAN })),
  // filterIndex: field = value or field in [values] (CWL_QuerySyntax-FilterIndex).
  fc
    .record({
      subject: field,
      values: fc.array(fc.oneof(number, string), { minLength: 1, maxLength: 3 }),
      equals: fc.boolean(),
    })
    .map(
      ({ subject, values, equals }): Command => ({
        kind: 'filter',
        expr: equals
          ? { kind: 'binary', op: '=', left: subject, right: values[0]!, span: NO_SPAN }
          : { kind: 'in', negated: false, subject, items: values, span: NO_SPAN },
        index: true,
        span: NO_SPAN,
      }),
    ),
  fc.record({ field: fieldRef, into: alias }).map((u): Command => ({ kind: 'unnest', ...u, span: NO_SPAN })),
  expr.map((e): Command => ({ kind: 'pattern', expr: e, span: NO_SPAN })),
);

// SOURCE logGroups(...) (CWL_QuerySyntax-Source): only ever the first command.
const stringValues = (max: number) =>
  fc.option(fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: max }), { nil: null });
const source = fc
  .record({
    namePrefixes: stringValues(5),
    classes: fc.option(fc.subarray(['STANDARD', 'INFREQUENT_ACCESS'], { minLength: 1 }), { nil: null }),
    accountIdentifiers: stringValues(3),
  })
  .map((lists): Command => ({ kind: 'source', ...lists, span: NO_SPAN }));

const query = fc
  .record({ first: fc.option(source, { nil: null }), rest: fc.array(command, { minLength: 1, maxLength: 4 }) })
  .map(({ first, rest }): Query => ({ source: '', commands: first === null ? rest : [first, ...rest] }));

describe('parse ∘ print', () => {
  test('printing any query and parsing it back gives the same tree', () => {
    fc.assert(
      fc.property(query, (q) => {
        const text = printQuery(q);
        expect(shape(parseQuery(text))).toEqual(shape(q));
      }),
      { numRuns: 300 },
    );
  });

  test("'sort by k' parses to the tree of 'sort k' (the canonical form leaves the 'by' out)", () => {
    const sortCommand = command.filter((c) => c.kind === 'sort');
    fc.assert(
      fc.property(sortCommand, (c) => {
        const text = printQuery({ source: '', commands: [c] });
        const withBy = text.replace(/^sort /, 'sort by ');
        expect(shape(parseQuery(withBy))).toEqual(shape(parseQuery(text)));
        expect(printQuery(parseQuery(withBy))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  test('printing is stable: print ∘ parse ∘ print = print', () => {
    fc.assert(
      fc.property(query, (q) => {
        const text = printQuery(q);
        expect(printQuery(parseQuery(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });
});
