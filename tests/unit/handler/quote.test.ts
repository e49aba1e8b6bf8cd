/** quote(): the one way the handler and the stack quote a value in an error message. */
import { describe, expect, it } from 'vitest';
import { quote } from '../../../handler/errors.js';
import { StackConfigError } from '../../../stack/errors.js';

describe('quote', () => {
  it.each([
    ['abc', "'abc'"],
    ["it's", "'it's'"],
    ['say "hi"', `'say \\"hi\\"'`],
    ['two\nlines', "'two\\nlines'"],
    [42, "'42'"],
    [{ a: 1 }, `'{\\"a\\":1}'`],
    [undefined, "'undefined'"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(quote(value)).toBe(quoted);
  });

  it('cuts a long value to 40 characters unless told otherwise', () => {
    expect(quote('x'.repeat(50))).toBe(`'${'x'.repeat(40)}…'`);
    expect(quote('x'.repeat(50), Number.POSITIVE_INFINITY)).toBe(`'${'x'.repeat(50)}'`);
  });

  it('is what the stack uses for context values, whole and escaped', () => {
    const error = new StackConfigError('creator', 'a\nb', 'letters');
    expect(error.message).toBe("context 'creator' is 'a\\nb': letters (set it with -c creator=<value>)");
  });
});
