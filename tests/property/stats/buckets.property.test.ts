import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { histogram, percentilesOverTime } from '../../../harness/stats/buckets.js';
import { nearestRank } from '../../../harness/stats/percentile.js';

const sampleArb = fc.record({
  value: fc.double({ min: 0, max: 1e4, noNaN: true, noDefaultInfinity: true }),
  atSeconds: fc.double({ min: -5, max: 200, noNaN: true, noDefaultInfinity: true }),
});

describe('chart buckets (properties)', () => {
  it('count every sample once and give each bucket the nearest-rank p50 and p99 of its own samples', () => {
    fc.assert(
      fc.property(
        fc.array(sampleArb, { maxLength: 500 }),
        fc.double({ min: 0, max: 180, noNaN: true }),
        (samples, spanSeconds) => {
          const values = samples.map((s) => s.value);
          const chart = percentilesOverTime(
            values,
            samples.map((s) => s.atSeconds),
            spanSeconds,
            60,
          );
          const buckets = chart.counts.length;
          expect(buckets).toBeLessThanOrEqual(60);
          expect(chart.counts.reduce((a, b) => a + b, 0)).toBe(samples.length);
          for (let b = 0; b < buckets; b++) {
            const own = samples
              .filter((s) => Math.min(buckets - 1, Math.max(0, Math.floor(s.atSeconds / chart.bucketSeconds))) === b)
              .map((s) => s.value)
              .sort((x, y) => x - y);
            expect(chart.counts[b]).toBe(own.length);
            expect(chart.p50[b]).toBe(nearestRank(own, own.length, 0.5));
            expect(chart.p99[b]).toBe(nearestRank(own, own.length, 0.99));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('histogram counts add up to the number of values', () => {
    const edges = [0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000];
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { maxLength: 300 }), (values) => {
        const h = histogram(values, edges);
        expect(h.counts.reduce((a, b) => a + b, 0)).toBe(values.length);
        expect(h.edges).toEqual(edges.slice(0, h.counts.length));
      }),
      { numRuns: 200 },
    );
  });
});
