/**
 * The interval and verdict maths on synthetic runs with the structure real ones have: per-second noise that
 * moves a whole block (shared by both sides when they ran interleaved), on top of skewed per-request noise.
 * Every random source is seeded, so each assertion below is about a fixed set of runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CompareStatistic,
  differenceInterval,
  type PairingMode,
  type TimedSamples,
  weightedNearestRank,
} from '../../../harness/compare/interval.js';
import { mulberry32, type RandomSource } from '../../../harness/compare/random.js';
import { decide } from '../../../harness/compare/verdict.js';
import { percentilesInPlace } from '../../../harness/stats/percentile.js';

const SECONDS = 40;
const PER_SECOND = 25;

function normal(random: RandomSource): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Per-second offsets of a noisy environment (GC, neighbours), `sdMs` standard deviation. */
function blockNoise(random: RandomSource, sdMs: number): Float64Array {
  return Float64Array.from({ length: SECONDS }, () => sdMs * normal(random));
}

/**
 * One side of a run: 20 ms + the second's `shared` offset + this side's own per-second offset (`ownSdMs`) +
 * exponential noise (mean 3 ms) + `shiftMs`; PER_SECOND samples at random moments of each second, as the
 * balanced interleaved schedule sends them.
 */
function side(random: RandomSource, shared: Float64Array, ownSdMs: number, shiftMs: number): TimedSamples {
  const own = blockNoise(random, ownSdMs);
  const n = SECONDS * PER_SECOND;
  const atSeconds = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const second = Math.floor(i / PER_SECOND);
    atSeconds[i] = second + random();
    values[i] = 20 + shared[second]! + own[second]! - Math.log(1 - random()) * 3 + shiftMs;
  }
  return { atSeconds, values };
}

/**
 * A base and a head of one run with seed `seed`. Paired (interleaved): both share the per-second noise and
 * each adds its own smaller one. Independent (one run after the other): each has its own per-second noise.
 */
