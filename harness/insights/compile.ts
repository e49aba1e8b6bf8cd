import {
  type AccumulatorFactory,
  avgAccumulator,
  countAccumulator,
  countDistinctAccumulator,
  extremeAccumulator,
  percentileAccumulator,
  sortOrderedAccumulator,
  stddevAccumulator,
  sumAccumulator,
  timeOrderedAccumulator,
} from './aggregates.js';
import type {
  Call,
  Command,
  Expr,
  FieldRef,
  PeriodLiteral,
  Projection,
  Query,
  RegexLiteral,
  StatsCommand,
} from './ast.js';
import { LAMBDA_FIELDS } from './discovery.js';
import { AGGREGATE_FUNCTIONS, ceilToPeriod, floorToPeriod, type Period, SCALAR_FUNCTIONS } from './functions.js';
import { PATTERN_COLUMNS } from './pattern.js';
import { printField } from './printer.js';
import { QuerySyntaxError, type Span } from './query-error.js';
import { RegexLimitError, userRegex } from './regex.js';
import type { EventRow, Row } from './rows.js';
import { membership, type SubqueryValues } from './subquery.js';
import { unnestRow } from './unnest.js';
import {
  compareValues,
  DoubleValue,
  Structure,
  structureMember,
  Timestamp,
  toMillis,
  toNumber,
  truthy,
  type Value,
  valuesEqual,
  valueText,
} from './values.js';

/** Computes a value from a row. */
export type Evaluator = (row: Row) => Value;

/** Rows a query returns at most when StartQuery gives no `limit` (docs/aws-behaviour.md#insights-commands). */
export const DEFAULT_LIMIT = 10_000;
/** The largest `limit` (command or StartQuery parameter) AWS accepts (docs/aws-behaviour.md#insights-commands, #insights-api). */
export const MAX_LIMIT = 100_000;
/** "A query can have a maximum of two stats commands" (CWL_QuerySyntax-Stats). */
const MAX_STATS = 2;

/** One step of the compiled pipeline, in query order. */
export type Step =
  | { readonly kind: 'map'; readonly apply: (row: Row) => void }
  | { readonly kind: 'filter'; readonly test: (row: Row) => boolean }
  | { readonly kind: 'stats'; readonly plan: StatsPlan }
  | { readonly kind: 'sort'; readonly keys: readonly SortPlanKey[] }
  | { readonly kind: 'limit'; readonly count: number }
  | { readonly kind: 'dedup'; readonly keys: readonly Evaluator[] }
  /** `unnest`: each row becomes the rows `expand` returns (harness/insights/unnest.ts). */
  | { readonly kind: 'unnest'; readonly expand: (row: Row) => Row[] }
  /** `pattern`: rows become one row per pattern of `input` (harness/insights/pattern.ts). */
  | { readonly kind: 'pattern'; readonly input: Evaluator };

export interface SortPlanKey {
  readonly value: Evaluator;
  readonly descending: boolean;
}

/** What one `stats` command computes. */
export interface StatsPlan {
  readonly by: readonly { readonly name: string; readonly value: Evaluator }[];
  readonly aggregates: readonly { readonly create: AccumulatorFactory; readonly arg: Evaluator | null }[];
  readonly items: readonly { readonly name: string; readonly value: (results: Value[]) => Value }[];
}

/** A filter of the event stage with the names computed before it (for the raw-line pre-check). */
export interface EventFilter {
  readonly expr: Expr;
  readonly computedBefore: ReadonlySet<string>;
}

/** A query ready to run: steps over rows, the result's columns, and what the line pre-check may use. */
export interface CompiledQuery {
  readonly query: Query;
  readonly steps: readonly Step[];
  /** The result's field names in order (`@ptr` is added to event rows on top of these). */
  readonly columns: readonly string[];
  /** Filters that run on raw events, before any stats or sort. */
  readonly eventFilters: readonly EventFilter[];
}

/**
 * Checks a parsed query against the rules of the language and turns it into steps of closures. Throws
 * `QuerySyntaxError` (MalformedQuery) for anything the service would reject: unknown functions, wrong
 * arguments, aggregates outside stats, more than two stats, sort or limit before the second stats,
 * commands after dedup other than limit, fields that no longer exist after stats.
 */
/**
 * Compiles a parsed query. A query with subqueries needs their values (`subqueryValues`, from the engine that
 * ran them first, harness/insights/subquery.ts).
 */
