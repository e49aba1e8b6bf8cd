import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spreadOf } from '../../../harness/stats/spread.js';

describe('spread over rounds (properties)', () => {
  it('has min ≤ median ≤ max over the finite values, and counts only those', () => {
    const roundArb = fc.oneof(
      fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }),
      fc.constant(Number.NaN),
    );
    fc.assert(
      fc.property(fc.array(roundArb, { maxLength: 20 }), (values) => {
        const finite = values.filter(Number.isFinite);
        const s = spreadOf(values);
        expect(s.n).toBe(finite.length);
        if (finite.length === 0) return;
        expect(s.min).toBeLessThanOrEqual(s.median);
        expect(s.median).toBeLessThanOrEqual(s.max);
      }),
      { numRuns: 300 },
    );
  });
});
