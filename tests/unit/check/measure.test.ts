import { describe, expect, it } from 'vitest';
import { measureRun } from '../../../harness/check/measure.js';
import type { LoadResult } from '../../../harness/load/load.js';
import { Phase, RequestLog } from '../../../harness/load/records.js';
import { fixtureInput } from '../report/fixture.js';

/** A closed-loop (peak) measured phase of 2 s: `statuses` in order, each answered in 1 ms. */
function peakLoad(statuses: readonly number[]): LoadResult {
  const log = new RequestLog();
  statuses.forEach((status, i) => {
    const index = log.add(Phase.Measured, `id-${i}`, i * 1_000, 0);
    log.complete(index, { latencyUs: 1_000, status, errorKind: status === 200 ? 0 : 1, echoed: true });
  });
  const { load } = fixtureInput();
  return { ...load!, mode: 'peak', closedLoop: true, log, measuredStartUs: 0, measuredSeconds: 2, rates: undefined };
}

describe('measureRun', () => {
  it('splits measured latencies into warm and cold by the logs, leaving unmatched requests out of both', () => {
    const { load, correlation } = fixtureInput();
    const m = measureRun(load!, correlation, 'local');
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
    const m = measureRun(load!, correlation, 'local');
    expect(m.errors).toBe(2);
    expect(m.errorRatePercent).toBe(5);
    expect(m.errorKinds).toEqual({ status: 1, timeout: 1 });
    expect(m.statusCodes).toEqual({ '200': 38, '503': 1 });
    expect(m.metrics.errors).toEqual({ value: 5, n: 40 });
  });

  it('computes the gap between client latency and Lambda Duration per matched request', () => {
    const { load, correlation } = fixtureInput();
    const m = measureRun(load!, correlation, 'local');
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
    const m = measureRun(load!, undefined, 'local');
    expect(m.metrics['warm.p99']).toBeUndefined();
    expect(m.metrics.coverage).toBeUndefined();
    expect(m.metrics['all.p99']).toBeDefined();
  });

  it('marks coverage provisional when the logs deadline passed', () => {
    const { load, correlation } = fixtureInput();
    const m = measureRun(load!, { ...correlation!, timedOut: true }, 'local');
    expect(m.metrics.coverage).toMatchObject({ provisional: true, n: 49 });
  });

  it('counts only 2xx responses as peak throughput and reports throttled (429) responses apart', () => {
    // Prepare: 1,000 responses in 2 s, 980 of them 429 (the stage throttle), 10 of them 502.
    const statuses = Array.from({ length: 1_000 }, (_, i) => (i < 10 ? 200 : i < 20 ? 502 : 429));

    // Act
    const m = measureRun(peakLoad(statuses), undefined, 'local');

    // Assess
    expect(m.throughputRps).toBe(5);
    expect(m.successfulResponses).toBe(10);
    expect(m.throttledResponses).toBe(980);
    expect(m.responses).toBe(1_000);
  });

  it('reports a warm-up still in flight at the start as a doubt on client latency', () => {
    // Prepare
    const { load, correlation } = fixtureInput();
    const leaked: LoadResult = { ...load!, warmupSettle: { waitedMs: 10_000, boundMs: 10_000, inFlightAtStart: 4 } };

    // Act
    const m = measureRun(leaked, correlation, 'local');

    // Assess
    expect(m.timing.doubts.map((d) => d.code)).toEqual(['WarmupBacklog']);
    expect(measureRun(load!, correlation, 'local').timing.doubts).toEqual([]);
  });
});
