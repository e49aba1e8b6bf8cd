/**
 * From measurements to table rows: one builder per figure, each choosing the comparison value, the goal
 * (from the issues and docs/measurement.md#interleaved-rounds) and the verdict. Pure: the measuring happens in suite.ts
 * and in the emulator, Insights and bench modules whose results come in here.
 */
import { median, type Spread, single, spreadOf } from '../stats/spread.js';
import type { BenchOverheadFigures, ReportGenerationFigures } from './bench.js';
import type { EmulatorPerfResult } from './emulator.js';
import type { InsightsBenchmarkCase, InsightsBenchmarkReport, InsightsPeerCase } from './insights.js';
import type { LatencyRun, ThroughputRun } from './loads.js';
import type { CaptureCount } from './log-lines.js';
import { captureRatio } from './log-lines.js';
import type { FigureId, Goal, PerfRow } from './model.js';
import type { StartupRounds, StartupRun, StartupVariant } from './startup.js';
import { pairwiseDifferences, pairwiseRatios } from './stats.js';
import { atLeast, atMost, between, judge, maxShare, meetsGoal } from './verdict.js';

/** {@link SUSTAINED_RATE_SHARE} as a goal (declared before GOALS, which uses it). */
const SUSTAINED_RATE_SHARE_GOAL = 0.95;

/** The goals, with where each comes from. */
export const GOALS = {
  /** Issue 3 (docs/measurement.md#perf-goals G1 stretch; 0.25 is the must). */
  g1Throughput: atLeast(0.35),
  /** Issue 7 / docs/measurement.md#perf-goals G3. */
  g3DeltaP50Ms: atMost(0.5),
  /** p99(emulator) ≤ max(2 ms, 3 × p99(bare)), as a ratio to that bound. */
  g3P99Bound: atMost(1),
  /** docs/measurement.md#perf-goals G4, process isolation. */
  g4ColdStart: atMost(1.5),
  /** docs/measurement.md#perf-goals G5 (must). */
  g5Capture: atLeast(0.85),
  /** Zero loss: lines captured = lines emitted. */
  g5Loss: between(1, 1),
  /** docs/measurement.md#perf-goals G7(b). */
  g7Honesty: between(0.8, 1.2),
  /** docs/measurement.md#perf-goals G6: the harness's generator keeps ≥ 95 % of plain autocannon's rate... */
  g6GeneratorRate: atLeast(0.95),
  /** ...at ≤ 1.10 × its CPU per request. */
  g6GeneratorCpu: atMost(1.1),
  /** Issue 17: the open-loop generator's requests per CPU-second ≥ 0.7 × autocannon `-R`'s at the same rate. */
  g7OpenLoopEfficiency: atLeast(0.7),
  /** Issue 17: the open-loop generator sustains its rate against a bare server (≥ 95 % achieved, latency unflagged). */
  g7Sustain: atLeast(SUSTAINED_RATE_SHARE_GOAL),
  /** Issue 5 / docs/measurement.md#perf-goals G8. */
  g8Report: atMost(0.01),
  /** Issue 4: engine within 1.5 × of the bare loop... */
  g9Time: atMost(1.5),
  /** ...and at least 1M events/s (issue 4), held against the engine's median events per second. */
  g9EventsPerSecond: atLeast(1_000_000),
  /** Issue 17: engine events/s at least half of DuckDB's on one thread. */
  g9Peer: atLeast(0.5),
  /** Issue 5: overhead ≤ 3 s. */
  overheadSeconds: atMost(3),
  /** Issue 17: real handler import + first invoke within 1.3 × a minimal Powertools Logger handler's. */
  handlerColdStart: atMost(1.3),
  /** Issue 17: `harness query` on an empty local store within 0.3 s of `node -e 0`. */
  cliStartupSeconds: atMost(0.3),
} as const satisfies Record<string, Goal>;

/** A row for a figure whose measurement threw: the suite goes on and the note says what failed. */
export function errorRow(id: FigureId, name: string, error: unknown): PerfRow {
  const message = error instanceof Error ? error.message : String(error);
  return { id, name, status: 'error', note: `measurement failed: ${message.split('\n')[0]}` };
}

const percent = (share: number) => `${Math.round(share * 100)} %`;

/** An open-loop run below this share of its target rate was limited by the server, not by design. */
export const SUSTAINED_RATE_SHARE = SUSTAINED_RATE_SHARE_GOAL;

/**
 * True when every run achieved ≥ 95 % of its rate. `slackSeconds` is time a response may legitimately
 * arrive after the planned end (a stall at the end of the window), over a run of `durationSeconds`.
 */
export function sustained(runs: readonly LatencyRun[], durationSeconds: number, slackSeconds = 0): boolean {
  const floor = (SUSTAINED_RATE_SHARE * durationSeconds) / (durationSeconds + slackSeconds);
  return runs.every((r) => r.achievedRps >= floor * r.rateRps);
}

function lowestAchieved(runs: readonly LatencyRun[]): number {
  return Math.min(...runs.map((r) => r.achievedRps / r.rateRps));
}

