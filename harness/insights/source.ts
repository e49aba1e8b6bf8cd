import { UsageError } from '../errors.js';
import type { Query, SourceCommand } from './ast.js';
import { LOCAL_ACCOUNT_ID } from './discovery.js';
import type { Lexer, Token } from './lexer.js';
import { QuerySyntaxError, type Span } from './query-error.js';

/**
 * The `SOURCE` command (CWL_QuerySyntax-Source, docs/aws-behaviour.md#insights-source): log group selection
 * inside the query, `SOURCE logGroups(namePrefix: [...], class: [...], accountIdentifiers: [...])`.
 */

/** "You can include as many as five prefixes in the list." */
export const MAX_NAME_PREFIXES = 5;
/** "You can include as many as 20 account identifiers in the list." */
export const MAX_ACCOUNT_IDENTIFIERS = 20;
/** More groups than this and AWS asks for a narrower selection. */
export const MAX_SOURCE_LOG_GROUPS = 10_000;
/** The log classes `class:` names; a local group is always STANDARD (docs/insights-limits.md#source). */
export const LOG_CLASSES = ['STANDARD', 'INFREQUENT_ACCESS'] as const;

type ListKey = 'namePrefixes' | 'classes' | 'accountIdentifiers';

// The page's examples write namePrefix, class and accountIdentifiers; its keyword list writes logGroupClass and
// accountIdentifier. Both spellings are accepted (case-insensitive, as command names are).
const KEYWORDS: Record<string, ListKey> = {
  nameprefix: 'namePrefixes',
  class: 'classes',
  loggroupclass: 'classes',
  accountidentifiers: 'accountIdentifiers',
  accountidentifier: 'accountIdentifiers',
};

const EXAMPLE = "SOURCE logGroups(namePrefix: ['/aws/lambda/my-fn'])";

/**
 * Parses what follows the word `SOURCE` (the lexer stands just after it). `start` is where `SOURCE` begins;
 * `describe` names a token in messages the way the rest of the parser does.
 */
export function parseSourceCommand(
  lexer: Lexer,
  source: string,
  start: number,
  describe: (token: Token) => string,
  inSubquery = false,
): SourceCommand {
  const error = (span: Span, problem: string) => new QuerySyntaxError(source, span, problem);
  const head = lexer.next();
  if (head.type === 'string') {
    // CWL_QuerySyntax-Subqueries: a subquery names its log group as `SOURCE '<group>'`.
    if (inSubquery) {
      return {
        kind: 'source',
        names: [head.value],
        namePrefixes: null,
        classes: null,
        accountIdentifiers: null,
        span: { start, end: head.span.end },
      };
    }
    throw error(
      head.span,
      `SOURCE '<group>' names the log group of a subquery (filter x in (SOURCE '<group>' | ...)); at the start of a query name the groups with logGroups(...), e.g. ${EXAMPLE}, or with --log-group`,
    );
  }
  if (head.type !== 'ident' || head.text.toLowerCase() !== 'loggroups') {
    throw error(head.span, `expected logGroups(...) after SOURCE, e.g. ${EXAMPLE}, found ${describe(head)}`);
  }
  const open = lexer.next();
  if (!isPunct(open, '(')) throw error(open.span, `expected '(' after logGroups, found ${describe(open)}`);
  const lists: Record<ListKey, string[] | null> = { namePrefixes: null, classes: null, accountIdentifiers: null };
  let close = lexer.next();
  while (!isPunct(close, ')')) {
    const key = close;
    const listKey = key.type === 'ident' ? KEYWORDS[key.text.toLowerCase()] : undefined;
    if (listKey === undefined) {
      throw error(
        key.span,
        `expected namePrefix, class or accountIdentifiers in logGroups(...), found ${describe(key)}`,
      );
    }
    if (lists[listKey] !== null) {
      throw error(key.span, `'${(key as { text: string }).text}' is given twice: put all the values in one list`);
    }
    const colon = lexer.next();
    if (!isPunct(colon, ':'))
      throw error(colon.span, `expected ':' after '${(key as { text: string }).text}', found ${describe(colon)}`);
    lists[listKey] = stringList(lexer, (key as { text: string }).text, listKey, error, describe);
    close = lexer.next();
    if (isPunct(close, ',')) close = lexer.next();
    else if (!isPunct(close, ')'))
      throw error(close.span, `expected ',' or ')' in logGroups(...), found ${describe(close)}`);
  }
  return { kind: 'source', ...lists, span: { start, end: close.span.end } };
}

