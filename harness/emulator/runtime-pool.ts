import fs from 'node:fs';
import type { LogFileSystem, LogStoreMonitor } from '../logstore/writer.js';
import {
  admit,
  type ConcurrencyLimitSource,
  type ConcurrencyStats,
  concurrencyLimitOf,
  DEFAULT_ENVIRONMENT_CAP,
  WaitQueue,
} from './concurrency.js';
import type { FunctionConfig } from './config.js';
import { ExecutionEnvironment, type InvocationOutcome, type InvocationRequest } from './execution-environment.js';

/**
 * Lambda's scaling for one function: one invocation per environment, idle environments reused (most
 * recently used first), a new environment (a cold start) when none is idle, Lambda's concurrency limit
 * (throttles), this machine's cap on environments (a queue), and idle environments recycled after a while.
 */

/** Idle environments live this long before they are recycled (Lambda keeps them minutes, not hours). */
export const DEFAULT_IDLE_TIMEOUT_MS = 5 * 60 * 1000;

// Long invocations get their START and early lines written at least this often.
const FLUSH_INTERVAL_MS = 1000;

export interface RuntimePoolOptions {
  readonly fn: FunctionConfig;
  readonly region: string;
  readonly accountId: string;
  readonly logDir: string;
  /** Counts log events the store could not write. */
  readonly logMonitor?: LogStoreMonitor;
  /** @default node:fs (a seam for disk-failure tests) */
  readonly logFileSystem?: LogFileSystem;
  /** Environments alive at once on this machine; invocations beyond wait. @default {@link DEFAULT_ENVIRONMENT_CAP} */
  readonly maxEnvironments?: number;
  /** Lambda's account concurrency, the limit of a function that reserves none. @default 1000 */
  readonly accountConcurrency?: number;
  /** A queued invocation older than this is dropped unstarted (the integration timeout). @default 29000 */
  readonly maxQueueWaitMs?: number;
  /** Monotonic clock of the queue. @default performance.now */
  readonly nowMs?: () => number;
  /** @default {@link DEFAULT_IDLE_TIMEOUT_MS} */
  readonly idleTimeoutMs?: number;
  /** @default 10000 (Lambda's on-demand init limit) */
  readonly initTimeoutMs?: number;
  /** The Node.js binary environments run on. @default the host's node */
  readonly nodePath?: string;
}

/** One process check made by `shutdown()`. */
export interface ProcessCheck {
  readonly pid: number;
  readonly logStreamName: string;
  /** True when `process.kill(pid, 0)` reports no such process. */
  readonly gone: boolean;
  /** The environment's private temp directory (its /tmp). */
  readonly tmpDir: string;
  /** True when that directory no longer exists. */
  readonly tmpDirGone: boolean;
}

/** The pool's environments as seen from outside (tests, reports). */
export interface EnvironmentInfo {
  readonly pid: number;
  readonly logStreamName: string;
  readonly state: string;
  /** Its private temp directory (its /tmp). */
  readonly tmpDir: string;
}

/** An invocation waiting for the local cap. */
interface Waiting {
  readonly request: InvocationRequest;
  readonly resolve: (outcome: Promise<InvocationOutcome>) => void;
  readonly reject: (error: unknown) => void;
}

