import type {
  Alias,
  BinaryOp,
  Command,
  Expr,
  FieldRef,
  Projection,
  Query,
  RegexLiteral,
  SortKey,
  StringLiteral,
} from './ast.js';
import { Lexer, type Token } from './lexer.js';
import { offlineCommand, offlineCommandProblem } from './offline-commands.js';
import { QuerySyntaxError, type Span } from './query-error.js';
import { parseSourceCommand } from './source.js';

const COMMANDS = [
  'fields',
  'filter',
  'filterindex',
  'stats',
  'sort',
  'limit',
  'parse',
  'display',
  'dedup',
  'unnest',
  'pattern',
  'source',
] as const;
/** The commands the engine runs, as the docs spell them. */
export const COMMAND_LIST =
  'fields, filter, filterIndex, stats, sort, limit, parse, display, dedup, unnest, pattern or SOURCE';
// Words that end an expression or a list item; a field with one of these names needs backticks.
const RESERVED = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc']);
const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);
/**
 * How deeply expressions may nest: parentheses, `not`, unary minus, `^`, calls and chains of binary operators
 * all count. Deeper queries are rejected with a `MalformedQuery` error instead of overflowing the stack here or
 * in the compiler, the printer and the evaluator, which all recurse over the tree.
 */
export const MAX_EXPRESSION_DEPTH = 200;

/**
 * Parses a Logs Insights query into its syntax tree, or throws `QuerySyntaxError` (code `MalformedQuery`)
 * naming the line, the column and what was expected.
 *
 * @example
 * const query = parseQuery('filter @type = "REPORT" | stats avg(@duration) by bin(1m)');
 */
export function parseQuery(source: string): Query {
  return new Parser(source).query();
}

class Parser {
  private readonly lexer: Lexer;
  // How many nested expression contexts the parser is inside; bounded by MAX_EXPRESSION_DEPTH.
  private depth = 0;

  constructor(private readonly source: string) {
    this.lexer = new Lexer(source);
  }

  /** The whole query; a subquery (`inside` the `(` that opens it) ends at its `)`, which is left to the caller. */
  query(inside?: Token): Query {
    const commands: Command[] = [];
    const end = (token: Token) => (inside ? isPunct(token, ')') : token.type === 'eof');
    if (end(this.lexer.peek()) || this.lexer.peek().type === 'eof') {
      throw this.error(
        this.lexer.peek().span,
        inside
          ? `the subquery is empty: write a query inside the parentheses, e.g. (filter errorType = "Timeout" | fields requestId)`
          : `the query is empty: start with a command (${COMMAND_LIST})`,
      );
    }
    for (;;) {
      const command = this.command(inside !== undefined);
      if (command.kind === 'source' && commands.length > 0) {
        throw this.error(
          { start: command.span.start, end: command.span.start + 6 },
          'SOURCE must be the first command of the query: move it to the start',
        );
      }
      commands.push(command);
      if (end(this.lexer.peek())) break;
      const token = this.lexer.next();
      if (!isPunct(token, '|')) {
        throw this.error(
          token.span,
          inside
            ? `expected '|' or ')' to close the subquery after the ${commands.at(-1)?.kind} command, found ${describe(token)}`
            : `expected '|' or the end of the query after the ${commands.at(-1)?.kind} command, found ${describe(token)}`,
        );
      }
    }
    if (!inside) this.lexer.next(); // the end
    return { source: this.source, commands };
  }

