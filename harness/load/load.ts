/**
 * The load phase: warm-up then measurement, open model by default, autocannon's closed loop for
 * `--mode peak`. Returns every request's record plus the rates it reached.
 */
import type { LoadOptions } from '../options.js';
import { type MachineSample, startMachineProbe } from './machine.js';
import type { MixEntry } from './mix.js';
import { type LoadTick, runOpenLoop, type WarmupSettle } from './open-loop.js';
import type { RequestLog } from './records.js';
import { planSchedule, type RateFacts, rateFacts } from './schedule.js';

/** Everything the load phase measured. */
export interface LoadResult {
  readonly mode: LoadOptions['mode'];
  /** True for `--mode peak`: latencies are service times, not latencies from a schedule. */
  readonly closedLoop: boolean;
  readonly log: RequestLog;
  readonly mix: readonly MixEntry[];
  readonly connections: number;
  /** Wall clock at t0 (records count µs from it). */
  readonly t0EpochMs: number;
  /** Wall clock when the last response arrived. */
  readonly endEpochMs: number;
  readonly warmupSeconds: number;
  /** First measured request's due time, µs after t0. */
  readonly measuredStartUs: number;
  /** Planned length of the measured phase (actual for peak mode). */
  readonly measuredSeconds: number;
  /** Open model only: target, sent and achieved rates. */
  readonly rates: RateFacts | undefined;
  /** Open model with a warm-up: how the warm-up handed over to the measured phase. */
  readonly warmupSettle?: WarmupSettle;
  /** How busy this machine was during the measured phase. */
  readonly machine?: MachineSample;
}

/** Progress the load phase reports. */
export type LoadProgress = (tick: LoadTick | { phase: 'warmup' | 'measured'; sent: number; completed: number }) => void;

/** Runs the load phase against `baseUrl` (the deployment's invoke URL, ending in `/`). */
export async function runLoad(
  baseUrl: string,
  options: LoadOptions,
  signal?: AbortSignal,
  onProgress?: LoadProgress,
): Promise<LoadResult> {
  const common = { mix: options.mix, connections: options.connections, warmupSeconds: options.warmupSeconds };
  if (options.mode === 'peak') {
    // autocannon is loaded only for peak runs: importing it costs ~300 ms of every run's start-up.
    const { runPeak } = await import('./peak.js');
    const peak = await runPeak({
      baseUrl,
      mix: options.mix,
      connections: options.connections,
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
      requestTimeoutMs: options.requestTimeoutMs,
      signal,
      onTick: onProgress,
      startMachineProbe,
    });
    return {
      ...common,
      mode: 'peak',
      closedLoop: true,
      log: peak.log,
      t0EpochMs: peak.t0EpochMs,
      endEpochMs: Date.now(),
      measuredStartUs: peak.measuredStartUs,
      measuredSeconds: peak.measuredSeconds,
      rates: undefined,
      ...(peak.machine ? { machine: peak.machine } : {}),
    };
  }
  const plan = planSchedule(options.rateRps, options.warmupSeconds, options.durationSeconds);
  const open = await runOpenLoop({
    baseUrl,
    plan,
    mix: options.mix,
    connections: options.connections,
    requestTimeoutMs: options.requestTimeoutMs,
    signal,
    onTick: onProgress,
    startMachineProbe,
  });
  return {
    ...common,
    mode: 'open',
    closedLoop: false,
    log: open.log,
    t0EpochMs: open.t0EpochMs,
    endEpochMs: Date.now(),
    // The plan as run: the measured phase may have started later, once the warm-up drained.
    measuredStartUs: open.plan.measuredStartUs,
    measuredSeconds: plan.measuredRequests / plan.rateRps,
    rates: rateFacts(open.log, open.plan),
    ...(open.warmupSettle ? { warmupSettle: open.warmupSettle } : {}),
    ...(open.machine ? { machine: open.machine } : {}),
  };
}