export class RuntimePool {
  /** Lambda's limit: reserved concurrency, else the account's. */
  readonly concurrencyLimit: number;
  readonly limitSource: ConcurrencyLimitSource;
  /** This machine's cap on environments. */
  readonly maxEnvironments: number;
  private readonly queue: WaitQueue<Waiting>;
  private throttled = 0;
  private peakEnvironments = 0;
  private readonly idleTimeoutMs: number;
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly live = new Set<ExecutionEnvironment>();
  /** Every environment ever started, so shutdown can check each pid. */
  private readonly started: ExecutionEnvironment[] = [];
  private readonly timer: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly options: RuntimePoolOptions) {
    const limit = concurrencyLimitOf(options.fn.reservedConcurrency, options.accountConcurrency);
    this.concurrencyLimit = limit.limit;
    this.limitSource = limit.source;
    this.maxEnvironments = options.maxEnvironments ?? DEFAULT_ENVIRONMENT_CAP;
    this.queue = new WaitQueue(options.nowMs ?? (() => performance.now()), options.maxQueueWaitMs ?? 29_000);
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.timer = setInterval(() => this.sweep(), Math.min(FLUSH_INTERVAL_MS, Math.max(10, this.idleTimeoutMs / 2)));
    this.timer.unref();
  }

  /** Environments that exist now (initializing, idle or busy). */
  get environments(): EnvironmentInfo[] {
    return [...this.live].map((env) => ({
      pid: env.pid,
      logStreamName: env.logStreamName,
      state: env.state,
      tmpDir: env.tmpDir,
    }));
  }

  /** Pids of every environment started so far, alive or not. */
  get startedPids(): number[] {
    return this.started.map((env) => env.pid);
  }

  /** What the pool did about concurrency so far. */
  get concurrency(): ConcurrencyStats {
    const queue = this.queue.stats();
    return {
      concurrencyLimit: this.concurrencyLimit,
      limitSource: this.limitSource,
      environmentCap: this.maxEnvironments,
      throttled: this.throttled,
      queued: queue.queued,
      maxQueueWaitMs: queue.maxWaitMs,
      expiredInQueue: queue.expired,
      peakEnvironments: this.peakEnvironments,
    };
  }

  /**
   * Runs one invocation; returns `throttled` at once when Lambda's limit is reached (API Gateway answers 500,
   * docs/aws-behaviour.md#lambda-throttling-behind-api-gateway). Past this machine's cap on environments the
   * invocation waits for one, which AWS would not make it do: {@link concurrency} counts those waits.
   */
  invoke(request: InvocationRequest): Promise<InvocationOutcome> | 'throttled' {
    if (this.closing) return 'throttled';
    let env = this.idle.pop();
    // An environment discarded while idle (a broken output stream) waits in the list for its exit.
    while (env && env.state !== 'idle') env = this.idle.pop();
    if (env) return this.run(env, request);
    const admission = admit({
      idle: 0,
      live: this.live.size,
      queued: this.queue.length,
      concurrencyLimit: this.concurrencyLimit,
      environmentCap: this.maxEnvironments,
    });
    if (admission === 'throttle') {
      this.throttled++;
      return 'throttled';
    }
    if (admission !== 'queue') return this.run(this.startEnvironment(), request);
    return new Promise<InvocationOutcome>((resolve, reject) => this.queue.push({ request, resolve, reject }));
  }

  private run(env: ExecutionEnvironment, request: InvocationRequest): Promise<InvocationOutcome> {
    return env.invoke(request).then((outcome) => {
      if (env.state === 'idle' && !this.closing) this.release(env);
      return outcome;
    });
  }

  /** A free environment serves the oldest waiting invocation first, else goes back to the idle list. */
  private release(env: ExecutionEnvironment): void {
    const next = this.queue.shift();
    if (next) next.resolve(this.run(env, next.request));
    else this.idle.push(env);
  }

  /** An environment ended: a waiting invocation gets a new one in its place. */
  private replaceForQueue(): void {
    if (this.closing || this.live.size >= this.maxEnvironments) return;
    const next = this.queue.shift();
    if (!next) return;
    try {
      next.resolve(this.run(this.startEnvironment(), next.request));
    } catch (error) {
      next.reject(error);
    }
  }

  private startEnvironment(): ExecutionEnvironment {
    const env = new ExecutionEnvironment({
      fn: this.options.fn,
      region: this.options.region,
      accountId: this.options.accountId,
      logDir: this.options.logDir,
      logMonitor: this.options.logMonitor,
      logFileSystem: this.options.logFileSystem,
      initTimeoutMs: this.options.initTimeoutMs,
      nodePath: this.options.nodePath,
      onExit: (gone) => this.forget(gone),
    });
    this.live.add(env);
    this.started.push(env);
    this.peakEnvironments = Math.max(this.peakEnvironments, this.live.size);
    return env;
  }

  private forget(env: ExecutionEnvironment): void {
    this.live.delete(env);
    const index = this.idle.indexOf(env);
    if (index !== -1) this.idle.splice(index, 1);
    env.closeLog();
    this.replaceForQueue();
  }

  private sweep(): void {
    const nowMs = Date.now();
    for (const env of this.live) {
      env.flushLog();
      if (env.state === 'idle' && nowMs - env.lastUsedAtMs >= this.idleTimeoutMs) {
        const index = this.idle.indexOf(env);
        if (index !== -1) this.idle.splice(index, 1);
        env.state = 'dead';
        env.kill();
      }
    }
  }

  /**
   * Ends every environment (busy ones too), waits for each process to exit, then checks every pid ever
   * started with `process.kill(pid, 0)`. Idempotent.
   */
  async shutdown(): Promise<ProcessCheck[]> {
    this.closing = true;
    clearInterval(this.timer);
    this.idle.length = 0;
    for (const waiting of this.queue.drain()) waiting.reject(new Error('the emulator is shutting down'));
    const all = [...this.started];
    for (const env of all) env.kill();
    await Promise.all(all.map((env) => env.exited));
    return all.map((env) => ({
      pid: env.pid,
      logStreamName: env.logStreamName,
      gone: !processExists(env.pid),
      tmpDir: env.tmpDir,
      tmpDirGone: !fs.existsSync(env.tmpDir),
    }));
  }
}

/** True when a process with this pid exists (signal 0 probes without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
