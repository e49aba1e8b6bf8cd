import type { LogFileSystem, LogStoreMonitor } from '../logstore/writer.js';
import type { FunctionConfig } from './config.js';
import { ExecutionEnvironment, type InvocationOutcome, type InvocationRequest } from './execution-environment.js';

/**
 * Lambda's scaling for one function: one invocation per environment, idle environments reused (most
 * recently used first), a new environment (a cold start) when none is idle, a concurrency limit, and
 * idle environments recycled after a while.
 */

/**
 * Concurrency limit when the function reserves none. Each environment is a node process (~40 MB) and a
 * cold start costs ~60 ms of a core; 10 concurrent invocations keep a 2-core machine responsive while
 * covering autocannon's default 10 connections.
 */
export const DEFAULT_MAX_CONCURRENCY = 10;

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
  /** @default the function's reserved concurrency, else {@link DEFAULT_MAX_CONCURRENCY} */
  readonly maxConcurrency?: number;
  /** @default {@link DEFAULT_IDLE_TIMEOUT_MS} */
  readonly idleTimeoutMs?: number;
  /** @default 10000 (Lambda's on-demand init limit) */
  readonly initTimeoutMs?: number;
}

/** One process check made by `shutdown()`. */
export interface ProcessCheck {
  readonly pid: number;
  readonly logStreamName: string;
  /** True when `process.kill(pid, 0)` reports no such process. */
  readonly gone: boolean;
}

/** The pool's environments as seen from outside (tests, reports). */
export interface EnvironmentInfo {
  readonly pid: number;
  readonly logStreamName: string;
  readonly state: string;
}

export class RuntimePool {
  readonly maxConcurrency: number;
  private readonly idleTimeoutMs: number;
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly live = new Set<ExecutionEnvironment>();
  /** Every environment ever started, so shutdown can check each pid. */
  private readonly started: ExecutionEnvironment[] = [];
  private readonly timer: NodeJS.Timeout;
  private closing = false;

  constructor(private readonly options: RuntimePoolOptions) {
    this.maxConcurrency = options.maxConcurrency ?? options.fn.reservedConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.timer = setInterval(() => this.sweep(), Math.min(FLUSH_INTERVAL_MS, Math.max(10, this.idleTimeoutMs / 2)));
    this.timer.unref();
  }

  /** Environments that exist now (initializing, idle or busy). */
  get environments(): EnvironmentInfo[] {
    return [...this.live].map((env) => ({ pid: env.pid, logStreamName: env.logStreamName, state: env.state }));
  }

  /** Pids of every environment started so far, alive or not. */
  get startedPids(): number[] {
    return this.started.map((env) => env.pid);
  }

  /**
   * Runs one invocation, or returns `throttled` at once when every allowed environment is busy (API
   * Gateway then answers 429 here; on AWS a Lambda throttle is a 500, see docs/aws-behaviour.md#lambda-throttling-behind-api-gateway).
   */
  invoke(request: InvocationRequest): Promise<InvocationOutcome> | 'throttled' {
    if (this.closing) return 'throttled';
    let env = this.idle.pop();
    // An environment discarded while idle (a broken output stream) waits in the list for its exit.
    while (env && env.state !== 'idle') env = this.idle.pop();
    if (!env) {
      if (this.live.size >= this.maxConcurrency) return 'throttled';
      env = this.startEnvironment();
    }
    return env.invoke(request).then((outcome) => {
      if (env.state === 'idle' && !this.closing) this.idle.push(env);
      return outcome;
    });
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
      onExit: (gone) => this.forget(gone),
    });
    this.live.add(env);
    this.started.push(env);
    return env;
  }

  private forget(env: ExecutionEnvironment): void {
    this.live.delete(env);
    const index = this.idle.indexOf(env);
    if (index !== -1) this.idle.splice(index, 1);
    env.closeLog();
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
    const all = [...this.started];
    for (const env of all) env.kill();
    await Promise.all(all.map((env) => env.exited));
    return all.map((env) => ({ pid: env.pid, logStreamName: env.logStreamName, gone: !processExists(env.pid) }));
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
