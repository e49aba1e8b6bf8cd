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
  /** Lambda's `Duration` from the REPORT line when the request was correlated; NaN (null in the JSON) when not. */
  readonly lambdaMs: readonly number[];
  /** The handler's own `durationMs` when its log line was found; NaN (null in the JSON) when not. */
  readonly handlerMs: readonly number[];
  /** The number of measured responses when the columns keep only every k-th; null when they keep all. */
  readonly thinnedFrom: number | null;
}

/** To the µs, in ms: what the JSON keeps. NaN stays NaN. */
const toMs3 = (value: number) => Math.round(value * 1000) / 1000;

/** The measured, answered, not aborted requests (the population of `latency.all`), thinned past the cap. */
export function samplesView(
  load: LoadResult,
  correlation: CorrelationResult | undefined,
  maxSamples = MAX_REPORT_SAMPLES,
): SamplesView {
  const log = load.log;
  const counted = (i: number) =>
    log.phase[i] === Phase.Measured &&
    log.errorKind[i] !== ErrorKind.Aborted &&
    log.status[i]! > 0 &&
    Number.isFinite(log.latencyUs[i]!);
  let total = 0;
  for (let i = 0; i < log.count; i++) if (counted(i)) total++;
  const step = Math.max(1, Math.ceil(total / maxSamples));
  // Arrays of doubles only, sized once (NaN, not null, for the unknown: no boxed number per entry, and JSON
  // writes NaN as null); pushing 200,000 doubles took four times as long.
  const size = Math.ceil(total / step);
  const atSeconds: number[] = new Array(size);
  const latencyMs: number[] = new Array(size);
  const lambdaMs: number[] = new Array(size);
  const handlerMs: number[] = new Array(size);
  const lambda = correlation?.lambdaDurationMs;
  const handler = correlation?.handlerDurationMs;
  // The k-th counted request is kept when k is a multiple of step: every k-th, in the order they were due.
  for (let i = 0, k = 0, j = 0; i < log.count; i++) {
    if (!counted(i) || k++ % step !== 0) continue;
    atSeconds[j] = Math.round(log.dueUs[i]! / 1000) / 1000;
    latencyMs[j] = toMs3(log.latencyUs[i]! / 1000);
    lambdaMs[j] = lambda ? toMs3(lambda[i]!) : Number.NaN;
    handlerMs[j] = handler ? toMs3(handler[i]!) : Number.NaN;
    j++;
  }
  return {
    atSeconds,
    latencyMs,
    lambdaMs,
    handlerMs,
    thinnedFrom: step > 1 ? total : null,
  };
}
