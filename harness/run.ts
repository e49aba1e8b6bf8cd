/**
 * The bench pipeline: deploy → load → correlate → destroy (always) → judge → report. `run()` reads top to
 * bottom; {@link RunSession} keeps the bookkeeping (manifest, phases, progress, signals) out of its way.
 */
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { emulatorDoubts, emulatorFaults, emulatorMarks, nodeMismatchText } from './check/emulator-limits.js';
import { measureRun, type RunMeasurements } from './check/measure.js';
import { exitCodeFor, type MeasuredOutcome, type PhaseName } from './check/outcome.js';
import { decideVerdict, evaluateSlos, type SloResult } from './check/slo.js';
import { type CorrelationResult, correlate } from './correlate/correlate.js';
import { abortError, ExitCode, HarnessError, InfraError, InterruptedError } from './errors.js';
import { type LoadProgress, type LoadResult, runLoad } from './load/load.js';
import { ManifestWriter, type RunManifest } from './manifest.js';
import type { RunOptions } from './options.js';
import { buildReport, type DestroyOutcome, type PhaseRecord, type RunReport } from './report/model.js';
import type { Progress } from './report/progress.js';
import { type ReportPaths, writeReport } from './report/write.js';
import type { Deployment, DestroyReport, EmulatorFacts, Target } from './target/target.js';

/** What `run()` needs from its surroundings. */
export interface RunDependencies {
  readonly target: Target;
  /** Aborted on SIGINT/SIGTERM/SIGHUP: load stops at once, cleanup still runs. */
  readonly signal: AbortSignal;
  /** Where `.rda/runs/` and a relative report dir live. */
  readonly cwd: string;
  readonly progress: Progress;
  /** `GITHUB_STEP_SUMMARY` is read from here. @default {} */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The command that finishes this run's cleanup by hand (recorded in the manifest). @default the target's */
  readonly cleanupCommand?: string;
  /** Told the command that finishes this run's cleanup, once the manifest names it. @default ignored */
  readonly setCleanupHint?: (command: string | undefined) => void;
  /** Where the run's scratch directory is made. @default os.tmpdir() */
  readonly scratchParent?: string;
  /** The commit under test. @default `git rev-parse HEAD` in cwd, else 'unknown' */
  readonly commit?: () => Promise<string>;
  /** Awaited at the start of each phase; the signal tests use it to hold a phase open. */
  readonly beforePhase?: (phase: PhaseName, signal: AbortSignal) => Promise<void>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** How the run ended and where its report is. */
export interface RunResult {
  readonly outcome: MeasuredOutcome;
  readonly exitCode: number;
  readonly report: RunReport;
  readonly paths: ReportPaths;
  readonly manifestPath: string;
}

/**
 * Runs one benchmark. Never throws for a failed SLO, a failed phase or a signal: those end in the outcome,
 * and a report is written for every run.
 *
 * @example
 * const result = await run(parseBenchOptions(args, context), { target, signal, cwd, progress, cleanupCommand });
 * process.exitCode = result.exitCode;
 */
export async function run(options: RunOptions, deps: RunDependencies): Promise<RunResult> {
  const session = await RunSession.open(options, deps); // the manifest is on disk before anything exists
  let deployment: Deployment | undefined;
  let load: LoadResult | undefined;
  let correlation: CorrelationResult | undefined;
  try {
    deployment = await session.phase('deploy', (signal) =>
      deps.target.deploy({
        runId: options.runId,
        context: options.stackContext,
        signal,
        log: session.info,
        scratchDir: session.scratchDir,
      }),
    );
    await session.deployed(deployment);
    // --api-url (a custom domain in front of the stage) replaces the stack's own invoke URL for the load only.
    const baseUrl = options.apiUrl ?? deployment.baseUrl;
    load = await session.phase('load', (signal) => runLoad(baseUrl, options.load, signal, session.loadTick));
    const [logs, measured] = [deployment, load];
    correlation = await session.phase('correlate', (signal) =>
      correlate(logs, measured, {
        sample: options.sample,
        logsTimeoutMs: options.logsTimeoutMs,
        requestTimeoutMs: options.load.requestTimeoutMs,
        signal,
        onProgress: session.info,
      }),
    );
  } catch (error) {
    session.fail(error);
  } finally {
    await session.destroy(deployment);
  }
  try {
    return await session.report(load, correlation);
  } finally {
    await session.release();
  }
}

/** The bookkeeping of one run: manifest, phase records, progress lines, the failure if any. */
class RunSession {
  private readonly phases: PhaseRecord[] = [];
  private failure: { readonly error: HarnessError; readonly phase: PhaseName } | undefined;
  private destroyOutcome: DestroyOutcome = { kind: 'nothing-deployed' };
  private deployment: Deployment | undefined;
  private readonly warnings: string[] = [];
  /** The deployment's own faults, read just before it is destroyed. */
  private faults: readonly string[] = [];
  /** The local emulator's Node.js and concurrency facts, read just before it is destroyed (none on AWS). */
  private emulator: EmulatorFacts | undefined;
  private readonly now: () => Date;
  private current: PhaseName = 'deploy';

