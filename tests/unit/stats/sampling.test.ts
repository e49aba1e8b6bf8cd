import { describe, expect, it } from 'vitest';
import { minSamplesFor, UNDER_SAMPLED_RISK, underSampledStats } from '../../../harness/stats/sampling.js';

describe('minSamplesFor and underSampledStats', () => {
  it('asks pX for the n at which X^n falls to 5 % (≈ 3/(1−X)), and marks what fewer samples cannot carry', () => {
    // Act
    const minimums = [0.5, 0.9, 0.95, 0.99, 0.999].map(minSamplesFor);

    // Assess: 0.99^299 ≈ 0.0496 ≤ 5 % < 0.99^298; p99 of 400 stands, p99.9 of 400 and p99 of 9 do not.
    expect(minimums).toEqual([5, 29, 59, 299, 2995]);
    expect(underSampledStats(400)).toEqual(['p99_9']);
    expect(underSampledStats(9)).toEqual(['p90', 'p95', 'p99', 'p99_9']);
    expect(underSampledStats(3_000)).toEqual([]);
    expect(underSampledStats(0)).toEqual([]);
  });

  it('puts the risk at the minimum at or below 5 %, and one sample fewer above it', () => {
    for (const rank of [0.5, 0.9, 0.95, 0.99, 0.999]) {
      const n = minSamplesFor(rank);
      expect(rank ** n).toBeLessThanOrEqual(UNDER_SAMPLED_RISK);
      expect(rank ** (n - 1)).toBeGreaterThan(UNDER_SAMPLED_RISK);
    }
  });
});
