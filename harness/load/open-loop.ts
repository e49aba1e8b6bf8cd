/**
 * Sends the open-model schedule over a bounded pool of keep-alive connections (undici `Pool`). When every
 * connection is busy, requests wait in the pool's queue and that wait is part of their latency: a real
 * client arriving at that moment would have waited too (coordinated omission).
 *
 * The measured phase starts from a settled state: once the warm-up's schedule is sent, it waits (up to
 * {@link WARMUP_SETTLE_MAX_MS}) until no warm-up request is in flight, and only then starts its own
 * schedule, so a warm-up backlog (cold starts queueing on a busy machine) does not drain into it. What
 * still leaks in is recorded in {@link WarmupSettle} for the verdict.
 *
 * Time, timers and the HTTP client are seams ({@link LoadClock}, {@link Transport}): tests drive the
 * schedule on a virtual clock against a simulated server.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
import { summarize } from '../stats/summary.js';
import { type LoadClock, realClock, type TimerHandle } from './clock.js';
import type { MachineProbe, MachineSample, StartMachineProbe } from './machine.js';
import type { MixEntry } from './mix.js';
import { isExpectedStatus, mixCycle } from './mix.js';
import { ErrorKind, type ErrorKindCode, Phase, RequestLog } from './records.js';
import { dueCount, dueTimeUs, type SchedulePlan } from './schedule.js';

/** Live numbers for the progress line, once a second. */
export interface LoadTick {
  readonly phase: 'warmup' | 'measured';
  readonly elapsedSeconds: number;
  readonly plannedSeconds: number;
  readonly sent: number;
  readonly completed: number;
  readonly errors: number;
  /** Requests in flight now. */
  readonly inFlight: number;
  /** Responses in the last tick, per second. */
  readonly rateRps: number;
  /**
   * Over the responses of the last tick and every request still in flight (counted at its age so far), ms;
   * NaN when there are none. In-flight requests count so a stalled API shows before its responses arrive.
   */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** One request as the open loop sends it. */
export interface OutgoingRequest {
  /** Path from the origin, e.g. `/bench/random/int`. */
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A complete response: the body has been read to its last byte. */
export interface TransportResponse {
  readonly status: number;
  header(name: string): string | undefined;
}

/** The HTTP client of the open loop. */
export interface Transport {
  /** Sends a request and resolves once its body is read; rejects on a network error, timeout or abort. */
  send(request: OutgoingRequest, signal: AbortSignal): Promise<TransportResponse>;
  /** Drops every connection, aborting what is still in flight. */
  close(): Promise<void>;
}

export interface OpenLoopOptions {
  readonly baseUrl: string;
  readonly plan: SchedulePlan;
  readonly mix: readonly MixEntry[];
  readonly connections: number;
  readonly requestTimeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onTick?: (tick: LoadTick) => void;
  /** How far ahead of the first due time to start, so pool set-up does not eat into the schedule. @default 20 */
  readonly startDelayMs?: number;
  /** Longest wait for the warm-up to drain before measuring. @default min(WARMUP_SETTLE_MAX_MS, requestTimeoutMs) */
  readonly warmupSettleMaxMs?: number;
  /** @default realClock() */
  readonly clock?: LoadClock;
  /** @default an undici Pool of `connections` keep-alive connections to the base URL's origin, closed at the end */
  readonly transport?: Transport;
  /** Measures the machine during the measured phase. @default none */
  readonly startMachineProbe?: StartMachineProbe;
}

/** How the warm-up handed over to the measured phase. */
export interface WarmupSettle {
  /** How much later than planned the measured phase started, waiting for warm-up requests to finish. */
  readonly waitedMs: number;
  /** The bound on that wait. */
  readonly boundMs: number;
  /** Warm-up requests still in flight when measuring began: 0 when the warm-up settled within the bound. */
  readonly inFlightAtStart: number;
}

/** What the open loop produced: every request, timed from its due time. */
export interface OpenLoopResult {
  readonly log: RequestLog;
  /** Wall clock (epoch ms) at t0, to place records in time for log queries. */
  readonly t0EpochMs: number;
  /** The schedule as run: `measuredStartUs` moved later by the warm-up settle wait, if any. */
  readonly plan: SchedulePlan;
  /** Undefined without a warm-up. */
  readonly warmupSettle: WarmupSettle | undefined;
  /** Undefined without a probe, or when the measured phase never started. */
  readonly machine: MachineSample | undefined;
}

/**
 * Longest the measured phase waits for warm-up requests to finish. A warm-up backlog on a busy 2-core
 * machine took up to ~3 s to drain (cold starts of ~1 s each queueing behind one another); 10 s covers
 * that with room, while a request stuck until its timeout cannot hold the run for long.
 */
export const WARMUP_SETTLE_MAX_MS = 10_000;

const TICK_MS = 1000;

/** An undici Pool as a {@link Transport}. */
export function poolTransport(origin: string, options: { connections: number; requestTimeoutMs: number }): Transport {
  const pool = new Pool(origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 30_000,
  });
  return {
    async send(request, signal) {
      const response = await pool.request({ ...request, signal });
      // Drain the body: latency is to the last byte, as a client would experience it.
      for await (const _chunk of response.body) {
        // discard
      }
      return {
        status: response.statusCode,
        header: (name) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
      };
    },
    // destroy() aborts whatever is still in flight (only on abort); close() would wait for it.
    close: () => pool.destroy().catch(() => undefined),
  };
}

/** Runs warm-up, settle, then measured phase; rejects with the abort reason on abort. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { plan, mix } = options;
  options.signal?.throwIfAborted();
  const clock = options.clock ?? realClock();
  // One listener on the caller's signal; each request listens to this one (up to `connections` × queue
  // depth listeners, past Node's warning threshold of 10).
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const signal = controller.signal;
  const forward = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  const warmupTotal = plan.warmupRequests;
  const total = warmupTotal + plan.measuredRequests;
  const log = new RequestLog(total);
  const cycle = mixCycle(mix);
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const transport =
    options.transport ??
    poolTransport(base.origin, { connections: options.connections, requestTimeoutMs: options.requestTimeoutMs });

  const t0Us = clock.nowUs() + (options.startDelayMs ?? 20) * 1000;
  const t0EpochMs = clock.epochMs() + (t0Us - clock.nowUs()) / 1000;
  const settleBoundMs = options.warmupSettleMaxMs ?? Math.min(WARMUP_SETTLE_MAX_MS, options.requestTimeoutMs);

  let next = 0;
  let completed = 0;
  let errors = 0;
  let warmupInFlight = 0;
  const inFlight = new Set<number>();
  let recentMs: number[] = [];
  // 'settling': warm-up sent, waiting for it to drain; the measured schedule starts at measuredStartUs.
  let stage: 'warmup' | 'settling' | 'measured' = warmupTotal > 0 ? 'warmup' : 'measured';
  let measuredStartUs = plan.measuredStartUs;
  let warmupSettle: WarmupSettle | undefined;
  let probe: MachineProbe | undefined;
  let machine: MachineSample | undefined;
  let timer: TimerHandle | undefined;
  let settle: (() => void) | undefined;
  let fail: ((error: unknown) => void) | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  const elapsedUs = () => clock.nowUs() - t0Us;
  /** Due time of request i, µs after t0: measured requests follow the (possibly moved) measured start. */
  const dueOf = (i: number) =>
    i < warmupTotal ? dueTimeUs(i, plan.rateRps) : measuredStartUs + dueTimeUs(i - warmupTotal, plan.rateRps);