  private constructor(
    private readonly options: RunOptions,
    private readonly deps: RunDependencies,
    private readonly manifest: ManifestWriter,
    private readonly startedAt: Date,
    private readonly commit: Promise<string>,
    /** Where the target puts its working files; removed when the run ends. */
    readonly scratchDir: string,
    private readonly cleanupCommand: string,
  ) {
    this.now = deps.now ?? (() => new Date());
  }

  static async open(options: RunOptions, deps: RunDependencies): Promise<RunSession> {
    const now = deps.now ?? (() => new Date());
    const startedAt = now();
    const cleanupCommand = deps.cleanupCommand ?? deps.target.cleanupCommand(options.runId);
    // Named before it exists and recorded first: a run killed at any instant leaves nothing unrecorded.
    const scratchDir = path.join(deps.scratchParent ?? os.tmpdir(), `rda-run-${options.runId}-${process.pid}`);
    const manifest = await ManifestWriter.create(deps.cwd, {
      runId: options.runId,
      stackName: options.stackName,
      target: options.target,
      region: options.region ?? null,
      createdAt: startedAt.toISOString(),
      expiresAt: options.expiresAt,
      creator: options.creator,
      pid: process.pid,
      cleanupCommand,
      status: 'running',
      phase: null,
      phases: [],
      deployment: null,
      logDir: options.local.logDir ?? null,
      pids: [],
      removePaths: [scratchDir],
      destroy: null,
      reportPath: null,
    });
    await rm(scratchDir, { recursive: true, force: true }); // a stale one of an earlier process with this pid
    await mkdir(scratchDir, { recursive: true, mode: 0o700 });
    deps.setCleanupHint?.(cleanupCommand);
    deps.progress.info(
      `run ${options.runId}: stack ${options.stackName} on ${options.target}; manifest ${manifest.path}`,
    );
    const commit = (deps.commit ?? (() => gitCommit(deps.cwd)))().catch(() => 'unknown');
    return new RunSession(options, deps, manifest, startedAt, commit, scratchDir, cleanupCommand);
  }

  /** Frees the run id (the manifest's lock); called once the report's update is the manifest's last. */
  release(): Promise<void> {
    return this.manifest.release();
  }

  /** Progress lines from the target and the correlation. */
  readonly info = (line: string): void => this.deps.progress.info(line);

  /** The load's live status line. */
  readonly loadTick: LoadProgress = (tick) => {
    const parts = [`load (${tick.phase})`];
    if ('elapsedSeconds' in tick) {
      parts.push(`${tick.elapsedSeconds.toFixed(0)}/${tick.plannedSeconds.toFixed(0)} s`);
    }
    parts.push(`sent ${tick.sent}`, `answered ${tick.completed}`);
    if ('errors' in tick) {
      parts.push(`in flight ${tick.inFlight}`, `errors ${tick.errors}`, `${tick.rateRps.toFixed(1)} req/s`);
      // Over the last second's responses and the ages of requests still in flight.
      if (Number.isFinite(tick.p50Ms)) parts.push(`p50 ${tick.p50Ms.toFixed(2)} ms`, `p99 ${tick.p99Ms.toFixed(2)} ms`);
    }
    this.deps.progress.live(parts.join('  '));
  };

