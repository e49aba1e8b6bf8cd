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

/** One mix entry as the open loop sends it: prepared once per run, shared by every request of the entry. */
export interface OutgoingRequest {
  /** Path from the origin, e.g. `/bench/random/int`. */
  readonly path: string;
  readonly method: 'GET' | 'POST';
  /** The entry's own headers; the transport adds `x-correlation-id`. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * Where a transport reports each request, by the token the open loop gave it (its index in the log). One
 * object for the whole run: the per-request path creates no promise, closure or listener.
 */
export interface TransportSink {
  /** A connection started writing the request: its wait in the pool ended. */
  onWire(token: number): void;
  /** The body was read to its last byte. `echoedId` is the response's `x-correlation-id`, `apiRequestId` its `x-amzn-RequestId`. */
  onResponse(token: number, status: number, echoedId: string | undefined, apiRequestId: string | undefined): void;
  /** A network error or timeout; after {@link Transport.abort}, also the abort. */
  onError(token: number, error: unknown): void;
}

/** The HTTP client of the open loop. */
export interface Transport {
  /** Sends `request` with `x-correlation-id: correlationId`; reports to `sink` exactly one of onResponse or onError. */
  send(request: OutgoingRequest, correlationId: string, token: number, sink: TransportSink): void;
  /** Drops every request queued or in flight; the open loop has stopped listening by then. */
  abort(reason: unknown): void;
  /** Closes the connections once nothing is in flight. */
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

/**
 * An undici Pool as a {@link Transport}, driven through `dispatch` with one small handler per request: no
 * `AbortSignal` per request (undici adds a listener to it per request, and on a signal shared by a backlog
 * of thousands each add walks them all), no body stream, no promise. An abort destroys the pool instead.
 */
export function poolTransport(origin: string, options: { connections: number; requestTimeoutMs: number }): Transport {
  const pool = new Pool(origin, {
    connections: options.connections,
    pipelining: 1,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
    keepAliveTimeout: 30_000,
  });
  // The entry's headers flattened once per entry; each request adds its correlation id to a copy.
  const flat = new WeakMap<OutgoingRequest, string[]>();
  return {
    send(request, correlationId, token, sink) {
      let headers = flat.get(request);
      if (headers === undefined) {
        // The correlation id is the run's: an entry's own would be sent twice.
        headers = Object.entries(request.headers)
          .filter(([name]) => name.toLowerCase() !== 'x-correlation-id')
          .flat();
        flat.set(request, headers);
      }
      const dispatchOptions = {
        path: request.path,
        method: request.method,
        headers: [...headers, 'x-correlation-id', correlationId],
        body: request.body ?? null,
      };
      pool.dispatch(dispatchOptions, new Exchange(token, sink));
    },
    abort: (reason) => {
      pool.destroy(reason instanceof Error ? reason : new Error(String(reason))).catch(() => undefined);
    },
    // destroy() fails whatever is still in flight (only after an abort); close() would wait for it.
    close: () => pool.destroy().catch(() => undefined),
  };
}

/** One request's undici handler: remembers its status and the two headers the log keeps, discards the body. */
class Exchange {
  private status = 0;
  private echoedId: string | undefined;
  private apiRequestId: string | undefined;

  constructor(
    private readonly token: number,
    private readonly sink: TransportSink,
  ) {}

  onConnect(): void {
    this.sink.onWire(this.token);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    for (let k = 0; k + 1 < rawHeaders.length; k += 2) {
      // Both names are 16 bytes long: other headers cost no string.
      if (rawHeaders[k]!.length !== 16) continue;
      const name = rawHeaders[k]!.toString('latin1').toLowerCase();
      if (name === 'x-correlation-id') this.echoedId = rawHeaders[k + 1]!.toString('latin1');
      else if (name === 'x-amzn-requestid') this.apiRequestId = rawHeaders[k + 1]!.toString('latin1');
    }
    return true;
  }

  onData(): boolean {
    // Latency is to the last byte, as a client would experience it; the bytes themselves are not kept.
    return true;
  }

  onComplete(): void {
    this.sink.onResponse(this.token, this.status, this.echoedId, this.apiRequestId);
  }

