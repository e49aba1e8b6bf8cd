import { describe, expect, it } from 'vitest';
import type { BenchOverheadFigures } from '../../../harness/perf/bench.js';
import type { EmulatorPerfResult } from '../../../harness/perf/emulator.js';
import {
  countLabel,
  emulatorRows,
  errorRow,
  GOALS,
  honestyRows,
  insightsRows,
  latencyRows,
  logCaptureRows,
  overheadRow,
  parseInsightsRounds,
  queryLabel,
  reportRow,
} from '../../../harness/perf/figures.js';
import type {
  InsightsBenchmarkCase,
  InsightsBenchmarkReport,
  InsightsPeerCase,
} from '../../../harness/perf/insights.js';
import type { LatencyRun, ThroughputRun } from '../../../harness/perf/loads.js';
import { spreadOf } from '../../../harness/stats/spread.js';

const round = (bareRps: number, emulatorRps: number, generatorCpuShare = 0.3, emulatorFailures = 0) => ({
  bareRps,
  inProcessRps: bareRps * 0.75,
  emulatorRps,
  ratio: emulatorRps / bareRps,
  isolationRatio: emulatorRps / (bareRps * 0.75),
  emulatorCpuUsPerRequest: 60,
  emulatorParentCpuUsPerRequest: 25,
  bareCpuUsPerRequest: 17,
  inProcessCpuUsPerRequest: 23,
  emulatorFailures,
  generatorCpuShare,
});

function emulatorResult(rounds: ReturnType<typeof round>[], complete = true): EmulatorPerfResult {
  return {
    node: 'v20',
    cpus: 2,
    pinned: true,
    durationSeconds: 10,
    rounds,
    throughputRatio: spreadOf(rounds.map((r) => r.ratio)),
    inProcessRatio: spreadOf(rounds.map(() => 0.75)),
    isolationRatio: spreadOf(rounds.map((r) => r.isolationRatio)),
    coldStart: { emulatorMedianMs: 90, nodeMedianMs: 60, ratio: 1.5, initDurationMedianMs: 70 },
    logCapture: { responses: 100, reports: 101, handlerLines: complete ? 101 : 99, complete },
  };
}

const latency = (p50Ms: number, p99Ms: number, achievedRps = 1000, generatorCpuShare = 0.2): LatencyRun => ({
  rateRps: 1000,
  achievedRps,
  responses: 10_000,
  failures: 0,
  p50Ms,
  p99Ms,
  maxMs: p99Ms * 2,
  generatorCpuShare,
  generatorCpuUsPerResponse: 40,
  generatorSignals: [],
});

const throughput = (rps: number, generatorCpuUsPerResponse = 16, generatorCpuShare = 0.5): ThroughputRun => ({
  rps,
  responses: rps * 10,
  failures: 0,
  generatorCpuShare,
  generatorCpuUsPerResponse,
});

describe('emulatorRows (G1, G4 and the G1 run log completeness)', () => {
  it('judges G1 on the median of per-round ratios against 0.35', () => {
    // Prepare: ratios 0.30, 0.36, 0.40
    const result = emulatorResult([round(50_000, 15_000), round(50_000, 18_000), round(50_000, 20_000)]);
    // Act
    const [g1, ceiling, g4, capture] = emulatorRows(result);
    // Assess
    expect(g1!.comparison?.spread).toMatchObject({ min: 0.3, max: 0.4, n: 3 });
    expect(g1!.comparison?.spread.median).toBeCloseTo(0.36, 12);
    expect(g1!.goal).toEqual(GOALS.g1Throughput);
    expect(g1!.status).toBe('met');
    expect(g1!.candidate?.spread.median).toBe(18_000);
    expect(g1!.baseline?.spread.median).toBe(50_000);
    expect(ceiling).toMatchObject({ id: 'G1', status: 'info', comparison: { spread: { median: 0.75 } } });
    expect(g4).toMatchObject({ id: 'G4', status: 'met', comparison: { spread: { median: 1.5 } } });
    expect(capture).toMatchObject({ id: 'G5', status: 'met' });
  });

  it('flags G1 as generator-limited when one round saturated the generator', () => {
    const [g1] = emulatorRows(
      emulatorResult([round(50_000, 20_000), round(50_000, 20_000, 0.93), round(50_000, 20_000)]),
    );
    expect(g1!.status).toBe('generator-limited');
    expect(g1!.generatorCpuMax).toBe(0.93);
  });

  it('does not pass G1 when the emulator failed requests, and reports lost lines', () => {
    const [g1, , , capture] = emulatorRows(
      emulatorResult([round(50_000, 20_000, 0.3, 2), round(50_000, 20_000), round(50_000, 20_000)], false),
    );
    expect(g1!.status).toBe('not met');
    expect(g1!.note).toContain('2 failed emulator responses');
    expect(capture!.status).toBe('not met');
  });

  it('tags G1 for the peer table and says what bounds it only when it misses its goal', () => {
    // Prepare: ratios 0.30 (below 0.35) and 0.40 (above).
    const [below] = emulatorRows(emulatorResult([round(50_000, 15_000), round(50_000, 15_000), round(50_000, 15_000)]));
    const [above] = emulatorRows(emulatorResult([round(50_000, 20_000), round(50_000, 20_000), round(50_000, 20_000)]));

    // Assess
    expect(below!.peer).toEqual({
      part: 'emulator vs bare node:http, real handler',
      peer: 'bare node:http (physical reference)',
    });
    expect(below!.note).toContain('bound by process isolation');
    expect(above!.note).not.toContain('bound by process isolation');
  });

  it("splits G1's emulator CPU into its parent process and the environments", () => {
    // Prepare & Act: 60 µs/req in all, 25 of them in the emulator process itself.
    const [g1] = emulatorRows(emulatorResult([round(50_000, 20_000), round(50_000, 20_000), round(50_000, 20_000)]));
    // Assess
    expect(g1!.note).toContain(
      'emulator CPU 60.0 µs/req (its parent process 25.0, the environments the rest) vs bare 17.0 µs/req',
    );
  });
});

