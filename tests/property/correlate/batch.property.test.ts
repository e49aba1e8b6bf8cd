import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchIds } from '../../../harness/correlate/batch.js';
import { handlerLinesQuery, MAX_QUERY_LENGTH, reportLinesQuery } from '../../../stack/log-queries.js';

const idArb = fc.oneof(
  fc.uuid(),
  fc.string({ minLength: 1, maxLength: 60 }),
  fc.constantFrom('a"b', 'back\\slash', '"', '\\'),
);

describe('batchIds (properties)', () => {
  it('keeps every query under the size limit and puts every id in exactly one batch, in order', () => {
    fc.assert(
      fc.property(
        fc.array(idArb, { maxLength: 1500 }),
        fc.integer({ min: 300, max: MAX_QUERY_LENGTH }),
        fc.constantFrom(handlerLinesQuery, reportLinesQuery),
        (ids, maxChars, build) => {
          const batches = batchIds(ids, (batch) => build(batch), maxChars);
          for (const batch of batches) {
            expect(batch.length).toBeGreaterThan(0);
            expect(build(batch).length).toBeLessThanOrEqual(maxChars);
          }
          expect(batches.flat()).toEqual(ids);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fills batches: merging any two neighbours would break the limit or the id cap', () => {
    fc.assert(
      fc.property(fc.array(fc.uuid(), { minLength: 1, maxLength: 3000 }), (ids) => {
        const batches = batchIds(ids, (batch) => handlerLinesQuery(batch));
        for (let i = 0; i + 1 < batches.length; i++) {
          const merged = [...batches[i]!, batches[i + 1]![0]!];
          expect(handlerLinesQuery(merged).length > MAX_QUERY_LENGTH || merged.length > 1000).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });
});
