/**
 * Confidence interval of head − base for one statistic of latency samples, by a block bootstrap over time.
 *
 * Latency noise is correlated in time (a GC pause, a noisy neighbour for a second, a cold instance), so
 * samples are not independent and an ordinary bootstrap would give intervals that are too narrow. Samples are
 * grouped into blocks of `blockSeconds` and whole blocks are resampled with replacement, which keeps that
 * correlation inside each replicate. Two modes:
 * - `paired`: base and head ran interleaved on one time axis. Each replicate draws block indices once and
 *   takes both sides' samples from the same blocks, so noise both sides shared cancels in the difference.
 * - `independent`: base and head ran one after the other (two saved reports). Each side's blocks are
 *   resampled on their own; the interval is wider, and is weaker evidence (shared noise does not cancel).
 *
 * The interval is the percentile interval of the replicate differences. Percentiles are the harness's one
 * nearest-rank definition (harness/stats/percentile.ts); each side is sorted once, and a replicate's
 * percentile is read off that order with block weights instead of gathering and selecting its samples.
 */
import { UsageError } from '../errors.js';
import { nearestRank, PERCENTILE_RANKS, rankIndex } from '../stats/percentile.js';
import type { RandomSource } from './random.js';

/** The statistics a comparison judges, in the harness's percentile vocabulary. */
export const COMPARE_STATISTICS = ['p50', 'p90', 'p99', 'mean'] as const;
export type CompareStatistic = (typeof COMPARE_STATISTICS)[number];

/** `paired` for an interleaved run (one time axis), `independent` for two sequential runs. */
export type PairingMode = 'paired' | 'independent';

/** One side's samples: `values[i]` (ms) was measured at `atSeconds[i]` (seconds since the run started). */
export interface TimedSamples {
  readonly atSeconds: ArrayLike<number>;
  readonly values: ArrayLike<number>;
}

export interface IntervalOptions {
  readonly statistic: CompareStatistic;
  readonly mode: PairingMode;
  /** Uniform in [0, 1); inject a seeded one (`mulberry32`) to make the interval reproducible. */
  readonly random: RandomSource;
  /** @default 1 */
  readonly blockSeconds?: number;
  /** Two-sided coverage of the interval. @default 0.95 */
  readonly confidence?: number;
  /** Bootstrap replicates. @default DEFAULT_RESAMPLES */
  readonly resamples?: number;
  /** Fewer non-empty blocks than this on either side gives an insufficient interval. @default 10 */
  readonly minBlocks?: number;
  /**
   * Samples each side needs above the statistic's rank (p99 of n has n/100 above it; the mean counts as
   * p50). Below that the replicates only reshuffle a handful of extreme values and the interval is not
   * trustworthy. @default 10 (so p50 needs 20 samples, p90 100, p99 1000)
   */
  readonly minTailSamples?: number;
}

/**
 * 2000 replicates (50 beyond each end of a 95 % interval, so the ends' Monte Carlo error is small against the
 * width). Measured for 1e5 samples per side over 60 one-second blocks on a busy 2-core machine: p50 ≤ 0.7 s,
 * p90/p99/mean ≤ 0.2 s. Gathering each replicate and selecting took ~4 ms per replicate at that size instead.
 */
export const DEFAULT_RESAMPLES = 2000;
export const DEFAULT_BLOCK_SECONDS = 1;
export const DEFAULT_CONFIDENCE = 0.95;
export const DEFAULT_MIN_BLOCKS = 10;
export const DEFAULT_MIN_TAIL_SAMPLES = 10;

/** The interval of head − base for one statistic, with the point estimates on all samples (ms). */
export interface DifferenceInterval {
  readonly statistic: CompareStatistic;
  readonly mode: PairingMode;
  readonly confidence: number;
  readonly blockSeconds: number;
  /** The statistic of all base samples; NaN without samples. */
  readonly base: number;
  readonly head: number;
  /** head − base of the point estimates. */
  readonly difference: number;
  /** Ends of the interval of head − base; NaN when insufficient. */
  readonly low: number;
  readonly high: number;
  /** Non-empty time blocks of each side. */
  readonly blocks: { readonly base: number; readonly head: number };
  /** Finite samples of each side (non-finite values and times are left out: requests without a response). */
  readonly baseSamples: number;
  readonly headSamples: number;
  /** True when there were too few blocks or samples for an interval; `reason` says which. */
  readonly insufficient: boolean;
  readonly reason: string | undefined;
}

/** Fraction of the samples at or below the statistic: its percentile rank (the mean counts as p50). */
function statisticRank(statistic: CompareStatistic): number {
  return statistic === 'mean' ? 0.5 : PERCENTILE_RANKS[statistic];
}