/**
 * What keeps G1 under its goal, from `perf` profiles of the emulator and its workers (harness/emulator/README.md,
 * "Performance"): a request crosses two processes, and their wake-ups and node:http alone cost more than the goal
 * leaves.
 */
const G1_BOUND =
  'bound by process isolation: 0.35× leaves ~85 µs of CPU per request for the parent and the environment together, ' +
  'while a pipe round trip between two node processes alone costs ~35 µs and the real handler in-process already ' +
  'brings a bare server to 0.4–0.8× (the row below); profiles in harness/emulator/README.md, "Performance"';

/** G1 throughput, G4 cold start and the G1 run's log completeness, from emulator.ts. */
export function emulatorRows(result: EmulatorPerfResult): PerfRow[] {
  const rounds = result.rounds;
  const ratio = spreadOf(rounds.map((r) => r.ratio));
  const generator = rounds.map((r) => r.generatorCpuShare);
  const failures = rounds.reduce((sum, r) => sum + r.emulatorFailures, 0);
  const g1: PerfRow = {
    id: 'G1',
    name: 'emulator rps / bare node:http rps',
    candidate: { label: 'emulator', unit: 'rps', spread: spreadOf(rounds.map((r) => r.emulatorRps)) },
    baseline: { label: 'bare', unit: 'rps', spread: spreadOf(rounds.map((r) => r.bareRps)) },
    comparison: { unit: '×', spread: ratio },
    goal: GOALS.g1Throughput,
    generatorCpuMax: maxShare(generator),
    status:
      failures > 0 ? 'not met' : judge({ comparison: ratio, goal: GOALS.g1Throughput, generatorCpuShares: generator }),
    peer: { part: 'emulator vs bare node:http, real handler', peer: 'bare node:http (physical reference)' },
    note:
      `autocannon -c 10 -p 1, ${rounds.length} rounds of ${result.durationSeconds} s, real handler bundle with log capture; emulator CPU ` +
      `${spreadOf(rounds.map((r) => r.emulatorCpuUsPerRequest)).median.toFixed(1)} µs/req ` +
      `(its parent process ${spreadOf(rounds.map((r) => r.emulatorParentCpuUsPerRequest)).median.toFixed(1)}, the environments the rest) vs bare ` +
      `${spreadOf(rounds.map((r) => r.bareCpuUsPerRequest)).median.toFixed(1)} µs/req` +
      (failures > 0 ? `; ${failures} failed emulator responses` : '') +
      '; generator CPU is known for the emulator runs only (emulator.ts does not report it for bare runs)' +
      (meetsGoal(ratio.median, GOALS.g1Throughput) ? '' : `; ${G1_BOUND}`),
  };
  const inProcessRatio = spreadOf(rounds.map((r) => r.inProcessRps / r.bareRps));
  const ceiling: PerfRow = {
    id: 'G1',
    name: 'in-process handler rps / bare node:http rps',
    candidate: { label: 'in-process', unit: 'rps', spread: spreadOf(rounds.map((r) => r.inProcessRps)) },
    baseline: { label: 'bare', unit: 'rps', spread: spreadOf(rounds.map((r) => r.bareRps)) },
    comparison: { unit: '×', spread: inProcessRatio },
    status: judge({ comparison: inProcessRatio }),
    note:
      'the same handler called inside the server process (no isolation, no log capture): the ceiling of any emulator, ' +
      `same rounds as G1; emulator / in-process median ${spreadOf(rounds.map((r) => r.isolationRatio)).median.toFixed(3)} is what isolation and capture cost; ` +
      'no goal in the issues (docs/measurement.md#perf-goals G2 proposes ≥ 0.60 for an in-process fast path)',
  };
  const cold = result.coldStart;
  const coldRatio = single(cold.ratio);
  const g4: PerfRow = {
    id: 'G4',
    name: 'emulator cold start / node -e 0',
    candidate: { label: 'cold start', unit: 'ms', spread: single(cold.emulatorMedianMs) },
    baseline: { label: 'node -e 0', unit: 'ms', spread: single(cold.nodeMedianMs) },
    comparison: { unit: '×', spread: coldRatio },
    goal: GOALS.g4ColdStart,
    status: judge({ comparison: coldRatio, goal: GOALS.g4ColdStart }),
    note: `new execution environment → first response; ratio of medians over interleaved cold starts (emulator.ts reports medians only); reported Init Duration median ${cold.initDurationMedianMs.toFixed(1)} ms`,
  };
  const capture = result.logCapture;
  const emitted = Math.max(capture.reports, capture.responses);
  const lossRatio = single(emitted === 0 ? Number.NaN : Math.min(capture.handlerLines, capture.reports) / emitted);
  const loss: PerfRow = {
    id: 'G5',
    name: 'log lines captured / emitted, G1 runs',
    candidate: { label: 'handler lines', unit: 'lines', spread: single(capture.handlerLines) },
    baseline: { label: 'invocations', unit: 'lines', spread: single(emitted) },
    comparison: { unit: '×', spread: lossRatio },
    goal: GOALS.g5Loss,
    status: capture.complete ? 'met' : 'not met',
    note: `${capture.responses} responses, ${capture.reports} REPORT lines, ${capture.handlerLines} handler lines`,
  };
  return [g1, ceiling, g4, loss];
}

