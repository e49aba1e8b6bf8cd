/**
 * A fixed, deterministic run for report tests: 40 measured and 10 warm-up requests with known latencies,
 * their log lines (one missing, one duplicated, one cold start in each phase), and fixed times.
 */
import { measureRun } from '../../../harness/check/measure.js';
import { decideVerdict, evaluateSlos } from '../../../harness/check/slo.js';
import { type CorrelationResult, slowestMeasured } from '../../../harness/correlate/correlate.js';
import { type HandlerLine, joinLogs, type ReportLine } from '../../../harness/correlate/join.js';
import type { LoadResult } from '../../../harness/load/load.js';
import { validateMix } from '../../../harness/load/mix.js';
import { Phase, RequestLog } from '../../../harness/load/records.js';
import { parseBenchOptions } from '../../../harness/options.js';
import { buildReport, type ReportInput, type RunReport } from '../../../harness/report/model.js';

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const aws = (i: number) => `aaaaaaaa-0000-4000-8000-${String(i).padStart(12, '0')}`;

export function fixtureInput(): ReportInput {
  const parsed = parseBenchOptions(
    {
      runId: 'snap',
      rate: 10,
      duration: 4,
      warmup: 1,
      slo: ['p50<=50ms', 'p99<=20ms', 'errors<=5%', 'coverage>=100%'],
    },
    { now: new Date('2030-01-02T03:04:05.000Z'), env: { USER: 'snapshot' } },
  );
  const mix = validateMix(
    [
      { name: 'int', path: 'random/int?count=3', weight: 3 },
      { name: 'post-records', method: 'POST', path: 'random', body: '{"count":2,"fields":{"a":{"type":"int"}}}' },
    ],
    'fixture',
  );
  const options = { ...parsed, load: { ...parsed.load, mix } };
  const log = new RequestLog(64);
  for (let i = 0; i < 50; i++) {
    const index = log.add(i < 10 ? Phase.Warmup : Phase.Measured, id(i), i * 100_000, i % 2);
    log.sendUs[index] = i * 100_000 + 150;
    // Latencies 1.000 … 4.900 ms, request 33 slow (25 ms), request 41 failed with a 503.
    const latencyUs = i === 33 ? 25_000 : 1_000 + (i % 40) * 100;
    log.complete(index, {
      latencyUs: i === 44 ? Number.NaN : latencyUs,
      status: i === 41 ? 503 : i === 44 ? 0 : 200,
      errorKind: i === 41 ? 1 : i === 44 ? 2 : 0,
      echoed: i !== 44,
      apiRequestId: i === 44 ? undefined : `apigw-${i}`,
    });
  }
  const load: LoadResult = {
    mode: 'open',
    closedLoop: false,
    log,
    mix,
    connections: 10,
    t0EpochMs: Date.parse('2030-01-02T03:04:06.000Z'),
    endEpochMs: Date.parse('2030-01-02T03:04:11.000Z'),
    warmupSeconds: 1,
    measuredStartUs: 1_000_000,
    measuredSeconds: 4,
    rates: { targetRps: 10, sentRps: 10, achievedRps: 9.9, sendLagMaxUs: 1_250, sendLagP99Us: 900 },
  };
  const handlerLines = new Map<string, HandlerLine[]>();
  const reportLines = new Map<string, ReportLine[]>();
  for (let i = 0; i < 50; i++) {
    if (i === 44) continue; // never answered
    const cold = i === 0 || i === 20;
    const line: HandlerLine = {
      correlationId: id(i),
      awsRequestId: aws(i),
      coldStart: cold,
      status: log.status[i],
      durationMs: 0.4,
      message: `{"level":30,"correlationId":"${id(i)}","awsRequestId":"${aws(i)}","coldStart":${cold},"status":${log.status[i]}}`,
    };
    if (i !== 12) handlerLines.set(id(i), i === 27 ? [line, line] : [line]);
    reportLines.set(aws(i), [
      {
        requestId: aws(i),
        durationMs: i === 33 ? 21.5 : 0.75,
        billedDurationMs: 1,
        initDurationMs: cold ? 180.25 : Number.NaN,
        maxMemoryUsedMb: 70,
        message: `REPORT RequestId: ${aws(i)}\tDuration: ${i === 33 ? '21.50' : '0.75'} ms\tBilled Duration: 1 ms\tMemory Size: 512 MB\tMax Memory Used: 70 MB\t`,
      },
    ]);
  }
  handlerLines.set(id(12), []);
  const sampled = Array.from({ length: 50 }, (_, i) => ({
    index: i,
    correlationId: id(i),
    notExpected: i === 44 ? 'no response (timeout)' : undefined,
  }));
  const join = joinLogs({
    sampled,
    handlerLines,
    reportLines,
    census: new Map([...handlerLines].map(([k, v]) => [k, v.length] as const).concat([['ghost-1', 1]])),
    sentIds: new Set(sampled.map((s) => s.correlationId)),
    requestCount: 50,
  });
  const slowestOrder = slowestMeasured(load, 10);
  const correlation: CorrelationResult = {
    ...join,
    coverage: join.matched / join.expected,
    timedOut: false,
    rounds: 1,
    queries: 3,
    queryErrors: 0,
    lastQueryError: undefined,
    elapsedMs: 420,
    startTimeMs: load.t0EpochMs - 60_000,
    endTimeMs: load.endEpochMs + 60_000,
    slowest: slowestOrder.map((index) => ({
      index,
      handlerLine: handlerLines.get(id(index))?.[0]?.message,
      reportLine: reportLines.get(aws(index))?.[0]?.message,
    })),
  };
  const measurements = measureRun(load, correlation, 'local');
  const slos = evaluateSlos(options.slos, measurements.metrics, { closedLoop: false });
  const verdict = decideVerdict(slos, { responses: measurements.responses, sentRatio: 1, achievedRatio: 0.99 });
  return {
    options,
    facts: {
      commit: '0123456789abcdef0123456789abcdef01234567',
      startedAt: '2030-01-02T03:04:05.000Z',
      endedAt: '2030-01-02T03:04:13.250Z',
      nodeVersion: 'v20.20.2',
      baseUrl: 'http://127.0.0.1:40000/bench/',
      logGroupName: '/aws/lambda/rda-snap-fn',
      region: 'local',
      memorySizeMb: 512,
    },
    outcome: { kind: 'verdict', verdict: verdict.verdict, reasons: verdict.reasons },
    exitCode: 1,
    phases: [
      { name: 'deploy', startedAt: '2030-01-02T03:04:05.010Z', durationMs: 900, outcome: 'done' },
      { name: 'load', startedAt: '2030-01-02T03:04:05.910Z', durationMs: 5_020, outcome: 'done' },
      { name: 'correlate', startedAt: '2030-01-02T03:04:10.930Z', durationMs: 420, outcome: 'done' },
      { name: 'destroy', startedAt: '2030-01-02T03:04:11.350Z', durationMs: 1_800, outcome: 'done' },
      { name: 'report', startedAt: '2030-01-02T03:04:13.150Z', durationMs: 100, outcome: 'done' },
    ],
    load,
    correlation,
    measurements,
    slos,
    destroy: {
      kind: 'destroyed',
      report: {
        target: 'local',
        stackName: 'rda-snap',
        verified: true,
        checks: ['emulator server: closed', 'pid 4242: exited', 'log store /tmp/rda-snap: removed'],
        leftovers: [],
        durationMs: 1_800,
      },
    },
    warnings: [],
  };
}

export function fixtureReport(): RunReport {
  return buildReport(fixtureInput());
}
