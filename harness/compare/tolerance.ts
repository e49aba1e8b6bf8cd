/**
 * The regression a user accepts per statistic, from `--max-regression p50=+2ms,p99=+10%`: an absolute
 * amount in ms, or a share of the base's value in %. Pure parsing and printing; bad input throws UsageError.
 */
import { UsageError } from '../errors.js';
import { COMPARE_STATISTICS, type CompareStatistic } from './interval.js';

/** How much slower head may be than base: `amount` ms, or `amount` % of the base's value. Never negative. */
export interface Tolerance {
  readonly amount: number;
  readonly unit: 'ms' | '%';
}

/** Tolerance per statistic; a statistic without one is reported but does not decide the verdict. */
export type MaxRegression = Readonly<Partial<Record<CompareStatistic, Tolerance>>>;

const EXAMPLE = 'p50=+2ms,p99=+10%';

/**
 * `p50=+2ms,p99=+10%`. Provisional: the A/A and A/B benchmark of issue 14 measures false-alarm and detection
 * rates and these numbers follow from that measurement.
 */
export const DEFAULT_MAX_REGRESSION: MaxRegression = Object.freeze({
  p50: Object.freeze({ amount: 2, unit: 'ms' }),
  p99: Object.freeze({ amount: 10, unit: '%' }),
});

const ENTRY_PATTERN = /^([A-Za-z0-9_.]*)\s*=\s*(.*)$/;
const AMOUNT_PATTERN = /^([+-]?)\s*(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-zµ%]*)$/;

/**
 * Parses `p50=+2ms,p99=+10%` (the sign is optional, whitespace around entries is allowed). Keys: p50, p90,
 * p99, mean; units: ms or %. Throws UsageError naming the bad part, with a valid example.
 */
export function parseMaxRegression(text: string): MaxRegression {
  // `part` undefined: the whole value is at fault, not one entry.
  const fail = (part: string | undefined, why: string): never => {
    const subject = part === undefined ? '' : `'${part}' `;
    throw new UsageError('InvalidArguments', `--max-regression '${text}': ${subject}${why}; e.g. ${EXAMPLE}`);
  };
  if (text.trim() === '') fail(undefined, 'is empty: give at least one tolerance');
  const result: Partial<Record<CompareStatistic, Tolerance>> = {};
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') fail(undefined, 'has an empty entry (a stray comma)');
    const match = ENTRY_PATTERN.exec(entry);
    if (!match) fail(entry, "is not <statistic>=<amount>: separate the statistic and its tolerance with '='");
    const [, rawKey, rawAmount] = match as unknown as [string, string, string];
    const key = rawKey.toLowerCase();
    if (!(COMPARE_STATISTICS as readonly string[]).includes(key)) {
      fail(entry, `names unknown statistic '${rawKey}': use ${COMPARE_STATISTICS.join(', ')}`);
    }
    const statistic = key as CompareStatistic;
    if (result[statistic] !== undefined) fail(entry, `repeats ${statistic}: give each statistic once`);
    result[statistic] = parseTolerance(rawAmount.trim(), entry, fail);
  }
  return Object.freeze(result);
}

function parseTolerance(text: string, entry: string, fail: (part: string, why: string) => never): Tolerance {
  const match = AMOUNT_PATTERN.exec(text);
  if (!match) fail(entry, `has amount '${text}', not a number with a unit (ms or %)`);
  const [, sign, digits, rawUnit] = match as unknown as [string, string, string, string];
  if (sign === '-') fail(entry, 'is negative: a tolerance is the slow-down accepted, 0 or more');
  const unit = rawUnit.toLowerCase();
  if (unit === '') fail(entry, `has no unit: write ${digits}ms or ${digits}%`);
  if (unit !== 'ms' && unit !== '%') fail(entry, `has unit '${rawUnit}': use ms (absolute) or % (of the base)`);
  return { amount: Number(digits), unit: unit as Tolerance['unit'] };
}

/** `+2 ms`, `+10 %`: for report tables. */
export function formatTolerance(tolerance: Tolerance): string {
  return `+${tolerance.amount} ${tolerance.unit}`;
}

/** The flag's text for a parsed value, `p50=+2ms,p99=+10%`; parsing it gives the value back. */
export function formatMaxRegression(maxRegression: MaxRegression): string {
  return COMPARE_STATISTICS.flatMap((statistic) => {
    const tolerance = maxRegression[statistic];
    return tolerance === undefined ? [] : [`${statistic}=+${tolerance.amount}${tolerance.unit}`];
  }).join(',');
}

/** The tolerance in ms for a base value: absolute as is, relative as a share of |base| (NaN base gives NaN). */
export function toleranceMs(tolerance: Tolerance, baseMs: number): number {
  return tolerance.unit === 'ms' ? tolerance.amount : (tolerance.amount / 100) * Math.abs(baseMs);
}