function stringList(
  lexer: Lexer,
  keyText: string,
  key: ListKey,
  error: (span: Span, problem: string) => QuerySyntaxError,
  describe: (token: Token) => string,
): string[] {
  const open = lexer.next();
  if (!isPunct(open, '[')) {
    throw error(open.span, `expected a list in brackets after '${keyText}:', e.g. ['value'], found ${describe(open)}`);
  }
  const values: string[] = [];
  for (;;) {
    const item = lexer.next();
    if (item.type !== 'string') {
      throw error(item.span, `expected a quoted value in the '${keyText}' list, found ${describe(item)}`);
    }
    if (key === 'classes' && !(LOG_CLASSES as readonly string[]).includes(item.value)) {
      throw error(item.span, `unknown log class ${JSON.stringify(item.value)}: use 'STANDARD' or 'INFREQUENT_ACCESS'`);
    }
    values.push(item.value);
    const max =
      key === 'namePrefixes'
        ? MAX_NAME_PREFIXES
        : key === 'accountIdentifiers'
          ? MAX_ACCOUNT_IDENTIFIERS
          : LOG_CLASSES.length;
    if (values.length > max) {
      throw error(item.span, `'${keyText}' takes at most ${max} values: split the query or use fewer, wider prefixes`);
    }
    const next = lexer.next();
    if (isPunct(next, ']')) return values;
    if (!isPunct(next, ','))
      throw error(next.span, `expected ',' or ']' in the '${keyText}' list, found ${describe(next)}`);
  }
}

function isPunct(token: Token, text: string): boolean {
  return token.type === 'punct' && token.text === text;
}

/**
 * The groups of `available` (the local store's groups) that a SOURCE command selects, in the order given: names
 * starting with one of the prefixes (any name without `namePrefix`), in the STANDARD class (every local group is;
 * STANDARD is also the default without `class`), in the local account (any without `accountIdentifiers`).
 */
export function selectLogGroups(command: SourceCommand, available: readonly string[], querySource: string): string[] {
  if (command.names) return available.filter((g) => command.names!.includes(g));
  const classes = command.classes ?? ['STANDARD'];
  const accounts = command.accountIdentifiers;
  if (!classes.includes('STANDARD') || (accounts !== null && !accounts.includes(LOCAL_ACCOUNT_ID))) return [];
  const prefixes = command.namePrefixes;
  const chosen = prefixes === null ? [...available] : available.filter((g) => prefixes.some((p) => g.startsWith(p)));
  if (chosen.length > MAX_SOURCE_LOG_GROUPS) {
    throw new QuerySyntaxError(
      querySource,
      command.span,
      `SOURCE selects ${chosen.length} log groups, more than ${MAX_SOURCE_LOG_GROUPS}: narrow it with longer namePrefix values`,
    );
  }
  return chosen;
}

/** The query's SOURCE command, or null. */
export function sourceCommandOf(query: Query): SourceCommand | null {
  const first = query.commands[0];
  return first?.kind === 'source' ? first : null;
}

/**
 * The log groups a query runs over. Without SOURCE: the groups named (at least one). With SOURCE: the groups it
 * selects from `available()`, and naming groups as well is an error (choice, docs/aws-behaviour.md#insights-source:
 * StartQuery takes exactly one way of naming groups; SOURCE in the query string is one more).
 */
export async function queryLogGroups(
  query: Query,
  named: readonly string[],
  available: () => Promise<readonly string[]>,
): Promise<string[]> {
  const command = sourceCommandOf(query);
  if (command === null) {
    if (named.length === 0) throw new UsageError('LogGroupMissing', 'name at least one log group to query');
    return [...new Set(named)];
  }
  if (named.length > 0) {
    throw new UsageError(
      'ConflictingFlags',
      `the query picks its log groups with SOURCE and log groups were named as well (${named.join(', ')}): use one or the other`,
    );
  }
  const chosen = selectLogGroups(command, await available(), query.source);
  const missing = command.names?.find((name) => !chosen.includes(name));
  if (missing !== undefined) {
    // AWS's own words for a group that does not exist (docs/aws-behaviour.md#insights-api).
    throw new UsageError(
      'LogGroupNotFound',
      `Log group '${missing}' does not exist for account ID '${LOCAL_ACCOUNT_ID}'`,
    );
  }
  if (chosen.length === 0) {
    throw new UsageError(
      'LogGroupNotFound',
      `SOURCE selects no log group of the local store (every local group is STANDARD, in account ${LOCAL_ACCOUNT_ID}): check namePrefix, class and accountIdentifiers`,
    );
  }
  return chosen;
}

/** True when the query text starts with a SOURCE command (false when it does not parse: the run reports that). */
export function selectsOwnLogGroups(queryString: string): boolean {
  return /^\s*(?:#[^\n]*\n\s*)*source\b/i.test(queryString);
}
