import { describe, expect, it } from 'vitest';
import { evaluateSlos, parseSlo } from '../../../harness/check/slo.js';
import {
  ALL_LATENCY_SCOPES,
  assessMachine,
  CLIENT_LATENCY_SCOPES,
  detectStartBacklog,
  EVENT_LOOP_DELAY_P99_LIMIT_MS,
  HOST_CPU_BUSY_LIMIT_PERCENT,
  latencyDoubts,
  POOL_WAIT_P99_LIMIT_MS,
  SEND_LAG_P99_LIMIT_MS,
} from '../../../harness/check/timing.js';
import type { MachineSample } from '../../../harness/load/machine.js';
import { Phase, RequestLog } from '../../../harness/load/records.js';

/** A measured phase at 20 req/s from t = 1 s, one response per latency given (ms). */
function measuredLog(latenciesMs: readonly number[]): RequestLog {
  const log = new RequestLog();
  latenciesMs.forEach((ms, j) => {
    const index = log.add(Phase.Measured, `id-${j}`, 1_000_000 + j * 50_000, 0);
    log.complete(index, { latencyUs: ms * 1000, status: 200, errorKind: 0, echoed: true });
  });
  return log;
}

const quiet: MachineSample = {
  seconds: 5,
  cores: 2,
  hostCpuPercent: 35,
  processCpuPercent: 20,
  loadAverage1m: 0.8,
  eventLoopDelayP99Ms: 2,
  eventLoopDelayMaxMs: 6,
};

describe('detectStartBacklog', () => {
  it('finds a queue draining into the start: the first requests slow, falling, and setting the p99', () => {
    // Prepare: 100 requests over 5 s; the first six wait for a queue (600 … 100 ms), the rest take 3 ms.
    const latencies = Array.from({ length: 100 }, (_, j) => (j < 6 ? 600 - j * 100 : 3));

    // Act
    const backlog = detectStartBacklog(measuredLog(latencies), 1_000_000, 5);

    // Assess
    expect(backlog).toMatchObject({
      detected: true,
      leadingSlowRequests: 6,
      firstLatencyMs: 600,
      referenceP99Ms: 3,
      slowMs: 13,
    });
    expect(backlog!.leadingSlowSeconds).toBeCloseTo(0.25, 9);
  });

  it('does not blame the start for an API that is slow all along, or slow only later', () => {
    // Prepare
    const slowAllAlong = Array.from({ length: 100 }, (_, j) => 200 + (j % 7));
    const slowLater = Array.from({ length: 100 }, (_, j) => (j === 0 || j === 20 || j === 21 || j === 22 ? 500 : 3));

    // Act
    const uniform = detectStartBacklog(measuredLog(slowAllAlong), 1_000_000, 5);
    const later = detectStartBacklog(measuredLog(slowLater), 1_000_000, 5);

    // Assess: the second has a slow first request, but three of its four slow requests came later.
    expect(uniform).toMatchObject({ detected: false, leadingSlowRequests: 0 });
    expect(later).toMatchObject({ detected: false, leadingSlowRequests: 1 });
  });

  it('judges nothing with fewer than 20 responses in the second half', () => {
    expect(detectStartBacklog(measuredLog(Array.from({ length: 30 }, () => 3)), 1_000_000, 1.5)).toBeUndefined();
  });
});

describe('assessMachine', () => {
  it('calls a quiet machine not saturated', () => {
    expect(assessMachine(quiet, 0.5, 'local')).toEqual({ saturated: false, signals: [] });
  });

  it('names each signal over its limit', () => {
    // Prepare
    const busy: MachineSample = { ...quiet, hostCpuPercent: HOST_CPU_BUSY_LIMIT_PERCENT + 7, eventLoopDelayP99Ms: 45 };

    // Act
    const local = assessMachine(busy, SEND_LAG_P99_LIMIT_MS + 1, 'local');

    // Assess
    expect(local.saturated).toBe(true);
    expect(local.signals).toEqual([
      'host CPU 97% of 2 cores (limit 90%)',
      `event-loop delay p99 45.0 ms (limit ${EVENT_LOOP_DELAY_P99_LIMIT_MS} ms)`,
      'send lag p99 21.0 ms (limit 20 ms)',
    ]);
  });

  it('on AWS looks at the generator only: a busy host alone is no reason to doubt the API', () => {
    // Prepare
    const busyHost: MachineSample = { ...quiet, hostCpuPercent: 99 };

    // Act / Assess
    expect(assessMachine(busyHost, 1, 'aws').saturated).toBe(false);
    expect(assessMachine({ ...busyHost, processCpuPercent: 95 }, 1, 'aws').signals).toEqual([
      'harness process CPU 95% of one core (limit 90%)',
    ]);
  });
});

