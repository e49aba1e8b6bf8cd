import type { Evaluator } from './compile.js';
import { MapRow, type Row } from './rows.js';
import { valueText } from './values.js';

/**
 * The `pattern` command (CWL_QuerySyntax-Pattern, docs/aws-behaviour.md#insights-pattern): clusters the values of
 * its input into patterns, one result row per pattern. AWS clusters with its own model; this is a deterministic
 * stand-in whose output can differ (docs/insights-limits.md#pattern):
 *
 * - the text is cut into tokens at runs of white space and at the JSON and list punctuation `" , ; = { } [ ] ( )`
 *   (separators are kept as written);
 * - a token's leading and trailing characters other than letters and digits stay as written around its core;
 * - a core holding a digit is dynamic, shown as `<Token-N>` (N counts dynamic tokens from 1, the form AWS uses
 *   when it cannot name the token's type); every other token is static;
 * - values with the same static tokens, separators and dynamic positions are one pattern.
 */

/** The result columns, in the order the docs list them. */
export const PATTERN_COLUMNS = ['@pattern', '@ratio', '@sampleCount', '@severityLabel'] as const;

// Upper-case level words (the core of a token: `[INFO]`, `ERROR:`), and the labels the docs name for them.
const SEVERITY: Record<string, string> = {
  ERROR: 'Error',
  WARN: 'Warning',
  WARNING: 'Warning',
  INFO: 'Info',
  DEBUG: 'Debug',
};

/** The pattern of one text and its severity label (null when no level word is among its static tokens). */
export function patternOf(text: string): { readonly pattern: string; readonly severity: string | null } {
  const parts = text.split(SEPARATORS);
  let dynamic = 0;
  let severity: string | null = null;
  for (let i = 0; i < parts.length; i += 2) {
    const token = parts[i]!;
    let start = 0;
    let end = token.length;
    while (start < end && !isAlnum(token.charCodeAt(start))) start++;
    while (end > start && !isAlnum(token.charCodeAt(end - 1))) end--;
    const core = token.slice(start, end);
    if (/\d/.test(core)) {
      parts[i] = `${token.slice(0, start)}<Token-${++dynamic}>${token.slice(end)}`;
    } else if (severity === null) {
      severity = SEVERITY[core] ?? null;
    }
  }
  return { pattern: parts.join(''), severity };
}

// Separators, captured so that split() keeps them at the odd indexes.
const SEPARATORS = /(\s+|[",;={}[\]()])/;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

interface Cluster {
  readonly pattern: string;
  readonly severity: string | null;
  count: number;
}

/**
 * Collects rows and returns one row per pattern of `input`: `@pattern`, `@ratio` (its share of the rows that had
 * a value, a number from 0 to 1), `@sampleCount` and `@severityLabel`. Rows whose input is missing belong to no
 * pattern and are not counted (choice). Order (choice, the docs show none): most samples first, then by pattern.
 */
export class PatternSink {
  private readonly clusters = new Map<string, Cluster>();
  private total = 0;

  constructor(private readonly input: Evaluator) {}

  add(row: Row): void {
    const value = this.input(row);
    if (value === null) return;
    const { pattern, severity } = patternOf(valueText(value));
    this.total++;
    const cluster = this.clusters.get(pattern);
    if (cluster === undefined) this.clusters.set(pattern, { pattern, severity, count: 1 });
    else cluster.count++;
  }

  finish(): Row[] {
    // Ties by code unit order of the pattern text.
    const clusters = [...this.clusters.values()].sort(
      (a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0),
    );
    return clusters.map((cluster) => {
      const row = new MapRow();
      row.set('@pattern', cluster.pattern);
      row.set('@ratio', cluster.count / this.total);
      row.set('@sampleCount', cluster.count);
      row.set('@severityLabel', cluster.severity);
      return row;
    });
  }
}
