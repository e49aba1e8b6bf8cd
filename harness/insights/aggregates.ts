import { nearestRank } from '../stats/percentile.js';
import { DoubleValue, naturalCompare, toNumber, type Value, valueKey } from './values.js';

/** One aggregation's running state for one group. */
export interface Accumulator {
  /** Adds one input value; `timestamp`/`seq` order events for earliest/latest. */
  add(value: Value, timestamp: number, seq: number): void;
  result(): Value;
}

/** Makes a fresh accumulator per group. */
export type AccumulatorFactory = () => Accumulator;

/** `count(*)`: every row (the caller passes a non-null value for each). `count(field)`: rows where it is present. */
export function countAccumulator(): Accumulator {
  let n = 0;
  return {
    add(value) {
      if (value !== null) n++;
    },
    result: () => n,
  };
}

/** Exact distinct count of rendered values (AWS approximates at high cardinality; exact is within its error). */
export function countDistinctAccumulator(): Accumulator {
  const seen = new Set<string | number>();
  return {
    add(value) {
      if (value !== null) seen.add(valueKey(value));
    },
    result: () => seen.size,
  };
}

/** Sum of the numeric values; integers stay integers, anything touched by a double is a double. */
export function sumAccumulator(): Accumulator {
  let total = 0;
  let any = false;
  let double = false;
  return {
    add(value) {
      const n = toNumber(value);
      if (n === null) return;
      any = true;
      total += n;
      if (value instanceof DoubleValue || !Number.isInteger(n)) double = true;
    },
    result: () => (!any ? null : double ? new DoubleValue(total) : total),
  };
}

/** Mean of the numeric values, a double (`avg` of 2 and 2 renders `2.0`). */
export function avgAccumulator(): Accumulator {
  let total = 0;
  let n = 0;
  return {
    add(value) {
      const x = toNumber(value);
      if (x === null) return;
      total += x;
      n++;
    },
    result: () => (n === 0 ? null : new DoubleValue(total / n)),
  };
}

/**
 * Standard deviation of the numeric values, a double. Choice: the sample deviation (n − 1), as most log
 * tools compute it; the AWS docs do not say which. Welford's update keeps it stable.
 */
export function stddevAccumulator(): Accumulator {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  return {
    add(value) {
      const x = toNumber(value);
      if (x === null) return;
      n++;
      const delta = x - mean;
      mean += delta / n;
      m2 += delta * (x - mean);
    },
    result: () => (n === 0 ? null : new DoubleValue(n === 1 ? 0 : Math.sqrt(m2 / (n - 1)))),
  };
}

/** The smallest (or largest) numeric value, returned as the field had it ("LogFieldValue"). */
export function extremeAccumulator(largest: boolean): Accumulator {
  let best: Value = null;
  let bestNumber = 0;
  return {
    add(value) {
      const n = toNumber(value);
      if (n === null) return;
      if (best === null || (largest ? n > bestNumber : n < bestNumber)) {
        best = value;
        bestNumber = n;
      }
    },
    result: () => best,
  };
}

/**
 * `pct(field, p)`: the nearest-rank percentile, i.e. the smallest value with at least p % of the values at or
 * below it, returned as a value of the field (a double if the field holds doubles). Exact, where AWS may
 * approximate on large inputs. Values are kept in a growable Float64Array: 8 bytes per matched event.
 * AWS describes pct(f, p) only as the value p % of the values lie below, which nearest rank satisfies, so the
 * rank is the harness's one definition (harness/stats), the same the load summaries use.
 */
export function percentileAccumulator(percent: number): Accumulator {
  let values = new Float64Array(64);
  let n = 0;
  let double = false;
  return {
    add(value) {
      const x = toNumber(value);
      if (x === null) return;
      if (n === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[n++] = x;
      if (value instanceof DoubleValue) double = true;
    },
    result() {
      if (n === 0) return null;
      // A full sort, not selection: NaN (from arithmetic on the field) sorts last and cannot upset it.
      const x = nearestRank(values.subarray(0, n).sort(), n, percent / 100);
      return double ? new DoubleValue(x) : x;
    },
  };
}

/**
 * `earliest(field)` / `latest(field)`: the field's value from the event with the earliest / latest
 * `@timestamp`, among events where the field is present; ties go to the first / last event scanned.
 */
export function timeOrderedAccumulator(latest: boolean): Accumulator {
  let best: Value = null;
  let bestTs = 0;
  let bestSeq = 0;
  return {
    add(value, timestamp, seq) {
      if (value === null) return;
      const better =
        best === null ||
        (latest
          ? timestamp > bestTs || (timestamp === bestTs && seq > bestSeq)
          : timestamp < bestTs || (timestamp === bestTs && seq < bestSeq));
      if (better) {
        best = value;
        bestTs = timestamp;
        bestSeq = seq;
      }
    },
    result: () => best,
  };
}

/** `sortsFirst(field)` / `sortsLast(field)`: the value that comes first / last in `sort` order. */
export function sortOrderedAccumulator(last: boolean): Accumulator {
  let best: Value = null;
  return {
    add(value) {
      if (value === null) return;
      if (best === null) {
        best = value;
        return;
      }
      const order = naturalCompare(value, best);
      if (last ? order > 0 : order < 0) best = value;
    },
    result: () => best,
  };
}
