/**
 * Sends the open-model schedule over a bounded pool of keep-alive connections (undici `Pool`). When every
 * connection is busy, requests wait in the pool's queue and that wait is part of their latency: a real
 * client arriving at that moment would have waited too (coordinated omission, performance.md B7).
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Pool } from 'undici';
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
  /** Responses in the last tick, per second. */
  readonly rateRps: number;
  /** Of responses in the last tick, ms; NaN when none. */
  readonly p50Ms: number;
  readonly p99Ms: number;
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
}

/** What the open loop produced: every request, timed from its due time. */
export interface OpenLoopResult {
  readonly log: RequestLog;
  /** Wall clock (epoch ms) at t0, to place records in time for log queries. */
  readonly t0EpochMs: number;
}

const TICK_MS = 1000;

/** Runs warm-up then measured phase on one constant-rate schedule; rejects with the abort reason on abort. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { plan, mix } = options;
  options.signal?.throwIfAborted();
  // One listener on the caller's signal; each request listens to this one (up to `connections` × queue
  // depth listeners, past Node's warning threshold of 10).
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const signal = controller.signal;
  const forward = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', forward, { once: true });
  const total = plan.warmupRequests + plan.measuredRequests;
  const log = new RequestLog(total);
  const cycle = mixCycle(mix);
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const pool = new Pool(base.origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 30_000,
  });

  const clockBase = process.hrtime.bigint();
  const nowUs = () => Number(process.hrtime.bigint() - clockBase) / 1000;
  const t0Us = (options.startDelayMs ?? 20) * 1000;
  const t0EpochMs = Date.now() + t0Us / 1000;

  let next = 0;
  let inFlight = 0;
  let completed = 0;
  let errors = 0;
  let timer: NodeJS.Timeout | undefined;
  let settle: (() => void) | undefined;
  let fail: ((error: unknown) => void) | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });

  const fire = (i: number) => {
    const entry = mix[cycle[i % cycle.length]!]!;
    const correlationId = randomUUID();
    const dueUs = t0Us + dueTimeUs(i, plan.rateRps);
    const index = log.add(i < plan.warmupRequests ? Phase.Warmup : Phase.Measured, correlationId, dueUs - t0Us, cycle[i % cycle.length]!);
    log.sendUs[index] = nowUs() - t0Us;
    inFlight++;
    pool
      .request({
        path: basePath + entry.path,
        method: entry.method,
        headers: { ...entry.headers, 'x-correlation-id': correlationId },
        body: entry.body,
        signal,
      })
      .then(async (response) => {
        // Drain the body: latency is to the last byte, as a client would experience it.
        for await (const _chunk of response.body) {
          // discard
        }
        const latencyUs = nowUs() - dueUs;
        const header = (name: string) => {
          const value = response.headers[name];
          return Array.isArray(value) ? value[0] : value;
        };
        const ok = isExpectedStatus(entry, response.statusCode);
        if (!ok) errors++;
        log.complete(index, {
          latencyUs,
          status: response.statusCode,
          errorKind: ok ? ErrorKind.None : ErrorKind.Status,
          echoed: header('x-correlation-id') === correlationId,
          apiRequestId: header('x-amzn-requestid'),
        });
      })
      .catch((error: unknown) => {
        errors++;
        log.complete(index, { latencyUs: Number.NaN, status: 0, errorKind: classifyError(error, signal), echoed: false });
      })
      .finally(() => {
        inFlight--;
        completed++;
        if (next >= total && inFlight === 0) settle?.();
      });
  };

  const schedule = () => {
    timer = undefined;
    if (signal.aborted) return;
    const due = dueCount(nowUs() - t0Us, plan.rateRps, total);
    while (next < due) fire(next++);
    if (next >= total) {
      if (inFlight === 0) settle?.();
      return;
    }
    const waitUs = t0Us + dueTimeUs(next, plan.rateRps) - nowUs();
    timer = setTimeout(schedule, Math.max(0, waitUs / 1000));
  };

  let tickFrom = 0;
  const ticker = setInterval(() => {
    const elapsedUs = nowUs() - t0Us;
    options.onTick?.(tickSnapshot(log, tickFrom, elapsedUs, plan, completed, errors));
    tickFrom = log.count;
  }, TICK_MS);

  const onAbort = () => {
    if (timer) clearTimeout(timer);
    fail?.(signal.reason ?? new Error('aborted'));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  timer = setTimeout(schedule, t0Us / 1000);
  try {
    await done;
    return { log, t0EpochMs };
  } finally {
    clearInterval(ticker);
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    options.signal?.removeEventListener('abort', forward);
    // destroy() aborts whatever is still in flight (only on abort); close() would wait for it.
    await pool.destroy().catch(() => undefined);
  }
}

function tickSnapshot(
  log: RequestLog,
  from: number,
  elapsedUs: number,
  plan: SchedulePlan,
  completed: number,
  errors: number,
): LoadTick {
  const recent: number[] = [];
  for (let i = from; i < log.count; i++) {
    const latency = log.latencyUs[i]!;
    if (Number.isFinite(latency)) recent.push(latency / 1000);
  }
  recent.sort((a, b) => a - b);
  const at = (p: number) => (recent.length === 0 ? Number.NaN : recent[Math.min(recent.length - 1, Math.ceil(p * recent.length) - 1)]!);
  const measured = elapsedUs >= plan.measuredStartUs;
  return {
    phase: measured ? 'measured' : 'warmup',
    elapsedSeconds: (measured ? elapsedUs - plan.measuredStartUs : elapsedUs) / 1e6,
    plannedSeconds: (measured ? plan.measuredRequests : plan.warmupRequests) / plan.rateRps,
    sent: log.count,
    completed,
    errors,
    rateRps: recent.length / (TICK_MS / 1000),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
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
