import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_EVENT_BYTES } from '../logstore/event-size.js';
import { type LogFileSystem, type LogStoreMonitor, LogStreamWriter } from '../logstore/writer.js';
import type { FunctionConfig } from './config.js';
import { newLogStreamName } from './ids.js';
import { endLine, initStartLine, reportLine, runtimeExitLine, startLine } from './platform-lines.js';
import { descendantsRssKb, lambdaEnvironment, processTreeRssKb, runtimeNodeFlags } from './sandbox.js';

/**
 * One Lambda execution environment: a child process running `runtime-worker.mjs` under plain node, its
 * own log stream, one invocation at a time. It writes the platform lines (INIT_START, START, END, REPORT)
 * around the function's own output and flushes them to the store before an invocation's outcome resolves.
 */

const WORKER_PATH = fileURLToPath(new URL('./runtime-worker.mjs', import.meta.url));
/** Stands for Lambda's `/var/runtime` (`LAMBDA_RUNTIME_DIR`). */
const RUNTIME_DIR = path.dirname(WORKER_PATH);

/** Prefix of each environment's private temp directory in the host's temp directory. */
export const ENVIRONMENT_TMP_PREFIX = 'rda-lambda-tmp-';

// While an environment initializes or runs an invocation, its processes' memory is read this often (two
// small /proc reads per process, ~20 µs): a function allocating 1 GB/s passes its limit by at most ~20 MB
// before it is killed. Short invocations are checked once, at their end, from the worker's own peak.
const MEMORY_CHECK_INTERVAL_MS = 20;

// Lambda's on-demand init phase may take up to 10 s before the environment is given up.
const DEFAULT_INIT_TIMEOUT_MS = 10_000;

// A log line with more characters than an event holds bytes is stored truncated as soon as it is that long,
// and the rest of it is dropped as it arrives (docs/aws-behaviour.md#log-event-size): a function that never
// writes a newline cannot make the emulator hold an unbounded string.
const MAX_LOG_LINE_CHARS = MAX_EVENT_BYTES;
// No control frame is this long (a result is at most Lambda's 6 MB payload): a longer one is garbage.
const MAX_FRAME_CHARS = 64 * 1024 * 1024;

/** How an invocation ended. `payload` is the function's JSON result (ok) or error payload (error). */
export type InvocationOutcome =
  | { readonly kind: 'ok'; readonly payload: string }
  | { readonly kind: 'error'; readonly payload: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'crash'; readonly exitCode: number | null; readonly signal: string | null };

/** One invocation as the runtime receives it. */
export interface InvocationRequest {
  /** Lambda's request id (`context.awsRequestId`), not API Gateway's. */
  readonly awsRequestId: string;
  /** Value for `_X_AMZN_TRACE_ID`. */
  readonly traceHeader: string;
  readonly eventJson: string;
}

/** What an environment needs besides the function's settings. */
export interface EnvironmentOptions {
  readonly fn: FunctionConfig;
  readonly region: string;
  readonly accountId: string;
  readonly logDir: string;
  /** Counts log events the store could not write. */
  readonly logMonitor?: LogStoreMonitor;
  /** @default node:fs (a seam for disk-failure tests) */
  readonly logFileSystem?: LogFileSystem;
  /** @default 10000 */
  readonly initTimeoutMs?: number;
  /** The Node.js binary of the function's runtime (node-runtime.ts). @default the host's node */
  readonly nodePath?: string;
  /** Called once when the process has exited (for any reason). */
  readonly onExit?: (env: ExecutionEnvironment) => void;
}

export type EnvironmentState = 'initializing' | 'idle' | 'busy' | 'dead';

interface Active {
  readonly request: InvocationRequest;
  readonly startedAtPerfMs: number;
  readonly initDurationMs: number | undefined;
  readonly resolve: (outcome: InvocationOutcome) => void;
  timedOut: boolean;
}