  onError(error: unknown): void {
    this.sink.onError(this.token, error);
  }
}

/** Runs warm-up, settle, then measured phase; rejects with the abort reason on abort. */
export async function runOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { plan, mix } = options;
  const callerSignal = options.signal;
  callerSignal?.throwIfAborted();
  const clock = options.clock ?? realClock();
  const warmupTotal = plan.warmupRequests;
  const total = warmupTotal + plan.measuredRequests;
  const log = new RequestLog(total);
  const cycle = mixCycle(mix);
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  // One request object per mix entry, shared by all its requests.
  const outgoing: OutgoingRequest[] = mix.map((entry) => ({
    path: basePath + entry.path,
    method: entry.method,
    headers: entry.headers ?? {},
    ...(entry.body === undefined ? {} : { body: entry.body }),
  }));
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
  let stopped = false;
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

  /** Bookkeeping after request i's outcome is recorded. */
  const ended = (i: number) => {
    inFlight.delete(i);
    completed++;
    if (log.phase[i] === Phase.Warmup) warmupInFlight--;
    if (stage === 'settling' && warmupInFlight === 0) {
      // From a timer, not from inside the transport's callback: sending re-entrantly from it is not safe.
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = clock.setTimeout(schedule, 0);
    }
    finish();
  };

  // The transport reports here by log index; after an abort (stopped) late reports are ignored.
  const sink: TransportSink = {
    onWire(i) {
      if (!stopped) log.wireUs[i] = elapsedUs();
    },
    onResponse(i, status, echoedId, apiRequestId) {
      if (stopped || !inFlight.has(i)) return;
      const latencyUs = elapsedUs() - log.dueUs[i]!;
      const ok = isExpectedStatus(mix[log.mixIndex[i]!]!, status);
      if (!ok) errors++;
      recentMs.push(latencyUs / 1000);
      const echoed = echoedId !== undefined && echoedId === log.correlationId[i];
      log.record(i, latencyUs, status, ok ? ErrorKind.None : ErrorKind.Status, echoed, apiRequestId);
      ended(i);
    },
    onError(i, error) {
      if (stopped || !inFlight.has(i)) return;
      errors++;
      log.record(i, Number.NaN, 0, classifyError(error), false, undefined);
      ended(i);
    },
  };

  const fire = (i: number) => {
    if (i === warmupTotal && options.startMachineProbe) probe = options.startMachineProbe();
    const mixIndex = cycle[i % cycle.length]!;
    const correlationId = randomUUID();
    const warmup = i < warmupTotal;
    const index = log.add(warmup ? Phase.Warmup : Phase.Measured, correlationId, dueOf(i), mixIndex);
    log.sendUs[index] = elapsedUs();
    inFlight.add(index);
    if (warmup) warmupInFlight++;
    transport.send(outgoing[mixIndex]!, correlationId, index, sink);
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
    if (stopped) return;
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
        // A warm-up response (see ended) or the deadline wakes this up again.
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

  // The only abort listener of the run, on the caller's signal: requests carry no signal. An abort records
  // every request in flight as aborted, stops listening to the transport, then has it drop them all.
  const onAbort = () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    for (const i of inFlight) {
      log.record(i, Number.NaN, 0, ErrorKind.Aborted, false, undefined);
      completed++;
    }
    inFlight.clear();
    warmupInFlight = 0;
    const reason = callerSignal?.reason ?? new Error('aborted');
    transport.abort(reason);
    fail?.(reason);
  };
  callerSignal?.addEventListener('abort', onAbort, { once: true });
  timer = clock.setTimeout(schedule, Math.max(0, t0Us - clock.nowUs()) / 1000);
  try {
    await done;
    return { log, t0EpochMs, plan: { ...plan, measuredStartUs }, warmupSettle, machine };
  } finally {
    clock.clearInterval(ticker);
    if (timer !== undefined) clock.clearTimeout(timer);
    if (probe && machine === undefined) probe.stop();
    callerSignal?.removeEventListener('abort', onAbort);
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
export function classifyError(error: unknown): ErrorKindCode {
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
