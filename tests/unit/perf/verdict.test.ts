import { describe, expect, it } from 'vitest';
import { describeGoal, GENERATOR_LIMIT_SHARE, isGeneratorLimited, judge, maxShare, meetsGoal } from '../../../scripts/perf/verdict.js';

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
    expect(meetsGoal(0.35, { kind: 'atLeast', value: 0.35 })).toBe(true);
    expect(meetsGoal(0.349, { kind: 'atLeast', value: 0.35 })).toBe(false);
    expect(meetsGoal(1.5, { kind: 'atMost', value: 1.5 })).toBe(true);
    expect(meetsGoal(0.8, { kind: 'between', min: 0.8, max: 1.2 })).toBe(true);
    expect(meetsGoal(1.21, { kind: 'between', min: 0.8, max: 1.2 })).toBe(false);
  });

  it('never lets NaN meet a goal', () => {
    expect(meetsGoal(Number.NaN, { kind: 'atMost', value: 1 })).toBe(false);
  });
});

describe('judge', () => {
  it('says met or not met from the median alone', () => {
    const goal = { kind: 'atLeast', value: 0.35 } as const;
    expect(judge({ comparison: { median: 0.36, min: 0.2, max: 0.4, n: 3 }, goal })).toBe('met');
    expect(judge({ comparison: { median: 0.34, min: 0.3, max: 0.5, n: 3 }, goal })).toBe('not met');
  });

  it('flags a saturated generator instead of judging, even when the goal would be met', () => {
    expect(judge({ comparison: spread(0.9), goal: { kind: 'atLeast', value: 0.35 }, generatorCpuShares: [0.2, 0.95] })).toBe('generator-limited');
  });

  it('calls a figure without a goal info and a missing figure an error', () => {
    expect(judge({ comparison: spread(1.3) })).toBe('info');
    expect(judge({ comparison: spread(Number.NaN), goal: { kind: 'atMost', value: 1 } })).toBe('error');
    expect(judge({})).toBe('error');
  });
});

describe('describeGoal', () => {
  it('writes the goal with its unit', () => {
    expect(describeGoal({ kind: 'atLeast', value: 0.35 }, '×')).toBe('≥ 0.35×');
    expect(describeGoal({ kind: 'atMost', value: 0.5 }, 'ms')).toBe('≤ 0.5 ms');
    expect(describeGoal({ kind: 'between', min: 0.8, max: 1.2 }, '×')).toBe('0.8–1.2×');
    expect(describeGoal({ kind: 'between', min: 1, max: 1 }, '×')).toBe('= 1×');
  });
});
