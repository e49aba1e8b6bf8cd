/**
 * The open-model schedule (wrk2's model, docs/measurement.md#open-model-schedule): request i is due at t0 + i/rate whatever
 * happened before, and its latency counts from that due time, so a stalled server is charged for every
 * request it kept waiting. Pure arithmetic; the sending lives in open-loop.ts.
 */

import { summarizeInPlace } from '../stats/summary.js';
import { Phase, type RequestLog } from './records.js';

/** How many requests each phase sends, and when. */
export interface SchedulePlan {
  readonly rateRps: number;
  readonly warmupRequests: number;
  readonly measuredRequests: number;
  /** Due time of the first measured request; warm-up runs before it on the same schedule. */
  readonly measuredStartUs: number;
}

/** Warm-up and measured phases back to back on one schedule: `round(rate × seconds)` requests each. */
export function planSchedule(rateRps: number, warmupSeconds: number, durationSeconds: number): SchedulePlan {
  const warmupRequests = Math.round(rateRps * warmupSeconds);
  const measuredRequests = Math.max(1, Math.round(rateRps * durationSeconds));
  return { rateRps, warmupRequests, measuredRequests, measuredStartUs: dueTimeUs(warmupRequests, rateRps) };
}

/** Due time of request `i`, in µs after t0. */
export function dueTimeUs(i: number, rateRps: number): number {
  return (i * 1e6) / rateRps;
}

/** How many of `total` requests are due at `elapsedUs` after t0 (request 0 is due at once). */
export function dueCount(elapsedUs: number, rateRps: number, total: number): number {
  if (elapsedUs < 0) return 0;
  return Math.min(total, Math.floor((elapsedUs * rateRps) / 1e6 + 1e-9) + 1);
}

/** Rates a measured phase reached, against its target. */
export interface RateFacts {
  readonly targetRps: number;
  /** Requests handed to the pool per second: below target only when the generator itself lagged. */
  readonly sentRps: number;
  /** Responses per second over max(planned duration, first due → last response). */
  readonly achievedRps: number;
  /** Worst and 99th-percentile gap between a request's due time and its hand-over to the pool. */
  readonly sendLagMaxUs: number;
  readonly sendLagP99Us: number;
  /** How the generator's own queues evolved over the measured phase; absent in hand-made facts. */
  readonly strain?: GeneratorStrain;
}

/**
 * The generator's two queues, first half of the measured phase against the second (by due time): requests
 * due but not yet handed over (send lag), and requests handed over but waiting for a free connection (pool
 * wait: hand-over → a connection starts writing). A queue that grows from one half to the next is a
 * generator falling behind; a collapsed generator hides its backlog in the pool, not in the send lag.
 */
export interface GeneratorStrain {
  readonly sendLagP99Us: readonly [firstHalf: number, secondHalf: number];
  /** p99 over the whole measured phase, and by half; 0 when no request reached a connection. */
  readonly poolWaitP99Us: number;
  readonly poolWaitHalvesP99Us: readonly [firstHalf: number, secondHalf: number];
}

/** Measures the rates of the measured phase from its records. */
export function rateFacts(log: RequestLog, plan: SchedulePlan): RateFacts {
  let sent = 0;
  let responses = 0;
  let lastSendUs = plan.measuredStartUs;
  let lastEndUs = plan.measuredStartUs;
  let sendLagMaxUs = 0;
  const lags = new Float64Array(log.count);
  for (let i = 0; i < log.count; i++) {
    if (log.phase[i] !== Phase.Measured) continue;
    const send = log.sendUs[i]!;
    if (send > lastSendUs) lastSendUs = send;
    const lag = send - log.dueUs[i]!;
    lags[sent++] = lag;
    if (lag > sendLagMaxUs) sendLagMaxUs = lag;
    const latency = log.latencyUs[i]!;
    if (Number.isFinite(latency) && log.status[i]! > 0) {
      responses++;
      const end = log.dueUs[i]! + latency;
      if (end > lastEndUs) lastEndUs = end;
    }
  }
  const intervalUs = 1e6 / plan.rateRps;
  const plannedSeconds = plan.measuredRequests / plan.rateRps;
  // The n-th request is due (n−1)/rate after the first: one interval is added back so an on-time run is 1.0.
  const sendWindowSeconds = (lastSendUs - plan.measuredStartUs + intervalUs) / 1e6;
  const achievedWindowSeconds = Math.max(plannedSeconds, (lastEndUs - plan.measuredStartUs) / 1e6);
  return {
    strain: generatorStrain(log, plan),
    targetRps: plan.rateRps,
    sentRps: sent === 0 ? 0 : sent / Math.max(sendWindowSeconds, plannedSeconds * (sent / plan.measuredRequests)),
    achievedRps: responses / achievedWindowSeconds,
    sendLagMaxUs,
    sendLagP99Us: sent === 0 ? 0 : summarizeInPlace(lags, sent).p99,
  };
}

/** {@link GeneratorStrain} of the measured phase, from the records' due, send and wire times. */
export function generatorStrain(log: RequestLog, plan: SchedulePlan): GeneratorStrain {
  const halfUs = plan.measuredStartUs + (plan.measuredRequests / plan.rateRps / 2) * 1e6;
  const lag = [new Float64Array(log.count), new Float64Array(log.count)] as const;
  const wait = [new Float64Array(log.count), new Float64Array(log.count)] as const;
  const lagN = [0, 0];
  const waitN = [0, 0];
  const all = new Float64Array(log.count);
  let allN = 0;
  for (let i = 0; i < log.count; i++) {
    if (log.phase[i] !== Phase.Measured) continue;
    const half = log.dueUs[i]! < halfUs ? 0 : 1;
    lag[half][lagN[half]!++] = log.sendUs[i]! - log.dueUs[i]!;
    const wire = log.wireUs[i]!;
    if (Number.isNaN(wire)) continue;
    const w = wire - log.sendUs[i]!;
    wait[half][waitN[half]!++] = w;
    all[allN++] = w;
  }
  const p99 = (values: Float64Array, n: number) => (n === 0 ? 0 : summarizeInPlace(values, n).p99);
  return {
    sendLagP99Us: [p99(lag[0], lagN[0]!), p99(lag[1], lagN[1]!)],
    poolWaitP99Us: p99(all, allN),
    poolWaitHalvesP99Us: [p99(wait[0], waitN[0]!), p99(wait[1], waitN[1]!)],
  };
}
