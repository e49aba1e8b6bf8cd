import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_REGRESSION,
  formatMaxRegression,
  formatTolerance,
  parseMaxRegression,
  toleranceMs,
} from '../../../harness/compare/tolerance.js';
import { UsageError } from '../../../harness/errors.js';

/** The UsageError `text` throws; fails the test when it parses. */
function errorOf(text: string): UsageError {
  try {
    parseMaxRegression(text);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error(`'${text}' parsed`);
}

describe('parseMaxRegression', () => {
  it('reads absolute and relative tolerances, with or without the sign', () => {
    expect(parseMaxRegression('p50=+2ms,p99=+10%')).toEqual({
      p50: { amount: 2, unit: 'ms' },
      p99: { amount: 10, unit: '%' },
    });
    expect(parseMaxRegression('p50=2ms')).toEqual({ p50: { amount: 2, unit: 'ms' } });
    expect(parseMaxRegression('p99=10%')).toEqual({ p99: { amount: 10, unit: '%' } });
    expect(parseMaxRegression('mean=+1.5ms')).toEqual({ mean: { amount: 1.5, unit: 'ms' } });
  });

  it('allows whitespace around entries, around = and before the unit, and any case', () => {
    expect(parseMaxRegression(' p50 = +2 ms , P90=5%,  mean=0ms ')).toEqual({
      p50: { amount: 2, unit: 'ms' },
      p90: { amount: 5, unit: '%' },
      mean: { amount: 0, unit: 'ms' },
    });
  });

  it.each([
    ['', 'is empty'],
    ['   ', 'is empty'],
    ['p50=2ms,', 'empty entry'],
    ['p50=2ms,,p99=10%', 'empty entry'],
    ['p50:2ms', "'p50:2ms' is not <statistic>=<amount>"],
    ['p95=2ms', "'p95=2ms' names unknown statistic 'p95': use p50, p90, p99, mean"],
    ['=2ms', "names unknown statistic ''"],
    ['p50=2', "'p50=2' has no unit: write 2ms or 2%"],
    ['p50=2s', "'p50=2s' has unit 's': use ms"],
    ['p50=-2ms', "'p50=-2ms' is negative"],
    ['p50=fast', "'p50=fast' has amount 'fast', not a number"],
    ['p50=', "'p50=' has amount '', not a number"],
    ['p50=2ms,p50=3ms', "'p50=3ms' repeats p50"],
    ['p50=1e3ms', "has amount '1e3ms'"],
  ])('rejects %j, naming the bad part and showing a valid example', (text, part) => {
    const error = errorOf(text);
    expect(error.code).toBe('InvalidArguments');
    expect(error.message).toContain(`--max-regression '${text}'`);
    expect(error.message).toContain(part);
    expect(error.message).toMatch(/e\.g\. p50=\+2ms,p99=\+10%$/);
  });
});

describe('DEFAULT_MAX_REGRESSION', () => {
  it('is the parsed p50=+2ms,p99=+10%', () => {
    expect(DEFAULT_MAX_REGRESSION).toEqual(parseMaxRegression('p50=+2ms,p99=+10%'));
  });
});

describe('formatting', () => {
  it('prints a tolerance for a table and a whole value as the flag text', () => {
    expect(formatTolerance({ amount: 2, unit: 'ms' })).toBe('+2 ms');
    expect(formatTolerance({ amount: 10, unit: '%' })).toBe('+10 %');
    expect(formatMaxRegression(parseMaxRegression('p99=10%, mean=1.5ms,p50=2ms'))).toBe(
      'p50=+2ms,p99=+10%,mean=+1.5ms',
    );
  });
});

describe('toleranceMs', () => {
  it('keeps an absolute tolerance and scales a relative one by the base', () => {
    expect(toleranceMs({ amount: 2, unit: 'ms' }, 50)).toBe(2);
    expect(toleranceMs({ amount: 10, unit: '%' }, 50)).toBeCloseTo(5, 12);
    expect(toleranceMs({ amount: 10, unit: '%' }, Number.NaN)).toBeNaN();
  });
});