  /**
   * Runs one phase: records it, holds it for the test hook, and turns a signal into InterruptedError. A
   * result that arrives after the signal is still returned (a deployment must reach destroy); the next
   * phase then refuses to start.
   */
  async phase<T>(name: PhaseName, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const { signal } = this.deps;
    if (signal.aborted) throw this.interrupted(name);
    this.current = name;
    const span = await this.startSpan(name);
    const end = (outcome: PhaseRecord['outcome'], detail?: string) => span.end(outcome, detail);
    try {
      await this.deps.beforePhase?.(name, signal);
      if (signal.aborted) throw this.interrupted(name);
      const result = await work(signal);
      // A signal that arrived while synchronous work blocked the event loop (CDK synthesis does) is only
      // delivered once the loop turns: let it, so it is blamed on this phase and not the next.
      await pendingSignalsDelivered();
      if (signal.aborted) {
        const failure = this.interrupted(name);
        await end('interrupted', failure.message);
        return result;
      }
      await end('done');
      return result;
    } catch (error) {
      // A Ctrl-C also reaches the phase's child processes (esbuild during synthesis), which may fail the
      // phase before our handler has run: let a pending signal be delivered before blaming the error.
      if (!signal.aborted) await pendingSignalsDelivered();
      const failure = signal.aborted ? this.interrupted(name) : asHarnessError(error, name);
      await end(failure instanceof InterruptedError ? 'interrupted' : 'failed', failure.message);
      this.failure ??= { error: failure, phase: name };
      throw failure;
    }
  }

  /**
   * Starts one timed step of the run (a phase, destroy or report): shown in the progress output, written to the
   * manifest as it starts and as it ends, and recorded for the report's phase table when it ends.
   */
  private async startSpan(name: PhaseName): Promise<Span> {
    const startedAt = this.now().toISOString();
    const startMs = performance.now();
    this.deps.progress.phaseStarted(name);
    await this.manifest.update((m) => ({ phase: name, phases: [...m.phases, { name, startedAt }] }));
    const record = (outcome: PhaseRecord['outcome'], detail?: string): PhaseRecord => ({
      name,
      startedAt,
      durationMs: performance.now() - startMs,
      outcome,
      ...(detail ? { detail } : {}),
    });
    return {
      preview: record,
      end: async (outcome, detail) => {
        const ended = record(outcome, detail);
        this.phases.push(ended);
        this.deps.progress.phaseEnded(name, outcome, ended.durationMs);
        await this.manifest.update((m) => ({
          phases: m.phases.map((p, i) =>
            i === m.phases.length - 1 ? { ...p, endedAt: this.now().toISOString(), outcome } : p,
          ),
          ...(this.deployment ? this.footprintFields(this.deployment) : {}),
        }));
        return ended;
      },
    };
  }

  /** The run's interruption, attributed to the first phase that saw the signal. */
  private interrupted(phase: PhaseName): HarnessError {
    this.failure ??= { error: abortError(this.deps.signal, phase), phase };
    return this.failure.error;
  }

  /** Records the deployment in the manifest, so an interrupted run says what to clean up. */
  async deployed(deployment: Deployment): Promise<void> {
    this.deployment = deployment;
    const node = deployment.emulatorFacts?.().nodeRuntime;
    // Said at once and loudly: every figure this run takes is on the wrong Node.js.
    if (node && !node.matches) this.deps.progress.warn(nodeMismatchText(node));
    await this.manifest.update(() => ({
      deployment: {
        baseUrl: deployment.baseUrl,
        logGroupName: deployment.logGroupName,
        functionName: deployment.functionName,
      },
      region: deployment.region,
      ...this.footprintFields(deployment),
    }));
  }

  /** The manifest fields that say what the deployment has on this machine. */
  private footprintFields(deployment: Deployment): Pick<RunManifest, 'pids' | 'removePaths' | 'logDir'> {
    const footprint = deployment.footprint();
    return {
      pids: [...footprint.processes],
      removePaths: [this.scratchDir, ...footprint.paths.filter((p) => !isInside(p, this.scratchDir))],
      logDir: footprint.logDir ?? this.manifest.manifest.logDir,
    };
  }

  /** Remembers the first failure (phase() already did for phase errors). */
  fail(error: unknown): void {
    this.failure ??= { error: asHarnessError(error, this.current), phase: this.current };
  }