describe('latencyRows (G3)', () => {
  it('compares p50 round by round and bounds p99 by max(2 ms, 3 × bare p99)', () => {
    // Prepare: bare p99 0.5 ms → bound 2 ms; bare p99 1 ms → bound 3 ms.
    const emulator = [latency(0.6, 1.8), latency(0.7, 3.3)];
    const bare = [latency(0.2, 0.5), latency(0.2, 1.0)];
    // Act
    const [p50, p99] = latencyRows(emulator, bare, 10, 'at 1000 rps');
    // Assess
    expect(p50!.comparison?.spread.min).toBeCloseTo(0.4, 12);
    expect(p50!.comparison?.spread.max).toBeCloseTo(0.5, 12);
    expect(p50!.status).toBe('met');
    expect(p99!.comparison?.spread.min).toBeCloseTo(0.9, 12);
    expect(p99!.comparison?.spread.max).toBeCloseTo(1.1, 12);
    expect(p99!.comparison?.spread.median).toBeCloseTo(1.0, 12);
    expect(p99!.status).toBe('met');
  });

  it('is inconclusive when a run could not sustain its open-loop rate', () => {
    const rows = latencyRows(
      [latency(5, 50, 800), latency(5, 50)],
      [latency(0.2, 0.5), latency(0.2, 0.5)],
      10,
      'at 1000 rps',
    );
    expect(rows.map((r) => r.status)).toEqual(['inconclusive', 'inconclusive']);
    expect(rows[0]!.note).toContain('only 80 % of the rate');
  });
});

describe('logCaptureRows (G5)', () => {
  it('compares logging with silent runs and checks that no line was lost', () => {
    const [ratio, loss] = logCaptureRows(
      [throughput(900), throughput(950)],
      [throughput(1000), throughput(1000)],
      { reports: 120, handlerLines: 120, missing: 0, duplicates: 0 },
      118,
    );
    expect(ratio!.comparison?.spread.median).toBeCloseTo(0.925, 12);
    expect(ratio!.status).toBe('met');
    expect(loss!.status).toBe('met');
  });

  it('fails completeness on a duplicate even when the count looks right', () => {
    const [, loss] = logCaptureRows(
      [throughput(900)],
      [throughput(1000)],
      { reports: 10, handlerLines: 11, missing: 0, duplicates: 1 },
      10,
    );
    expect(loss!.status).toBe('not met');
    expect(loss!.note).toContain('1 duplicated');
  });
});