function run(seed: number, mode: PairingMode, shiftMs: number): { base: TimedSamples; head: TimedSamples } {
  const random = mulberry32(seed);
  if (mode === 'paired') {
    const shared = blockNoise(random, 3);
    return { base: side(random, shared, 1, 0), head: side(random, shared, 1, shiftMs) };
  }
  return { base: side(random, blockNoise(random, 3), 0, 0), head: side(random, blockNoise(random, 3), 0, shiftMs) };
}

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('block bootstrap interval of head − base (properties)', () => {
  it('reads a replicate’s percentile off the sorted samples as gathering and selecting would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1e4, noNaN: true }), fc.nat(7)), { minLength: 1, maxLength: 200 }),
        fc.array(fc.nat(3), { minLength: 8, maxLength: 8 }),
        fc.constantFrom(0, 0.01, 0.5, 0.9, 0.99, 1),
        (samples, drawn, p) => {
          // Prepare: samples sorted by value, each in one of 8 blocks drawn 0–3 times.
          const sorted = [...samples].sort((a, b) => a[0] - b[0]);
          const weights = Int32Array.from(drawn);
          const gathered = sorted.flatMap(([value, block]) => Array<number>(weights[block]!).fill(value));
          // Act
          const read = weightedNearestRank(
            Float64Array.from(sorted, ([value]) => value),
            Int32Array.from(sorted, ([, block]) => block),
            weights,
            gathered.length,
            p,
          );
          // Assess
          const [selected] = percentilesInPlace(Float64Array.from(gathered), gathered.length, [p]);
          expect(read).toBe(selected);
        },
      ),
      { numRuns: 300, seed: 14 },
    );
  });

  it('holds a shift injected into the head in its interval at about the nominal rate', () => {
    // Prepare: 100 seeded runs per mode, shifts of 0–10 ms.
    for (const mode of ['paired', 'independent'] as const) {
      let covered = 0;
      for (let trial = 0; trial < 100; trial++) {
        const shiftMs = (trial % 11) * 1;
        const { base, head } = run(1_000 + trial, mode, shiftMs);
        // Act
        const result = differenceInterval(base, head, {
          statistic: 'p50',
          mode,
          random: mulberry32(trial),
          resamples: 400,
        });
        if (result.low <= shiftMs && shiftMs <= result.high) covered++;
      }
      // Assess: nominal 95 %; a bootstrap over 40 blocks covers a little less.
      expect(covered, mode).toBeGreaterThanOrEqual(88);
    }
  });

  it('calls a shift well above the tolerance a regression, in both modes and for each statistic', () => {
    fc.assert(
      fc.property(
        seedArb,
        fc.constantFrom<PairingMode>('paired', 'independent'),
        fc.constantFrom<CompareStatistic>('p50', 'p90', 'mean'),
        fc.double({ min: 7, max: 30, noNaN: true }),
        (seed, mode, statistic, shiftMs) => {
          // Prepare: tolerance 2 ms, shift at least 5 ms beyond it.
          const { base, head } = run(seed, mode, shiftMs);
          // Act
          const result = differenceInterval(base, head, { statistic, mode, random: mulberry32(seed), resamples: 300 });
          // Assess
          expect(result.insufficient).toBe(false);
          expect(decide(result.low, result.high, 2)).toBe('regression');
        },
      ),
      { numRuns: 30, seed: 7 },
    );
  });

  it('flags identical distributions (A/A) as regression or improvement at no more than ~ the nominal 5 %', () => {
    // Prepare: 400 seeded A/A runs per mode and statistic, judged at a zero tolerance (the strictest gate:
    // a 95 % interval that misses 0 is an alarm, nominally 5 % of runs; 2000 runs measured 4.2–6.0 %).
    const trials = 400;
    for (const mode of ['paired', 'independent'] as const) {
      for (const statistic of ['p50', 'mean'] as const) {
        let alarms = 0;
        for (let trial = 0; trial < trials; trial++) {
          const { base, head } = run(50_000 + trial, mode, 0);
          // Act
          const result = differenceInterval(base, head, {
            statistic,
            mode,
            random: mulberry32(trial),
            resamples: 400,
          });
          const verdict = decide(result.low, result.high, 0);
          if (verdict === 'regression' || verdict === 'improvement') alarms++;
        }
        // Assess: 8 % leaves room for the binomial spread of 400 runs (± 1.2 %) and the bootstrap's slight
        // undercoverage with 40 blocks.
        expect(alarms / trials, `${mode} ${statistic}`).toBeLessThanOrEqual(0.08);
      }
    }
  });

  it('raises far more A/A alarms if blocks are ignored (why the bootstrap resamples blocks)', () => {
    // Prepare: blocks of 1 ms hold one sample each, which is an ordinary bootstrap of independent samples.
    let alarms = 0;
    for (let trial = 0; trial < 60; trial++) {
      const { base, head } = run(50_000 + trial, 'independent', 0);
      // Act
      const result = differenceInterval(base, head, {
        statistic: 'mean',
        mode: 'independent',
        random: mulberry32(trial),
        resamples: 200,
        blockSeconds: 0.001,
      });
      const verdict = decide(result.low, result.high, 0);
      if (verdict === 'regression' || verdict === 'improvement') alarms++;
    }
    // Assess: per-second noise (sd 3 ms) counted as independent samples makes the interval far too narrow.
    expect(alarms / 60).toBeGreaterThan(0.3);
  });

  it('is narrower when paired than when independent, on the same interleaved run with shared block noise', () => {
    fc.assert(
      fc.property(seedArb, fc.constantFrom<CompareStatistic>('p50', 'p90', 'mean'), (seed, statistic) => {
        // Prepare: strong shared per-second noise (sd 5 ms), little of each side's own (sd 0.5 ms).
        const random = mulberry32(seed);
        const shared = blockNoise(random, 5);
        const base = side(random, shared, 0.5, 0);
        const head = side(random, shared, 0.5, 1);
        const options = { statistic, random: mulberry32(seed), resamples: 300 };
        // Act
        const paired = differenceInterval(base, head, { ...options, mode: 'paired' });
        const independent = differenceInterval(base, head, { ...options, mode: 'independent' });
        // Assess
        // Assess: the shared noise cancels when paired; 0.75 is above the widest ratio seen over 200 seeds (0.62).
        expect(paired.high - paired.low).toBeLessThan(0.75 * (independent.high - independent.low));
      }),
      { numRuns: 20, seed: 21 },
    );
  });
});
