import { describe, expect, it } from 'vitest';
import { meetsThresholds } from '../../../harness/check/slo.js';
import {
  atLeast,
  atMost,
  between,
  describeGoal,
  GENERATOR_LIMIT_SHARE,
  isGeneratorLimited,
  judge,
  maxShare,
  meetsGoal,
} from '../../../harness/perf/verdict.js';

const spread = (median: number) => ({ median, min: median, max: median, n: 1 });

describe('generator saturation (docs/measurement.md#generator-saturation)', () => {
  it('flags a run whose generator used 90 % of a core or more, in any round', () => {
    expect(GENERATOR_LIMIT_SHARE).toBe(0.9);
    expect(isGeneratorLimited([0.5, 0.9])).toBe(true);
    expect(isGeneratorLimited([0.5, 0.899])).toBe(false);
  });

  it('ignores rounds whose generator CPU was not measured', () => {
    expect(isGeneratorLimited([Number.NaN, 0.2])).toBe(false);
    expect(maxShare([Number.NaN, 0.2, 0.4])).toBe(0.4);
    expect(maxShare([Number.NaN])).toBeUndefined();
  });
});

describe('meetsGoal', () => {
  it('treats every bound as inclusive', () => {
    expect(meetsGoal(0.35, atLeast(0.35))).toBe(true);
    expect(meetsGoal(0.349, atLeast(0.35))).toBe(false);
    expect(meetsGoal(1.5, atMost(1.5))).toBe(true);
    expect(meetsGoal(0.8, between(0.8, 1.2))).toBe(true);
    expect(meetsGoal(1.21, between(0.8, 1.2))).toBe(false);
  });

  it('never lets NaN meet a goal', () => {
    expect(meetsGoal(Number.NaN, atMost(1))).toBe(false);
  });

  it('is the SLO threshold check: a goal is the bounds an SLO would hold its value to', () => {
    expect(atLeast(0.35)).toEqual([{ comparator: '>=', threshold: 0.35 }]);
    expect(between(0.8, 1.2)).toEqual([
      { comparator: '>=', threshold: 0.8 },
      { comparator: '<=', threshold: 1.2 },
    ]);
    expect(meetsThresholds(1.2, between(0.8, 1.2))).toBe(meetsGoal(1.2, between(0.8, 1.2)));
  });
});

describe('judge', () => {
  it('says met or not met from the median alone', () => {
    const goal = atLeast(0.35);
    expect(judge({ comparison: { median: 0.36, min: 0.2, max: 0.4, n: 3 }, goal })).toBe('met');
    expect(judge({ comparison: { median: 0.34, min: 0.3, max: 0.5, n: 3 }, goal })).toBe('not met');
  });

  it('flags a saturated generator instead of judging, even when the goal would be met', () => {
    expect(judge({ comparison: spread(0.9), goal: atLeast(0.35), generatorCpuShares: [0.2, 0.95] })).toBe(
      'generator-limited',
    );
  });

  it('calls a figure without a goal info and a missing figure an error', () => {
    expect(judge({ comparison: spread(1.3) })).toBe('info');
    expect(judge({ comparison: spread(Number.NaN), goal: atMost(1) })).toBe('error');
    expect(judge({})).toBe('error');
  });
});

describe('describeGoal', () => {
  it('writes the goal with its unit', () => {
    expect(describeGoal(atLeast(0.35), '×')).toBe('≥ 0.35×');
    expect(describeGoal(atMost(0.5), 'ms')).toBe('≤ 0.5 ms');
    expect(describeGoal(between(0.8, 1.2), '×')).toBe('0.8–1.2×');
    expect(describeGoal(between(1, 1), '×')).toBe('= 1×');
    expect(describeGoal([{ comparator: '>', threshold: 2 }], 'ms')).toBe('> 2 ms');
  });
});
