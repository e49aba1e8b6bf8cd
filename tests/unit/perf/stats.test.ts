import { describe, expect, it } from 'vitest';
import { pairwiseDifferences, pairwiseRatios, shareOfCore, stallPercentileMs } from '../../../harness/perf/stats.js';

// Median and spread over rounds are tested with harness/stats in tests/unit/stats/spread.test.ts.

describe('paired rounds', () => {
  it('divides each candidate round by the baseline round it ran next to', () => {
    expect(pairwiseRatios([10, 30, 20], [20, 60, 80])).toEqual([0.5, 0.5, 0.25]);
  });

  it('subtracts each baseline round from its candidate round', () => {
    expect(pairwiseDifferences([1.5, 2], [1, 1.25])).toEqual([0.5, 0.75]);
  });

  it('refuses rounds that do not pair up', () => {
    expect(() => pairwiseRatios([1, 2], [1])).toThrow(/2 candidate vs 1 baseline/);
  });
});

describe('shareOfCore', () => {
  it('is 1 when a process used one full core over the interval', () => {
    expect(shareOfCore(2_000_000, 2000)).toBe(1);
    expect(shareOfCore(450_000, 1000)).toBeCloseTo(0.45, 12);
  });

  it('is NaN over an empty interval', () => {
    expect(shareOfCore(10, 0)).toBeNaN();
  });
});

describe('stallPercentileMs (docs/measurement.md#coordinated-omission)', () => {
  it('gives p99 = 90 ms and p95 = 50 ms for a 100 ms stall every second', () => {
    expect(stallPercentileMs(100, 1000, 0.99)).toBeCloseTo(90, 9);
    expect(stallPercentileMs(100, 1000, 0.95)).toBeCloseTo(50, 9);
  });

  it('is 0 for quantiles below the stalled share, which the stalls do not reach', () => {
    expect(stallPercentileMs(100, 1000, 0.5)).toBe(0);
  });

  it('rejects a stall longer than its period or a quantile outside (0, 1)', () => {
    expect(() => stallPercentileMs(200, 100, 0.99)).toThrow(RangeError);
    expect(() => stallPercentileMs(100, 1000, 1)).toThrow(RangeError);
  });
});