  private command(inSubquery = false): Command {
    const token = this.lexer.next();
    if (token.type !== 'ident') {
      throw this.error(token.span, `expected a command (${COMMAND_LIST}), found ${describe(token)}`);
    }
    const name = token.text.toLowerCase();
    const start = token.span.start;
    switch (name as (typeof COMMANDS)[number]) {
      case 'fields':
      case 'display': {
        const items = this.projections(name);
        return { kind: name as 'fields' | 'display', items, span: this.spanFrom(start) };
      }
      case 'filter': {
        const expr = this.expression(`'filter'`);
        return { kind: 'filter', expr, span: this.spanFrom(start) };
      }
      case 'stats':
        return this.stats(start);
      case 'sort':
        return this.sort(start);
      case 'limit': {
        const count = this.lexer.next();
        if (count.type !== 'number' || !Number.isInteger(count.value)) {
          throw this.error(count.span, `expected a whole number of rows after 'limit', found ${describe(count)}`);
        }
        return { kind: 'limit', count: count.value, span: this.spanFrom(start) };
      }
      case 'parse':
        return this.parse(start);
      case 'dedup': {
        const fields: FieldRef[] = [this.fieldRef(`'dedup'`)];
        while (this.acceptPunct(',')) fields.push(this.fieldRef(`','`));
        return { kind: 'dedup', fields, span: this.spanFrom(start) };
      }
      case 'filterindex':
        return this.filterIndex(token.text, start);
      case 'unnest': {
        const field = this.fieldRef(`'unnest'`);
        const into = this.lexer.next();
        if (!isKeyword(into, 'into')) {
          throw this.error(
            into.span,
            `expected 'into' and a field name after 'unnest ${field.name}', found ${describe(into)}`,
          );
        }
        const alias = this.alias('into');
        return { kind: 'unnest', field, into: alias, span: this.spanFrom(start) };
      }
      case 'pattern': {
        const expr = this.expression(`'${token.text}'`);
        return { kind: 'pattern', expr, span: this.spanFrom(start) };
      }
      case 'source':
        return parseSourceCommand(this.lexer, this.source, start, describe, inSubquery);
      default: {
        const offline = offlineCommand(token.text);
        if (offline) throw this.error(token.span, offlineCommandProblem(offline, token.text));
        throw this.error(token.span, `unknown command '${token.text}': expected ${COMMAND_LIST}`);
      }
    }
  }

  private stats(start: number): Command {
    const items = this.projections('stats', true);
    const by: Projection[] = [];
    if (this.acceptKeyword('by')) {
      by.push(...this.projections('by'));
    }
    return { kind: 'stats', items, by, span: this.spanFrom(start) };
  }

  private sort(start: number): Command {
    const keys: SortKey[] = [];
    // `sort by x` is read as `sort x`: AWS's own published Lambda queries write it (docs/aws-behaviour.md#insights-commands).
    const by = this.acceptKeyword('by');
    do {
      const expr = this.expression(keys.length === 0 ? (by ? `'sort by'` : `'sort'`) : `','`);
      const next = this.lexer.peek();
      let order: 'asc' | 'desc' = 'asc';
      let explicitOrder = false;
      if (next.type === 'ident' && /^(asc|desc)$/i.test(next.text)) {
        this.lexer.next();
        order = next.text.toLowerCase() as 'asc' | 'desc';
        explicitOrder = true;
      }
      keys.push({ expr, order, explicitOrder });
    } while (this.acceptPunct(','));
    return { kind: 'sort', keys, span: this.spanFrom(start) };
  }

  private parse(start: number): Command {
    let field: FieldRef | null = null;
    const first = this.lexer.peek();
    if (first.type === 'ident' || first.type === 'quoted') field = this.fieldRef(`'parse'`);
    let pattern: StringLiteral | RegexLiteral;
    if (this.lexer.atSlash()) {
      const regex = this.lexer.nextRegex();
      pattern = { kind: 'regex', source: regex.source, flags: regex.flags, span: regex.span };
    } else {
      const token = this.lexer.next();
      if (token.type !== 'string') {
        throw this.error(
          token.span,
          `expected a glob pattern in quotes or a /regular expression/ after 'parse${field ? ` ${field.name}` : ''}', found ${describe(token)}`,
        );
      }
      pattern = { kind: 'string', value: token.value, span: token.span };
    }
    const aliases: Alias[] = [];
    if (pattern.kind === 'string') {
      const as = this.lexer.next();
      if (!isKeyword(as, 'as')) {
        throw this.error(
          as.span,
          `expected 'as' and one field name per '*' after the glob pattern, found ${describe(as)}`,
        );
      }
      aliases.push(this.alias());
      while (this.acceptPunct(',')) aliases.push(this.alias());
    } else if (isKeyword(this.lexer.peek(), 'as')) {
      throw this.error(
        this.lexer.peek().span,
        "a regular expression names its fields with named groups like (?<name>...): remove the 'as' list",
      );
    }
    return { kind: 'parse', field, pattern, aliases, span: this.spanFrom(start) };
  }

