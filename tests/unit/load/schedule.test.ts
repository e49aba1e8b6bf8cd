import { describe, expect, it } from 'vitest';
import { Phase, RequestLog } from '../../../harness/load/records.js';
import { dueCount, dueTimeUs, generatorStrain, planSchedule, rateFacts } from '../../../harness/load/schedule.js';

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

describe('generatorStrain', () => {
  it('splits send lag and pool wait by the halves of the measured phase, skipping warm-up and unwired requests', () => {
    // Prepare: 100 req/s for 1 s after 10 warm-up requests. First half: lag 1 ms, wait 2 ms; second half:
    // lag growing 10, 20, … ms and wait 50 ms; request 99 never reached a connection; warm-up waits 9 s.
    const plan = planSchedule(100, 0.1, 1);
    const log = new RequestLog();
    for (let i = 0; i < 110; i++) {
      const measured = i >= 10;
      const due = measured ? plan.measuredStartUs + dueTimeUs(i - 10, 100) : dueTimeUs(i, 100);
      const index = log.add(measured ? Phase.Measured : Phase.Warmup, `id-${i}`, due, 0);
      const second = i >= 60;
      log.sendUs[index] = due + (!measured ? 0 : second ? (i - 59) * 10_000 : 1_000);
      if (i !== 109) log.wireUs[index] = log.sendUs[index]! + (!measured ? 9e6 : second ? 50_000 : 2_000);
    }

    // Act
    const strain = generatorStrain(log, plan);

    // Assess: nearest-rank p99 of 50 values is the largest.
    expect(strain.sendLagP99Us).toEqual([1_000, 500_000]);
    expect(strain.poolWaitHalvesP99Us).toEqual([2_000, 50_000]);
    expect(strain.poolWaitP99Us).toBe(50_000);
    expect(rateFacts(log, plan).strain).toEqual(strain);
  });
});
