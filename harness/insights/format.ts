import type { InsightsResult, InsightsRow } from './result.js';

/** Output formats of the `query` command. */
export const RESULT_FORMATS = ['table', 'json', 'csv', 'markdown'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/**
 * Renders query rows. `json` is an array of row objects exactly as returned (string values, `@ptr`
 * included); the others show the query's fields as columns, a missing value as an empty cell.
 */
export function formatResult(result: Pick<InsightsResult, 'fields' | 'rows'>, format: ResultFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(result.rows, null, 2);
    case 'csv':
      return [result.fields, ...result.rows.map((row) => cells(result.fields, row))]
        .map((line) => line.map(csvCell).join(','))
        .join('\n');
    case 'markdown':
      return markdownTable(result.fields, result.rows);
    case 'table':
      return textTable(result.fields, result.rows);
  }
}

function cells(fields: readonly string[], row: InsightsRow): string[] {
  return fields.map((field) => row[field] ?? '');
}

// RFC 4180: quote a cell holding a comma, a quote or a line break, doubling its quotes.
function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function markdownTable(fields: readonly string[], rows: readonly InsightsRow[]): string {
  const escapeCell = (value: string) => value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
  const lines = [`| ${fields.map(escapeCell).join(' | ')} |`, `| ${fields.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${cells(fields, row).map(escapeCell).join(' | ')} |`);
  return lines.join('\n');
}

function textTable(fields: readonly string[], rows: readonly InsightsRow[]): string {
  // One line per row in a terminal: line breaks and tabs inside values are shown escaped.
  const flat = (value: string) => value.replace(/\r?\n/g, '\\n').replace(/\t/g, '\\t');
  const body = rows.map((row) => cells(fields, row).map(flat));
  const widths = fields.map((field, i) => Math.max(field.length, ...body.map((line) => line[i]!.length)));
  const render = (line: readonly string[]) =>
    line
      .map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [render(fields), render(widths.map((w) => '-'.repeat(w))), ...body.map(render)].join('\n');
}
