import { UsageError } from '../errors.js';

/** Where something is in the query text: offsets into the string, end exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** 1-based line and column of an offset, as a compiler reports them. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Line and column (both 1-based) of `offset` in `source`. */
export function positionOf(source: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * A query that does not parse or does not make sense: code `MalformedQuery` (the AWS exception's name),
 * exit 2. The message names the line, the column and what was expected, then shows the line with a caret:
 *
 * ```
 * line 1, column 18: expected an expression after '>=', found the end of the query
 *   filter status >=
 *                    ^
 * ```
 */
export class QuerySyntaxError extends UsageError {
  readonly line: number;
  readonly column: number;
  /** The problem alone, without the position and the excerpt. */
  readonly problem: string;

  constructor(source: string, span: Span, problem: string) {
    const { line, column } = positionOf(source, span.start);
    super('MalformedQuery', `line ${line}, column ${column}: ${problem}\n${excerpt(source, span)}`);
    this.name = 'QuerySyntaxError';
    this.line = line;
    this.column = column;
    this.problem = problem;
  }
}

// The offending line, indented, and a caret line under the span (tabs kept so the caret lines up).
function excerpt(source: string, span: Span): string {
  const lineStart = source.lastIndexOf('\n', Math.max(0, Math.min(span.start, source.length) - 1)) + 1;
  const newline = source.indexOf('\n', lineStart);
  const lineEnd = newline === -1 ? source.length : newline;
  const text = source.slice(lineStart, lineEnd);
  const column = Math.min(span.start, lineEnd) - lineStart;
  const pad = text.slice(0, column).replace(/[^\t]/g, ' ');
  const width = Math.max(1, Math.min(span.end, lineEnd) - Math.min(span.start, lineEnd));
  return `  ${text}\n  ${pad}${'^'.repeat(width)}`;
}
