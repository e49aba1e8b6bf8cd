/**
 * `npm run perf` figures of the bench pipeline (issue 5, docs/measurement.md#perf-goals G8):
 * - harness overhead: wall time of a local `npm run bench -- --duration 10` minus its 10 measured seconds,
 *   with the time of each phase from the run's own JSON report;
 * - report generation for 1M samples: measuring, building, rendering and serialising the report of a
 *   synthetic run, as a share of that run's duration (goal ≤ 1 %).
 *
 * Run by `harness perf --only G8,overhead` (suite.ts); the plan (plan.ts) sets samples and durations.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureRun } from '../check/measure.js';
import { decideVerdict, evaluateSlos } from '../check/slo.js';
import { type CorrelationResult, slowestMeasured } from '../correlate/correlate.js';
import { ColdState } from '../correlate/join.js';
import type { LoadResult } from '../load/load.js';
import { MIX_CATALOG, mixCycle } from '../load/mix.js';
import { Phase, RequestLog } from '../load/records.js';
import { parseBenchOptions } from '../options.js';
import { buildReport, type RunReport } from '../report/model.js';
import { renderReport } from '../report/render.js';
import { reportJson, writeReport } from '../report/write.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Timing of report generation for one synthetic run. */
export interface ReportGenerationFigures {
  readonly samples: number;
  /** Length of the synthetic run the samples came from. */
  readonly runSeconds: number;
  /** measureRun: summaries for all / warm / cold / breakdown / cold starts. */
  readonly measureMs: number;
  /** buildReport: charts, slowest, coverage view. */
  readonly buildMs: number;
  readonly renderMs: number;
  readonly jsonMs: number;
  /** Writing the .md, .json and .html (charts drawn) and latest.*. */
  readonly writeMs: number;
  readonly totalMs: number;
  /** totalMs / run duration (goal ≤ 0.01). */
  readonly ratioToRun: number;
  readonly markdownBytes: number;
}

/**
 * Times report generation for `samples` requests of a synthetic open-model run lasting `runSeconds`
 * (default: 1M samples at 16,667 req/s, a 60 s run as in docs/measurement.md#perf-goals G8). Best of `rounds`.
 */