/** A started environment; `ready` settles when init finished (or failed). */
export class ExecutionEnvironment {
  readonly logStreamName: string;
  readonly pid: number;
  readonly createdAtMs: number;
  readonly exited: Promise<void>;
  /** The environment's private temp directory (TMPDIR), removed when the process has exited. */
  readonly tmpDir: string;
  state: EnvironmentState = 'initializing';
  lastUsedAtMs: number;
  /** Measured from spawn to "handler loaded"; reported once, on the first invocation. */
  initDurationMs: number | undefined;
  private initReported = false;
  private readonly child: ChildProcess;
  private readonly writer: LogStreamWriter;
  private readonly functionArn: string;
  private readonly spawnedAt: number;
  private partial = '';
  /** The line being read was already stored, truncated: the rest of it, up to its newline, is dropped. */
  private partialContinues = false;
  /** `partial` is the start of a control frame (decided once: reading it again would flatten the string). */
  private partialIsFrame = false;
  /** The worker's stdout broke the protocol: the environment is being discarded, its output ignored. */
  private protocolBroken = false;
  private active: Active | undefined;
  private queued: { request: InvocationRequest; resolve: (outcome: InvocationOutcome) => void } | undefined;
  private maxRssKb = 0;
  /** The processes passed the memory size and were killed: the invocation fails with Runtime.OutOfMemory. */
  private outOfMemory = false;
  private memoryTimer: NodeJS.Timeout | undefined;
  private readonly readyWaiters: ((ok: boolean) => void)[] = [];
  private initTimer: NodeJS.Timeout | undefined;
  private functionTimer: NodeJS.Timeout | undefined;
  /** The stdin pipe's fd for direct writes; undefined once the stream has taken over. */
  private stdinFd: number | undefined;
  private exitInfo: { code: number | null; signal: string | null } | undefined;