  /** Destroys what was deployed (unless --keep), never throwing: a failure becomes the outcome. */
  async destroy(deployment: Deployment | undefined): Promise<void> {
    this.emulator = deployment?.emulatorFacts?.();
    this.faults = [...(deployment?.faults() ?? []), ...emulatorFaults(this.emulator)];
    for (const fault of this.faults) {
      this.warnings.push(fault);
      this.deps.progress.warn(fault);
    }
    for (const mark of emulatorMarks(this.emulator)) {
      this.warnings.push(mark.text);
      this.deps.progress.warn(mark.text);
    }
    if (!deployment || this.options.keep) {
      const scratch = await this.removeScratch();
      for (const leftover of scratch.leftovers) this.deps.progress.warn(`could not remove ${leftover}`);
      if (deployment) {
        const warning = `--keep: ${this.options.stackName} is left running; remove it with: ${this.cleanupCommand}`;
        this.warnings.push(warning);
        this.deps.progress.warn(warning);
        this.destroyOutcome = { kind: 'kept' };
      }
      const status = deployment ? 'kept' : scratch.leftovers.length > 0 ? 'destroy-failed' : 'nothing-deployed';
      await this.manifest.update(() => ({ status }));
      return;
    }
    const span = await this.startSpan('destroy');
    await this.deps.beforePhase?.('destroy', this.deps.signal).catch(() => undefined);
    let outcome: PhaseRecord['outcome'] = 'done';
    let detail: string | undefined;
    try {
      const report = withScratch(await deployment.destroy(), await this.removeScratch());
      this.destroyOutcome = { kind: 'destroyed', report };
      if (!report.verified) {
        outcome = 'failed';
        detail = `left over: ${report.leftovers.join('; ')}`;
        this.deps.progress.warn(`destroy could not verify that nothing is left: ${report.leftovers.join('; ')}`);
      }
      await this.manifest.update(() => ({
        status: report.verified ? 'destroyed' : 'destroy-failed',
        destroy: { verified: report.verified, leftovers: report.leftovers, at: this.now().toISOString() },
      }));
    } catch (error) {
      outcome = 'failed';
      detail = error instanceof Error ? error.message : String(error);
      this.destroyOutcome = { kind: 'failed', message: detail };
      this.deps.progress.warn(`destroy failed: ${detail}; finish it with: ${this.cleanupCommand}`);
      await this.manifest.update(() => ({ status: 'destroy-failed' }));
    }
    await span.end(outcome, detail);
  }

  /** Removes the run's scratch directory (what the target left there goes with it) and checks it is gone. */
  private async removeScratch(): Promise<{ checks: string[]; leftovers: string[] }> {
    const dir = this.scratchDir;
    try {
      await rm(dir, { recursive: true, force: true, maxRetries: 2 });
      return { checks: [`scratch directory ${dir}: removed`], leftovers: [] };
    } catch (error) {
      return { checks: [`scratch directory ${dir}: ${(error as Error).message}`], leftovers: [`directory ${dir}`] };
    }
  }

  /** Judges the run, writes its report (also for failed and interrupted runs) and returns the result. */
  async report(load: LoadResult | undefined, correlation: CorrelationResult | undefined): Promise<RunResult> {
    const measurements = load ? measureRun(load, correlation, this.options.target) : undefined;
    const judged = this.judge(load, measurements);
    const span = await this.startSpan('report');
    await this.deps.beforePhase?.('report', this.deps.signal).catch(() => undefined);
    let outcome = this.interruptedDuringReport(judged.outcome);
    const dir = path.resolve(this.deps.cwd, this.options.reportDir);
    const commit = await this.commit;
    const build = (o: MeasuredOutcome, phases: PhaseRecord[]) =>
      buildReport({
        options: this.options,
        facts: this.facts(commit),
        outcome: o,
        exitCode: exitCodeFor(o),
        phases,
        load,
        correlation,
        measurements,
        slos: o.kind === 'verdict' ? judged.slos : [],
        destroy: this.destroyOutcome,
        warnings: this.warnings,
        emulator: this.emulator,
      });
    // The report lists its own phase too, as it stands while the files are written.
    const reportOutcome = () => (outcome.kind === 'interrupted' && outcome.phase === 'report' ? 'interrupted' : 'done');
    const reportPhase = () => span.preview(reportOutcome());
    let report = build(outcome, [...this.phases, reportPhase()]);
    let paths = await writeReport(report, dir, this.deps.env ?? {});
    const late = this.interruptedDuringReport(outcome);
    if (late !== outcome) {
      // A signal arrived while the files were written: say so in them.
      outcome = late;
      report = build(outcome, [...this.phases, reportPhase()]);
      paths = await writeReport(report, dir, this.deps.env ?? {}, paths); // over this run's own files
    }
    await this.manifest.update(() => ({ reportPath: paths.markdown }));
    await span.end(reportOutcome());
    return { outcome, exitCode: exitCodeFor(outcome), report, paths, manifestPath: this.manifest.path };
  }