/** Samples each side needs for `statistic` to have `minTailSamples` above its rank. */
export function minSamplesFor(statistic: CompareStatistic, minTailSamples = DEFAULT_MIN_TAIL_SAMPLES): number {
  return Math.ceil(minTailSamples / (1 - statisticRank(statistic)) - 1e-9);
}

/**
 * One side's finite samples, sorted once by value, each with its block: a replicate is then a weighting of
 * blocks (how often each was drawn) and needs no copy of the samples.
 */
interface Blocked {
  readonly sortedValues: Float64Array;
  readonly sortedBlock: Int32Array;
  readonly sizes: Int32Array;
  readonly sums: Float64Array;
  readonly n: number;
  readonly nonEmpty: number;
}

/** Block ids of one side's finite samples, numbered densely through `ids` (shared by both sides when paired). */
function assignBlocks(
  samples: TimedSamples,
  blockSeconds: number,
  ids: Map<number, number>,
): { blockOf: Int32Array; values: Float64Array; n: number } {
  const length = Math.min(samples.values.length, samples.atSeconds.length);
  const blockOf = new Int32Array(length);
  const values = new Float64Array(length);
  let n = 0;
  for (let i = 0; i < length; i++) {
    const value = samples.values[i]!;
    const at = samples.atSeconds[i]!;
    if (!Number.isFinite(value) || !Number.isFinite(at)) continue;
    const key = Math.floor(at / blockSeconds);
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    blockOf[n] = id;
    values[n++] = value;
  }
  return { blockOf, values: values.subarray(0, n), n };
}

function groupBlocks(assigned: ReturnType<typeof assignBlocks>, blockCount: number): Blocked {
  const { blockOf, values, n } = assigned;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => values[a]! - values[b]!);
  const sortedValues = new Float64Array(n);
  const sortedBlock = new Int32Array(n);
  const sizes = new Int32Array(blockCount);
  const sums = new Float64Array(blockCount);
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    const k = blockOf[i]!;
    sortedValues[j] = values[i]!;
    sortedBlock[j] = k;
    sizes[k]!++;
    sums[k]! += values[i]!;
  }
  let nonEmpty = 0;
  for (let k = 0; k < blockCount; k++) if (sizes[k]! > 0) nonEmpty++;
  return { sortedValues, sortedBlock, sizes, sums, n, nonEmpty };
}

/**
 * The nearest-rank `p` value (harness/stats/percentile.ts `rankIndex`) of the multiset in which sample j of
 * `sortedValues` (ascending) appears `weights[sortedBlock[j]]` times: the percentile of a replicate made of
 * drawn blocks, without gathering it. Scans from the nearer end, so p99 reads ~1 % of the samples; this is
 * what makes 1000 replicates of 1e5 samples affordable (gathering and selecting cost ~4 ms per replicate).
 * NaN when the multiset is empty.
 */
export function weightedNearestRank(
  sortedValues: Float64Array,
  sortedBlock: Int32Array,
  weights: Int32Array,
  total: number,
  p: number,
): number {
  if (total === 0) return Number.NaN;
  const k = rankIndex(total, p);
  const n = sortedValues.length;
  if (k < total / 2) {
    let seen = 0;
    for (let j = 0; j < n; j++) {
      seen += weights[sortedBlock[j]!]!;
      if (seen > k) return sortedValues[j]!;
    }
  } else {
    // Position k from the bottom is position total − 1 − k from the top.
    const fromTop = total - 1 - k;
    let seen = 0;
    for (let j = n - 1; j >= 0; j--) {
      seen += weights[sortedBlock[j]!]!;
      if (seen > fromTop) return sortedValues[j]!;
    }
  }
  return Number.NaN;
}

/** The statistic of one replicate of `side`, whose block k was drawn `weights[k]` times. */
function replicate(statistic: CompareStatistic, side: Blocked, weights: Int32Array): number {
  let total = 0;
  let sum = 0;
  for (let k = 0; k < weights.length; k++) {
    const w = weights[k]!;
    if (w === 0) continue;
    total += w * side.sizes[k]!;
    sum += w * side.sums[k]!;
  }
  if (statistic === 'mean') return total === 0 ? Number.NaN : sum / total;
  return weightedNearestRank(side.sortedValues, side.sortedBlock, weights, total, PERCENTILE_RANKS[statistic]);
}

/** Draws `weights.length` blocks with replacement: `weights[k]` is how often block k was drawn. */
function draw(weights: Int32Array, random: RandomSource): void {
  const blockCount = weights.length;
  weights.fill(0);
  // min() guards a source that returns 1 despite its contract.
  for (let j = 0; j < blockCount; j++) weights[Math.min(blockCount - 1, Math.floor(random() * blockCount))]!++;
}