/** G3 from per-round open-loop runs against the emulator and bare at the same rate. */
export function latencyRows(
  emulator: readonly LatencyRun[],
  bare: readonly LatencyRun[],
  durationSeconds: number,
  rateNote: string,
): PerfRow[] {
  const kept = sustained([...emulator, ...bare], durationSeconds);
  const generator = [...emulator, ...bare].map((r) => r.generatorCpuShare);
  const p50 = pairwiseDifferences(
    emulator.map((r) => r.p50Ms),
    bare.map((r) => r.p50Ms),
  );
  const bound = bare.map((r) => Math.max(2, 3 * r.p99Ms));
  const p99 = pairwiseRatios(
    emulator.map((r) => r.p99Ms),
    bound,
  );
  const failures = [...emulator, ...bare].reduce((sum, r) => sum + r.failures, 0);
  const achieved = spreadOf(emulator.map((r) => r.achievedRps / r.rateRps));
  const common =
    `${rateNote}; emulator achieved ${percent(achieved.median)} of the rate` +
    (failures > 0 ? `; ${failures} failed requests` : '') +
    (kept
      ? ''
      : `; a run reached only ${percent(lowestAchieved([...emulator, ...bare]))} of the rate: queueing, not the emulator, set its latency`);
  const verdict = (comparison: Spread, goal: Goal) =>
    kept ? judge({ comparison, goal, generatorCpuShares: generator }) : 'inconclusive';
  const deltaSpread = spreadOf(p50);
  const p99Spread = spreadOf(p99);
  return [
    {
      id: 'G3',
      name: 'emulator p50 − bare p50, open loop at half peak',
      candidate: { label: 'emulator p50', unit: 'ms', spread: spreadOf(emulator.map((r) => r.p50Ms)) },
      baseline: { label: 'bare p50', unit: 'ms', spread: spreadOf(bare.map((r) => r.p50Ms)) },
      comparison: { unit: 'ms', spread: deltaSpread },
      goal: GOALS.g3DeltaP50Ms,
      generatorCpuMax: maxShare(generator),
      status: verdict(deltaSpread, GOALS.g3DeltaP50Ms),
      note: common,
    },
    {
      id: 'G3',
      name: 'emulator p99 / max(2 ms, 3 × bare p99)',
      candidate: { label: 'emulator p99', unit: 'ms', spread: spreadOf(emulator.map((r) => r.p99Ms)) },
      baseline: { label: 'bare p99', unit: 'ms', spread: spreadOf(bare.map((r) => r.p99Ms)) },
      comparison: { unit: '×', spread: p99Spread },
      goal: GOALS.g3P99Bound,
      generatorCpuMax: maxShare(generator),
      status: verdict(p99Spread, GOALS.g3P99Bound),
      note: `bound per round = max(2 ms, 3 × that round's bare p99); ${common}`,
    },
  ];
}

/** G5 from per-round closed-loop runs of the emulator with real logging and with LOG_LEVEL=silent. */
export function logCaptureRows(
  logging: readonly ThroughputRun[],
  silent: readonly ThroughputRun[],
  capture: CaptureCount,
  responses: number,
): PerfRow[] {
  const generator = [...logging, ...silent].map((r) => r.generatorCpuShare);
  const ratio = spreadOf(
    pairwiseRatios(
      logging.map((r) => r.rps),
      silent.map((r) => r.rps),
    ),
  );
  const lossRatio = single(captureRatio(capture, responses));
  const lost = capture.missing > 0 || capture.duplicates > 0 || capture.reports < responses;
  return [
    {
      id: 'G5',
      name: 'emulator rps, real logging / LOG_LEVEL=silent',
      candidate: { label: 'logging', unit: 'rps', spread: spreadOf(logging.map((r) => r.rps)) },
      baseline: { label: 'silent', unit: 'rps', spread: spreadOf(silent.map((r) => r.rps)) },
      comparison: { unit: '×', spread: ratio },
      goal: GOALS.g5Capture,
      generatorCpuMax: maxShare(generator),
      status: judge({ comparison: ratio, goal: GOALS.g5Capture, generatorCpuShares: generator }),
      note:
        'the handler runs in a child process whose fd 1 the emulator captures, so "logging to /dev/null" is ' +
        'LOG_LEVEL=silent in the function environment: the ratio charges pino serialisation and capture together ' +
        '(a lower bound on capture-only cost); START/END/REPORT lines are captured in both',
    },
    {
      id: 'G5',
      name: 'log lines captured / emitted, G5 runs',
      candidate: { label: 'handler lines', unit: 'lines', spread: single(capture.handlerLines) },
      baseline: { label: 'invocations', unit: 'lines', spread: single(Math.max(capture.reports, responses)) },
      comparison: { unit: '×', spread: lossRatio },
      goal: GOALS.g5Loss,
      status: lost ? 'not met' : judge({ comparison: lossRatio, goal: GOALS.g5Loss }),
      note: `${responses} responses, ${capture.reports} REPORT lines, ${capture.handlerLines} handler lines, ${capture.missing} missing, ${capture.duplicates} duplicated`,
    },
  ];
}