  const finish = () => {
    if (next < total || inFlight.size > 0) return;
    machine ??= probe?.stop();
    settle?.();
  };

  const fire = (i: number) => {
    if (i === warmupTotal && options.startMachineProbe) probe = options.startMachineProbe();
    const mixIndex = cycle[i % cycle.length]!;
    const entry = mix[mixIndex]!;
    const correlationId = randomUUID();
    const dueUs = dueOf(i);
    const warmup = i < warmupTotal;
    const index = log.add(warmup ? Phase.Warmup : Phase.Measured, correlationId, dueUs, mixIndex);
    log.sendUs[index] = elapsedUs();
    inFlight.add(index);
    if (warmup) warmupInFlight++;
    transport
      .send(
        {
          path: basePath + entry.path,
          method: entry.method,
          headers: { ...entry.headers, 'x-correlation-id': correlationId },
          ...(entry.body === undefined ? {} : { body: entry.body }),
        },
        signal,
      )
      .then((response) => {
        const latencyUs = elapsedUs() - dueUs;
        const ok = isExpectedStatus(entry, response.status);
        if (!ok) errors++;
        recentMs.push(latencyUs / 1000);
        log.complete(index, {
          latencyUs,
          status: response.status,
          errorKind: ok ? ErrorKind.None : ErrorKind.Status,
          echoed: response.header('x-correlation-id') === correlationId,
          apiRequestId: response.header('x-amzn-requestid'),
        });
      })
      .catch((error: unknown) => {
        errors++;
        log.complete(index, {
          latencyUs: Number.NaN,
          status: 0,
          errorKind: classifyError(error, signal),
          echoed: false,
        });
      })
      .finally(() => {
        inFlight.delete(index);
        completed++;
        if (warmup) warmupInFlight--;
        if (stage === 'settling' && warmupInFlight === 0 && !signal.aborted) {
          if (timer !== undefined) clock.clearTimeout(timer);
          schedule();
        }
        finish();
      });
  };

