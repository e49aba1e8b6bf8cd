import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPARE_STATISTICS } from '../../../harness/compare/interval.js';
import { formatMaxRegression, type MaxRegression, parseMaxRegression } from '../../../harness/compare/tolerance.js';

const toleranceArb = fc.record({
  // Hundredths, as users write them (2ms, 1.5ms, 10%).
  amount: fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
  unit: fc.constantFrom('ms' as const, '%' as const),
});

const maxRegressionArb = fc
  .record(Object.fromEntries(COMPARE_STATISTICS.map((s) => [s, toleranceArb])), { requiredKeys: [] })
  .filter((m) => Object.keys(m).length > 0) as fc.Arbitrary<MaxRegression>;

describe('--max-regression text (properties)', () => {
  it('parses back what it prints', () => {
    fc.assert(
      fc.property(maxRegressionArb, (value) => {
        expect(parseMaxRegression(formatMaxRegression(value))).toEqual(value);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});