/** G7: the harness's open-loop p99 against a stalling server vs the analytic value, and its generators vs autocannon. */
export function honestyRows(input: {
  readonly stall: readonly LatencyRun[];
  readonly referenceP99Ms: number;
  readonly durationSeconds: number;
  readonly stallMs: number;
  readonly stallNote: string;
  readonly harness: readonly ThroughputRun[];
  readonly plain: readonly ThroughputRun[];
  /** The open-loop generator and autocannon `-R`, interleaved at the same rate against the bare server. */
  readonly openLoop?: readonly LatencyRun[];
  readonly openLoopReference?: readonly ThroughputRun[];
  /** Open-loop runs against the bare server at the rates it should sustain on one core (any order). */
  readonly sustain?: readonly LatencyRun[];
}): PerfRow[] {
  const { stall, referenceP99Ms, harness, plain } = input;
  // A stall at the end of the window delays the last responses by up to stallMs.
  const kept = sustained(stall, input.durationSeconds, input.stallMs / 1000);
  const stallNote = kept
    ? input.stallNote
    : `${input.stallNote}; the server reached only ${percent(lowestAchieved(stall))} of the rate, so its queue, not the stalls, set the p99 and the analytic reference does not apply`;
  const stallGenerator = stall.map((r) => r.generatorCpuShare);
  const honesty = spreadOf(stall.map((r) => r.p99Ms / referenceP99Ms));
  const rate = spreadOf(
    pairwiseRatios(
      harness.map((r) => r.rps),
      plain.map((r) => r.rps),
    ),
  );
  const cpu = spreadOf(
    pairwiseRatios(
      harness.map((r) => r.generatorCpuUsPerResponse),
      plain.map((r) => r.generatorCpuUsPerResponse),
    ),
  );
  const generatorNote =
    "docs/measurement.md#perf-goals G6: the harness's --mode peak generator (autocannon plus a correlation id and a record per request) vs plain autocannon, both closed-loop -c 10 against bare node:http; the generator is what is measured here, so its saturation is expected and not flagged";
  return [
    {
      id: 'G7',
      name: 'harness p99 vs 100 ms stall per s / analytic',
      candidate: { label: 'harness p99', unit: 'ms', spread: spreadOf(stall.map((r) => r.p99Ms)) },
      baseline: { label: 'analytic p99', unit: 'ms', spread: single(referenceP99Ms) },
      comparison: { unit: '×', spread: honesty },
      goal: GOALS.g7Honesty,
      generatorCpuMax: maxShare(stallGenerator),
      status: kept
        ? judge({ comparison: honesty, goal: GOALS.g7Honesty, generatorCpuShares: stallGenerator })
        : 'inconclusive',
      note: stallNote,
    },
    {
      id: 'G7',
      name: 'harness generator rps / plain autocannon',
      candidate: { label: 'harness', unit: 'rps', spread: spreadOf(harness.map((r) => r.rps)) },
      baseline: { label: 'autocannon', unit: 'rps', spread: spreadOf(plain.map((r) => r.rps)) },
      comparison: { unit: '×', spread: rate },
      goal: GOALS.g6GeneratorRate,
      generatorCpuMax: maxShare([...harness, ...plain].map((r) => r.generatorCpuShare)),
      status: judge({ comparison: rate, goal: GOALS.g6GeneratorRate }),
      note: generatorNote,
    },
    {
      id: 'G7',
      name: 'harness generator CPU/req / plain autocannon',
      candidate: {
        label: 'harness',
        unit: 'µs/req',
        spread: spreadOf(harness.map((r) => r.generatorCpuUsPerResponse)),
      },
      baseline: {
        label: 'autocannon',
        unit: 'µs/req',
        spread: spreadOf(plain.map((r) => r.generatorCpuUsPerResponse)),
      },
      comparison: { unit: '×', spread: cpu },
      goal: GOALS.g6GeneratorCpu,
      status: judge({ comparison: cpu, goal: GOALS.g6GeneratorCpu }),
      note: 'same runs as the row above',
    },
    ...(input.openLoop && input.openLoopReference ? [openLoopCpuRow(input.openLoop, input.openLoopReference)] : []),
    ...sustainRows(input.sustain ?? []),
  ];
}

/**
 * Requests per generator CPU-second of the open-loop generator over autocannon `-R` at the same rate: the
 * ratio of autocannon's CPU per response to ours (1 = as lean as autocannon). Not judged as generator-limited:
 * the generator is what is measured.
 */
