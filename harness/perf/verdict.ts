/**
 * Judging a row: only the median comparison value is held against the goal, with the same threshold check
 * as SLOs (check/slo.ts meetsThresholds), and a run whose load generator was saturated is flagged instead of
 * judged (docs/measurement.md#generator-saturation). Pure.
 */
import { type Comparator, meetsThresholds, type Threshold } from '../check/slo.js';
import type { Spread } from '../stats/spread.js';
import type { Goal, RowStatus } from './model.js';

/** A generator at or above this share of one core is the bottleneck (docs/measurement.md#generator-saturation: 90 %). */
export const GENERATOR_LIMIT_SHARE = 0.9;

/** The goal `≥ value`. */
export const atLeast = (value: number): Goal => [{ comparator: '>=', threshold: value }];
/** The goal `≤ value`. */
export const atMost = (value: number): Goal => [{ comparator: '<=', threshold: value }];
/** The goal `min–max`, both bounds inclusive. */
export const between = (min: number, max: number): Goal => [
  { comparator: '>=', threshold: min },
  { comparator: '<=', threshold: max },
];

/** True when any round's generator used ≥ 90 % of a core (NaN shares, from unmeasured rounds, are ignored). */
export function isGeneratorLimited(cpuShares: readonly number[], limit = GENERATOR_LIMIT_SHARE): boolean {
  return cpuShares.some((share) => Number.isFinite(share) && share >= limit);
}

/** Whether `value` satisfies `goal` (as an SLO would judge it: `<=`/`>=` inclusive); false for NaN. */
export function meetsGoal(value: number, goal: Goal): boolean {
  return meetsThresholds(value, goal);
}

const SYMBOL: Record<Comparator, string> = { '>=': '≥', '<=': '≤', '>': '>', '<': '<' };

/** The goal in words, e.g. `≥ 0.35×`, `≤ 0.5 ms`, `0.8–1.2×`, `= 1×`. */
export function describeGoal(goal: Goal, unit: string): string {
  const u = unit === '×' ? '×' : ` ${unit}`;
  const [low, high] = goal;
  if (goal.length === 2 && low?.comparator === '>=' && high?.comparator === '<=') {
    return low.threshold === high.threshold ? `= ${low.threshold}${u}` : `${low.threshold}–${high.threshold}${u}`;
  }
  return goal.map((bound: Threshold) => `${SYMBOL[bound.comparator]} ${bound.threshold}${u}`).join(' and ');
}

/** What a row says, from its median comparison, its goal and its generator's CPU. */
export function judge(input: {
  readonly comparison?: Spread;
  readonly goal?: Goal;
  readonly generatorCpuShares?: readonly number[];
}): RowStatus {
  const value = input.comparison?.median ?? Number.NaN;
  if (!Number.isFinite(value)) return 'error';
  if (isGeneratorLimited(input.generatorCpuShares ?? [])) return 'generator-limited';
  if (!input.goal) return 'info';
  return meetsGoal(value, input.goal) ? 'met' : 'not met';
}

/** Highest finite share, or undefined when none was measured. */
export function maxShare(cpuShares: readonly number[]): number | undefined {
  const finite = cpuShares.filter(Number.isFinite);
  return finite.length === 0 ? undefined : Math.max(...finite);
}
