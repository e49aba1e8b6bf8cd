/**
 * Subqueries (CWL_QuerySyntax-Subqueries, docs/aws-behaviour.md#insights-subqueries): `filter x in ( <query> )`.
 * The engine runs each subquery first, over the same time range and, unless it names its own group with
 * `SOURCE '<group>'`, the same log groups; the values of the column the outer field names become the set the
 * outer filter tests. Nothing here reads the store: the engine passes a runner.
 */
import type { Command, Expr, InList, Query } from './ast.js';
import { QuerySyntaxError } from './query-error.js';
import { Timestamp, toMillis, toNumber, type Value } from './values.js';

/** The values a subquery gave, by the node that holds it. */
export type SubqueryValues = ReadonlyMap<InList, readonly string[]>;

/** Every subquery of the query's commands, innermost first (a subquery may hold one of its own). */
export function subqueriesOf(query: Query): InList[] {
  const found: InList[] = [];
  const visitExpr = (expr: Expr): void => {
    switch (expr.kind) {
      case 'in':
        visitExpr(expr.subject);
        for (const item of expr.items) visitExpr(item);
        if (expr.subquery) {
          for (const command of expr.subquery.commands) visitCommand(command);
          found.push(expr);
        }
        return;
      case 'call':
        for (const arg of expr.args) visitExpr(arg);
        return;
      case 'unary':
        visitExpr(expr.operand);
        return;
      case 'binary':
        visitExpr(expr.left);
        visitExpr(expr.right);
        return;
      case 'match':
        visitExpr(expr.subject);
        return;
      default:
        return;
    }
  };
  const visitCommand = (command: Command): void => {
    if (command.kind === 'filter') visitExpr(command.expr);
  };
  for (const command of query.commands) visitCommand(command);
  return found;
}

/**
 * The column of a subquery's rows that an outer `x in (...)` reads: the outer field's own name. The docs ask
 * that "the subquery must produce fields referenced by the outer query"; a subquery without that column is an
 * error, not an empty set.
 */
export function subqueryColumn(node: InList, columns: readonly string[]): string {
  const subject = node.subject;
  if (subject.kind !== 'field') {
    throw new QuerySyntaxError(
      node.subquery!.source,
      subject.span,
      'the left side of in ( <subquery> ) must be a field the subquery returns, e.g. requestId in (... | fields requestId)',
    );
  }
  if (!columns.includes(subject.name)) {
    throw new QuerySyntaxError(
      node.subquery!.source,
      node.span,
      `the subquery returns ${columns.length > 0 ? columns.map((c) => `'${c}'`).join(', ') : 'no columns'}, not '${subject.name}': end it with fields ${subject.name} (or stats ... by ${subject.name})`,
    );
  }
  return subject.name;
}

/**
 * A test of `value in <the subquery's values>` with the `=` semantics of `in [...]` (values.ts valuesEqual: two
 * strings exactly, otherwise numerically, timestamps by epoch ms), in constant time per row.
 */
export function membership(values: readonly string[]): (value: Value) => boolean {
  const texts = new Set(values);
  const numbers = new Set<number>();
  const millis = new Set<number>();
  for (const text of values) {
    const n = toNumber(text);
    if (n !== null) numbers.add(n);
    const ms = toMillis(text);
    if (ms !== null) millis.add(ms);
  }
  return (value) => {
    if (value === null) return false;
    if (typeof value === 'string') return texts.has(value);
    if (value instanceof Timestamp) return millis.has(value.ms);
    const n = toNumber(value);
    return n !== null && numbers.has(n);
  };
}