function openLoopCpuRow(openLoop: readonly LatencyRun[], reference: readonly ThroughputRun[]): PerfRow {
  const efficiency = spreadOf(
    pairwiseRatios(
      reference.map((r) => r.generatorCpuUsPerResponse),
      openLoop.map((r) => r.generatorCpuUsPerResponse),
    ),
  );
  const rate = openLoop[0]?.rateRps ?? Number.NaN;
  return {
    id: 'G7',
    name: `open-loop generator req per CPU-s / autocannon -R, ${rate}/s`,
    candidate: {
      label: 'open loop',
      unit: 'µs/req',
      spread: spreadOf(openLoop.map((r) => r.generatorCpuUsPerResponse)),
    },
    baseline: {
      label: 'autocannon -R',
      unit: 'µs/req',
      spread: spreadOf(reference.map((r) => r.generatorCpuUsPerResponse)),
    },
    comparison: { unit: '×', spread: efficiency },
    goal: GOALS.g7OpenLoopEfficiency,
    status: judge({ comparison: efficiency, goal: GOALS.g7OpenLoopEfficiency }),
    peer: { part: `open-loop generator, requests per CPU-second at ${rate}/s`, peer: 'autocannon -R' },
    note:
      `issue 17: autocannon's CPU per response over the open loop's (warm-up included), interleaved rounds against bare node:http; autocannon -R reached ${percent(Math.min(...reference.map((r) => r.rps / rate)))} of the rate at worst` +
      (meetsGoal(efficiency.median, GOALS.g7OpenLoopEfficiency) ? '' : `; ${G7_BOUND}`),
  };
}

/**
 * What keeps the open loop's CPU per request above autocannon `-R`'s, from strace and a CPU profile of both at
 * 1,000/s against bare node:http (README, "Against the peers").
 */
const G7_BOUND =
  'bound by sending each request at its own due time: one timer wake-up per request (strace, ~9,000 requests: ' +
  "22,815 epoll_pwait calls against autocannon -R's 7,080, which paces per connection and reads several responses " +
  "per wake-up), and undici's request path plus the schedule's bookkeeping cost ~27 µs of JavaScript per request " +
  "against ~12 µs for autocannon's prebuilt request buffers and http-parser-js (CPU profile)";

/**
 * One row per rate: `met` when every round achieved ≥ 95 % of the rate and the generator did not doubt its
 * own timing; `inconclusive` when the generator flagged itself in some round (the bench would then call the
 * latency inconclusive); `not met` when a round fell behind without saying so, the one outcome that must not
 * happen.
 */
function sustainRows(runs: readonly LatencyRun[]): PerfRow[] {
  const rates = [...new Set(runs.map((r) => r.rateRps))].sort((a, b) => a - b);
  return rates.map((rate) => {
    const rounds = runs.filter((r) => r.rateRps === rate);
    const achieved = spreadOf(rounds.map((r) => r.achievedRps / rate));
    const flagged = rounds.filter((r) => r.generatorSignals.length > 0);
    const short = rounds.filter((r) => r.achievedRps < SUSTAINED_RATE_SHARE * rate);
    const silent = short.filter((r) => r.generatorSignals.length === 0);
    const p99 = `p99 ${rounds.map((r) => r.p99Ms.toFixed(1)).join(' / ')} ms`;
    let note: string;
    if (silent.length > 0) {
      note = `NOT FLAGGED: ${silent.length} of ${rounds.length} rounds fell below ${percent(SUSTAINED_RATE_SHARE)} without the generator doubting its timing (${p99})`;
    } else if (flagged.length > 0) {
      note = `generator flagged itself in ${flagged.length} of ${rounds.length} rounds, so a bench would call its latency inconclusive: ${flagged[0]!.generatorSignals.join('; ')} (${p99})`;
    } else {
      note = `every round sustained, no generator signal (${p99})`;
    }
    return {
      id: 'G7',
      name: `open-loop generator sustains ${rate}/s against bare node:http`,
      candidate: { label: 'achieved', unit: 'rps', spread: spreadOf(rounds.map((r) => r.achievedRps)) },
      baseline: { label: 'target', unit: 'rps', spread: single(rate) },
      comparison: { unit: '×', spread: achieved },
      goal: GOALS.g7Sustain,
      generatorCpuMax: maxShare(rounds.map((r) => r.generatorCpuShare)),
      peer: { part: `open-loop generator at ${rate}/s on one core`, peer: 'its target rate' },
      // Judged on the worst round. A round that fell behind without saying so is the failure issue 17 is about;
      // one that flagged itself is what the goal accepts ("or says it could not"): the bench would call its
      // latency inconclusive, and so does this row.
      status: silent.length > 0 ? 'not met' : flagged.length > 0 ? 'inconclusive' : 'met',
      note: `issue 17: ${note}`,
    };
  });
}

/** G8 from bench.ts. */
export function reportRow(figures: ReportGenerationFigures): PerfRow {
  const ratio = single(figures.ratioToRun);
  return {
    id: 'G8',
    name: `report time / run time, ${countLabel(figures.samples)} samples`,
    candidate: { label: 'report', unit: 'ms', spread: single(figures.totalMs) },
    baseline: { label: 'run', unit: 'ms', spread: single(figures.runSeconds * 1000) },
    comparison: { unit: '×', spread: ratio },
    goal: GOALS.g8Report,
    status: judge({ comparison: ratio, goal: GOALS.g8Report }),
    note:
      `best round of bench.ts's measureReportGeneration (it reports the best only); measure ${figures.measureMs.toFixed(0)} ms, ` +
      `build ${figures.buildMs.toFixed(0)} ms, render ${figures.renderMs.toFixed(0)} ms, JSON ${figures.jsonMs.toFixed(0)} ms, write ${figures.writeMs.toFixed(0)} ms`,
  };
}

