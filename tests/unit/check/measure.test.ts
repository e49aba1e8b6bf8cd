import { describe, expect, it } from 'vitest';
import { measureRun } from '../../../harness/check/measure.js';
import { fixtureInput } from '../report/fixture.js';

describe('measureRun', () => {
  it('splits measured latencies into warm and cold by the logs, leaving unmatched requests out of both', () => {
    const { load, correlation } = fixtureInput();
    const m = measureRun(load!, correlation);
    // 40 measured requests: one never answered (44), one cold (20), and 12 (no line) and 27 (duplicate) unmatched.
    expect(m.requests).toBe(40);
    expect(m.responses).toBe(39);
    expect(m.latency.all.n).toBe(39);
    expect(m.latency.cold.n).toBe(1);
    expect(m.latency.warm.n).toBe(36);
    expect(m.coldStarts).toMatchObject({ measured: 1, warmup: 1 });
    expect(m.coldStarts.initDuration.n).toBe(2);
  });

  it('counts errors over measured requests and gives the error rate as a percentage', () => {
    const { load, correlation } = fixtureInput();
    const m = measureRun(load!, correlation);
    expect(m.errors).toBe(2);
    expect(m.errorRatePercent).toBe(5);
    expect(m.errorKinds).toEqual({ status: 1, timeout: 1 });
    expect(m.statusCodes).toEqual({ '200': 38, '503': 1 });
    expect(m.metrics.errors).toEqual({ value: 5, n: 40 });
  });

  it('computes the gap between client latency and Lambda Duration per matched request', () => {
    const { load, correlation } = fixtureInput();
    const m = measureRun(load!, correlation);
    expect(m.breakdown.lambda.n).toBe(37);
    // Client 1.0–4.9 ms against 0.75 ms of Lambda gives gaps of 0.25–4.15 ms; request 33 (25 ms client,
    // 21.5 ms Lambda) has a gap of 3.5 ms, inside that range, although it is the slowest request.
    expect(m.breakdown.gap.min).toBeCloseTo(0.25, 9);
    expect(m.breakdown.gap.max).toBeCloseTo(4.15, 9);
    expect(m.breakdown.lambda.max).toBe(21.5);
    expect(m.latency.all.max).toBe(25);
  });

  it('leaves warm, cold, Lambda and coverage metrics out when there is no correlation (never a silent pass)', () => {
    const { load } = fixtureInput();
    const m = measureRun(load!, undefined);
    expect(m.metrics['warm.p99']).toBeUndefined();
    expect(m.metrics.coverage).toBeUndefined();
    expect(m.metrics['all.p99']).toBeDefined();
  });

  it('marks coverage provisional when the logs deadline passed', () => {
    const { load, correlation } = fixtureInput();
    const m = measureRun(load!, { ...correlation!, timedOut: true });
    expect(m.metrics.coverage).toMatchObject({ provisional: true, n: 49 });
  });
});