  private judge(
    load: LoadResult | undefined,
    measurements: RunMeasurements | undefined,
  ): { outcome: MeasuredOutcome; slos: SloResult[] } {
    const slos =
      load && measurements
        ? evaluateSlos(this.options.slos, measurements.metrics, {
            closedLoop: load.closedLoop,
            doubts: [...measurements.timing.doubts, ...emulatorDoubts(this.emulator)],
          })
        : [];
    if (this.failure) {
      const { error, phase } = this.failure;
      if (error instanceof InterruptedError)
        return { outcome: { kind: 'interrupted', signal: error.signal, phase }, slos };
      return {
        outcome: { kind: 'error', code: error.code, message: error.message, phase, exitCode: error.exitCode },
        slos,
      };
    }
    if (this.deps.signal.aborted) return { outcome: abortOutcome(this.deps.signal, 'destroy'), slos };
    const d = this.destroyOutcome;
    if (d.kind === 'failed' || (d.kind === 'destroyed' && !d.report.verified)) {
      const message = d.kind === 'failed' ? d.message : `left over: ${d.report.leftovers.join('; ')}`;
      return {
        outcome: { kind: 'error', code: 'DestroyFailed', message, phase: 'destroy', exitCode: ExitCode.Infrastructure },
        slos,
      };
    }
    if (!load || !measurements) {
      return {
        outcome: {
          kind: 'error',
          code: 'NoLoad',
          message: 'no load was measured',
          phase: 'load',
          exitCode: ExitCode.Infrastructure,
        },
        slos,
      };
    }
    const sentRatio = load.rates ? load.rates.sentRps / load.rates.targetRps : undefined;
    const achievedRatio = load.rates ? load.rates.achievedRps / load.rates.targetRps : undefined;
    const verdict = decideVerdict(slos, {
      responses: measurements.responses,
      sentRatio,
      achievedRatio,
      deploymentFaults: this.faults,
    });
    return { outcome: { kind: 'verdict', verdict: verdict.verdict, reasons: verdict.reasons }, slos };
  }

  private interruptedDuringReport(outcome: MeasuredOutcome): MeasuredOutcome {
    if (outcome.kind === 'interrupted' || !this.deps.signal.aborted) return outcome;
    if (outcome.kind === 'error' && this.deps.signal.reason instanceof HarnessError) return outcome;
    return abortOutcome(this.deps.signal, 'report');
  }

  private facts(commit: string) {
    const d = this.deployment;
    return {
      commit,
      startedAt: this.startedAt.toISOString(),
      endedAt: this.now().toISOString(),
      nodeVersion: process.version,
      baseUrl: this.options.apiUrl ?? d?.baseUrl,
      logGroupName: d?.logGroupName,
      region: d?.region ?? this.options.region,
      memorySizeMb: d?.memorySizeMb ?? this.options.memorySizeMb,
    };
  }
}

/** One timed step of the run, from {@link RunSession.startSpan}. */
interface Span {
  /** The record as it would be if the step ended now, without ending it. */
  preview(outcome: PhaseRecord['outcome'], detail?: string): PhaseRecord;
  /** Ends the step: records it, shows it, writes it to the manifest. */
  end(outcome: PhaseRecord['outcome'], detail?: string): Promise<PhaseRecord>;
}

/** A destroy report with the scratch directory's removal added. */
function withScratch(report: DestroyReport, scratch: { checks: string[]; leftovers: string[] }): DestroyReport {
  const leftovers = [...report.leftovers, ...scratch.leftovers];
  return { ...report, checks: [...report.checks, ...scratch.checks], leftovers, verified: leftovers.length === 0 };
}

/** True when `child` is `parent` or below it. */
function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The outcome of a run stopped by its abort signal: interrupted by a signal, or the error it was aborted with. */
function abortOutcome(signal: AbortSignal, phase: PhaseName): MeasuredOutcome {
  const error = abortError(signal, phase);
  if (error instanceof InterruptedError) return { kind: 'interrupted', signal: error.signal, phase };
  return { kind: 'error', code: error.code, message: error.message, phase, exitCode: error.exitCode };
}

/**
 * Resolves after the event loop has polled for I/O at least once: signal handlers run in the poll phase,
 * and when this is called from within it, a single setImmediate would resolve before the next poll.
 */
function pendingSignalsDelivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

function asHarnessError(error: unknown, phase: PhaseName): HarnessError {
  if (error instanceof HarnessError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new InfraError('PhaseFailed', `${phase} failed: ${message}`, { cause: error });
}

async function gitCommit(cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)('git', ['rev-parse', 'HEAD'], { cwd, timeout: 5_000 });
  return stdout.trim() || 'unknown';
}