  const beginMeasured = () => {
    const now = elapsedUs();
    measuredStartUs = Math.max(plan.measuredStartUs, now);
    warmupSettle = {
      waitedMs: (measuredStartUs - plan.measuredStartUs) / 1000,
      boundMs: settleBoundMs,
      inFlightAtStart: warmupInFlight,
    };
    stage = 'measured';
  };

  const schedule = () => {
    timer = undefined;
    if (signal.aborted) return;
    const now = elapsedUs();
    if (stage === 'warmup') {
      const due = dueCount(now, plan.rateRps, warmupTotal);
      while (next < due) fire(next++);
      if (next < warmupTotal) {
        timer = clock.setTimeout(schedule, Math.max(0, (dueOf(next) - elapsedUs()) / 1000));
        return;
      }
      stage = 'settling';
    }
    if (stage === 'settling') {
      const deadlineUs = plan.measuredStartUs + settleBoundMs * 1000;
      if (warmupInFlight > 0 && now < deadlineUs) {
        // A warm-up response (see fire) or the deadline wakes this up again.
        timer = clock.setTimeout(schedule, (deadlineUs - now) / 1000);
        return;
      }
      beginMeasured();
    }
    const due = warmupTotal + dueCount(elapsedUs() - measuredStartUs, plan.rateRps, plan.measuredRequests);
    while (next < due) fire(next++);
    if (next >= total) {
      finish();
      return;
    }
    timer = clock.setTimeout(schedule, Math.max(0, (dueOf(next) - elapsedUs()) / 1000));
  };

  const ticker = clock.setInterval(() => {
    const now = elapsedUs();
    const ages: number[] = [];
    for (const i of inFlight) ages.push((now - log.dueUs[i]!) / 1000);
    const live = liveLatency(recentMs, ages);
    recentMs = [];
    const measured = stage === 'measured' && now >= measuredStartUs;
    options.onTick?.({
      phase: measured ? 'measured' : 'warmup',
      elapsedSeconds: (measured ? now - measuredStartUs : now) / 1e6,
      plannedSeconds: (measured ? plan.measuredRequests : plan.warmupRequests) / plan.rateRps,
      sent: log.count,
      completed,
      errors,
      inFlight: inFlight.size,
      rateRps: live.responses / (TICK_MS / 1000),
      p50Ms: live.p50Ms,
      p99Ms: live.p99Ms,
    });
  }, TICK_MS);

  const onAbort = () => {
    if (timer !== undefined) clock.clearTimeout(timer);
    fail?.(signal.reason ?? new Error('aborted'));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  timer = clock.setTimeout(schedule, Math.max(0, t0Us - clock.nowUs()) / 1000);
  try {
    await done;
    return { log, t0EpochMs, plan: { ...plan, measuredStartUs }, warmupSettle, machine };
  } finally {
    clock.clearInterval(ticker);
    if (timer !== undefined) clock.clearTimeout(timer);
    if (probe && machine === undefined) probe.stop();
    signal.removeEventListener('abort', onAbort);
    options.signal?.removeEventListener('abort', forward);
    if (!options.transport) await transport.close();
  }
}

/**
 * p50 and p99 of the live line over responses of the last tick plus the ages of requests in flight (ms):
 * a request in flight for 500 ms counts as at least 500 ms. NaN when both are empty.
 */
export function liveLatency(
  completedMs: readonly number[],
  inFlightAgesMs: readonly number[],
): { responses: number; p50Ms: number; p99Ms: number } {
  const s = summarize([...completedMs, ...inFlightAgesMs]);
  return { responses: completedMs.length, p50Ms: s.p50, p99Ms: s.p99 };
}

/** Maps an undici/network error to an {@link ErrorKind}. */
export function classifyError(error: unknown, signal?: AbortSignal): ErrorKindCode {
  if (signal?.aborted) return ErrorKind.Aborted;
  const code = (error as { code?: string } | undefined)?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return ErrorKind.Timeout;
  }
  if (
    code.startsWith('ECONN') ||
    code === 'EPIPE' ||
    code === 'UND_ERR_SOCKET' ||
    code === 'UND_ERR_CLOSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENOTFOUND'
  ) {
    return ErrorKind.Connection;
  }
  if ((error as Error | undefined)?.name === 'AbortError') return ErrorKind.Aborted;
  return ErrorKind.Other;
}