  /**
   * `filterIndex field = value` or `filterIndex field in [values]` (CWL_QuerySyntax-FilterIndex): the equality
   * forms a field index answers. Anything else is a `filter`.
   */
  private filterIndex(written: string, start: number): Command {
    const expr = this.expression(`'${written}'`);
    const literal = (e: Expr) => e.kind === 'string' || e.kind === 'number';
    const ok =
      (expr.kind === 'binary' && expr.op === '=' && expr.left.kind === 'field' && literal(expr.right)) ||
      (expr.kind === 'in' &&
        !expr.negated &&
        !expr.subquery &&
        expr.subject.kind === 'field' &&
        expr.items.every(literal));
    if (!ok) {
      throw this.error(
        expr.span,
        `${written} takes an indexed field compared with '=' or 'in', e.g. ${written} requestId = "abc" or ${written} requestId in ["a", "b"]: write other conditions with filter`,
      );
    }
    return { kind: 'filter', expr, index: true, span: this.spanFrom(start) };
  }

  private projections(after: string, allowStar = false): Projection[] {
    const items: Projection[] = [];
    do {
      const exprStart = this.lexer.peek().span.start;
      const expr = this.expression(items.length === 0 ? `'${after}'` : `','`, allowStar);
      const text = this.source.slice(exprStart, expr.span.end).trim();
      const alias = this.acceptKeyword('as') ? this.alias() : null;
      items.push({ expr, alias, text });
    } while (this.acceptPunct(','));
    return items;
  }

  private alias(after = 'as'): Alias {
    const token = this.lexer.next();
    if (token.type === 'quoted') return { name: token.text, span: token.span };
    if (token.type === 'ident' && !RESERVED.has(token.text.toLowerCase()))
      return { name: token.text, span: token.span };
    throw this.error(token.span, `expected a field name after '${after}', found ${describe(token)}`);
  }

  private fieldRef(after: string): FieldRef {
    const token = this.lexer.next();
    if (token.type === 'quoted') return { kind: 'field', name: token.text, quoted: true, span: token.span };
    if (token.type === 'ident' && !RESERVED.has(token.text.toLowerCase())) {
      return { kind: 'field', name: token.text, quoted: false, span: token.span };
    }
    throw this.error(token.span, `expected a field name after ${after}, found ${describe(token)}`);
  }

  // expr := or ; or := and ('or' and)* ; and := not ('and' not)* ; not := 'not' not | comparison
  private expression(after: string, allowStar = false): Expr {
    const first = this.lexer.peek();
    if (first.type === 'eof' || isPunct(first, '|') || isPunct(first, ',') || isPunct(first, ')')) {
      throw this.error(first.span, `expected an expression after ${after}, found ${describe(first)}`);
    }
    const outermost = this.depth === 0;
    const expr = this.nested(first.span, () => this.or(allowStar));
    // Left-associative chains (a + b + c ...) grow the tree without recursing here: measure it once, from the top.
    if (outermost) this.checkDepth(expr);
    return expr;
  }

  // Runs `parse` one nesting level deeper, or rejects the query if that is too deep.
  private nested<T>(span: Span, parse: () => T): T {
    if (this.depth >= MAX_EXPRESSION_DEPTH) throw this.tooDeep(span);
    this.depth++;
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  // Rejects a tree deeper than MAX_EXPRESSION_DEPTH, pointing at the first node past the limit. Iterative.
  private checkDepth(root: Expr): void {
    const stack: [Expr, number][] = [[root, 1]];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      const [expr, depth] = top;
      if (depth > MAX_EXPRESSION_DEPTH) throw this.tooDeep(expr.span);
      for (const child of children(expr)) stack.push([child, depth + 1]);
    }
  }