export function compileQuery(query: Query, subqueryValues: SubqueryValues = new Map()): CompiledQuery {
  return new Compiler(query, subqueryValues).compile();
}

interface ExprScope {
  field(ref: FieldRef): Evaluator;
  /** Present only inside stats items: registers an aggregation and reads its result. */
  aggregate: ((call: Call) => Evaluator) | null;
  /** Whether @timestamp is there (false after stats: bin, earliest and latest need it). */
  readonly hasTimestamp: boolean;
  /** For messages: "in filter", "in stats". */
  readonly where: string;
  /** After stats: the columns, so `sort count(*) desc` can name a column by the expression that made it. */
  readonly columns?: ReadonlySet<string>;
}

class Compiler {
  private readonly source: string;
  /** Names computed by fields/parse/display so far in the event stage (they shadow discovered fields). */
  private computed = new Set<string>();
  /** After a stats: the only names that exist. */
  private available: Set<string> | null = null;
  private statsCount = 0;
  /** The column of the last stats' `by bin(...)` (its alias or `bin(5m)`), for the message about `@timestamp`. */
  private binColumn: string | null = null;
  private readonly steps: Step[] = [];
  private readonly eventFilters: EventFilter[] = [];

  constructor(
    private readonly query: Query,
    private readonly subqueryValues: SubqueryValues,
  ) {
    this.source = query.source;
  }

  compile(): CompiledQuery {
    this.checkOrder();
    let fieldsColumns: string[] = [];
    let displayColumns: string[] | null = null;
    // Fields that parse extracted since the last stats: the columns when no fields or display names any.
    let parseColumns: string[] = [];
    for (const command of this.query.commands) {
      switch (command.kind) {
        case 'fields':
        case 'display': {
          const names = this.projectionStep(command.items, command.kind);
          if (command.kind === 'fields') fieldsColumns = appendUnique(fieldsColumns, names);
          // "If you specify this command more than once in your query, only the fields you specify in the last occurrence are used."
          else displayColumns = names;
          break;
        }
        case 'filter': {
          const scope = this.rowScope('in filter');
          const test = this.predicate(command.expr, scope);
          if (this.available === null && this.statsCount === 0 && !this.hasBarrierBefore()) {
            this.eventFilters.push({ expr: command.expr, computedBefore: new DefinedNames(this.computed) });
          }
          this.steps.push({ kind: 'filter', test });
          break;
        }
        case 'stats': {
          const plan = this.stats(command);
          this.steps.push({ kind: 'stats', plan });
          const names = [...plan.by.map((b) => b.name), ...plan.items.map((i) => i.name)];
          this.available = new Set(names);
          const bin = command.by.find((b) => b.expr.kind === 'call' && b.expr.name === 'bin');
          this.binColumn = bin === undefined ? null : projectionName(bin);
          this.computed = new Set();
          fieldsColumns = names;
          displayColumns = null;
          parseColumns = [];
          break;
        }
        case 'sort': {
          const scope = this.rowScope('in sort');
          const keys = command.keys.map((key) => ({
            value: this.expr(key.expr, scope),
            descending: key.order === 'desc',
          }));
          this.steps.push({ kind: 'sort', keys });
          break;
        }
        case 'limit':
          if (command.count < 1 || command.count > MAX_LIMIT) {
            throw this.error(command.span, `limit must be between 1 and ${MAX_LIMIT}, got ${command.count}`);
          }
          this.steps.push({ kind: 'limit', count: command.count });
          break;
        case 'parse':
          parseColumns = appendUnique(parseColumns, this.parseStep(command));
          break;
        case 'dedup': {
          const scope = this.rowScope('in dedup');
          this.steps.push({ kind: 'dedup', keys: command.fields.map((f) => scope.field(f)) });
          break;
        }
        case 'unnest': {
          // CWL_QuerySyntax-Unnest: one row per item of a list (harness/insights/unnest.ts).
          const value = this.rowScope('in unnest').field(command.field);
          const name = command.into.name;
          this.define(name);
          this.steps.push({ kind: 'unnest', expand: (row) => unnestRow(row, value(row), name) });
          break;
        }
        case 'source':
          // Picks the log groups before the scan (harness/insights/source.ts); nothing to do per row.
          break;
        case 'pattern': {
          // Like stats, it ends the event stage: afterwards only its columns exist (harness/insights/pattern.ts).
          const input = this.expr(command.expr, this.rowScope('in pattern'));
          this.steps.push({ kind: 'pattern', input });
          this.available = new Set(PATTERN_COLUMNS);
          this.computed = new Set();
          fieldsColumns = [...PATTERN_COLUMNS];
          displayColumns = null;
          break;
        }
      }
    }
    // A query that names no fields shows @timestamp and @message (CWL_QuerySyntax: "filter (duration>2000)
    // ... the results display the @timestamp and all log data in the @message field"); one whose only named
    // fields come from parse shows those fields alone (docs/aws-behaviour.md#insights-commands, recorded).
    const columns =
      displayColumns ??
      (fieldsColumns.length > 0 ? fieldsColumns : parseColumns.length > 0 ? parseColumns : ['@timestamp', '@message']);
    return { query: this.query, steps: this.steps, columns, eventFilters: this.eventFilters };
  }

