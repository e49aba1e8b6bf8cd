import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide } from '../../../harness/compare/verdict.js';

const ms = fc.double({ min: -100, max: 100, noNaN: true });
const intervalArb = fc.tuple(ms, ms).map(([a, b]): [number, number] => (a <= b ? [a, b] : [b, a]));
const toleranceArb = fc.double({ min: 0, max: 50, noNaN: true });

describe('verdict rule (properties)', () => {
  it('is symmetric: mirroring the interval swaps regression and improvement', () => {
    const mirror = { regression: 'improvement', improvement: 'regression' } as const;
    fc.assert(
      fc.property(intervalArb, toleranceArb, ([low, high], t) => {
        const verdict = decide(low, high, t);
        const mirrored = decide(-high, -low, t);
        expect(mirrored).toBe(verdict === 'regression' || verdict === 'improvement' ? mirror[verdict] : verdict);
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('never turns a no-change into anything else, nor a regression into a no-change, as the tolerance grows', () => {
    fc.assert(
      fc.property(intervalArb, toleranceArb, toleranceArb, ([low, high], a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const before = decide(low, high, small);
        const after = decide(low, high, large);
        if (before === 'no-change') expect(after).toBe('no-change');
        if (after === 'regression') expect(before).toBe('regression');
        if (after === 'improvement') expect(before).toBe('improvement');
      }),
      { numRuns: 300, seed: 6 },
    );
  });

  it('calls a regression exactly when the whole interval is above the tolerance', () => {
    fc.assert(
      fc.property(intervalArb, toleranceArb, ([low, high], t) => {
        expect(decide(low, high, t) === 'regression').toBe(low > t);
        expect(decide(low, high, t) === 'no-change').toBe(low >= -t && high <= t);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