  private tooDeep(span: Span): QuerySyntaxError {
    return this.error(
      { start: span.start, end: Math.min(span.end, span.start + 1) },
      `expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels; simplify the query`,
    );
  }

  private or(allowStar: boolean): Expr {
    let left = this.and(allowStar);
    while (this.acceptKeyword('or')) {
      const right = this.operand('or', () => this.and(allowStar));
      left = { kind: 'binary', op: 'or', left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private and(allowStar: boolean): Expr {
    let left = this.not(allowStar);
    while (this.acceptKeyword('and')) {
      const right = this.operand('and', () => this.not(allowStar));
      left = { kind: 'binary', op: 'and', left, right, span: join(left.span, right.span) };
    }
    return left;
  }

  private not(allowStar: boolean): Expr {
    const token = this.lexer.peek();
    if (isKeyword(token, 'not')) {
      this.lexer.next();
      const operand = this.operand('not', () => this.nested(token.span, () => this.not(allowStar)));
      return { kind: 'unary', op: 'not', operand, span: join(token.span, operand.span) };
    }
    return this.comparison(allowStar);
  }

  private comparison(allowStar: boolean): Expr {
    const left = this.additive(allowStar);
    const token = this.lexer.peek();
    let result: Expr = left;
    if (token.type === 'punct' && COMPARISONS.has(token.text)) {
      this.lexer.next();
      const right = this.operand(token.text, () => this.additive(false));
      result = { kind: 'binary', op: token.text as BinaryOp, left, right, span: join(left.span, right.span) };
    } else if (isPunct(token, '=~')) {
      this.lexer.next();
      const pattern = this.matchPattern('=~');
      result = { kind: 'match', op: '=~', negated: false, subject: left, pattern, span: join(left.span, pattern.span) };
    } else if (isKeyword(token, 'like')) {
      this.lexer.next();
      const pattern = this.matchPattern('like');
      result = {
        kind: 'match',
        op: 'like',
        negated: false,
        subject: left,
        pattern,
        span: join(left.span, pattern.span),
      };
    } else if (isKeyword(token, 'in')) {
      this.lexer.next();
      result = this.inList(left, false);
    } else if (isKeyword(token, 'not')) {
      this.lexer.next();
      const after = this.lexer.next();
      if (isKeyword(after, 'like')) {
        const pattern = this.matchPattern('not like');
        result = {
          kind: 'match',
          op: 'like',
          negated: true,
          subject: left,
          pattern,
          span: join(left.span, pattern.span),
        };
      } else if (isKeyword(after, 'in')) {
        result = this.inList(left, true);
      } else {
        throw this.error(after.span, `expected 'like' or 'in' after 'not', found ${describe(after)}`);
      }
    }
    const next = this.lexer.peek();
    if (result !== left && next.type === 'punct' && (COMPARISONS.has(next.text) || next.text === '=~')) {
      throw this.error(next.span, `comparisons cannot be chained: combine them with 'and', e.g. a > 1 and a < 5`);
    }
    return result;
  }

  private matchPattern(after: string): StringLiteral | RegexLiteral {
    if (this.lexer.atSlash()) {
      const regex = this.lexer.nextRegex();
      return { kind: 'regex', source: regex.source, flags: regex.flags, span: regex.span };
    }
    const token = this.lexer.next();
    if (token.type === 'string') return { kind: 'string', value: token.value, span: token.span };
    throw this.error(
      token.span,
      `expected a "string" or a /regular expression/ after '${after}', found ${describe(token)}`,
    );
  }

  private inList(subject: Expr, negated: boolean): Expr {
    const open = this.lexer.next();
    if (isPunct(open, '(')) {
      // CWL_QuerySyntax-Subqueries: `filter x in ( <query> )`; the engine runs it first (harness/insights/subquery.ts).
      const subquery = this.query(open);
      const close = this.lexer.next(); // the ')' query() stopped at
      return { kind: 'in', negated, subject, items: [], subquery, span: join(subject.span, close.span) };
    }
    if (!isPunct(open, '[')) {
      throw this.error(
        open.span,
        `expected '[' to start the list after '${negated ? 'not in' : 'in'}', found ${describe(open)}`,
      );
    }
    const items: Expr[] = [];
    if (!isPunct(this.lexer.peek(), ']')) {
      do {
        items.push(this.expression(items.length === 0 ? `'['` : `','`));
      } while (this.acceptPunct(','));
    }
    const close = this.lexer.next();
    if (!isPunct(close, ']')) throw this.error(close.span, `expected ',' or ']' in the list, found ${describe(close)}`);
    return { kind: 'in', negated, subject, items, span: join(subject.span, close.span) };
  }

  private additive(allowStar: boolean): Expr {
    let left = this.multiplicative(allowStar);
    for (;;) {
      const token = this.lexer.peek();
      if (!isPunct(token, '+') && !isPunct(token, '-')) return left;
      this.lexer.next();
      const op = (token as { text: BinaryOp }).text;
      const right = this.operand(op, () => this.multiplicative(false));
      left = { kind: 'binary', op, left, right, span: join(left.span, right.span) };
    }
  }

  private multiplicative(allowStar: boolean): Expr {
    let left = this.power(allowStar);
    for (;;) {
      const token = this.lexer.peek();
      if (!isPunct(token, '*') && !isPunct(token, '/') && !isPunct(token, '%')) return left;
      this.lexer.next();
      const op = (token as { text: BinaryOp }).text;
      const right = this.operand(op, () => this.power(false));
      left = { kind: 'binary', op, left, right, span: join(left.span, right.span) };
    }
  }

  // `^` binds tighter than `*` and groups to the right: 2 ^ 3 ^ 2 = 2 ^ 9.
  private power(allowStar: boolean): Expr {
    const base = this.unary(allowStar);
    if (!isPunct(this.lexer.peek(), '^')) return base;
    this.lexer.next();
    const exponent = this.operand('^', () => this.nested(base.span, () => this.power(false)));
    return { kind: 'binary', op: '^', left: base, right: exponent, span: join(base.span, exponent.span) };
  }

  private unary(allowStar: boolean): Expr {
    const token = this.lexer.peek();
    if (isPunct(token, '-')) {
      this.lexer.next();
      const operand = this.operand('-', () => this.nested(token.span, () => this.unary(false)));
      return { kind: 'unary', op: '-', operand, span: join(token.span, operand.span) };
    }
    return this.primary(allowStar);
  }

  private primary(allowStar: boolean): Expr {
    const token = this.lexer.next();
    switch (token.type) {
      case 'number':
        return { kind: 'number', value: token.value, raw: token.raw, span: token.span };
      case 'string':
        return { kind: 'string', value: token.value, span: token.span };
      case 'period':
        return { kind: 'period', amount: token.amount, unit: token.unit, raw: token.raw, span: token.span };
      case 'quoted':
        return { kind: 'field', name: token.text, quoted: true, span: token.span };
      case 'ident': {
        if (isPunct(this.lexer.peek(), '(')) return this.call(token);
        if (RESERVED.has(token.text.toLowerCase())) {
          throw this.error(
            token.span,
            `expected a value, found the keyword '${token.text}': put a field with that name in backticks`,
          );
        }
        return { kind: 'field', name: token.text, quoted: false, span: token.span };
      }
      case 'punct':
        if (token.text === '(') {
          const inner = this.expression(`'('`);
          const close = this.lexer.next();
          if (!isPunct(close, ')')) throw this.error(close.span, `expected ')' to close '(', found ${describe(close)}`);
          return { ...inner, span: { start: token.span.start, end: close.span.end } };
        }
        if (token.text === '*' && allowStar) return { kind: 'star', span: token.span };
        if (token.text === '/') {
          throw this.error(
            token.span,
            "a /regular expression/ goes after 'like' or '=~', e.g. filter @message like /error/",
          );
        }
        break;
      default:
        break;
    }
    throw this.error(
      token.span,
      `expected a value (a field, a number, a "string" or a function call), found ${describe(token)}`,
    );
  }

  private call(name: Token & { type: 'ident' }): Expr {
    this.lexer.next(); // (
    const args: Expr[] = [];
    if (!isPunct(this.lexer.peek(), ')')) {
      do {
        const token = this.lexer.peek();
        if (isPunct(token, '*')) {
          // `*` is an argument only on its own, as in count(*).
          this.lexer.next();
          args.push({ kind: 'star', span: token.span });
        } else {
          args.push(this.expression(args.length === 0 ? `'${name.text}('` : `','`));
        }
      } while (this.acceptPunct(','));
    }
    const close = this.lexer.next();
    if (!isPunct(close, ')')) {
      throw this.error(close.span, `expected ',' or ')' in the arguments of ${name.text}(), found ${describe(close)}`);
    }
    return {
      kind: 'call',
      name: name.text.toLowerCase(),
      rawName: name.text,
      args,
      span: { start: name.span.start, end: close.span.end },
    };
  }

  private operand(after: string, parse: () => Expr): Expr {
    const token = this.lexer.peek();
    if (token.type === 'eof' || isPunct(token, '|') || isPunct(token, ',') || isPunct(token, ')')) {
      throw this.error(token.span, `expected an expression after '${after}', found ${describe(token)}`);
    }
    return parse();
  }

  private acceptPunct(text: string): boolean {
    if (isPunct(this.lexer.peek(), text)) {
      this.lexer.next();
      return true;
    }
    return false;
  }

  private acceptKeyword(word: string): boolean {
    if (isKeyword(this.lexer.peek(), word)) {
      this.lexer.next();
      return true;
    }
    return false;
  }

  // A command ends where the last token consumed ends: the next token is already peeked.
  private spanFrom(start: number): Span {
    const next = this.lexer.peek();
    const end = next.type === 'eof' ? this.source.trimEnd().length : next.span.start;
    return { start, end: Math.max(start, trimmedEnd(this.source, end)) };
  }

  private error(span: Span, problem: string): QuerySyntaxError {
    return new QuerySyntaxError(this.source, span, problem);
  }
}

function trimmedEnd(source: string, end: number): number {
  let i = end;
  while (i > 0 && /\s/.test(source[i - 1]!)) i--;
  return i;
}

// The subexpressions of a node, for walking the tree without recursion.
function children(expr: Expr): readonly Expr[] {
  switch (expr.kind) {
    case 'call':
      return expr.args;
    case 'unary':
      return [expr.operand];
    case 'binary':
      return [expr.left, expr.right];
    case 'match':
      return [expr.subject];
    case 'in':
      return [expr.subject, ...expr.items];
    default:
      return [];
  }
}

function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

function isPunct(token: Token, text: string): boolean {
  return token.type === 'punct' && token.text === text;
}

function isKeyword(token: Token, word: string): boolean {
  return token.type === 'ident' && token.text.toLowerCase() === word;
}

/** How an error names a token: `the end of the query`, `'|'`, `number 5`, `"abc"`. */
function describe(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'the end of the query';
    case 'ident':
      return `'${token.text}'`;
    case 'quoted':
      return `\`${token.text}\``;
    case 'number':
      return `the number ${token.raw}`;
    case 'period':
      return `the time period ${token.raw}`;
    case 'string':
      return `the string ${JSON.stringify(token.value)}`;
    case 'regex':
      return `the regular expression /${token.source}/`;
    case 'punct':
      return `'${token.text}'`;
  }
}
