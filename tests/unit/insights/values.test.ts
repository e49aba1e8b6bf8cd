import { describe, expect, test } from 'vitest';
import {
  compareValues,
  DoubleValue,
  formatJavaDouble,
  formatTimestamp,
  naturalCompare,
  renderValue,
  Structure,
  structureMember,
  Timestamp,
  toMillis,
  toNumber,
  truthy,
  valuesEqual,
} from '../../../harness/insights/values.js';

describe('rendering values as GetQueryResults does', () => {
  test.each([
    // docs/aws-behaviour.md#discovered-fields, recorded values: "@billedDuration": "15.0", "@memorySize": "1.28E8", "@maxMemoryUsed": "6.7E7"
    [15, '15.0'],
    [14.97, '14.97'],
    [128_000_000, '1.28E8'],
    [67_000_000, '6.7E7'],
    [1_024_000_000, '1.024E9'],
    [9_999_999, '9999999.0'],
    [10_000_000, '1.0E7'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [-2.5, '-2.5'],
    [0, '0.0'],
  ])('a double %d renders %s, as Java prints it', (n, text) => {
    expect(formatJavaDouble(n)).toBe(text);
    expect(renderValue(new DoubleValue(n))).toBe(text);
  });

  test('plain numbers render as integers when whole, booleans as 1 and 0', () => {
    expect(renderValue(200)).toBe('200');
    expect(renderValue(4.5)).toBe('4.5');
    expect(renderValue(true)).toBe('1');
    expect(renderValue(false)).toBe('0');
    expect(renderValue(null)).toBeNull();
  });

  test('timestamps render as YYYY-MM-DD HH:MM:SS.mmm in UTC (docs/aws-behaviour.md#discovered-fields)', () => {
    expect(formatTimestamp(Date.UTC(2023, 11, 5, 22, 14, 43, 877))).toBe('2023-12-05 22:14:43.877');
    expect(renderValue(new Timestamp(0))).toBe('1970-01-01 00:00:00.000');
  });
});

describe('comparing values', () => {
  test('numbers and numeric strings compare as numbers', () => {
    expect(compareValues('10', 9)).toBe(1);
    expect(compareValues('10', '9')).toBe(-1); // two strings compare as text
    expect(valuesEqual('404', 404)).toBe(true);
    expect(valuesEqual('abc', 0)).toBe(false);
  });

  test('a missing value, or text against a number, is not comparable (choice)', () => {
    expect(compareValues(null, 1)).toBeNull();
    expect(valuesEqual(null, null)).toBe(false);
    expect(compareValues('N/A', 500)).toBeNull();
    expect(compareValues(true, 1)).toBe(0);
  });

  test('timestamps compare with epoch ms and with date strings', () => {
    const t = new Timestamp(Date.UTC(2024, 4, 1, 12));
    expect(compareValues(t, Date.UTC(2024, 4, 1, 12))).toBe(0);
    expect(compareValues(t, '2024-05-01 11:59:59.999')).toBe(1);
    expect(toMillis('2024-05-01T12:00:00Z')).toBe(Date.UTC(2024, 4, 1, 12));
  });
});

describe('the natural sort order of CWL_QuerySyntax-Sort', () => {
  test('sorts the documentation example into the documented order', () => {
    // The page lists this exact ascending order.
    const documented = [
      '!:',
      '#',
      '*%04',
      '0#',
      '5A',
      '111A',
      '2345_',
      '@',
      '@_',
      'A',
      'A9876fghj',
      'a12345hfh',
      '0',
      '01',
      '1',
      '2',
      '3',
    ];
    const shuffled = [...documented].reverse();
    shuffled.push(shuffled.shift() as string);
    expect([...shuffled].sort(naturalCompare)).toEqual(documented);
  });

  test('descending is the exact reverse', () => {
    const values = ['b2', 'b10', '7', 'a', '10'];
    const ascending = [...values].sort(naturalCompare);
    const descending = [...values].sort((x, y) => -naturalCompare(x, y));
    expect(descending).toEqual([...ascending].reverse());
    expect(ascending).toEqual(['a', 'b2', 'b10', '7', '10']);
  });
});

// jsonParse's maps and lists (docs/aws-behaviour.md#insights-functions).
describe('structures', () => {
  const doc = new Structure({ a: { b: [10, { c: true }] }, 'x.y': 'dotted', n: null });

  test('members are read by dotted path, list items by index; missing paths give null', () => {
    expect(structureMember(doc, ['a', 'b', '0'])).toBe(10);
    expect(structureMember(doc, ['a', 'b', '1', 'c'])).toBe('true');
    expect(structureMember(doc, ['x', 'y'])).toBe('dotted');
    expect(structureMember(doc, ['n'])).toBeNull();
    expect(structureMember(doc, ['a', 'nope'])).toBeNull();
    expect(structureMember(doc, ['a', 'b', 'first'])).toBeNull();
    expect(structureMember('text', ['a'])).toBeNull();
    expect(structureMember(doc, ['a'])).toBeInstanceOf(Structure);
  });

  test('a structure renders as compact JSON, is true, and is not a number', () => {
    expect(renderValue(structureMember(doc, ['a']))).toBe('{"b":[10,{"c":true}]}');
    expect(truthy(new Structure([]))).toBe(true);
    expect(toNumber(new Structure([1]))).toBeNull();
    expect(compareValues(new Structure([1]), 1)).toBeNull();
    // It sorts with text, before numbers.
    expect(naturalCompare(new Structure([1]), 5)).toBeLessThan(0);
  });
});