describe('latencyDoubts', () => {
  const clean = {
    target: 'local',
    warmupSettle: { waitedMs: 0, boundMs: 10_000, inFlightAtStart: 0 },
    startBacklog: undefined,
  } as const;

  it('has none for a settled warm-up on a quiet machine', () => {
    expect(latencyDoubts({ ...clean, machine: { saturated: false, signals: [] } })).toEqual([]);
  });

  it('doubts client latencies for a warm-up backlog, and every latency on a saturated local machine', () => {
    // Act
    const doubts = latencyDoubts({
      ...clean,
      warmupSettle: { waitedMs: 10_000, boundMs: 10_000, inFlightAtStart: 3 },
      machine: { saturated: true, signals: ['host CPU 97% of 2 cores (limit 90%)'] },
    });

    // Assess
    expect(doubts.map((d) => [d.code, d.scopes])).toEqual([
      ['WarmupBacklog', CLIENT_LATENCY_SCOPES],
      ['MachineSaturated', ALL_LATENCY_SCOPES],
    ]);
    expect(doubts[0]!.reason).toContain('3 warm-up requests were still in flight');
    expect(doubts[1]!.reason).toContain("measured this machine's queueing, not the API");
  });

  it('calls the same signals on AWS a saturated generator, doubting client latency only', () => {
    const [doubt] = latencyDoubts({
      ...clean,
      target: 'aws',
      machine: { saturated: true, signals: ['send lag p99 40.0 ms (limit 20 ms)'] },
    });
    expect(doubt).toMatchObject({ code: 'GeneratorSaturated', scopes: CLIENT_LATENCY_SCOPES });
    expect(doubt!.reason).toMatch(/^generator saturated/);
  });
});

describe("assessMachine: the generator's queues (issue 17)", () => {
  const strain = (lagMs: [number, number], waitMs: [number, number]) => ({
    sendLagP99Us: [lagMs[0] * 1000, lagMs[1] * 1000] as const,
    poolWaitP99Us: Math.max(...waitMs) * 1000,
    poolWaitHalvesP99Us: [waitMs[0] * 1000, waitMs[1] * 1000] as const,
  });

  it('flags a connection-pool wait that grows past its limit, on AWS and locally', () => {
    for (const target of ['aws', 'local'] as const) {
      const assessment = assessMachine(quiet, 1, target, strain([1, 1], [0.5, 900]));
      expect(assessment.saturated).toBe(true);
      expect(assessment.signals).toEqual([
        `connection-pool wait growing: p99 0.5 ms in the first half of the run, 900.0 ms in the second (limit ${POOL_WAIT_P99_LIMIT_MS} ms); the generator could not carry the rate (too slow to read its responses, or too few --connections)`,
      ]);
    }
  });

  it('flags a standing pool wait too (a collapse that began before the measured phase), without calling it growing', () => {
    // Issue 17's runs on a busy machine: the queue had formed within the first half and stayed.
    const standing = assessMachine(quiet, 1, 'aws', strain([1, 1], [1286.1, 953.6]));
    expect(standing.signals).toEqual([
      `connection-pool wait p99 1286.1 ms (limit ${POOL_WAIT_P99_LIMIT_MS} ms); the generator could not carry the rate (too slow to read its responses, or too few --connections)`,
    ]);
    // Growing, but still under the limit: no signal.
    expect(assessMachine(quiet, 1, 'aws', strain([1, 1], [2, 15])).saturated).toBe(false);
  });

  it('names a due-but-unsent backlog that grows, in place of the plain send-lag signal', () => {
    const growing = assessMachine(quiet, 40, 'aws', strain([5, 60], [0, 0]));
    expect(growing.signals).toEqual([
      `due-but-unsent backlog growing: send lag p99 5.0 ms in the first half of the run, 60.0 ms in the second (limit ${SEND_LAG_P99_LIMIT_MS} ms)`,
    ]);
    // A steady lag over the limit keeps the plain signal.
    expect(assessMachine(quiet, 40, 'aws', strain([40, 40], [0, 0])).signals).toEqual([
      `send lag p99 40.0 ms (limit ${SEND_LAG_P99_LIMIT_MS} ms)`,
    ]);
  });
});

describe('missed latency SLOs under doubt', () => {
  it('turns a missed latency SLO in a doubted scope into inconclusive with the reason, and leaves the rest alone', () => {
    // Prepare: a saturated generator on AWS doubts client latency, not Lambda's Duration or errors.
    const doubts = latencyDoubts({
      target: 'aws',
      warmupSettle: undefined,
      startBacklog: undefined,
      machine: { saturated: true, signals: ['event-loop delay p99 80.0 ms (limit 20 ms)'] },
    });
    const metrics = {
      'warm.p99': { value: 300, n: 1000 },
      'warm.p50': { value: 10, n: 1000 },
      'lambda.p99': { value: 300, n: 1000 },
      errors: { value: 5, n: 1000 },
    };

    // Act
    const results = evaluateSlos(
      ['p99<=100ms', 'p50<=50ms', 'lambda.p99<=100ms', 'errors<=1%'].map(parseSlo),
      metrics,
      { closedLoop: false, doubts },
    );

    // Assess
    expect(results.map((r) => r.status)).toEqual(['inconclusive', 'pass', 'fail', 'fail']);
    expect(results[0]!.note).toBe('generator saturated (event-loop delay p99 80.0 ms (limit 20 ms))');
    expect(results[0]!.margin).toBe(-200);
  });
});
