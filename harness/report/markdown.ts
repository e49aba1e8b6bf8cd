/**
 * The one GitHub-flavoured markdown table writer of the harness: run reports (report/render.ts) and
 * `harness perf` reports (perf/render.ts) draw every table with it; {@link textTable} is its plain-text twin
 * for terminals (`harness perf`, `harness compare`). Pure.
 */

/** How a column's cells sit: `left` (`---`, text) or `right` (`---:`, numbers). */
export type Align = 'left' | 'right';

/** A cell's text made safe inside a table row: `|` escaped, a line break as a space. */
export function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** One row, `| a | b |`, every cell escaped. */
export function markdownRow(cells: readonly string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

/**
 * A table: the header row, the alignment row and one line per row, joined by line breaks (no trailing one).
 * Columns are left-aligned unless `align` says otherwise.
 *
 * @example
 * markdownTable(['status', 'responses'], [['200', '42']], ['left', 'right'])
 * // '| status | responses |\n| --- | ---: |\n| 200 | 42 |'
 */
export function markdownTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const rule = headers.map((_, i) => (align[i] === 'right' ? '---:' : '---'));
  return [markdownRow(headers), markdownRow(rule), ...rows.map(markdownRow)].join('\n');
}

/**
 * A table for a terminal: columns padded to their widest cell (counted in code points), two spaces apart, a
 * dashed rule under the headers, no trailing spaces; lines joined by line breaks (no trailing one).
 */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (text: string) => [...text].length;
  const widths = headers.map((header, c) => Math.max(width(header), ...rows.map((row) => width(row[c]!))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => cell + ' '.repeat(widths[c]! - width(cell)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
