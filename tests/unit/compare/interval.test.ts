import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RESAMPLES,
  differenceInterval,
  minSamplesFor,
  type TimedSamples,
} from '../../../harness/compare/interval.js';
import { mulberry32, type RandomSource } from '../../../harness/compare/random.js';
import { UsageError } from '../../../harness/errors.js';
import { nearestRank } from '../../../harness/stats/percentile.js';

/** `perSecond` samples in each of `seconds` seconds: 20 ms plus exponential noise (mean 3 ms), plus `shiftMs`. */
function samples(random: RandomSource, seconds: number, perSecond: number, shiftMs = 0): TimedSamples {
  const atSeconds: number[] = [];
  const values: number[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      atSeconds.push(s + random());
      values.push(20 - Math.log(1 - random()) * 3 + shiftMs);
    }
  }
  return { atSeconds, values };
}

const shifted = (side: TimedSamples, shiftMs: number): TimedSamples => ({
  atSeconds: side.atSeconds,
  values: Array.from(side.values, (v) => v + shiftMs),
});

describe('differenceInterval', () => {
  it('gives the point estimates of all samples, by the harness’s nearest-rank percentile', () => {
    // Prepare
    const random = mulberry32(1);
    const base = samples(random, 30, 20);
    const head = samples(random, 30, 20, 1);
    // Act
    const result = differenceInterval(base, head, { statistic: 'p90', mode: 'paired', random: mulberry32(2) });
    // Assess
    const sorted = (s: TimedSamples) => Float64Array.from(s.values).sort();
    expect(result.base).toBe(nearestRank(sorted(base), 600, 0.9));
    expect(result.head).toBe(nearestRank(sorted(head), 600, 0.9));
    expect(result.difference).toBe(result.head - result.base);
    expect(result).toMatchObject({ baseSamples: 600, headSamples: 600, blocks: { base: 30, head: 30 } });
    expect(result.insufficient).toBe(false);
    expect(result.low).toBeLessThanOrEqual(result.difference);
    expect(result.high).toBeGreaterThanOrEqual(result.difference);
  });

  it('in paired mode finds exactly the shift when head is base shifted at the same moments', () => {
    // Prepare: every replicate takes both sides from the same blocks, so each difference is the shift.
    const base = samples(mulberry32(3), 30, 40);
    const head = shifted(base, 2.5);
    for (const statistic of ['p50', 'p99', 'mean'] as const) {
      // Act
      const paired = differenceInterval(base, head, { statistic, mode: 'paired', random: mulberry32(4) });
      const independent = differenceInterval(base, head, { statistic, mode: 'independent', random: mulberry32(4) });
      // Assess
      expect(paired.low).toBeCloseTo(2.5, 9);
      expect(paired.high).toBeCloseTo(2.5, 9);
      expect(independent.high - independent.low).toBeGreaterThan(0.1);
    }
  });

  it('is reproducible from the seed of its random source', () => {
    const random = mulberry32(5);
    const base = samples(random, 20, 10);
    const head = samples(random, 20, 10);
    const run = (seed: number) =>
      differenceInterval(base, head, { statistic: 'p50', mode: 'independent', random: mulberry32(seed) });
    expect(run(6)).toEqual(run(6));
    expect(run(6)).not.toEqual(run(7));
  });

  it('leaves out non-finite values and times, and skips empty blocks', () => {
    // Prepare: samples in seconds 0–14 and 40–54 only, plus a timeout (NaN) and a sample without a time.
    const random = mulberry32(8);
    const early = samples(random, 15, 10);
    const late = samples(random, 15, 10);
    const base: TimedSamples = {
      atSeconds: [...Array.from(early.atSeconds), ...Array.from(late.atSeconds, (t) => t + 40), 3, Number.NaN],
      values: [...Array.from(early.values), ...Array.from(late.values), Number.NaN, 25],
    };
    // Act
    const result = differenceInterval(base, base, { statistic: 'mean', mode: 'paired', random: mulberry32(9) });
    // Assess
    expect(result.baseSamples).toBe(300);
    expect(result.blocks).toEqual({ base: 30, head: 30 });
    expect(result.insufficient).toBe(false);
    expect(result.low).toBeCloseTo(0, 12);
    expect(result.high).toBeCloseTo(0, 12);
  });

  it('is insufficient, with the reason and no interval, when a side has too few blocks', () => {
    // Prepare: the head ran for 9 seconds only.
    const random = mulberry32(10);
    const base = samples(random, 30, 50);
    const head = samples(random, 9, 50);
    // Act
    const result = differenceInterval(base, head, { statistic: 'p50', mode: 'independent', random });
    // Assess
    expect(result.insufficient).toBe(true);
    expect(result.reason).toContain('9 time block(s) of 1 s with samples on the head side');
    expect(result.reason).toContain('at least 10');
    expect(result.low).toBeNaN();
    expect(result.high).toBeNaN();
    expect(result.base).toBeGreaterThan(20);
  });

  it('is insufficient for p99 with fewer than 1000 samples a side, while p50 of the same samples is not', () => {
    // Prepare: 999 samples a side, 10 rank positions above p99 need 1000.
    const random = mulberry32(11);
    const base = samples(random, 37, 27);
    const head = samples(random, 37, 27);
    // Act
    const p99 = differenceInterval(base, head, { statistic: 'p99', mode: 'paired', random });
    const p50 = differenceInterval(base, head, { statistic: 'p50', mode: 'paired', random });
    // Assess
    expect(p99.insufficient).toBe(true);
    expect(p99.reason).toBe(
      '999 sample(s) on the base side; p99 needs at least 1000 for an interval (run longer or at a higher rate)',
    );
    expect(p50.insufficient).toBe(false);
  });

  it('is insufficient when a side has no samples at all', () => {
    const base = samples(mulberry32(12), 30, 10);
    const result = differenceInterval(
      base,
      { atSeconds: [], values: [] },
      {
        statistic: 'mean',
        mode: 'paired',
        random: mulberry32(13),
      },
    );
    expect(result.insufficient).toBe(true);
    expect(result.head).toBeNaN();
    expect(result.headSamples).toBe(0);
  });

  it('rejects a block length, confidence or resample count that makes no interval', () => {
    const base = samples(mulberry32(14), 12, 5);
    const options = { statistic: 'p50', mode: 'paired', random: mulberry32(15) } as const;
    expect(() => differenceInterval(base, base, { ...options, blockSeconds: 0 })).toThrow(UsageError);
    expect(() => differenceInterval(base, base, { ...options, confidence: 1 })).toThrow(/confidence 1/);
    expect(() => differenceInterval(base, base, { ...options, resamples: 2.5 })).toThrow(/resamples 2.5/);
  });

  it('survives a random source that returns 1 despite its contract', () => {
    const base = samples(mulberry32(16), 12, 5);
    const result = differenceInterval(base, base, { statistic: 'p50', mode: 'paired', random: () => 1 });
    expect(result.low).toBe(0);
    expect(result.high).toBe(0);
  });

  it('defaults to 2000 resamples', () => {
    expect(DEFAULT_RESAMPLES).toBe(2000);
  });
});

describe('minSamplesFor', () => {
  it('asks for 10 samples above the rank: p50 20, p90 100, p99 1000, the mean as p50', () => {
    expect(minSamplesFor('p50')).toBe(20);
    expect(minSamplesFor('p90')).toBe(100);
    expect(minSamplesFor('p99')).toBe(1000);
    expect(minSamplesFor('mean')).toBe(20);
    expect(minSamplesFor('p99', 5)).toBe(500);
  });
});

describe('mulberry32', () => {
  it('repeats its sequence for a seed, differs between seeds and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first);
    for (const x of first) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    // A uniform source: the mean of 1000 draws is 0.5 ± 0.03 (3.3 standard errors).
    expect(first.reduce((s, x) => s + x, 0) / 1000).toBeCloseTo(0.5, 1);
  });
});