describe('honestyRows (G7)', () => {
  const base = { referenceP99Ms: 90, durationSeconds: 10, stallMs: 100, stallNote: 'stall note' };

  it('holds the open-loop p99 against the analytic value and the harness generator against autocannon', () => {
    const [honesty, rate, cpu] = honestyRows({
      ...base,
      stall: [latency(1, 96, 2000 / 2), latency(1, 99, 1000)].map((r) => ({ ...r, achievedRps: r.rateRps })),
      harness: [throughput(48_000, 17), throughput(47_000, 17)],
      plain: [throughput(50_000, 16), throughput(50_000, 16)],
    });
    expect(honesty!.comparison?.spread.median).toBeCloseTo(97.5 / 90, 12);
    expect(honesty!.status).toBe('met');
    expect(rate!.comparison?.spread.median).toBeCloseTo(0.95, 12);
    expect(rate!.status).toBe('met');
    expect(cpu!.comparison?.spread.median).toBeCloseTo(17 / 16, 12);
    expect(cpu!.status).toBe('met');
  });

  it('does not flag the generator rows as generator-limited: the generator is what they measure', () => {
    const [, rate] = honestyRows({
      ...base,
      stall: [latency(1, 90)],
      harness: [throughput(40_000, 20, 0.99)],
      plain: [throughput(50_000, 16, 0.99)],
    });
    expect(rate!.status).toBe('not met');
  });

  it('allows the last responses to arrive one stall late, but not a server that fell behind', () => {
    // 10 s run, 100 ms stall: 95 % × 10 / 10.1 ≈ 94.06 % of the rate is still sustained.
    const late = honestyRows({
      ...base,
      stall: [latency(1, 95, 941)],
      harness: [throughput(1)],
      plain: [throughput(1)],
    });
    expect(late[0]!.status).toBe('met');
    const behind = honestyRows({
      ...base,
      stall: [latency(900, 2000, 600)],
      harness: [throughput(1)],
      plain: [throughput(1)],
    });
    expect(behind[0]!.status).toBe('inconclusive');
    expect(behind[0]!.note).toContain('the analytic reference does not apply');
  });
});

describe('honestyRows (G7, issue 17: the open-loop generator)', () => {
  const base = { referenceP99Ms: 90, durationSeconds: 10, stallMs: 100, stallNote: 'stall note' };
  const g6 = { stall: [latency(1, 90)], harness: [throughput(1)], plain: [throughput(1)] };
  const open = (rateRps: number, achievedRps: number, generatorCpuUsPerResponse: number, signals: string[] = []) => ({
    ...latency(1, 3, achievedRps),
    rateRps,
    generatorCpuUsPerResponse,
    generatorSignals: signals,
  });

  it('holds requests per CPU-second of the open loop against autocannon -R at the same rate, goal ≥ 0.7×', () => {
    // Prepare: autocannon 40, 50, 60 µs/req against 80, 50, 100 µs/req: ratios 0.5, 1.0, 0.6.
    const rows = honestyRows({
      ...base,
      ...g6,
      openLoop: [open(1000, 1000, 80), open(1000, 1000, 50), open(1000, 1000, 100)],
      openLoopReference: [throughput(1000, 40), throughput(1000, 50), throughput(1000, 60)],
    });

    // Act
    const row = rows.find((r) => r.name.startsWith('open-loop generator req per CPU-s'))!;

    // Assess
    expect(row.name).toContain('1000/s');
    expect(row.comparison?.spread).toMatchObject({ median: 0.6, min: 0.5, max: 1 });
    expect(row.goal).toEqual(GOALS.g7OpenLoopEfficiency);
    expect(row.status).toBe('not met');
    expect(row.candidate?.spread.median).toBe(80);
    expect(row.peer).toEqual({ part: 'open-loop generator, requests per CPU-second at 1000/s', peer: 'autocannon -R' });
    expect(row.note).toContain('bound by');
  });

  it('meets a sustain rate only when every round achieved 95 % unflagged, and is inconclusive when the generator flagged itself', () => {
    // Prepare: 2000/s sustained in both rounds; 4000/s collapsed in one round, which the generator flagged.
    const flag =
      'connection-pool wait growing: p99 0.0 ms in the first half of the run, 900.0 ms in the second (limit 20 ms)';

    // Act
    const rows = honestyRows({
      ...base,
      ...g6,
      sustain: [open(2000, 1990, 30), open(4000, 3990, 30), open(2000, 2000, 30), open(4000, 2100, 30, [flag])],
    }).filter((r) => r.name.includes('sustains'));

    // Assess
    expect(rows.map((r) => r.name)).toEqual([
      'open-loop generator sustains 2000/s against bare node:http',
      'open-loop generator sustains 4000/s against bare node:http',
    ]);
    expect(rows[0]!.status).toBe('met');
    expect(rows[0]!.comparison?.spread.min).toBeCloseTo(0.995, 12);
    expect(rows[1]!.status).toBe('inconclusive');
    expect(rows[1]!.note).toContain(`generator flagged itself in 1 of 2 rounds`);
    expect(rows[1]!.note).toContain(flag);
  });

  it('calls out a round that fell behind without the generator saying so', () => {
    const [row] = honestyRows({ ...base, ...g6, sustain: [open(4000, 1500, 30)] }).filter((r) =>
      r.name.includes('sustains'),
    );
    expect(row!.status).toBe('not met');
    expect(row!.note).toMatch(/NOT FLAGGED: 1 of 1 rounds fell below 95 %/);
  });

  it('does not pass a sustained rate whose latency the generator doubted', () => {
    const [row] = honestyRows({
      ...base,
      ...g6,
      sustain: [open(4000, 4000, 30, ['event-loop delay p99 45.0 ms (limit 20 ms)'])],
    }).filter((r) => r.name.includes('sustains'));
    expect(row!.status).toBe('inconclusive');
  });
});

