/**
 * `--mode peak`: autocannon's closed loop, to find the highest throughput. Each connection sends its next
 * request only after the previous response, so the latencies are service times (coordinated omission,
 * docs/measurement.md#coordinated-omission) and the report labels them closed-loop. Latencies come from autocannon's per-response
 * float milliseconds, not its whole-millisecond histogram (docs/measurement.md#autocannon-for-the-closed-loop-peak-only).
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { MachineSample, StartMachineProbe } from './machine.js';
import { isExpectedStatus, type MixEntry, mixCycle } from './mix.js';
import { ErrorKind, Phase, type PhaseCode, RequestLog } from './records.js';

export interface PeakOptions {
  readonly baseUrl: string;
  readonly mix: readonly MixEntry[];
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly requestTimeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onTick?: (tick: { phase: 'warmup' | 'measured'; sent: number; completed: number }) => void;
  /** Measures the machine during the measured phase. @default none */
  readonly startMachineProbe?: StartMachineProbe;
}

export interface PeakResult {
  readonly log: RequestLog;
  readonly t0EpochMs: number;
  /** When the measured phase started, µs after t0. */
  readonly measuredStartUs: number;
  /** How long the measured phase actually ran. */
  readonly measuredSeconds: number;
  /** Undefined without a probe. */
  readonly machine: MachineSample | undefined;
}

/** Runs autocannon for the warm-up, then for the measured phase. Rejects with the abort reason on abort. */
export async function runPeak(options: PeakOptions): Promise<PeakResult> {
  options.signal?.throwIfAborted();
  const log = new RequestLog(4096);
  const clockBase = process.hrtime.bigint();
  const nowUs = () => Number(process.hrtime.bigint() - clockBase) / 1000;
  const t0EpochMs = Date.now();
  if (options.warmupSeconds > 0) await runOnce(options, log, Phase.Warmup, options.warmupSeconds, nowUs);
  const measuredStartUs = nowUs();
  const probe = options.startMachineProbe?.();
  try {
    await runOnce(options, log, Phase.Measured, options.durationSeconds, nowUs);
  } catch (error) {
    probe?.stop();
    throw error;
  }
  const machine = probe?.stop();
  return { log, t0EpochMs, measuredStartUs, measuredSeconds: (nowUs() - measuredStartUs) / 1e6, machine };
}

interface PendingResponse {
  correlationId: string;
  mixIndex: number;
  status: number;
  echoed: boolean;
  apiRequestId: string | undefined;
}

function runOnce(
  options: PeakOptions,
  log: RequestLog,
  phase: PhaseCode,
  seconds: number,
  nowUs: () => number,
): Promise<void> {
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  const cycle = mixCycle(options.mix);
  // With pipelining 1 each autocannon client has one request in flight, so onResponse (per client) and
  // the instance's 'response' event (emitted right after, synchronously) describe the same request.
  let pending: PendingResponse | undefined;
  const requests: autocannon.Request[] = Array.from(cycle, (mixIndex) => {
    const entry = options.mix[mixIndex]!;
    return {
      method: entry.method,
      path: basePath + entry.path,
      body: entry.body,
      headers: { ...entry.headers },
      setupRequest: (request: autocannon.Request, context: object) => {
        const correlationId = randomUUID();
        (context as { correlationId?: string }).correlationId = correlationId;
        return { ...request, headers: { ...request.headers, 'x-correlation-id': correlationId } };
      },
      onResponse: (status: number, _body: string, context: object, headers?: Record<string, unknown>) => {
        const correlationId = (context as { correlationId?: string }).correlationId ?? '';
        const header = (name: string) => {
          const value = headers?.[name] ?? headers?.[name.toLowerCase()];
          return Array.isArray(value) ? String(value[0]) : value === undefined ? undefined : String(value);
        };
        pending = {
          correlationId,
          mixIndex,
          status,
          echoed: header('x-correlation-id') === correlationId,
          apiRequestId: header('x-amzn-RequestId') ?? header('x-amzn-requestid'),
        };
      },
    };
  });

  return new Promise<void>((resolve, reject) => {
    let completed = 0;
    const instance = autocannon(
      {
        url: base.origin,
        connections: options.connections,
        pipelining: 1,
        duration: seconds,
        timeout: Math.ceil(options.requestTimeoutMs / 1000),
        requests,
      },
      (error) => {
        clearInterval(ticker);
        options.signal?.removeEventListener('abort', onAbort);
        if (options.signal?.aborted) reject(options.signal.reason);
        else if (error) reject(error);
        else resolve();
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
      completed++;
      if (!pending) return;
      const end = nowUs();
      const latencyUs = responseTimeMs * 1000;
      const entry = options.mix[pending.mixIndex]!;
      const index = log.add(phase, pending.correlationId, end - latencyUs, pending.mixIndex);
      const ok = isExpectedStatus(entry, pending.status);
      log.complete(index, {
        latencyUs,
        status: pending.status,
        errorKind: ok ? ErrorKind.None : ErrorKind.Status,
        echoed: pending.echoed,
        apiRequestId: pending.apiRequestId,
      });
      pending = undefined;
    });
    instance.on('reqError', (error: unknown) => {
      // autocannon does not say which request failed: record it without a correlation id.
      completed++;
      const index = log.add(phase, '', nowUs(), 0);
      const timedOut = /timeout/i.test(String((error as Error | undefined)?.message ?? error));
      log.complete(index, {
        latencyUs: Number.NaN,
        status: 0,
        errorKind: timedOut ? ErrorKind.Timeout : ErrorKind.Connection,
        echoed: false,
      });
    });
    const ticker = setInterval(() => {
      options.onTick?.({ phase: phase === Phase.Warmup ? 'warmup' : 'measured', sent: log.count, completed });
    }, 1000);
    const onAbort = () => instance.stop();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
