/**
 * The loads `npm run perf` drives from this process (the generator), each timed with the generator's own
 * CPU use so a saturated generator can be told apart from a saturated server (docs/measurement.md#generator-saturation):
 * plain autocannon (closed loop and `-R`), the harness's peak generator, and the harness's open-loop generator.
 */
import autocannon from 'autocannon';
import { assessMachine } from '../check/timing.js';
import { startMachineProbe } from '../load/machine.js';
import type { MixEntry } from '../load/mix.js';
import { runOpenLoop } from '../load/open-loop.js';
import { runPeak } from '../load/peak.js';
import { Phase, type RequestLog } from '../load/records.js';
import { planSchedule, rateFacts } from '../load/schedule.js';
import { summarize } from '../stats/summary.js';
import { shareOfCore } from './stats.js';

// Long enough that a stalled or queued request is still a latency, not an error, in every figure here.
const REQUEST_TIMEOUT_MS = 10_000;

/** What a closed-loop run gave. */
export interface ThroughputRun {
  readonly rps: number;
  readonly responses: number;
  /** Non-2xx responses, errors and timeouts. */
  readonly failures: number;
  /** Generator CPU (this process) as a share of one core during the run. */
  readonly generatorCpuShare: number;
  /** Generator CPU per response, µs. */
  readonly generatorCpuUsPerResponse: number;
}

/** What an open-loop run gave: latency from each request's due time over the measured phase. */
export interface LatencyRun {
  readonly rateRps: number;
  readonly achievedRps: number;
  readonly responses: number;
  readonly failures: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly generatorCpuShare: number;
  /** Generator CPU over the whole run (warm-up included) per response, µs. */
  readonly generatorCpuUsPerResponse: number;
  /** What the generator said about itself, as the bench's verdict would (check/timing.ts assessMachine, generator signals only); empty when it kept up. */
  readonly generatorSignals: readonly string[];
}

async function timedCpu<T>(work: () => Promise<T>): Promise<{ value: T; cpuMicros: number; wallMs: number }> {
  const before = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(before);
  return { value, cpuMicros: used.user + used.system, wallMs };
}

function entryFor(path: string): MixEntry {
  return { name: 'perf', weight: 1, method: 'GET', path };
}

/** Plain autocannon, no hooks: the reference generator (`-c connections -p 1`). */
export function plainAutocannon(url: string, connections: number, durationSeconds: number): Promise<ThroughputRun> {
  return timedAutocannon({ url, connections, pipelining: 1, duration: durationSeconds });
}

/**
 * autocannon's own open-ish model, `-R rate` (each connection paced to its share of the rate): the
 * reference for the open-loop generator's CPU per request at the same rate.
 */
export function autocannonAtRate(
  url: string,
  connections: number,
  rateRps: number,
  durationSeconds: number,
): Promise<ThroughputRun> {
  return timedAutocannon({ url, connections, pipelining: 1, duration: durationSeconds, overallRate: rateRps });
}

/** One autocannon run with this process's CPU around it. */
async function timedAutocannon(options: autocannon.Options): Promise<ThroughputRun> {
  const { value: result, cpuMicros, wallMs } = await timedCpu(() => autocannon(options));
  const responses = result.requests.total;
  return {
    rps: responses / result.duration,
    responses,
    failures: result.non2xx + result.errors + result.timeouts,
    generatorCpuShare: shareOfCore(cpuMicros, wallMs),
    generatorCpuUsPerResponse: responses > 0 ? cpuMicros / responses : Number.NaN,
  };
}

/** The harness's `--mode peak` generator (autocannon plus a correlation id and a record per request). */
export async function harnessPeak(
  baseUrl: string,
  path: string,
  connections: number,
  durationSeconds: number,
): Promise<ThroughputRun> {
  const {
    value: peak,
    cpuMicros,
    wallMs,
  } = await timedCpu(() =>
    runPeak({
      baseUrl,
      mix: [entryFor(path)],
      connections,
      warmupSeconds: 0,
      durationSeconds,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    }),
  );
  let responses = 0;
  let failures = 0;
  for (let i = 0; i < peak.log.count; i++) {
    if (peak.log.phase[i] !== Phase.Measured) continue;
    if (peak.log.status[i] === 200) responses++;
    else failures++;
  }
  return {
    rps: responses / peak.measuredSeconds,
    responses,
    failures,
    generatorCpuShare: shareOfCore(cpuMicros, wallMs),
    generatorCpuUsPerResponse: responses > 0 ? cpuMicros / responses : Number.NaN,
  };
}

/** The harness's open-loop generator at `rateRps`: warm-up, then the measured phase on the same schedule. */
export async function harnessOpenLoop(
  baseUrl: string,
  path: string,
  options: { rateRps: number; warmupSeconds: number; durationSeconds: number; connections: number },
): Promise<LatencyRun> {
  const plan = planSchedule(options.rateRps, options.warmupSeconds, options.durationSeconds);
  const {
    value: open,
    cpuMicros,
    wallMs,
  } = await timedCpu(() =>
    runOpenLoop({
      baseUrl,
      plan,
      mix: [entryFor(path)],
      connections: options.connections,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      startMachineProbe,
    }),
  );
  const latency = measuredLatenciesMs(open.log);
  const facts = rateFacts(open.log, open.plan);
  const summary = summarize(latency.values);
  let responses = 0;
  for (let i = 0; i < open.log.count; i++) if (open.log.status[i]! > 0) responses++;
  // The generator's own signals ('aws': the host's CPU is the server's here, not the generator's).
  const assessment = assessMachine(open.machine, facts.sendLagP99Us / 1000, 'aws', facts.strain);
  return {
    rateRps: options.rateRps,
    achievedRps: facts.achievedRps,
    responses: latency.values.length,
    failures: latency.failures,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    maxMs: summary.max,
    generatorCpuShare: shareOfCore(cpuMicros, wallMs),
    generatorCpuUsPerResponse: responses > 0 ? cpuMicros / responses : Number.NaN,
    generatorSignals: assessment.signals,
  };
}

/** Latencies (ms) of the measured phase's successful requests, and how many measured requests failed. */
export function measuredLatenciesMs(log: RequestLog): { values: number[]; failures: number } {
  const values: number[] = [];
  let failures = 0;
  for (let i = 0; i < log.count; i++) {
    if (log.phase[i] !== Phase.Measured) continue;
    const latencyUs = log.latencyUs[i]!;
    if (log.status[i] === 200 && Number.isFinite(latencyUs)) values.push(latencyUs / 1000);
    else failures++;
  }
  return { values, failures };
}