export async function measureReportGeneration(
  options: { samples?: number; runSeconds?: number; rounds?: number } = {},
): Promise<ReportGenerationFigures> {
  const samples = options.samples ?? 1_000_000;
  const runSeconds = options.runSeconds ?? 60;
  const rounds = options.rounds ?? 3;
  const { load, correlation } = syntheticRun(samples, runSeconds);
  const opts = parseBenchOptions(
    { runId: 'perf', rate: samples / runSeconds, duration: runSeconds, warmup: 0 },
    { now: new Date(), env: {} },
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'zz-bench-perf-'));
  let best: ReportGenerationFigures | undefined;
  try {
    for (let round = 0; round < rounds; round++) {
      const t0 = performance.now();
      const measurements = measureRun(load, correlation, 'local');
      const slos = evaluateSlos(opts.slos, measurements.metrics, { closedLoop: false });
      const verdict = decideVerdict(slos, { responses: measurements.responses, sentRatio: 1, achievedRatio: 1 });
      const t1 = performance.now();
      const report: RunReport = buildReport({
        options: opts,
        facts: {
          commit: 'perf',
          startedAt: new Date().toISOString(),
          endedAt: new Date().toISOString(),
          nodeVersion: process.version,
          baseUrl: undefined,
          logGroupName: undefined,
          region: 'local',
          memorySizeMb: 512,
        },
        outcome: { kind: 'verdict', verdict: verdict.verdict, reasons: verdict.reasons },
        exitCode: 0,
        phases: [],
        load,
        correlation,
        measurements,
        slos,
        destroy: { kind: 'nothing-deployed' },
        warnings: [],
      });
      const t2 = performance.now();
      const markdown = renderReport(report);
      const t3 = performance.now();
      reportJson(report);
      const t4 = performance.now();
      await writeReport(report, dir);
      const t5 = performance.now();
      const figures: ReportGenerationFigures = {
        samples,
        runSeconds,
        measureMs: t1 - t0,
        buildMs: t2 - t1,
        renderMs: t3 - t2,
        jsonMs: t4 - t3,
        writeMs: t5 - t4,
        totalMs: t5 - t0,
        ratioToRun: (t5 - t0) / (runSeconds * 1000),
        markdownBytes: Buffer.byteLength(markdown),
      };
      if (!best || figures.totalMs < best.totalMs) best = figures;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return best!;
}

/** A run of `samples` requests with log-normal-ish latencies, 2 % cold starts and every request matched. */
function syntheticRun(samples: number, runSeconds: number): { load: LoadResult; correlation: CorrelationResult } {
  const log = new RequestLog(samples);
  const cycle = mixCycle(MIX_CATALOG);
  const coldState = new Uint8Array(samples);
  const lambda = new Float64Array(samples);
  const handler = new Float64Array(samples);
  const init = new Float64Array(samples).fill(Number.NaN);
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = 0; i < samples; i++) {
    const due = (i * runSeconds * 1e6) / samples;
    const index = log.add(Phase.Measured, `perf-${i}`, due, cycle[i % cycle.length]!);
    const cold = random() < 0.02;
    const latencyMs = 2 + random() ** 4 * 60 + (cold ? 150 : 0);
    log.complete(index, { latencyUs: latencyMs * 1000, status: 200, errorKind: 0, echoed: true });
    coldState[i] = cold ? ColdState.Cold : ColdState.Warm;
    lambda[i] = latencyMs * 0.4;
    handler[i] = latencyMs * 0.3;
    if (cold) init[i] = 130 + random() * 40;
  }
  const load: LoadResult = {
    mode: 'open',
    closedLoop: false,
    log,
    mix: MIX_CATALOG,
    connections: 64,
    t0EpochMs: Date.now(),
    endEpochMs: Date.now() + runSeconds * 1000,
    warmupSeconds: 0,
    measuredStartUs: 0,
    measuredSeconds: runSeconds,
    rates: {
      targetRps: samples / runSeconds,
      sentRps: samples / runSeconds,
      achievedRps: samples / runSeconds,
      sendLagMaxUs: 900,
      sendLagP99Us: 500,
    },
  };
  const slowest = slowestMeasured(load, 10);
  const correlation: CorrelationResult = {
    sampled: samples,
    expected: samples,
    matched: samples,
    misses: { 'no-log-line': [], 'no-report': [], duplicate: [] },
    notExpected: {},
    notExpectedButLogged: 0,
    unexpected: { ids: [], lines: 0 },
    coldState,
    lambdaDurationMs: lambda,
    handlerDurationMs: handler,
    initDurationMs: init,
    awsRequestIds: new Map(slowest.map((i) => [i, `aws-${i}`])),
    coverage: 1,
    timedOut: false,
    rounds: 1,
    queries: Math.ceil(samples / 240) * 2 + 1,
    queryErrors: 0,
    lastQueryError: undefined,
    elapsedMs: 0,
    startTimeMs: load.t0EpochMs,
    endTimeMs: load.endEpochMs,
    slowest: slowest.map((index) => ({
      index,
      handlerLine: `{"correlationId":"perf-${index}"}`,
      reportLine: 'REPORT RequestId: x',
    })),
  };
  return { load, correlation };
}

/** Harness overhead of one local bench run. */
export interface BenchOverheadFigures {
  readonly durationSeconds: number;
  readonly wallSeconds: number;
  /** wallSeconds − durationSeconds (goal ≤ 3 s). */
  readonly overheadSeconds: number;
  readonly exitCode: number;
  /** Seconds per phase, from the run's JSON report (load includes the warm-up). */
  readonly phases: Readonly<Record<string, number>>;
  readonly warmupSeconds: number;
  /** Process start to the first phase: Node, tsx and module loading. */
  readonly startupSeconds: number;
}

/** Runs `npm run bench -- --duration N` on the local target and times it from outside. */
export async function measureBenchOverhead(
  options: { durationSeconds?: number; extraArgs?: string[] } = {},
): Promise<BenchOverheadFigures> {
  const durationSeconds = options.durationSeconds ?? 10;
  const reportDir = mkdtempSync(path.join(tmpdir(), 'zz-bench-overhead-'));
  try {
    const started = performance.now();
    const startedAtMs = Date.now();
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(
        'npm',
        [
          'run',
          '--silent',
          'bench',
          '--',
          '--duration',
          String(durationSeconds),
          '--report-dir',
          reportDir,
          ...(options.extraArgs ?? []),
        ],
        {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      child.once('error', reject);
      child.once('exit', (code) => resolve(code ?? 1));
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const json = readdirSync(reportDir).find((f) => f.endsWith('.json'));
    const report = json ? (JSON.parse(readFileSync(path.join(reportDir, json), 'utf8')) as RunReport) : undefined;
    const phases = Object.fromEntries((report?.phases ?? []).map((p) => [p.name, p.durationMs / 1000]));
    const firstPhase = report?.phases[0] ? Date.parse(report.phases[0].startedAt) : startedAtMs;
    return {
      durationSeconds,
      wallSeconds,
      overheadSeconds: wallSeconds - durationSeconds,
      exitCode,
      phases,
      warmupSeconds: report?.run.warmupSeconds ?? 0,
      startupSeconds: (firstPhase - startedAtMs) / 1000,
    };
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}