/** Harness overhead of one local bench run, from bench.ts. */
export function overheadRow(figures: BenchOverheadFigures, note = ''): PerfRow {
  const overhead = single(figures.overheadSeconds);
  // 1 (SLO fail) and 4 (inconclusive) are verdicts of a run that still ran end to end; 2, 3 and signals are not.
  const ranThrough = figures.exitCode === 0 || figures.exitCode === 1 || figures.exitCode === 4;
  const phases = Object.entries(figures.phases)
    .map(([name, seconds]) => `${name} ${seconds.toFixed(2)} s`)
    .join(', ');
  return {
    id: 'overhead',
    name: `local bench --duration ${figures.durationSeconds}: wall − ${figures.durationSeconds} s`,
    candidate: { label: 'wall', unit: 's', spread: single(figures.wallSeconds) },
    baseline: { label: 'measured load', unit: 's', spread: single(figures.durationSeconds) },
    comparison: { unit: 's', spread: overhead },
    goal: GOALS.overheadSeconds,
    status: ranThrough ? judge({ comparison: overhead, goal: GOALS.overheadSeconds }) : 'error',
    note:
      `one run (exit ${figures.exitCode}); start-up ${figures.startupSeconds.toFixed(2)} s, ${phases || 'no phase times'}; ` +
      `warm-up ${figures.warmupSeconds} s counts as overhead` +
      (note ? `; ${note}` : ''),
  };
}

/**
 * CLI start-up rows from startup.ts: `harness query` on an empty local store against `node -e 0` (wall,
 * judged; CPU beside it), and, for context, `harness --help` and `node --import tsx -e 0`, the part no
 * command can shed without a build step. Each value is a per-round difference of processes run back to back.
 */
export function startupRows(rounds: StartupRounds, query: string): PerfRow[] {
  const seconds = (runs: readonly StartupRun[], key: keyof StartupRun) => runs.map((r) => r[key] / 1000);
  const row = (variant: StartupVariant, key: keyof StartupRun, name: string, note: string, goal?: Goal): PerfRow => {
    const difference = spreadOf(pairwiseDifferences(seconds(rounds[variant], key), seconds(rounds.node, key)));
    return {
      id: 'cli',
      name,
      candidate: { label: variant, unit: 's', spread: spreadOf(seconds(rounds[variant], key)) },
      baseline: { label: 'node -e 0', unit: 's', spread: spreadOf(seconds(rounds.node, key)) },
      comparison: { unit: 's', spread: difference },
      ...(goal ? { goal } : {}),
      status: judge({ comparison: difference, goal }),
      note,
    };
  };
  const n = rounds.node.length;
  const method = `${n} interleaved rounds of fresh processes after one unmeasured run of each (tsx's transform cache filled)`;
  const cpu = (variant: StartupVariant) => spreadOf(seconds(rounds[variant], 'cpuMs')).median;
  const cpuKnown = [...rounds.query, ...rounds.node].every((r) => Number.isFinite(r.cpuMs));
  const tsxSeconds = spreadOf(
    pairwiseDifferences(seconds(rounds.tsx, 'wallMs'), seconds(rounds.node, 'wallMs')),
  ).median;
  const queryRow = row(
    'query',
    'wallMs',
    `harness query '${query}', empty local store − node -e 0, wall`,
    `${method}; CPU ${formatSeconds(cpu('query'))} vs ${formatSeconds(cpu('node'))} (median); of the difference, ` +
      `node --import tsx -e 0 alone takes ${formatSeconds(tsxSeconds)}`,
    GOALS.cliStartupSeconds,
  );
  // tsx alone over the goal: no command, however lean, can meet it while the README runs TypeScript unbuilt.
  const bound = !meetsGoal(tsxSeconds, GOALS.cliStartupSeconds)
    ? '; bound by tsx: its loader thread and esbuild start before any command code, and take more than the goal by themselves'
    : queryRow.status === 'not met'
      ? "; the rest is the command's own modules, each loaded through tsx's hooks (about 3× the CPU of a plain import; yargs alone 0.15–0.2 s): README, the cli figure"
      : '';
  return [
    {
      ...queryRow,
      note: `${queryRow.note}${bound}`,
      peer: { part: 'query CLI start-up, empty local store, over node -e 0', peer: 'node -e 0' },
    },
    // Without /proc (not Linux) there is no CPU figure: the row is left out rather than reported as an error.
    ...(cpuKnown
      ? [
          row(
            'query',
            'cpuMs',
            'harness query, empty local store − node -e 0, CPU',
            'user + system time of all threads (tsx transforms in a loader thread), from /proc/self/stat once the child is reaped; 10 ms resolution',
          ),
        ]
      : []),
    row('help', 'wallMs', 'harness --help − node -e 0, wall', `${method}; loads no command module`),
    row(
      'tsx',
      'wallMs',
      'node --import tsx -e 0 − node -e 0, wall',
      "tsx's fixed cost (its loader thread and esbuild's JavaScript), paid by every npm run harness: the README runs TypeScript without a build step",
    ),
  ];
}

