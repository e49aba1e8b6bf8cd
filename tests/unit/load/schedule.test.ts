import { describe, expect, it } from 'vitest';
import { Phase, RequestLog } from '../../../harness/load/records.js';
import { dueCount, dueTimeUs, planSchedule, rateFacts } from '../../../harness/load/schedule.js';

describe('the open-model schedule', () => {
  it('puts request i at i/rate whatever happened before', () => {
    expect([0, 1, 2, 199].map((i) => dueTimeUs(i, 200))).toEqual([0, 5_000, 10_000, 995_000]);
    expect(dueTimeUs(3, 3)).toBe(1_000_000);
  });

  it('counts the requests due by a moment, request 0 at once', () => {
    expect(dueCount(-1, 100, 50)).toBe(0);
    expect(dueCount(0, 100, 50)).toBe(1);
    expect(dueCount(9_999, 100, 50)).toBe(1);
    expect(dueCount(10_000, 100, 50)).toBe(2);
    expect(dueCount(60_000_000, 100, 50)).toBe(50);
  });

  it('plans warm-up and measurement back to back', () => {
    expect(planSchedule(20, 2, 10)).toEqual({
      rateRps: 20,
      warmupRequests: 40,
      measuredRequests: 200,
      measuredStartUs: 2_000_000,
    });
  });
});

describe('rateFacts', () => {
  function logOf(plan: ReturnType<typeof planSchedule>, sendLagUs: (i: number) => number, latencyUs: number) {
    const log = new RequestLog();
    for (let i = 0; i < plan.measuredRequests; i++) {
      const due = plan.measuredStartUs + dueTimeUs(i, plan.rateRps);
      const index = log.add(Phase.Measured, `id-${i}`, due, 0);
      log.sendUs[index] = due + sendLagUs(i);
      log.complete(index, { latencyUs, status: 200, errorKind: 0, echoed: true });
    }
    return log;
  }

  it('reports 100% sent and achieved for a run that kept its schedule', () => {
    const plan = planSchedule(50, 0, 4);
    const facts = rateFacts(
      logOf(plan, () => 200, 3_000),
      plan,
    );
    expect(facts.sentRps / facts.targetRps).toBeCloseTo(1, 2);
    expect(facts.achievedRps / facts.targetRps).toBeCloseTo(1, 2);
    expect(facts.sendLagMaxUs).toBe(200);
  });

  it('shows a generator that fell behind as a sent rate below target', () => {
    const plan = planSchedule(50, 0, 4);
    // Every request leaves 10 ms later than the one before it was due to: the generator runs at ~2/3 speed.
    const facts = rateFacts(
      logOf(plan, (i) => i * 10_000, 1_000),
      plan,
    );
    expect(facts.sentRps / facts.targetRps).toBeLessThan(0.7);
    expect(facts.sendLagMaxUs).toBe(1_990_000);
    // Lags are 0, 10, … 1,990 ms: the 198th of 200 is the nearest-rank p99.
    expect(facts.sendLagP99Us).toBe(1_970_000);
  });

  it('shows a server that answered late as an achieved rate below target', () => {
    const plan = planSchedule(50, 0, 4);
    const facts = rateFacts(
      logOf(plan, () => 0, 2_000_000),
      plan,
    );
    expect(facts.sentRps / facts.targetRps).toBeCloseTo(1, 2);
    expect(facts.achievedRps / facts.targetRps).toBeLessThan(0.7);
  });
});
