import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { globMatcher } from '../../../harness/insights/compile.js';

// `parse` glob patterns: the linear matcher against the regular expression the engine used to build
// (lazy groups, greedy trailing group, unanchored, flag s) and against a reference written from the definition.

function oldRegex(pattern: string): RegExp {
  const parts = pattern.split('*');
  const stars = parts.length - 1;
  const escapeText = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const body = parts
    .map((part, i) => escapeText(part) + (i < stars ? (i === stars - 1 && parts[stars] === '' ? '(.*)' : '(.*?)') : ''))
    .join('');
  return new RegExp(body, 's');
}

// The definition: the leftmost start, then each `*` as short as possible such that the rest can still match
// (the order a backtracking matcher tries), a trailing `*` to the end. `reach[i][p]`: literals i.. match with
// literal i at some position >= p. Quadratic in the worst case, but no backtracking.
function reference(pattern: string, text: string): string[] | null {
  const lits = pattern.split('*');
  const k = lits.length - 1;
  const at = (i: number, q: number) => text.startsWith(lits[i]!, q);
  const reach: boolean[][] = [];
  for (let i = k; i >= 1; i--) {
    const row: boolean[] = new Array(text.length + 2).fill(false);
    for (let p = text.length; p >= 0; p--) {
      const here = at(i, p) && (i === k || reach[i + 1]![p + lits[i]!.length]!);
      row[p] = here || row[p + 1]!;
    }
    reach[i] = row;
  }
  const fits = (i: number, q: number) => at(i, q) && (i === k || reach[i + 1]![q + lits[i]!.length]!);
  let position = -1;
  for (let s = 0; s <= text.length; s++) {
    if (fits(0, s)) {
      position = s + lits[0]!.length;
      break;
    }
  }
  if (position === -1) return null;
  const captures: string[] = [];
  for (let i = 1; i <= k; i++) {
    if (i === k && lits[k] === '') {
      captures.push(text.slice(position));
      break;
    }
    let q = position;
    while (!fits(i, q)) q++;
    captures.push(text.slice(position, q));
    position = q + lits[i]!.length;
  }
  return captures;
}

describe('parse glob matching', () => {
  test('gives exactly the results of the old regular expression (small inputs, where it is fast)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*.]{0,8}$/), fc.stringMatching(/^[ab.\n]{0,14}$/), (pattern, text) => {
        const old = oldRegex(pattern).exec(text);
        const expected = old === null ? null : old.slice(1);
        expect(globMatcher(pattern)(text)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  test('agrees with the reference on long lines and many stars, and finishes', () => {
    const pattern = fc
      .array(fc.stringMatching(/^[ab]{0,3}$/), { minLength: 1, maxLength: 11 })
      .map((parts) => parts.join('*'));
    const line = fc.oneof(
      fc.stringMatching(/^[ab]{0,2000}$/),
      fc.integer({ min: 0, max: 2000 }).map((n) => 'a'.repeat(n)),
      fc
        .tuple(fc.integer({ min: 0, max: 2000 }), fc.stringMatching(/^[ab]{0,4}$/))
        .map(([n, end]) => 'a'.repeat(n) + end),
    );
    fc.assert(
      fc.property(pattern, line, (p, text) => {
        expect(globMatcher(p)(text)).toEqual(reference(p, text));
      }),
      { numRuns: 300 },
    );
  });
});