function formatSeconds(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)} s` : 'unknown';
}

/** `100000` → `100k`, `1000000` → `1M`. */
export function countLabel(count: number): string {
  if (count >= 1_000_000 && count % 100_000 === 0) return `${count / 1_000_000}M`;
  if (count >= 1000 && count % 1000 === 0) return `${count / 1000}k`;
  return String(count);
}

/** A query's first command, cut to 32 characters, to name a row (the note has the whole query). */
export function queryLabel(query: string): string {
  const first = query.split('|')[0]!.trim();
  return first.length > 32 ? `${first.slice(0, 31)}…` : first;
}

/** Per-round engine and bare times (ms) of one Insights case, parsed from insights.ts progress lines. */
export interface InsightsRounds {
  readonly engineMs: number[];
  readonly bareMs: number[];
}

const INSIGHTS_ROUND_LINE = /^\s*(\S+) (\d+) round \d+: engine ([\d.]+) ms, bare ([\d.]+) ms/;

/**
 * Groups insights.ts's progress lines (`<query> <events> round <r>: engine X ms, bare Y ms, ...`) by
 * query and size, in order of first appearance, which is the order of its cases. insights.ts returns
 * medians only; these lines are the only place its per-round spread is visible.
 */
export function parseInsightsRounds(lines: readonly string[]): InsightsRounds[] {
  const groups = new Map<string, InsightsRounds>();
  for (const line of lines) {
    const match = INSIGHTS_ROUND_LINE.exec(line);
    if (!match) continue;
    const key = `${match[1]} ${match[2]}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { engineMs: [], bareMs: [] }));
    group.engineMs.push(Number(match[3]));
    group.bareMs.push(Number(match[4]));
  }
  return [...groups.values()];
}

/** G9 rows: engine time / bare loop time per size and query, and peak memory beside it. */
export function insightsRows(report: InsightsBenchmarkReport, rounds: readonly InsightsRounds[]): PerfRow[] {
  // Per-round spreads only when the progress lines matched the cases one to one.
  const usable =
    rounds.length === report.cases.length && rounds.every((r, i) => r.engineMs.length === report.cases[i]!.rounds);
  const rows: PerfRow[] = [];
  report.cases.forEach((c, i) => {
    const perRound = usable ? rounds[i] : undefined;
    const eventsPerSecond = (ms: number[]) => ms.map((m) => c.events / (m / 1000));
    const engineSpread: Spread = perRound
      ? spreadOf(eventsPerSecond(perRound.engineMs))
      : single(c.engineEventsPerSecond);
    const bareSpread: Spread = perRound ? spreadOf(eventsPerSecond(perRound.bareMs)) : single(c.bareEventsPerSecond);
    const ratio: Spread = perRound
      ? { ...spreadOf(pairwiseRatios(perRound.engineMs, perRound.bareMs)), median: c.ratio }
      : single(c.ratio);
    const fastEnough = meetsGoal(c.engineEventsPerSecond, GOALS.g9EventsPerSecond);
    const timeStatus = judge({ comparison: ratio, goal: GOALS.g9Time });
    const status = !c.resultsAgree ? 'not met' : timeStatus === 'met' && !fastEnough ? 'not met' : timeStatus;
    const events = countLabel(c.events);
    const query = queryLabel(c.query);
    rows.push({
      id: 'G9',
      name: `engine time / bare loop, ${events}, ${query}`,
      candidate: { label: 'engine', unit: 'events/s', spread: engineSpread },
      baseline: { label: 'bare loop', unit: 'events/s', spread: bareSpread },
      comparison: { unit: '×', spread: ratio },
      goal: GOALS.g9Time,
      status,
      note:
        `Insights engine vs a bare stream-parse-and-filter loop over the same ${events} events, query \`${c.query}\`; ` +
        `the goal also needs ≥ 1M events/s: engine ${Math.round(c.engineEventsPerSecond).toLocaleString('en-US')} events/s` +
        (fastEnough ? '' : ' (below)') +
        (c.resultsAgree ? '' : '; the engine and the bare loop gave DIFFERENT results') +
        (perRound ? '' : '; per-round spread unavailable (medians only)'),
    });
    const memory = single(c.enginePeakRssMiB / c.barePeakRssMiB);
    rows.push({
      id: 'G9',
      name: `engine peak RSS / bare loop, ${events}, ${query}`,
      candidate: { label: 'engine', unit: 'MiB', spread: single(c.enginePeakRssMiB) },
      baseline: { label: 'bare loop', unit: 'MiB', spread: single(c.barePeakRssMiB) },
      comparison: { unit: '×', spread: memory },
      status: judge({ comparison: memory }),
      note:
        `peak heap engine ${c.enginePeakHeapMiB} MiB vs bare ${c.barePeakHeapMiB} MiB; both sampled in the same process, ` +
        'so RSS is a high-water mark shared by both sides; no numeric goal (issue 4: memory bounded by the result)',
    });
    if (c.duckdb) rows.push(insightsPeerRow(c, c.duckdb));
  });
  return rows;
}