  private hasBarrierBefore(): boolean {
    return this.steps.some((s) => s.kind === 'sort' || s.kind === 'limit' || s.kind === 'dedup' || s.kind === 'stats');
  }

  // Order rules of CWL_QuerySyntax-Stats and -Dedup, checked before anything else so the message is about them.
  private checkOrder(): void {
    const commands = this.query.commands;
    const statsIndexes = commands.flatMap((c, i) => (c.kind === 'stats' ? [i] : []));
    if (statsIndexes.length > MAX_STATS) {
      throw this.error(
        commands[statsIndexes[MAX_STATS]!]!.span,
        `a query can have at most ${MAX_STATS} stats commands`,
      );
    }
    if (statsIndexes.length === MAX_STATS) {
      const second = statsIndexes[1];
      const early = commands.slice(0, second).find((c) => c.kind === 'sort' || c.kind === 'limit');
      if (early) throw this.error(early.span, `${early.kind} must come after the second stats command`);
    }
    const dedupIndex = commands.findIndex((c) => c.kind === 'dedup');
    if (dedupIndex !== -1) {
      const after = commands.slice(dedupIndex + 1).find((c) => c.kind !== 'limit');
      if (after) throw this.error(after.span, `only limit can follow dedup, found ${after.kind}`);
    }
  }

  private projectionStep(items: readonly Projection[], command: 'fields' | 'display'): string[] {
    const names: string[] = [];
    const computations: { name: string; value: Evaluator }[] = [];
    for (const item of items) {
      const scope = this.rowScope(`in ${command}`);
      const value = this.expr(item.expr, scope);
      const name = projectionName(item);
      names.push(name);
      // A member of a jsonParse structure (`m.key`) is computed like an expression: the row has no such field.
      if (item.expr.kind !== 'field' || item.alias !== null || this.isMember(item.expr.name)) {
        computations.push({ name, value });
        this.define(name);
      }
    }
    if (computations.length > 0) {
      this.steps.push({
        kind: 'map',
        apply: (row) => {
          for (const c of computations) row.set(c.name, c.value(row));
        },
      });
    }
    return names;
  }