  constructor(private readonly options: EnvironmentOptions) {
    const { fn } = options;
    this.createdAtMs = Date.now();
    this.lastUsedAtMs = this.createdAtMs;
    this.logStreamName = newLogStreamName(this.createdAtMs);
    this.functionArn = `arn:aws:lambda:${options.region}:${options.accountId}:function:${fn.functionName}`;
    this.writer = new LogStreamWriter(options.logDir, fn.logGroupName, this.logStreamName, {
      fileSystem: options.logFileSystem,
      monitor: options.logMonitor,
    });
    this.writer.add(this.createdAtMs, initStartLine(fn.runtime, options.region));
    this.writer.flush();
    this.spawnedAt = performance.now();
    // Lambda's /tmp is private to the environment: here a fresh directory, removed when the process exits.
    try {
      this.tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), ENVIRONMENT_TMP_PREFIX));
    } catch (error) {
      this.writer.close();
      throw error;
    }
    const nodePath = options.nodePath ?? process.execPath;
    // `2>&1` through sh (which then execs node, keeping the pid): stderr shares stdout's pipe, so every
    // line the function writes, on either stream, arrives in order and before its result frame. Node flags
    // go before the worker path, as Lambda's bootstrap passes them. The last argument is this process's
    // pid: the worker's watchdog ends the environment once it has another parent.
    const nodeFlags = runtimeNodeFlags(fn.memorySizeMb, fn.environment.NODE_OPTIONS);
    this.child = spawn(
      '/bin/sh',
      ['-c', 'exec "$0" "$@" 2>&1', nodePath, ...nodeFlags, WORKER_PATH, String(process.pid)],
      {
        cwd: fn.codeDir,
        env: lambdaEnvironment(fn, {
          region: options.region,
          logStreamName: this.logStreamName,
          nodePath,
          runtimeDir: RUNTIME_DIR,
          tmpDir: this.tmpDir,
        }),
        stdio: ['pipe', 'pipe', 'ignore'],
        // Own process group, so destroy can kill whatever the function itself started.
        detached: true,
      },
    );
    // A failed spawn is reported on 'error' as well as by the missing pid: without a listener it would throw.
    this.child.on('error', () => {});
    if (this.child.pid === undefined) {
      this.writer.close();
      removeTmpDir(this.tmpDir);
      throw new Error(`could not start a node process for '${fn.functionName}'`);
    }
    this.pid = this.child.pid;
    // node keeps the pipe's fd on its handle; not a public API, hence the fallback to the stream.
    const fd = (this.child.stdin as unknown as { _handle?: { fd?: number } })._handle?.fd;
    this.stdinFd = typeof fd === 'number' && fd >= 0 ? fd : undefined;
    this.child.stdin!.on('error', () => {
      // EPIPE after the worker died: the exit handler reports it.
    });
    // Once node closes the pipe its fd number may be reused: never write to it directly again.
    this.child.stdin!.on('close', () => {
      this.stdinFd = undefined;
    });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => this.onData(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        // Let the pipe deliver what the process wrote before it died, but do not wait on a grandchild
        // that may still hold it open.
        const done = () => {
          clearTimeout(grace);
          this.onExit();
          resolve();
        };
        const grace = setTimeout(done, 100);
        if (this.child.stdout!.readableEnded) done();
        else this.child.stdout!.once('end', done);
      });
    });
    this.initTimer = setTimeout(() => this.kill(), options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS);
    this.memoryTimer = setTimeout(() => this.checkMemory(), MEMORY_CHECK_INTERVAL_MS);
    this.memoryTimer.unref();
  }

  /** Resolves true once the handler is loaded, false if the environment died first. */
  ready(): Promise<boolean> {
    if (this.state !== 'initializing') return Promise.resolve(this.state !== 'dead');
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /**
   * Runs one invocation. On a cold environment it starts as soon as init finishes; the function timeout
   * counts from then, as Lambda's does.
   */
  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    return new Promise((resolve) => {
      if (this.state === 'initializing') {
        this.queued = { request, resolve };
        return;
      }
      this.dispatch(request, resolve);
    });
  }

  private dispatch(request: InvocationRequest, resolve: (outcome: InvocationOutcome) => void): void {
    const nowMs = Date.now();
    const initDurationMs = this.initReported ? undefined : this.initDurationMs;
    this.initReported = true;
    const active: Active = {
      request,
      startedAtPerfMs: performance.now(),
      initDurationMs,
      resolve,
      timedOut: false,
    };
    this.active = active;
    this.writer.add(nowMs, startLine(request.awsRequestId));
    if (this.exitInfo) {
      // Init failed: the invocation fails the way a runtime exit does.
      this.finishCrash();
      return;
    }
    this.state = 'busy';
    const timeoutMs = this.options.fn.timeoutSeconds * 1000;
    // One timer per environment, re-armed per invocation (cheaper than a new one each time); when it
    // fires, whatever is active then was dispatched a full timeout ago.
    if (this.functionTimer) this.functionTimer.refresh();
    else this.functionTimer = setTimeout(() => this.onTimeout(), timeoutMs);
    this.memoryTimer?.refresh();
    const deadlineMs = nowMs + timeoutMs;
    this.send(
      `${deadlineMs}\t${request.awsRequestId}\t${request.traceHeader}\t${this.functionArn}\t${request.eventJson}\n`,
    );
  }

  /**
   * Writes one frame to the worker's stdin. A synchronous write on the pipe's fd skips the stream
   * machinery (~10 % of the emulator's CPU per request); if the pipe is ever full, the stream takes
   * over for good so frames stay in order.
   */
  private send(frame: string): void {
    if (this.stdinFd !== undefined) {
      try {
        const written = fs.writeSync(this.stdinFd, frame);
        if (written === Buffer.byteLength(frame)) return;
        this.stdinFd = undefined;
        this.child.stdin!.write(Buffer.from(frame).subarray(written));
        return;
      } catch (error) {
        this.stdinFd = undefined;
        // EPIPE and friends: the worker is gone and its exit handler reports it.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      }
    }
    this.child.stdin!.write(frame);
  }

  /** Samples the memory of the environment's processes while it initializes or runs an invocation. */
  private checkMemory(): void {
    if (this.exitInfo || (this.state !== 'busy' && this.state !== 'initializing')) return;
    if (this.exceedsMemory(processTreeRssKb(this.pid))) return;
    this.memoryTimer?.refresh();
  }

  /**
   * Records a memory reading (KiB, the worker and what it started); past the memory size the environment is
   * killed as Lambda kills it, and true is returned. The exit then fails the invocation (or init) with
   * Runtime.OutOfMemory.
   */
  private exceedsMemory(rssKb: number): boolean {
    this.maxRssKb = Math.max(this.maxRssKb, rssKb);
    if (rssKb <= this.options.fn.memorySizeMb * 1024) return false;
    this.outOfMemory = true;
    this.kill();
    return true;
  }

  /** Kills the process group (the worker and anything it started). Safe to call repeatedly. */
  kill(): void {
    if (this.exitInfo) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  /** Closes the log stream file; call after the process has exited. */
  closeLog(): void {
    this.writer.close();
  }

  /** Writes queued log events now (the pool calls it periodically for long invocations). */
  flushLog(): void {
    this.writer.flush();
  }

  /**
   * Splits the worker's stdout into log lines and control frames (a line starting with NUL). Anything
   * that does not parse as a frame the worker writes means the stream can no longer be trusted: the
   * environment is discarded like a crashed runtime (README, "Bad function output").
   */
  private onData(chunk: string): void {
    if (this.protocolBroken) return;
    let newline = chunk.indexOf('\n');
    if (newline === -1) {
      if (this.partialContinues) return;
      // Only the new chunk is searched, so a long line costs linear time, not quadratic.
      if (this.partial.length === 0) this.partialIsFrame = !this.partialContinues && chunk.charCodeAt(0) === 0;
      this.partial += chunk;
      this.limitPartial();
      return;
    }
    const text = this.partial + chunk;
    newline += this.partial.length;
    let dropFirst = this.partialContinues;
    this.partialContinues = false;
    const nowMs = Date.now();
    let finished = false;
    let start = 0;
    while (newline !== -1) {
      const line = text.slice(start, newline);
      start = newline + 1;
      newline = text.indexOf('\n', start);
      if (dropFirst) {
        dropFirst = false;
        continue;
      }
      if (line.length === 0) continue;
      if (line.charCodeAt(0) !== 0) {
        this.writer.add(nowMs, line);
        continue;
      }
      const frame = this.onFrame(line, nowMs);
      if (frame === 'malformed') {
        this.breakProtocol();
        return;
      }
      if (frame === 'finished') finished = true;
    }
    this.partial = text.slice(start);
    this.partialIsFrame = this.partial.charCodeAt(0) === 0;
    this.limitPartial();
    if (!finished) this.writer.flush();
  }

  /** Stores an over-long unfinished line truncated (dropping the rest), or gives up on an over-long frame. */
  private limitPartial(): void {
    if (this.partial.length <= (this.partialIsFrame ? MAX_FRAME_CHARS : MAX_LOG_LINE_CHARS)) return;
    if (this.partialIsFrame) {
      this.breakProtocol();
      return;
    }
    this.writer.add(Date.now(), this.partial);
    this.partial = '';
    this.partialContinues = true;
  }

  /** Handles one control frame: `\0I`, `\0L` or `\0R` exactly as the worker writes them. */
  private onFrame(line: string, nowMs: number): 'handled' | 'finished' | 'malformed' {
    const type = line.charCodeAt(1);
    if (type === 0x4c /* L */) {
      let message: unknown;
      try {
        message = JSON.parse(line.slice(2));
      } catch {
        return 'malformed';
      }
      if (typeof message !== 'string') return 'malformed';
      this.writer.add(nowMs, message);
      return 'handled';
    }
    if (type === 0x52 /* R */) return this.onResult(line, nowMs);
    if (type === 0x49 /* I */) {
      // Init ends once; a second "ready" (or one after the process died) is not the worker speaking.
      if (this.state !== 'initializing' || this.exitInfo || !/^\0I\d+$/.test(line)) return 'malformed';
      // An init that passed the memory size fails (the queued invocation with it) once the process is gone.
      if (this.outOfMemory || this.exceedsMemory(Number(line.slice(2)) + descendantsRssKb(this.pid))) return 'handled';
      this.onReady();
      return 'handled';
    }
    return 'malformed';
  }

  /**
   * The stream broke the protocol (a function writing NUL-led lines past the worker, e.g. from a child
   * process, or garbage): kill the environment; its exit fails the invocation as a runtime crash does.
   */
  private breakProtocol(): void {
    this.protocolBroken = true;
    this.partial = '';
    this.writer.flush();
    // Not reused meanwhile; an initializing or busy environment keeps its state so the exit path
    // resolves its waiters and its invocation.
    if (this.state === 'idle') this.state = 'dead';
    this.kill();
  }

  private onReady(): void {
    clearTimeout(this.initTimer);
    this.initDurationMs = performance.now() - this.spawnedAt;
    this.state = 'idle';
    for (const waiter of this.readyWaiters.splice(0)) waiter(true);
    const queued = this.queued;
    if (queued) {
      this.queued = undefined;
      this.dispatch(queued.request, queued.resolve);
    }
  }

  /**
   * `\0R<durationMs>\t<maxRssKb>\t<0|1>\t<ok|err>\t<json>`: ends the active invocation. The third field is 1
   * when the function may have started processes (runtime-worker.mjs `mayHaveChildProcesses`).
   */
  private onResult(line: string, nowMs: number): 'handled' | 'finished' | 'malformed' {
    const active = this.active;
    // A result nobody waits for is not the worker's: it writes one per invocation it was sent.
    if (!active) return 'malformed';
    const t1 = line.indexOf('\t');
    const t2 = t1 === -1 ? -1 : line.indexOf('\t', t1 + 1);
    const t3 = t2 === -1 ? -1 : line.indexOf('\t', t2 + 1);
    const t4 = t3 === -1 ? -1 : line.indexOf('\t', t3 + 1);
    if (t4 === -1) return 'malformed';
    const durationMs = Number(line.slice(2, t1));
    const rssKb = Number(line.slice(t1 + 1, t2));
    const children = line.slice(t2 + 1, t3);
    const status = line.slice(t3 + 1, t4);
    if (t1 === 2 || !(durationMs >= 0) || !Number.isFinite(durationMs) || !Number.isInteger(rssKb) || rssKb < 0)
      return 'malformed';
    if ((children !== '0' && children !== '1') || (status !== 'ok' && status !== 'err')) return 'malformed';
    // The worker's late answer after the deadline (or past its memory): the environment is being killed.
    if (active.timedOut || this.outOfMemory) return 'handled';
    // The end-of-invocation check: the worker's own peak (free, it is in the frame) plus what it started,
    // read from /proc only when it may have started something (three syscalls, ~8 % of this process's CPU
    // per request otherwise).
    const childrenRssKb = children === '1' ? descendantsRssKb(this.pid) : 0;
    if (this.exceedsMemory(rssKb + childrenRssKb)) return 'handled';
    const payload = line.slice(t4 + 1);
    this.active = undefined;
    this.writer.add(nowMs, endLine(active.request.awsRequestId));
    this.writer.add(
      nowMs,
      reportLine({
        requestId: active.request.awsRequestId,
        durationMs,
        memorySizeMb: this.options.fn.memorySizeMb,
        maxMemoryUsedMb: this.maxMemoryUsedMb(),
        initDurationMs: active.initDurationMs,
      }),
    );
    this.writer.flush();
    this.state = 'idle';
    this.lastUsedAtMs = nowMs;
    active.resolve({ kind: status === 'ok' ? 'ok' : 'error', payload });
    return 'finished';
  }

  private onTimeout(): void {
    const active = this.active;
    // Killed for its memory already: that, not the deadline, is how the invocation ends.
    if (!active || active.timedOut || this.outOfMemory) return;
    active.timedOut = true;
    this.maxRssKb = Math.max(this.maxRssKb, peakRssKb(this.pid));
    // Lambda stops the runtime at the deadline; the environment is not reused.
    this.state = 'dead';
    this.kill();
  }

  private onExit(): void {
    clearTimeout(this.initTimer);
    clearTimeout(this.functionTimer);
    clearTimeout(this.memoryTimer);
    removeTmpDir(this.tmpDir);
    if (this.partial.length > 0) {
      this.writer.add(Date.now(), this.partial);
      this.partial = '';
    }
    this.partialContinues = false;
    const wasInitializing = this.state === 'initializing';
    this.state = 'dead';
    if (wasInitializing) {
      this.initDurationMs = performance.now() - this.spawnedAt;
      for (const waiter of this.readyWaiters.splice(0)) waiter(false);
      const queued = this.queued;
      if (queued) {
        this.queued = undefined;
        this.dispatch(queued.request, queued.resolve);
      }
    }
    const active = this.active;
    if (active?.timedOut) {
      this.active = undefined;
      const nowMs = Date.now();
      this.writer.add(nowMs, endLine(active.request.awsRequestId));
      this.writer.add(
        nowMs,
        reportLine({
          requestId: active.request.awsRequestId,
          // On a timeout Lambda reports the configured timeout as Duration (docs/aws-behaviour.md#lambda-report-line).
          durationMs: this.options.fn.timeoutSeconds * 1000,
          memorySizeMb: this.options.fn.memorySizeMb,
          maxMemoryUsedMb: this.maxMemoryUsedMb(),
          initDurationMs: active.initDurationMs,
          status: { kind: 'timeout' },
        }),
      );
      this.writer.flush();
      active.resolve({ kind: 'timeout' });
    } else if (active) {
      this.finishCrash();
    } else {
      this.writer.flush();
    }
    this.options.onExit?.(this);
  }

  private finishCrash(): void {
    const active = this.active;
    if (!active || !this.exitInfo) return;
    clearTimeout(this.functionTimer);
    this.active = undefined;
    const nowMs = Date.now();
    const { code, signal } = this.exitInfo;
    this.writer.add(nowMs, runtimeExitLine(active.request.awsRequestId, code, signal));
    // The REPORT of an environment killed for its memory names Runtime.OutOfMemory (README, "Memory").
    const errorType = this.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
    this.writer.add(nowMs, endLine(active.request.awsRequestId));
    this.writer.add(
      nowMs,
      reportLine({
        requestId: active.request.awsRequestId,
        durationMs: performance.now() - active.startedAtPerfMs,
        memorySizeMb: this.options.fn.memorySizeMb,
        maxMemoryUsedMb: this.maxMemoryUsedMb(),
        initDurationMs: active.initDurationMs,
        status: { kind: 'error', errorType },
      }),
    );
    this.writer.flush();
    active.resolve({ kind: 'crash', exitCode: code, signal });
  }

  /** Peak memory in MB, never above the memory size (Lambda kills an environment that gets there). */
  private maxMemoryUsedMb(): number {
    return Math.min(this.options.fn.memorySizeMb, Math.max(1, Math.round(this.maxRssKb / 1024)));
  }
}

/** Peak resident memory of a live process in KiB (`VmHWM`), 0 when it cannot be read. */
function peakRssKb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmHWM:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Removes an environment's temp directory; never throws (a failure shows in the shutdown check). */
function removeTmpDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // Reported by RuntimePool.shutdown as a directory still there.
  }
}
