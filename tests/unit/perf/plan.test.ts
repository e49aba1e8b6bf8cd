import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUNDS, plannedLoadSeconds, planSuite } from '../../../harness/perf/plan.js';

describe('planSuite', () => {
  it('follows docs/measurement.md#interleaved-rounds in a full run: 3 rounds of 10 s, 1M samples, 100k and 1M events', () => {
    const plan = planSuite(false);
    expect(plan.rounds).toBe(DEFAULT_ROUNDS.full);
    expect(plan.rounds).toBeGreaterThanOrEqual(3);
    expect(plan.emulator.durationSeconds).toBe(10);
    expect(plan.latency.durationSeconds).toBe(10);
    expect(plan.report.samples).toBe(1_000_000);
    expect(plan.insights.sizes).toEqual([100_000, 1_000_000]);
    expect(plan.overhead).toEqual({ durationSeconds: 10, extraArgs: [] });
  });

  it('keeps a quick run to 100k events and leaves most of its 60 s for start-up and offline figures', () => {
    const plan = planSuite(true);
    expect(plan.insights.sizes).toEqual([100_000]);
    expect(plan.rounds).toBe(DEFAULT_ROUNDS.quick);
    expect(plannedLoadSeconds(plan)).toBeLessThanOrEqual(40);
  });

  it('uses the rounds it is given', () => {
    expect(planSuite(true, 5).rounds).toBe(5);
    expect(plannedLoadSeconds(planSuite(true, 5))).toBeGreaterThan(plannedLoadSeconds(planSuite(true, 2)));
  });

  it('covers whole stall periods in every G7 round, so the stalled share of a window is exact', () => {
    for (const quick of [true, false]) {
      const { honesty } = planSuite(quick);
      expect((honesty.durationSeconds * 1000) % honesty.periodMs).toBe(0);
    }
  });
});