describe('reportRow (G8) and overheadRow', () => {
  it('judges report time as a share of the run', () => {
    const row = reportRow({
      samples: 1_000_000,
      runSeconds: 60,
      measureMs: 100,
      buildMs: 50,
      renderMs: 5,
      jsonMs: 10,
      writeMs: 20,
      totalMs: 185,
      ratioToRun: 185 / 60_000,
      markdownBytes: 1000,
    });
    expect(row.name).toContain('1M samples');
    expect(row.status).toBe('met');
  });

  const overhead = (exitCode: number, overheadSeconds: number): BenchOverheadFigures => ({
    durationSeconds: 10,
    wallSeconds: 10 + overheadSeconds,
    overheadSeconds,
    exitCode,
    phases: { deploy: 1.2, load: 12 },
    warmupSeconds: 2,
    startupSeconds: 0.8,
  });

  it('judges overhead in seconds over the measured load, whatever the run verdict was', () => {
    expect(overheadRow(overhead(0, 2.5)).status).toBe('met');
    expect(overheadRow(overhead(1, 4)).status).toBe('not met');
    expect(overheadRow(overhead(4, 2)).status).toBe('met');
  });

  it('calls a bench run that failed with a usage or infrastructure error an error', () => {
    const row = overheadRow(overhead(3, 1));
    expect(row.status).toBe('error');
    expect(row.note).toContain('exit 3');
  });
});

describe('insightsRows (G9)', () => {
  const kase = (over: Partial<InsightsBenchmarkCase> = {}): InsightsBenchmarkCase => ({
    events: 100_000,
    query: 'filter @type = "REPORT" | stats avg(@duration), pct(@duration, 99) by bin(1m)',
    rounds: 3,
    engineMedianMs: 80,
    bareMedianMs: 100,
    ratio: 0.8,
    engineEventsPerSecond: 1_250_000,
    bareEventsPerSecond: 1_000_000,
    enginePeakRssMiB: 120,
    enginePeakHeapMiB: 40,
    barePeakRssMiB: 100,
    barePeakHeapMiB: 30,
    resultsAgree: true,
    ...over,
  });
  const lines = [
    'generated 100000 events (21 MiB) in 1.2 s',
    '  report-stats 100000 round 1: engine 80 ms, bare 100 ms, ratio 0.80',
    '  report-stats 100000 round 2: engine 70 ms, bare 100 ms, ratio 0.70',
    '  report-stats 100000 round 3: engine 90 ms, bare 100 ms, ratio 0.90',
  ];

  it('reads the per-round spread from the progress lines and keeps the producer median', () => {
    const report: InsightsBenchmarkReport = { node: 'v20', cases: [kase()] };
    const [time, memory] = insightsRows(report, parseInsightsRounds(lines));
    expect(time!.comparison?.spread).toEqual({ median: 0.8, min: 0.7, max: 0.9, n: 3 });
    expect(time!.candidate?.spread.max).toBeCloseTo(100_000 / 0.07, 6);
    expect(time!.status).toBe('met');
    expect(time!.name).toBe('engine time / bare loop, 100k, filter @type = "REPORT"');
    expect(memory!.comparison?.spread.median).toBe(1.2);
    expect(memory!.status).toBe('info');
  });

  it('falls back to the medians when the progress lines do not match the cases', () => {
    const [time] = insightsRows(
      { node: 'v20', cases: [kase(), kase({ events: 1_000_000 })] },
      parseInsightsRounds(lines),
    );
    expect(time!.comparison?.spread).toEqual({ median: 0.8, min: 0.8, max: 0.8, n: 1 });
    expect(time!.note).toContain('medians only');
  });

  it('needs 1M events/s and agreeing results on top of the 1.5× ratio', () => {
    const slow = insightsRows({ node: 'v20', cases: [kase({ engineEventsPerSecond: 900_000 })] }, []);
    expect(slow[0]!.status).toBe('not met');
    expect(slow[0]!.note).toContain('(below)');
    const wrong = insightsRows({ node: 'v20', cases: [kase({ resultsAgree: false })] }, []);
    expect(wrong[0]!.status).toBe('not met');
    expect(wrong[0]!.note).toContain('DIFFERENT');
  });
});

