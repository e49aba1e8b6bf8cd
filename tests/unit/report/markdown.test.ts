import { describe, expect, it } from 'vitest';
import { escapeCell, markdownRow, markdownTable } from '../../../harness/report/markdown.js';

describe('markdownTable', () => {
  it('writes the header, the alignment row and one line per row', () => {
    expect(
      markdownTable(
        ['status', 'responses'],
        [
          ['200', '42'],
          ['503', '1'],
        ],
        ['left', 'right'],
      ),
    ).toBe('| status | responses |\n| --- | ---: |\n| 200 | 42 |\n| 503 | 1 |');
  });

  it('left-aligns columns the alignment does not name, and draws a header-only table', () => {
    expect(markdownTable(['a', 'b'], [])).toBe('| a | b |\n| --- | --- |');
  });

  it('escapes pipes and flattens line breaks in every cell, headers included', () => {
    expect(escapeCell('a | b\nc')).toBe('a \\| b c');
    expect(markdownRow(['x|y', ''])).toBe('| x\\|y |  |');
    expect(markdownTable(['p|q'], [['1\n2']]).split('\n')).toEqual(['| p\\|q |', '| --- |', '| 1 2 |']);
  });
});