/** The statistic of all of one side's samples. */
function pointEstimate(statistic: CompareStatistic, side: Blocked): number {
  if (side.n === 0) return Number.NaN;
  if (statistic === 'mean') {
    let sum = 0;
    for (let k = 0; k < side.sums.length; k++) sum += side.sums[k]!;
    return sum / side.n;
  }
  return nearestRank(side.sortedValues, side.n, PERCENTILE_RANKS[statistic]);
}

function checkOptions(blockSeconds: number, confidence: number, resamples: number): void {
  if (!(blockSeconds > 0) || !Number.isFinite(blockSeconds)) {
    throw new UsageError('OutOfRange', `block length ${blockSeconds} s is not a positive number of seconds, e.g. 1`);
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new UsageError('OutOfRange', `confidence ${confidence} is not between 0 and 1, e.g. 0.95`);
  }
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new UsageError('OutOfRange', `resamples ${resamples} is not a positive whole number, e.g. 1000`);
  }
}

/**
 * The block bootstrap interval of head − base for `options.statistic`. Never throws for thin data: with too
 * few blocks or samples the result is `insufficient` with a reason and NaN ends, never a confident interval.
 */
export function differenceInterval(
  base: TimedSamples,
  head: TimedSamples,
  options: IntervalOptions,
): DifferenceInterval {
  const { statistic, mode, random } = options;
  const blockSeconds = options.blockSeconds ?? DEFAULT_BLOCK_SECONDS;
  const confidence = options.confidence ?? DEFAULT_CONFIDENCE;
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const minBlocks = options.minBlocks ?? DEFAULT_MIN_BLOCKS;
  checkOptions(blockSeconds, confidence, resamples);

  const baseIds = new Map<number, number>();
  const headIds = mode === 'paired' ? baseIds : new Map<number, number>();
  const baseAssigned = assignBlocks(base, blockSeconds, baseIds);
  const headAssigned = assignBlocks(head, blockSeconds, headIds);
  const baseSide = groupBlocks(baseAssigned, baseIds.size);
  const headSide = groupBlocks(headAssigned, headIds.size);

  const basePoint = pointEstimate(statistic, baseSide);
  const headPoint = pointEstimate(statistic, headSide);
  const result = {
    statistic,
    mode,
    confidence,
    blockSeconds,
    base: basePoint,
    head: headPoint,
    difference: headPoint - basePoint,
    blocks: { base: baseSide.nonEmpty, head: headSide.nonEmpty },
    baseSamples: baseSide.n,
    headSamples: headSide.n,
  };

  const reason = insufficiency(statistic, baseSide, headSide, minBlocks, options.minTailSamples, blockSeconds);
  if (reason !== undefined) return { ...result, low: Number.NaN, high: Number.NaN, insufficient: true, reason };

  const differences = new Float64Array(resamples);
  let valid = 0;
  const baseWeights = new Int32Array(baseIds.size);
  const headWeights = mode === 'paired' ? baseWeights : new Int32Array(headIds.size);
  for (let r = 0; r < resamples; r++) {
    // Paired: one draw of blocks serves both sides, so noise they shared in a block cancels.
    draw(baseWeights, random);
    if (mode === 'independent') draw(headWeights, random);
    const difference = replicate(statistic, headSide, headWeights) - replicate(statistic, baseSide, baseWeights);
    // NaN only when a paired replicate drew no block holding one side's samples: not a difference at all.
    if (!Number.isNaN(difference)) differences[valid++] = difference;
  }
  const sorted = differences.subarray(0, valid).sort();
  const tail = (1 - confidence) / 2;
  return {
    ...result,
    low: nearestRank(sorted, valid, tail),
    high: nearestRank(sorted, valid, 1 - tail),
    insufficient: false,
    reason: undefined,
  };
}

function insufficiency(
  statistic: CompareStatistic,
  base: Blocked,
  head: Blocked,
  minBlocks: number,
  minTailSamples: number | undefined,
  blockSeconds: number,
): string | undefined {
  const fewest = Math.min(base.nonEmpty, head.nonEmpty);
  if (fewest < minBlocks) {
    return (
      `${fewest} time block(s) of ${blockSeconds} s with samples on the ${base.nonEmpty <= head.nonEmpty ? 'base' : 'head'} ` +
      `side; an interval needs at least ${minBlocks} (run longer or use shorter blocks)`
    );
  }
  const needed = minSamplesFor(statistic, minTailSamples);
  const samples = Math.min(base.n, head.n);
  if (samples < needed) {
    return (
      `${samples} sample(s) on the ${base.n <= head.n ? 'base' : 'head'} side; ` +
      `${statistic} needs at least ${needed} for an interval (run longer or at a higher rate)`
    );
  }
  return undefined;
}
