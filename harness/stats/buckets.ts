/**
 * Samples grouped for charts: nearest-rank p50 and p99 per time bucket of whole seconds, and counts per
 * value bucket between fixed edges. Linear passes and a counting sort; nothing is fully sorted.
 */
import { percentilesInPlace } from './percentile.js';

/** p50 and p99 of each time bucket; a bucket without samples has NaN percentiles (no sample is not 0). */
export interface PercentilesOverTime {
  readonly bucketSeconds: number;
  /** Start of each bucket, seconds from the start of the span. */
  readonly startSeconds: readonly number[];
  /** Samples per bucket. */
  readonly counts: readonly number[];
  readonly p50: readonly number[];
  readonly p99: readonly number[];
}

/** Counts of values per bucket: bucket i holds values from `edges[i]` up to the next edge; values below `edges[0]` count in the first. */
export interface Histogram {
  /** The edges up to the bucket of the largest value (empty buckets above it are trimmed). */
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}

/** Whole seconds per bucket so that `spanSeconds` needs at most `maxBuckets` buckets; at least 1 s. */
export function bucketSecondsFor(spanSeconds: number, maxBuckets: number): number {
  return Math.max(1, Math.ceil(spanSeconds / maxBuckets));
}

/**
 * p50 and p99 of `values[i]` grouped by `atSeconds[i]` into buckets of {@link bucketSecondsFor} seconds over
 * `[0, spanSeconds)`; times outside the span go to the first or last bucket. Both arrays hold one entry per
 * sample; values must be finite.
 */
export function percentilesOverTime(
  values: ArrayLike<number>,
  atSeconds: ArrayLike<number>,
  spanSeconds: number,
  maxBuckets: number,
): PercentilesOverTime {
  const n = values.length;
  const bucketSeconds = bucketSecondsFor(spanSeconds, maxBuckets);
  const buckets = Math.max(1, Math.ceil(spanSeconds / bucketSeconds));
  // Pass 1: the bucket of each sample, and each bucket's size.
  const bucketOf = new Int32Array(n);
  const sizes = new Int32Array(buckets);
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor(atSeconds[i]! / bucketSeconds)));
    bucketOf[i] = b;
    sizes[b]!++;
  }
  // Pass 2: group the values by bucket (counting sort), then select p50 and p99 within each group.
  const offsets = new Int32Array(buckets + 1);
  for (let b = 0; b < buckets; b++) offsets[b + 1] = offsets[b]! + sizes[b]!;
  const grouped = new Float64Array(n);
  const fill = offsets.slice(0, buckets);
  for (let i = 0; i < n; i++) grouped[fill[bucketOf[i]!]!++] = values[i]!;
  const startSeconds: number[] = [];
  const counts: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const group = grouped.subarray(offsets[b]!, offsets[b + 1]!);
    const [g50, g99] = percentilesInPlace(group, group.length, [0.5, 0.99]) as [number, number];
    startSeconds.push(b * bucketSeconds);
    counts.push(group.length);
    p50.push(g50);
    p99.push(g99);
  }
  return { bucketSeconds, startSeconds, counts, p50, p99 };
}

/** Counts `values` per bucket of `edges` (ascending), with the buckets above the largest value trimmed. */
export function histogram(values: ArrayLike<number>, edges: readonly number[]): Histogram {
  const counts = new Array<number>(edges.length).fill(0);
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    counts[bucketIndex(edges, v)]!++;
    if (v > max) max = v;
  }
  let last = bucketIndex(edges, max);
  while (last > 0 && counts[last] === 0) last--;
  return { edges: edges.slice(0, last + 1), counts: counts.slice(0, last + 1) };
}

/** Bucket of `value` among `edges`: the last edge ≤ value, or 0 (binary search). */
export function bucketIndex(edges: readonly number[], value: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (edges[mid]! <= value) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Bucket edges spaced evenly on a log scale, `perDecade` to each power of ten, from the one at or below the
 * smallest value to the first above the largest (3 significant digits each). Empty for no values; values
 * at or below 0 are taken as 1 µs.
 */
export function logEdges(values: ArrayLike<number>, perDecade: number): number[] {
  if (values.length === 0) return [];
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let i = 0; i < values.length; i++) {
    const v = Math.max(values[i]!, 1e-3);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const edge = (k: number) => Number((10 ** (k / perDecade)).toPrecision(3));
  let k = Math.floor(Math.log10(min) * perDecade);
  while (edge(k) > min) k--; // the rounding of an edge must not leave the smallest value below it
  const edges = [edge(k)];
  while (edges[edges.length - 1]! <= max) edges.push(edge(++k));
  return edges;
}