describe('insightsRows against DuckDB (G9, issue 17)', () => {
  const peer = (over: Partial<InsightsPeerCase> = {}): InsightsPeerCase => ({
    label: 'DuckDB v1.5.6, 1 thread',
    sql: 'SELECT path, count(*) AS n\nFROM read_ndjson(...)\nGROUP BY path',
    roundsMs: [100, 120, 90],
    cpuRoundsMs: [100, 110, 90],
    engineRoundsMs: [250, 200, 300],
    engineCpuRoundsMs: [200, 200, 180],
    peakRssMiB: 150,
    resultsAgree: true,
    ...over,
  });
  const kase = (duckdb: InsightsPeerCase): InsightsBenchmarkCase => ({
    events: 1_000_000,
    query: 'filter status >= 500 | stats count(*) by path',
    rounds: 3,
    engineMedianMs: 250,
    bareMedianMs: 500,
    ratio: 0.5,
    engineEventsPerSecond: 4_000_000,
    bareEventsPerSecond: 2_000_000,
    enginePeakRssMiB: 120,
    enginePeakHeapMiB: 40,
    barePeakRssMiB: 100,
    barePeakHeapMiB: 30,
    resultsAgree: true,
    duckdb,
  });
  const peerRow = (duckdb: InsightsPeerCase) => insightsRows({ node: 'v20', cases: [kase(duckdb)] }, [])[2]!;

  it('compares events per CPU-second round by round: DuckDB CPU time over engine CPU time', () => {
    const row = peerRow(peer());
    expect(row.name).toBe('engine / DuckDB events/s, 1M, filter status >= 500');
    // 100/200, 110/200, 90/180
    expect(row.comparison?.spread).toEqual({ median: 0.5, min: 0.5, max: 0.55, n: 3 });
    expect(row.candidate?.spread.median).toBe(1_000_000 / 0.2);
    expect(row.baseline?.spread.median).toBe(1_000_000 / 0.1);
    expect(row.status).toBe('met');
    // Wall: 100/250, 120/200, 90/300.
    expect(row.note).toContain('by wall time 0.40× (0.30–0.60)');
    expect(row.note).toContain('SQL: SELECT path, count(*) AS n FROM read_ndjson(...) GROUP BY path');
    expect(row.note).not.toContain('bound by');
    const slow = peerRow(peer({ cpuRoundsMs: [50, 60, 40] }));
    expect(slow.status).toBe('not met');
    expect(slow.note).toContain('bound by V8 strings');
  });

  it('makes a row whose answers differ an error, not a number', () => {
    const row = peerRow(peer({ resultsAgree: false }));
    expect(row.status).toBe('error');
    expect(row.comparison).toBeUndefined();
    expect(row.note).toContain('DIFFERENT');
  });

  it('says why DuckDB did not run', () => {
    const row = peerRow(peer({ error: "Cannot find package '@duckdb/node-api'", roundsMs: [], cpuRoundsMs: [] }));
    expect(row.status).toBe('error');
    expect(row.note).toContain("Cannot find package '@duckdb/node-api'");
  });
});

describe('labels and error rows', () => {
  it('shortens counts and queries for row names', () => {
    expect(countLabel(100_000)).toBe('100k');
    expect(countLabel(1_000_000)).toBe('1M');
    expect(countLabel(1234)).toBe('1234');
    expect(queryLabel('filter status >= 500 | stats count(*) by path')).toBe('filter status >= 500');
    const long = queryLabel('fields @timestamp, @message, @logStream, @log, @ptr');
    expect(long).toBe('fields @timestamp, @message, @l…');
    expect(long.length).toBe(32);
  });

  it('turns a failed measurement into an error row with its first message line', () => {
    expect(errorRow('G3', 'emulator latency', new Error('connect ECONNREFUSED\n  at x'))).toEqual({
      id: 'G3',
      name: 'emulator latency',
      status: 'error',
      note: 'measurement failed: connect ECONNREFUSED',
    });
  });
});
