import type { Command, Expr, Projection, Query } from './ast.js';

// Binding strength of each operator: higher binds tighter. Used to print the fewest parentheses that
// keep the tree the same when parsed again.
const PRECEDENCE: Record<string, number> = {
  or: 1,
  and: 2,
  not: 3,
  '=': 4,
  '!=': 4,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  like: 4,
  '=~': 4,
  in: 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
  '^': 7,
  neg: 8,
};

/** Prints a query in canonical form, one command per ` | `; `parseQuery(printQuery(q))` gives the same tree. */
export function printQuery(query: Query): string {
  return query.commands.map(printCommand).join(' | ');
}

/** Prints one command. */
export function printCommand(command: Command): string {
  switch (command.kind) {
    case 'fields':
    case 'display':
      return `${command.kind} ${command.items.map(printProjection).join(', ')}`;
    case 'filter':
      return `${command.index ? 'filterIndex' : 'filter'} ${printExpr(command.expr)}`;
    case 'stats': {
      const by = command.by.length > 0 ? ` by ${command.by.map(printProjection).join(', ')}` : '';
      return `stats ${command.items.map(printProjection).join(', ')}${by}`;
    }
    // `sort by k` parses to the tree of `sort k`; the canonical form leaves the `by` out.
    case 'sort':
      return `sort ${command.keys.map((key) => `${printExpr(key.expr)}${key.explicitOrder ? ` ${key.order}` : ''}`).join(', ')}`;
    case 'limit':
      return `limit ${command.count}`;
    case 'parse': {
      const field = command.field ? `${printField(command.field.name)} ` : '';
      const aliases =
        command.aliases.length > 0 ? ` as ${command.aliases.map((a) => printField(a.name)).join(', ')}` : '';
      return `parse ${field}${printExpr(command.pattern)}${aliases}`;
    }
    case 'dedup':
      return `dedup ${command.fields.map((f) => printField(f.name)).join(', ')}`;
    case 'pattern':
      return `pattern ${printExpr(command.expr)}`;
    case 'unnest':
      return `unnest ${printField(command.field.name)} into ${printField(command.into.name)}`;
    case 'source': {
      if (command.names) return `SOURCE ${command.names.map(printString).join(', ')}`;
      const lists: [string, readonly string[] | null][] = [
        ['namePrefix', command.namePrefixes],
        ['class', command.classes],
        ['accountIdentifiers', command.accountIdentifiers],
      ];
      const args = lists
        .filter(([, values]) => values !== null)
        .map(([key, values]) => `${key}: [${values!.map(printString).join(', ')}]`);
      return `SOURCE logGroups(${args.join(', ')})`;
    }
  }
}

function printProjection(item: Projection): string {
  return item.alias ? `${printExpr(item.expr)} as ${printField(item.alias.name)}` : printExpr(item.expr);
}

const PLAIN_FIELD = /^[A-Za-z_@][A-Za-z0-9_@.]*$/;
const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc']);

/** A field name as the lexer reads it back: plain when it can be, else in backticks. */
export function printField(name: string): string {
  return PLAIN_FIELD.test(name) && !KEYWORDS.has(name.toLowerCase()) ? name : `\`${name}\``;
}

/** A string literal in double quotes, escaping what the lexer unescapes. */
export function printString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r')}"`;
}

/** Prints an expression with just the parentheses its structure needs. */
export function printExpr(expr: Expr, parent = 0): string {
  switch (expr.kind) {
    case 'number':
      return expr.raw;
    case 'string':
      return printString(expr.value);
    case 'period':
      return expr.raw;
    case 'regex':
      return `/${expr.source.replace(/\//g, '\\/')}/${expr.flags}`;
    case 'field':
      return printField(expr.name);
    case 'star':
      return '*';
    case 'call':
      return `${expr.rawName}(${expr.args.map((a) => printExpr(a)).join(', ')})`;
    case 'unary': {
      const own = expr.op === 'not' ? PRECEDENCE.not! : PRECEDENCE.neg!;
      const text = expr.op === 'not' ? `not ${printExpr(expr.operand, own)}` : `-${printExpr(expr.operand, own)}`;
      return wrap(text, own, parent);
    }
    case 'binary': {
      const own = PRECEDENCE[expr.op]!;
      // Left-associative operators need parentheses on a right operand of equal strength; `^` the other way round.
      const rightAssoc = expr.op === '^';
      const comparison = own === PRECEDENCE['='];
      const left = printExpr(expr.left, rightAssoc || comparison ? own + 1 : own);
      const right = printExpr(expr.right, rightAssoc ? own : own + 1);
      return wrap(`${left} ${expr.op} ${right}`, own, parent);
    }
    case 'match': {
      const own = PRECEDENCE.like!;
      const op = expr.op === '=~' ? '=~' : expr.negated ? 'not like' : 'like';
      return wrap(`${printExpr(expr.subject, own + 1)} ${op} ${printExpr(expr.pattern)}`, own, parent);
    }
    case 'in': {
      const own = PRECEDENCE.in!;
      const op = expr.negated ? 'not in' : 'in';
      if (expr.subquery)
        return wrap(`${printExpr(expr.subject, own + 1)} ${op} (${printQuery(expr.subquery)})`, own, parent);
      const items = expr.items.map((i) => printExpr(i)).join(', ');
      return wrap(`${printExpr(expr.subject, own + 1)} ${expr.negated ? 'not in' : 'in'} [${items}]`, own, parent);
    }
  }
}

function wrap(text: string, own: number, parent: number): string {
  return own < parent ? `(${text})` : text;
}
