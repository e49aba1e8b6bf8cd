import type { Span } from './query-error.js';

/**
 * The syntax tree of a Logs Insights query (CWL_QuerySyntax): a pipeline of commands separated by `|`.
 * Every node keeps its `span` in the source so later phases can point at it in errors.
 */
export interface Query {
  readonly source: string;
  readonly commands: readonly Command[];
}

export type Command =
  | FieldsCommand
  | DisplayCommand
  | FilterCommand
  | StatsCommand
  | SortCommand
  | LimitCommand
  | ParseCommand
  | DedupCommand
  | SourceCommand
  | UnnestCommand
  | PatternCommand;

/** `fields a, f(b) as c`: computes fields for the rest of the query and shows them. */
export interface FieldsCommand {
  readonly kind: 'fields';
  readonly items: readonly Projection[];
  readonly span: Span;
}

/** `display a, b`: which fields the result shows; only the last one counts. */
export interface DisplayCommand {
  readonly kind: 'display';
  readonly items: readonly Projection[];
  readonly span: Span;
}

export interface FilterCommand {
  readonly kind: 'filter';
  readonly expr: Expr;
  /**
   * Present (true) for `filterIndex`: `field = value` or `field in [...]` only. It keeps the same events as the
   * equivalent `filter` here (the local store has no field indexes: docs/insights-limits.md#filterindex).
   */
  readonly index?: true;
  readonly span: Span;
}

/** `stats agg(...) [as x], ... [by key [as y], ...]`. */
export interface StatsCommand {
  readonly kind: 'stats';
  readonly items: readonly Projection[];
  readonly by: readonly Projection[];
  readonly span: Span;
}

export interface SortKey {
  readonly expr: Expr;
  readonly order: 'asc' | 'desc';
  /** False when the query left the order out (it defaults to asc). */
  readonly explicitOrder: boolean;
}

export interface SortCommand {
  readonly kind: 'sort';
  readonly keys: readonly SortKey[];
  readonly span: Span;
}

export interface LimitCommand {
  readonly kind: 'limit';
  readonly count: number;
  readonly span: Span;
}

/** `parse [field] "glob * text" as a, b` or `parse [field] /(?<a>re)/`. */
export interface ParseCommand {
  readonly kind: 'parse';
  /** The field parsed; null when the query left it out (it is `@message`). */
  readonly field: FieldRef | null;
  readonly pattern: StringLiteral | RegexLiteral;
  /** Glob mode: one name per `*`. Regex mode: empty (names come from the named groups). */
  readonly aliases: readonly Alias[];
  readonly span: Span;
}

export interface DedupCommand {
  readonly kind: 'dedup';
  readonly fields: readonly FieldRef[];
  readonly span: Span;
}

/**
 * `SOURCE logGroups(namePrefix: [...], class: [...], accountIdentifiers: [...])` (CWL_QuerySyntax-Source): picks
 * the log groups inside the query. Each list is null when the query left that keyword out. Only as the first
 * command. docs/aws-behaviour.md#insights-source.
 */
export interface SourceCommand {
  readonly kind: 'source';
  /** `SOURCE '<group>'`, the form a subquery uses to name its one log group (CWL_QuerySyntax-Subqueries). */
  readonly names?: readonly string[];
  readonly namePrefixes: readonly string[] | null;
  readonly classes: readonly string[] | null;
  readonly accountIdentifiers: readonly string[] | null;
  readonly span: Span;
}

/** `unnest field into name` (CWL_QuerySyntax-Unnest): one row per item of a list; any other value is a one-item list. */
export interface UnnestCommand {
  readonly kind: 'unnest';
  readonly field: FieldRef;
  readonly into: Alias;
  readonly span: Span;
}

/** `pattern expr` (CWL_QuerySyntax-Pattern): one row per pattern of the values of `expr` (harness/insights/pattern.ts). */
export interface PatternCommand {
  readonly kind: 'pattern';
  readonly expr: Expr;
  readonly span: Span;
}

/** An expression with an optional `as` name; `text` is the expression as written (the column name when unnamed). */
export interface Projection {
  readonly expr: Expr;
  readonly alias: Alias | null;
  readonly text: string;
}

export interface Alias {
  readonly name: string;
  readonly span: Span;
}

export type Expr =
  | NumberLiteral
  | StringLiteral
  | PeriodLiteral
  | RegexLiteral
  | FieldRef
  | Star
  | Call
  | Unary
  | Binary
  | Match
  | InList;

export interface NumberLiteral {
  readonly kind: 'number';
  readonly value: number;
  readonly raw: string;
  readonly span: Span;
}

export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
  readonly span: Span;
}

/** Time units of `bin()`, `datefloor()` and `dateceil()` (CWL_QuerySyntax-Stats). */
export type PeriodUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'q' | 'y';

/** `5m`, `1h`, `100ms`. */
export interface PeriodLiteral {
  readonly kind: 'period';
  readonly amount: number;
  readonly unit: PeriodUnit;
  readonly raw: string;
  readonly span: Span;
}

/** `/re/flags`, written in Hyperscan/PCRE style. */
export interface RegexLiteral {
  readonly kind: 'regex';
  readonly source: string;
  readonly flags: string;
  readonly span: Span;
}

/** A field; `quoted` when written in backticks. */
export interface FieldRef {
  readonly kind: 'field';
  readonly name: string;
  readonly quoted: boolean;
  readonly span: Span;
}

/** The `*` of `count(*)`. */
export interface Star {
  readonly kind: 'star';
  readonly span: Span;
}

export interface Call {
  readonly kind: 'call';
  /** Lowercased: function names are case-insensitive (the docs write both `isPresent` and `ispresent`). */
  readonly name: string;
  /** As written, for messages and for printing. */
  readonly rawName: string;
  readonly args: readonly Expr[];
  readonly span: Span;
}

export interface Unary {
  readonly kind: 'unary';
  readonly op: '-' | 'not';
  readonly operand: Expr;
  readonly span: Span;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export interface Binary {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly span: Span;
}

/** `x like "sub"`, `x like /re/`, `x =~ /re/`, `x not like ...`. */
export interface Match {
  readonly kind: 'match';
  readonly op: 'like' | '=~';
  readonly negated: boolean;
  readonly subject: Expr;
  readonly pattern: StringLiteral | RegexLiteral;
  readonly span: Span;
}

/** `x in [a, b]`, `x not in [a, b]`; or `x in ( <query> )`, a subquery, whose rows give the values (items empty). */
export interface InList {
  readonly kind: 'in';
  readonly negated: boolean;
  readonly subject: Expr;
  readonly items: readonly Expr[];
  /** The subquery (CWL_QuerySyntax-Subqueries); its commands' spans are offsets in the outer query's source. */
  readonly subquery?: Query;
  readonly span: Span;
}