/** G9 against DuckDB (1 thread): engine events/s over DuckDB's, round by round (issue 17: ≥ 0.5×). */
function insightsPeerRow(c: InsightsBenchmarkCase, peer: InsightsPeerCase): PerfRow {
  const events = countLabel(c.events);
  const name = `engine / DuckDB events/s, ${events}, ${queryLabel(c.query)}`;
  const base = {
    id: 'G9' as const,
    name,
    goal: GOALS.g9Peer,
    peer: { part: `Insights, ${events} events, ${queryLabel(c.query)}`, peer: peer.label },
  };
  if (peer.error !== undefined) return { ...base, status: 'error', note: `${peer.label} did not run: ${peer.error}` };
  // Different answers make the speeds incomparable: the row is an error, not a number.
  if (!peer.resultsAgree) {
    return {
      ...base,
      status: 'error',
      note: `${peer.label} and the engine gave DIFFERENT results for \`${c.query}\` (SQL: ${oneLine(peer.sql)})`,
    };
  }
  const eventsPerSecond = (ms: readonly number[]) => ms.map((m) => c.events / (m / 1000));
  // Events per CPU-second, round by round: both sides are one busy thread over files in the page cache, so
  // CPU time is their work, while wall time on a shared machine also counts waiting for a core.
  const ratio = spreadOf(pairwiseRatios(peer.cpuRoundsMs, peer.engineCpuRoundsMs));
  const wall = spreadOf(pairwiseRatios(peer.roundsMs, peer.engineRoundsMs));
  const status = judge({ comparison: ratio, goal: GOALS.g9Peer });
  return {
    ...base,
    candidate: { label: 'engine', unit: 'events/CPU-s', spread: spreadOf(eventsPerSecond(peer.engineCpuRoundsMs)) },
    baseline: { label: peer.label, unit: 'events/CPU-s', spread: spreadOf(eventsPerSecond(peer.cpuRoundsMs)) },
    comparison: { unit: '×', spread: ratio },
    status,
    note:
      `same ${events} events and files, same process and CPUs, rounds rotating who goes first; both gave the same ` +
      `rows (count and values); CPU time (user + system, all threads) engine ${median(peer.engineCpuRoundsMs).toFixed(0)} ms ` +
      `vs DuckDB ${median(peer.cpuRoundsMs).toFixed(0)} ms; by wall time ${wall.median.toFixed(2)}× ` +
      `(${wall.min.toFixed(2)}–${wall.max.toFixed(2)}); DuckDB peak RSS ${peer.peakRssMiB} MiB` +
      (status === 'not met' ? `; ${PEER_BOUND}` : '') +
      `; SQL: ${oneLine(peer.sql)}`,
  };
}

/**
 * What keeps the engine from half DuckDB's speed, from profiles of the 1M JSON-filter case (README,
 * "Measuring performance"): turning the files into V8 strings and finding line ends, with no query at all,
 * already costs more CPU than DuckDB's whole query.
 */
const PEER_BOUND =
  "bound by V8 strings: reading the 212 MiB into strings and finding the line ends, with no query, costs 1.3–1.8× DuckDB's whole JSON query in CPU, " +
  'and each pre-check needle is one more native pass over the text; DuckDB parses the NDJSON with its C++ reader in 2048-row vectors straight from its read buffers';

const oneLine = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/** Handler figures from the measurements in suite.ts. */
export function handlerRows(input: {
  readonly bundleBytes: number;
  readonly bundleFile: string;
  readonly importMs: readonly number[];
  readonly nodeMs: readonly number[];
  readonly realUs: readonly number[];
  readonly nullUs: readonly number[];
  readonly invocationsPerRound: number;
}): PerfRow[] {
  const importRatio = spreadOf(pairwiseRatios(input.importMs, input.nodeMs));
  const invokeRatio = spreadOf(pairwiseRatios(input.realUs, input.nullUs));
  return [
    {
      id: 'handler',
      name: 'handler bundle size',
      candidate: { label: 'bundle', unit: 'bytes', spread: single(input.bundleBytes) },
      status: 'info',
      note: `minified ESM as synthesized (${input.bundleFile}), esbuild settings of stack/random-data-stack.ts`,
    },
    {
      id: 'handler',
      name: 'handler cold import / node -e 0',
      candidate: { label: 'node <bundle>', unit: 'ms', spread: spreadOf(input.importMs) },
      baseline: { label: 'node -e 0', unit: 'ms', spread: spreadOf(input.nodeMs) },
      comparison: { unit: '×', spread: importRatio },
      status: judge({ comparison: importRatio }),
      note: `${input.importMs.length} interleaved pairs of fresh-process wall times (start, import the bundle, exit); no goal set (docs/measurement.md#reference-figures: 87 / 65 ms ≈ 1.34)`,
    },
    {
      id: 'handler',
      name: 'handler warm invoke, pino→file / pino→null',
      candidate: { label: 'real logging', unit: 'µs/inv', spread: spreadOf(input.realUs) },
      baseline: { label: 'null destination', unit: 'µs/inv', spread: spreadOf(input.nullUs) },
      comparison: { unit: '×', spread: invokeRatio },
      status: judge({ comparison: invokeRatio }),
      note:
        `${input.invocationsPerRound.toLocaleString('en-US')} sequential invocations per round, in process, of createHandler (what handler/index.ts exports as ` +
        '`handler`) with the production logger writing synchronously to a temp file vs to a no-op stream; no goal set',
    },
  ];
}