  /** Adds the step of a parse command; returns the names of the fields it extracts. */
  private parseStep(command: Command & { kind: 'parse' }): string[] {
    const scope = this.rowScope('in parse');
    const sourceRef: FieldRef = command.field ?? { kind: 'field', name: '@message', quoted: false, span: command.span };
    const input = scope.field(sourceRef);
    let match: (text: string) => readonly (string | undefined)[] | null;
    let names: string[];
    if (command.pattern.kind === 'string') {
      const parts = command.pattern.value.split('*');
      const stars = parts.length - 1;
      if (stars !== command.aliases.length) {
        throw this.error(
          command.pattern.span,
          `the glob pattern has ${stars} '*' but ${command.aliases.length} field name${command.aliases.length === 1 ? '' : 's'} follow 'as': give one name per '*'`,
        );
      }
      match = globMatcher(command.pattern.value);
      names = command.aliases.map((a) => a.name);
    } else {
      const regex = this.regex(command.pattern);
      names = [...command.pattern.source.matchAll(/\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map((m) => m[1]!);
      if (names.length === 0) {
        throw this.error(
          command.pattern.span,
          'the regular expression has no named groups: name what to extract, e.g. /user=(?<user>\\S+)/',
        );
      }
      const groups = names;
      match = (text) => {
        const found = regex.exec(text);
        return found === null ? null : groups.map((name) => found.groups?.[name]);
      };
    }
    for (const name of names) this.define(name);
    this.steps.push({
      kind: 'map',
      apply: (row) => {
        const value = input(row);
        const captures = value === null ? null : match(valueText(value));
        for (let i = 0; i < names.length; i++) {
          const captured = captures === null ? undefined : captures[i];
          row.set(names[i]!, captured === undefined ? null : captured);
        }
      },
    });
    return names;
  }

  /** Whether `name` reads inside a value the query defined (`m.key` after `jsonParse(...) as m`). */
  private isMember(name: string): boolean {
    const defined = this.available ?? this.computed;
    return !defined.has(name) && memberAccessor(name, defined, () => null) !== null;
  }

  private define(name: string): void {
    if (this.available === null) this.computed.add(name);
    else this.available.add(name);
  }

  private stats(command: StatsCommand): StatsPlan {
    this.statsCount++;
    const input = this.rowScope('in stats');
    const by = command.by.map((item) => {
      const value = this.expr(item.expr, { ...input, aggregate: null, where: "after 'by'" });
      return { name: projectionName(item), value };
    });
    const aggregates: { create: AccumulatorFactory; arg: Evaluator | null }[] = [];
    // An item may use the names of earlier items of the same stats (`max(a) as x, min(a) as y, x - y as d`, the
    // Lambda queries of CWL_QuerySyntax-examples; docs/aws-behaviour.md#insights-commands): such a name reads
    // that item's result.
    const earlier = new Map<string, (results: Value[]) => Value>();
    const items = command.items.map((item) => {
      const before = aggregates.length;
      let usesEarlier = false;
      const scope: ExprScope = {
        field: (ref) => {
          const result = earlier.get(ref.name);
          if (result !== undefined) {
            usesEarlier = true;
            return result as unknown as Evaluator;
          }
          throw this.error(
            ref.span,
            `field '${ref.name}' must be inside an aggregate function such as count(${ref.name}), listed after 'by', or the name of an earlier item of this stats`,
          );
        },
        aggregate: (call) => {
          const index = aggregates.length;
          aggregates.push(this.aggregate(call, input));
          return ((results: Value[]) => results[index]) as unknown as Evaluator;
        },
        hasTimestamp: input.hasTimestamp,
        where: 'in stats',
      };
      const value = this.expr(item.expr, scope) as unknown as (results: Value[]) => Value;
      if (aggregates.length === before && !usesEarlier) {
        throw this.error(
          item.expr.span,
          `stats needs an aggregate function such as count(*), avg(x) or max(x) in '${item.text}'`,
        );
      }
      const name = projectionName(item);
      earlier.set(name, value);
      return { name, value };
    });
    return { by, aggregates, items };
  }

  private aggregate(call: Call, input: ExprScope): { create: AccumulatorFactory; arg: Evaluator | null } {
    const spec = AGGREGATE_FUNCTIONS[call.name]!;
    this.checkArity(call, spec.minArgs, spec.maxArgs, spec.signature);
    const argScope: ExprScope = {
      ...input,
      aggregate: null,
      where: `inside ${call.rawName}()`,
    };
    if (call.name === 'count') {
      const arg = call.args[0];
      if (arg === undefined || arg.kind === 'star') return { create: countAccumulator, arg: null };
      return { create: countAccumulator, arg: this.expr(arg, argScope) };
    }
    if (call.args[0]!.kind === 'star') throw this.error(call.args[0]!.span, `'*' is only allowed in count(*)`);
    const arg = this.expr(call.args[0]!, argScope);
    switch (call.name) {
      case 'avg':
        return { create: avgAccumulator, arg };
      case 'sum':
        return { create: sumAccumulator, arg };
      case 'min':
        return { create: () => extremeAccumulator(false), arg };
      case 'max':
        return { create: () => extremeAccumulator(true), arg };
      case 'stddev':
        return { create: stddevAccumulator, arg };
      case 'count_distinct':
        return { create: countDistinctAccumulator, arg };
      // percentile() is pct() under the name AWS's own published Lambda queries use (docs/aws-behaviour.md#insights-functions).
      case 'pct':
      case 'percentile': {
        const p = call.args[1]!;
        const percent = p.kind === 'number' ? p.value : Number.NaN;
        if (!(percent >= 0 && percent <= 100)) {
          throw this.error(
            p.span,
            `${call.rawName}() needs a percentile between 0 and 100 as its second argument, e.g. ${call.rawName}(@duration, 99)`,
          );
        }
        return { create: () => percentileAccumulator(percent), arg };
      }
      case 'earliest':
      case 'latest':
        if (!input.hasTimestamp) {
          throw this.error(
            call.span,
            `${call.rawName}() orders by @timestamp, which is not available after stats: carry it through the first stats, e.g. max(@timestamp) as @t`,
          );
        }
        return { create: () => timeOrderedAccumulator(call.name === 'latest'), arg };
      case 'sortsfirst':
        return { create: () => sortOrderedAccumulator(false), arg };
      case 'sortslast':
        return { create: () => sortOrderedAccumulator(true), arg };
      default:
        throw this.error(call.span, `unknown aggregate function '${call.rawName}'`);
    }
  }

  /** The scope of the current stage: event fields before the first stats, only stats outputs after it. */
  private rowScope(where: string): ExprScope {
    const available = this.available;
    if (available === null) {
      const computed = new Set(this.computed);
      return {
        field: (ref) => {
          if (computed.has(ref.name)) return eventAccessor(ref.name, true);
          const plain = eventAccessor(ref.name, false);
          return memberAccessor(ref.name, computed, plain) ?? plain;
        },
        aggregate: null,
        hasTimestamp: true,
        where,
      };
    }
    const names = new Set(available);
    return {
      field: (ref) => {
        if (!names.has(ref.name)) {
          const member = memberAccessor(ref.name, names, () => null);
          if (member !== null) return member;
          throw this.error(ref.span, this.notAfterStats(ref.name, names));
        }
        const name = ref.name;
        return (row) => row.get(name);
      },
      aggregate: null,
      hasTimestamp: false,
      where,
      columns: names,
    };
  }

  /**
   * Why a name cannot be used after stats, and what to write instead. `@timestamp` (and other event fields)
   * are gone after stats; no AWS page says sort or filter may still read them (docs/aws-behaviour.md#insights-commands),
   * so the query is refused with the column to use: the bin() column when there is one.
   */
  private notAfterStats(name: string, names: ReadonlySet<string>): string {
    const list = `${[...names].map((n) => `'${n}'`).join(', ')} ${names.size === 1 ? 'is' : 'are'}`;
    if (name !== '@timestamp') return `field '${name}' is not available after stats: only ${list}`;
    const bin = this.binColumn;
    const instead =
      bin !== null && names.has(bin)
        ? `use the time column of the stats, e.g. sort ${/^bin\(/i.test(bin) ? bin : printField(bin)} desc`
        : 'carry it through the stats, e.g. stats max(@timestamp) as lastSeen, ... | sort lastSeen desc';
    return `field '@timestamp' is not available after stats (only ${list}): ${instead}`;
  }

  private predicate(expr: Expr, scope: ExprScope): (row: Row) => boolean {
    const value = this.expr(expr, scope);
    return (row) => truthy(value(row));
  }

  expr(expr: Expr, scope: ExprScope): Evaluator {
    if (scope.columns !== undefined && expr.kind !== 'field') {
      // A stats column is named by its expression as written (`count(*)`): refer to it, do not recompute.
      const text = this.source.slice(expr.span.start, expr.span.end).trim();
      if (scope.columns.has(text)) return (row) => row.get(text);
    }
    switch (expr.kind) {
      case 'number': {
        const value = expr.value;
        return () => value;
      }
      case 'string': {
        const value = expr.value;
        return () => value;
      }
      case 'period':
        throw this.error(
          expr.span,
          `a time period like ${expr.raw} can only be an argument of bin(), datefloor() or dateceil()`,
        );
      case 'regex':
        throw this.error(expr.span, "a /regular expression/ goes after 'like' or '=~'");
      case 'star':
        throw this.error(expr.span, `'*' is only allowed in count(*)`);
      case 'field':
        return scope.field(expr);
      case 'unary': {
        const operand = this.expr(expr.operand, scope);
        if (expr.op === 'not') return (row) => !truthy(operand(row));
        return (row) => {
          const v = operand(row);
          const n = toNumber(v);
          if (n === null) return null;
          return v instanceof DoubleValue ? new DoubleValue(-n) : -n;
        };
      }
      case 'binary':
        return this.binary(expr.op, this.expr(expr.left, scope), this.expr(expr.right, scope));
      case 'match':
        return this.match(expr.op, expr.negated, this.expr(expr.subject, scope), expr.pattern);
      case 'in': {
        const subject = this.expr(expr.subject, scope);
        if (expr.subquery) {
          const values = this.subqueryValues.get(expr);
          if (values === undefined) {
            throw this.error(expr.span, 'a subquery runs only over a log store: run the query with the query command');
          }
          const has = membership(values);
          if (!expr.negated) return (row) => has(subject(row));
          return (row) => {
            const value = subject(row);
            return value !== null && !has(value);
          };
        }
        const items = expr.items.map((item) => this.expr(item, scope));
        const negated = expr.negated;
        return (row) => {
          const v = subject(row);
          if (v === null) return false;
          let found = false;
          for (const item of items) {
            if (valuesEqual(v, item(row))) {
              found = true;
              break;
            }
          }
          return negated ? !found : found;
        };
      }
      case 'call':
        return this.call(expr, scope);
    }
  }

  private binary(op: string, left: Evaluator, right: Evaluator): Evaluator {
    switch (op) {
      case 'and':
        return (row) => truthy(left(row)) && truthy(right(row));
      case 'or':
        return (row) => truthy(left(row)) || truthy(right(row));
      case '=':
        return (row) => {
          const a = left(row);
          const b = right(row);
          return a !== null && b !== null && valuesEqual(a, b);
        };
      // Choice: every comparison with a missing field is false, `!=` too (SQL's unknown, read as false).
      case '!=':
        return (row) => {
          const a = left(row);
          const b = right(row);
          return a !== null && b !== null && !valuesEqual(a, b);
        };
      case '<':
        return (row) => {
          const c = compareValues(left(row), right(row));
          return c !== null && c < 0;
        };
      case '<=':
        return (row) => {
          const c = compareValues(left(row), right(row));
          return c !== null && c <= 0;
        };
      case '>':
        return (row) => {
          const c = compareValues(left(row), right(row));
          return c !== null && c > 0;
        };
      case '>=':
        return (row) => {
          const c = compareValues(left(row), right(row));
          return c !== null && c >= 0;
        };
      default:
        return (row) => arithmetic(op, left(row), right(row));
    }
  }

  private match(op: 'like' | '=~', negated: boolean, subject: Evaluator, pattern: Expr): Evaluator {
    let test: (text: string) => boolean;
    if (pattern.kind === 'regex') {
      const regex = this.regex(pattern);
      test = (text) => regex.test(text);
    } else if (pattern.kind === 'string') {
      // A quoted pattern is a case-sensitive substring for both like and =~ (CWL_QuerySyntax, "Matches and regular expressions").
      const needle = pattern.value;
      test = (text) => text.includes(needle);
    } else {
      throw this.error(pattern.span, `expected a "string" or a /regular expression/ after '${op}'`);
    }
    return (row) => {
      const v = subject(row);
      if (v === null) return false;
      const matched = test(valueText(v));
      return negated ? !matched : matched;
    };
  }

  /**
   * A Hyperscan/PCRE-style pattern as a JS RegExp that cannot backtrack catastrophically (regex.ts,
   * docs/insights-limits.md#regular-expressions).
   */
  private regex(literal: RegexLiteral): RegExp {
    try {
      return userRegex(literal.source, literal.flags);
    } catch (error) {
      if (error instanceof RegexLimitError) {
        throw this.error(patternSpan(this.source, literal, error.index, error.length), error.problem);
      }
      const reason =
        error instanceof Error
          ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')
          : String(error);
      throw this.error(literal.span, `invalid regular expression /${literal.source}/: ${reason}`);
    }
  }

  private call(call: Call, scope: ExprScope): Evaluator {
    if (Object.hasOwn(AGGREGATE_FUNCTIONS, call.name)) {
      if (scope.aggregate === null) {
        const where = scope.where.startsWith('inside')
          ? `cannot be nested ${scope.where}`
          : `is a stats function and cannot be used ${scope.where}`;
        throw this.error(
          call.span,
          `${call.rawName}() ${where}: use it in a stats command, e.g. stats ${call.rawName}(...)`,
        );
      }
      return scope.aggregate(call);
    }
    const spec = Object.hasOwn(SCALAR_FUNCTIONS, call.name) ? SCALAR_FUNCTIONS[call.name] : undefined;
    if (spec === undefined) throw this.error(call.span, `unknown function '${call.rawName}'`);
    this.checkArity(call, spec.minArgs, spec.maxArgs, spec.signature);
    const periodArgs = spec.periodArgs ?? [];
    call.args.forEach((arg, i) => {
      if (periodArgs.includes(i) && arg.kind !== 'period') {
        throw this.error(arg.span, `${call.rawName}() needs a time period such as 5m or 1h here: ${spec.signature}`);
      }
    });
    const period = (i: number): Period => {
      const p = call.args[i] as PeriodLiteral;
      return { amount: p.amount, unit: p.unit };
    };
    switch (call.name) {
      case 'bin': {
        if (!scope.hasTimestamp) {
          throw this.error(
            call.span,
            'bin() rounds @timestamp, which is not available after stats: carry it through the first stats (max(@timestamp) as @t) and use dateceil(@t, 5m)',
          );
        }
        const p = period(0);
        return (row) => new Timestamp(floorToPeriod((row as EventRow).timestamp, p));
      }
      case 'datefloor':
      case 'dateceil': {
        const time = this.expr(call.args[0]!, scope);
        const p = period(1);
        const round = call.name === 'datefloor' ? floorToPeriod : ceilToPeriod;
        return (row) => {
          const ms = toMillis(time(row));
          return ms === null ? null : new Timestamp(round(ms, p));
        };
      }
      default: {
        const args = call.args.map((arg) => this.expr(arg, scope));
        const apply = spec.apply;
        if (args.length === 1) {
          const [a] = args;
          return (row) => apply([a!(row)]);
        }
        if (args.length === 2) {
          const [a, b] = args;
          return (row) => apply([a!(row), b!(row)]);
        }
        return (row) => apply(args.map((arg) => arg(row)));
      }
    }
  }

  private checkArity(call: Call, min: number, max: number, signature: string): void {
    const n = call.args.length;
    if (n < min || n > max) {
      const expected =
        min === max
          ? `${min} argument${min === 1 ? '' : 's'}`
          : max >= 100
            ? `at least ${min}`
            : `${min} to ${max} arguments`;
      throw this.error(call.span, `${call.rawName}() takes ${expected} (${signature}), got ${n}`);
    }
  }

  private error(span: Span, problem: string): QuerySyntaxError {
    return new QuerySyntaxError(this.source, span, problem);
  }
}

/**
 * A filter expression over one field, as a test of that field's value: every field reference in `expr`
 * reads `value`. The line pre-check uses it to decide a comparison on a value read from the raw line.
 */
export function compileFieldPredicate(expr: Expr, source: string): (value: Value) => boolean {
  const holder: { value: Value } = { value: null };
  const scope: ExprScope = {
    field: () => () => holder.value,
    aggregate: null,
    hasTimestamp: false,
    where: 'in filter',
  };
  const evaluate = new Compiler({ source, commands: [] }, new Map()).expr(expr, scope);
  const row: Row = { get: () => holder.value, set: () => {} };
  return (value) => {
    holder.value = value;
    return truthy(evaluate(row));
  };
}

/**
 * Where `[index, index + length)` of a regex literal's pattern is in the query: the pattern starts after the
 * opening `/`, and each `\/` in the query is one `/` in the pattern (lexer.ts).
 */
function patternSpan(source: string, literal: RegexLiteral, index: number, length: number): Span {
  let at = literal.span.start + 1;
  const offsetOf = (target: number) => {
    for (let i = 0; i < target && at < source.length; i++) at += source[at] === '\\' && source[at + 1] === '/' ? 2 : 1;
    return at;
  };
  if (source[literal.span.start] !== '/') return literal.span;
  const start = offsetOf(index);
  const end = offsetOf(length);
  return { start, end };
}

/** The column name of a projection: its alias, the field it names, or the expression as written. */
export function projectionName(item: Projection): string {
  if (item.alias) return item.alias.name;
  return item.expr.kind === 'field' ? item.expr.name : item.text;
}

function appendUnique(list: string[], names: string[]): string[] {
  const out = [...list];
  for (const name of names) if (!out.includes(name)) out.push(name);
  return out;
}

/**
 * The matcher for a `parse` glob pattern: the captures (one per `*`) where the pattern first matches `text`,
 * or null. The pattern may match anywhere in the text; each `*` matches as little as it can, except a trailing
 * one, which takes the rest of the text (CWL_QuerySyntax-Parse: "[*] * The error was: *" on a line that starts
 * with a date). These are exactly the results of the regular expression `lit0(.*?)lit1(.*?)...litN` (with
 * `(.*)` for a trailing `*`, flag `s`), but found in linear time: the earliest occurrence of each literal
 * after the previous one is always the one that regular expression settles on, because what follows a lazy
 * group can start anywhere later, so taking a literal as early as possible never loses a match. The
 * backtracking regular expression could take minutes on a few hundred characters (`*a*a*a*b` on `aaa...`).
 */
export function globMatcher(pattern: string): (text: string) => string[] | null {
  const literals = pattern.split('*');
  const stars = literals.length - 1;
  return (text) => {
    let position = text.indexOf(literals[0]!);
    if (position === -1) return null;
    position += literals[0]!.length;
    const captures: string[] = [];
    for (let i = 1; i <= stars; i++) {
      const literal = literals[i]!;
      // A trailing `*` takes the rest of the text.
      const found = i === stars && literal === '' ? text.length : text.indexOf(literal, position);
      if (found === -1) return null;
      captures.push(text.slice(position, found));
      position = found + literal.length;
    }
    return captures;
  };
}

/**
 * Arithmetic on numeric readings; missing or non-numeric operands give a missing result, and so does a
 * result that is not a finite number (division by zero). `/` gives a double (`4 / 2` renders `2.0`);
 * `+ - * % ^` keep integers integers unless an operand is a double: the operators table shows `2 ^ 3` returning
 * `8` and `10 % 3` returning `1` (docs/aws-behaviour.md#insights-operators). A `^` whose result is not a whole
 * number (`2 ^ -1`) or too large to be exact is a double.
 */
function arithmetic(op: string, a: Value, b: Value): Value {
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) return null;
  let result: number;
  switch (op) {
    case '+':
      result = x + y;
      break;
    case '-':
      result = x - y;
      break;
    case '*':
      result = x * y;
      break;
    case '/':
      result = x / y;
      break;
    case '%':
      result = x % y;
      break;
    default:
      result = x ** y;
      break;
  }
  if (!Number.isFinite(result)) return null;
  const double =
    op === '/' ||
    a instanceof DoubleValue ||
    b instanceof DoubleValue ||
    (op === '^' && !(Number.isInteger(x) && Number.isInteger(y) && Number.isSafeInteger(result)));
  return double ? new DoubleValue(result) : result;
}

/**
 * Names the query defined, where `m.key` counts as defined when `m` is (it may read inside a jsonParse
 * structure), so the line pre-check never decides such a name from the raw line.
 */
class DefinedNames extends Set<string> {
  override has(name: string): boolean {
    if (super.has(name)) return true;
    for (let dot = name.lastIndexOf('.'); dot > 0; dot = name.lastIndexOf('.', dot - 1)) {
      if (super.has(name.slice(0, dot))) return true;
    }
    return false;
  }
}

/**
 * `m.key.0` where `m` is a name the query defined (jsonParse's map or list, docs/aws-behaviour.md#insights-functions):
 * reads the member of the longest defined prefix when that holds a structure, else `otherwise` (such as the
 * flattened JSON field of that name). Null when no prefix is defined.
 */
function memberAccessor(name: string, defined: ReadonlySet<string>, otherwise: Evaluator): Evaluator | null {
  const parts = name.split('.');
  for (let take = parts.length - 1; take >= 1; take--) {
    const base = parts.slice(0, take).join('.');
    if (!defined.has(base)) continue;
    const path = parts.slice(take);
    return (row) => {
      const value = row.get(base);
      return value instanceof Structure ? structureMember(value, path) : otherwise(row);
    };
  }
  return null;
}

/** Reads a field of an event: computed first when a fields/parse/display command set that name. */
function eventAccessor(name: string, computed: boolean): Evaluator {
  if (computed) return (row) => row.get(name);
  switch (name) {
    case '@timestamp':
      return (row) => new Timestamp((row as EventRow).timestamp);
    case '@message':
      return (row) => (row as EventRow).message;
    case '@ingestionTime':
      return (row) => new Timestamp((row as EventRow).ingestionTime);
    case '@logStream':
    case '@log':
    case '@ptr':
      return (row) => (row as EventRow).field(name);
    default:
      if (LAMBDA_FIELDS.has(name)) return (row) => (row as EventRow).lambdaField(name);
      return (row) => (row as EventRow).jsonField(name);
  }
}
