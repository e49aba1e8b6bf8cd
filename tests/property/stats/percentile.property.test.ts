import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  nearestRank,
  PERCENTILE_RANKS,
  percentilesInPlace,
  rankIndex,
  select,
} from '../../../harness/stats/percentile.js';
import { summarize } from '../../../harness/stats/summary.js';

const samplesArb = fc.array(fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true }), {
  minLength: 1,
  maxLength: 2000,
});

describe('percentiles (properties)', () => {
  it('are monotone: min ≤ p50 ≤ p90 ≤ p95 ≤ p99 ≤ p99.9 ≤ max', () => {
    fc.assert(
      fc.property(samplesArb, (samples) => {
        const s = summarize(samples);
        const chain = [s.min, s.p50, s.p90, s.p95, s.p99, s.p99_9, s.max];
        for (let i = 1; i < chain.length; i++) expect(chain[i]).toBeGreaterThanOrEqual(chain[i - 1]!);
      }),
      { numRuns: 200 },
    );
  });

  it('equal the nearest-rank values of the fully sorted samples (selection finds what sorting finds)', () => {
    fc.assert(
      fc.property(samplesArb, (samples) => {
        const sorted = Float64Array.from(samples).sort();
        const s = summarize(samples);
        for (const [key, p] of Object.entries(PERCENTILE_RANKS)) {
          expect(s[key as keyof typeof PERCENTILE_RANKS]).toBe(nearestRank(sorted, sorted.length, p));
        }
        expect(s.max).toBe(sorted[sorted.length - 1]);
        expect(s.n).toBe(samples.length);
      }),
      { numRuns: 200 },
    );
  });

  it('ignore NaN and infinities (requests without a response)', () => {
    fc.assert(
      fc.property(samplesArb, fc.integer({ min: 1, max: 50 }), (samples, holes) => {
        const withHoles = [
          ...samples,
          ...Array.from({ length: holes }, (_, i) => (i % 2 ? Number.NaN : Number.POSITIVE_INFINITY)),
        ];
        expect(summarize(withHoles)).toEqual(summarize(samples));
      }),
      { numRuns: 100 },
    );
  });

  it('select partitions around the k-th smallest value', () => {
    fc.assert(
      fc.property(samplesArb, fc.nat(), (samples, seed) => {
        const a = Float64Array.from(samples);
        const k = seed % a.length;
        select(a, k, 0, a.length - 1);
        const expected = Float64Array.from(samples).sort()[k];
        expect(a[k]).toBe(expected);
        for (let i = 0; i < k; i++) expect(a[i]).toBeLessThanOrEqual(a[k]!);
        for (let i = k + 1; i < a.length; i++) expect(a[i]).toBeGreaterThanOrEqual(a[k]!);
      }),
      { numRuns: 200 },
    );
  });

  it('are monotone in p, lie within [min, max], and equal the sorted element at rank ceil(p·n)', () => {
    const rankArb = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(samplesArb, rankArb, rankArb, (samples, pA, pB) => {
        const [lowP, highP] = pA <= pB ? [pA, pB] : [pB, pA];
        const sorted = Float64Array.from(samples).sort();
        const n = sorted.length;
        const [low, high] = percentilesInPlace(Float64Array.from(samples), n, [lowP, highP]) as [number, number];
        expect(low).toBeLessThanOrEqual(high);
        expect(low).toBeGreaterThanOrEqual(sorted[0]!);
        expect(high).toBeLessThanOrEqual(sorted[n - 1]!);
        // The textbook rank ceil(p·n) (1-based, at least 1), up to float error in p·n.
        const rank = Math.min(n, Math.max(1, Math.ceil(highP * n - 1e-9)));
        expect(high).toBe(sorted[rank - 1]);
        expect(rankIndex(n, highP)).toBe(rank - 1);
      }),
      { numRuns: 300 },
    );
  });

  it('have at least p·n values at or below them, and fewer than p·n strictly below', () => {
    fc.assert(
      fc.property(samplesArb, fc.constantFrom(...Object.values(PERCENTILE_RANKS)), (samples, p) => {
        const x =
          summarize(samples)[
            Object.entries(PERCENTILE_RANKS).find(([, r]) => r === p)![0] as keyof typeof PERCENTILE_RANKS
          ];
        const n = samples.length;
        expect(samples.filter((v) => v <= x).length).toBeGreaterThanOrEqual(p * n - 1e-6);
        expect(samples.filter((v) => v < x).length).toBeLessThan(p * n + 1e-6);
      }),
      { numRuns: 200 },
    );
  });
});
