/**
 * The measured responses of a run, one entry each, in the report's JSON: what `harness compare` needs to put an
 * interval on the difference between two saved runs (a percentile's interval needs the samples, not the
 * percentile). Pure.
 */
import type { CorrelationResult } from '../correlate/correlate.js';
import type { LoadResult } from '../load/load.js';
import { ErrorKind, Phase } from '../load/records.js';

/**
 * Above this many measured responses the JSON keeps every k-th one (k = ceil(n / this)), in time order, so a
 * long run's JSON stays a few megabytes; `thinnedFrom` says how many there were.
 */
export const MAX_REPORT_SAMPLES = 200_000;

/** Column arrays of equal length, one entry per measured response, in the order they were due. */
export interface SamplesView {
  /** Due time, seconds since the load's start (ms resolution): the time axis of a block bootstrap. */
  readonly atSeconds: readonly number[];
  /** Client latency from the due time, ms (µs resolution). */
  readonly latencyMs: readonly number[];
  /** Lambda's `Duration` from the REPORT line when the request was correlated, else null. */
  readonly lambdaMs: readonly (number | null)[];
  /** The handler's own `durationMs` when its log line was found, else null. */
  readonly handlerMs: readonly (number | null)[];
  /** The number of measured responses when the columns keep only every k-th; null when they keep all. */
  readonly thinnedFrom: number | null;
}

const round = (value: number, decimals: number) => {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
};

/** The measured, answered, not aborted requests (the population of `latency.all`), thinned past the cap. */
export function samplesView(
  load: LoadResult,
  correlation: CorrelationResult | undefined,
  maxSamples = MAX_REPORT_SAMPLES,
): SamplesView {
  const log = load.log;
  const kept: number[] = [];
  for (let i = 0; i < log.count; i++) {
    if (log.phase[i] !== Phase.Measured || log.errorKind[i] === ErrorKind.Aborted) continue;
    if (log.status[i]! > 0 && Number.isFinite(log.latencyUs[i]!)) kept.push(i);
  }
  const step = Math.max(1, Math.ceil(kept.length / maxSamples));
  const atSeconds: number[] = [];
  const latencyMs: number[] = [];
  const lambdaMs: (number | null)[] = [];
  const handlerMs: (number | null)[] = [];
  for (let k = 0; k < kept.length; k += step) {
    const i = kept[k]!;
    atSeconds.push(round(log.dueUs[i]! / 1e6, 3));
    latencyMs.push(round(log.latencyUs[i]! / 1000, 3));
    const lambda = correlation?.lambdaDurationMs[i] ?? Number.NaN;
    const handler = correlation?.handlerDurationMs[i] ?? Number.NaN;
    lambdaMs.push(Number.isFinite(lambda) ? round(lambda, 3) : null);
    handlerMs.push(Number.isFinite(handler) ? round(handler, 3) : null);
  }
  return { atSeconds, latencyMs, lambdaMs, handlerMs, thinnedFrom: step > 1 ? kept.length : null };
}
