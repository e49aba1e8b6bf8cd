/**
 * Judging a row: only the median comparison value is held against the goal, and a run whose load
 * generator was saturated is flagged instead of judged (docs/measurement.md#generator-saturation). Pure.
 */
import type { Goal, RowStatus } from './model.js';
import type { Spread } from '../../harness/stats/spread.js';

/** A generator at or above this share of one core is the bottleneck (docs/measurement.md#generator-saturation: 90 %). */
export const GENERATOR_LIMIT_SHARE = 0.9;

/** True when any round's generator used ≥ 90 % of a core (NaN shares, from unmeasured rounds, are ignored). */
export function isGeneratorLimited(cpuShares: readonly number[], limit = GENERATOR_LIMIT_SHARE): boolean {
  return cpuShares.some((share) => Number.isFinite(share) && share >= limit);
}

/** Whether `value` satisfies `goal` (bounds inclusive); false for NaN. */
export function meetsGoal(value: number, goal: Goal): boolean {
  if (!Number.isFinite(value)) return false;
  if (goal.kind === 'atLeast') return value >= goal.value;
  if (goal.kind === 'atMost') return value <= goal.value;
  return value >= goal.min && value <= goal.max;
}

/** The goal in words, e.g. `≥ 0.35×`, `≤ 0.5 ms`, `0.8–1.2×`. */
export function describeGoal(goal: Goal, unit: string): string {
  const u = unit === '×' ? '×' : ` ${unit}`;
  if (goal.kind === 'atLeast') return `≥ ${goal.value}${u}`;
  if (goal.kind === 'atMost') return `≤ ${goal.value}${u}`;
  return goal.min === goal.max ? `= ${goal.min}${u}` : `${goal.min}–${goal.max}${u}`;
}

/** What a row says, from its median comparison, its goal and its generator's CPU. */
export function judge(input: { readonly comparison?: Spread; readonly goal?: Goal; readonly generatorCpuShares?: readonly number[] }): RowStatus {
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
