/**
 * The bench pipeline: deploy → load → correlate → destroy (always) → judge → report. `run()` reads top to
 * bottom; {@link RunSession} keeps the bookkeeping (manifest, phases, progress, signals) out of its way.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { type RunMeasurements, measureRun } from './check/measure.js';
import { exitCodeFor, type MeasuredOutcome, type PhaseName } from './check/outcome.js';
import { decideVerdict, evaluateSlos, type SloResult } from './check/slo.js';
import { type CorrelationResult, correlate } from './correlate/correlate.js';
import { ExitCode, HarnessError, InfraError, InterruptedError } from './errors.js';
import { type LoadProgress, type LoadResult, runLoad } from './load/load.js';
import { groupDirPath } from './insights/store.js';
import { ManifestWriter, setCleanupHint } from './manifest.js';
import type { RunOptions } from './options.js';
import { buildReport, type DestroyOutcome, type PhaseRecord, type RunReport } from './report/model.js';
import type { Progress } from './report/progress.js';
import { type ReportPaths, writeReport } from './report/write.js';
import type { Deployment, Target } from './target/target.js';

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
  /** The command that finishes this run's cleanup by hand (recorded in the manifest). */
  readonly cleanupCommand: string;
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
      deps.target.deploy({ runId: options.runId, context: options.stackContext, signal, log: session.info }),
    );
    await session.deployed(deployment);
    // --api-url (a custom domain in front of the stage) replaces the stack's own invoke URL for the load only.
    const baseUrl = options.apiUrl ?? deployment.baseUrl;
    load = await session.phase('load', (signal) => runLoad(baseUrl, options.load, signal, session.loadTick));
    const [logs, measured] = [deployment, load];
    correlation = await session.phase('correlate', (signal) =>
      correlate(logs, measured, { sample: options.sample, logsTimeoutMs: options.logsTimeoutMs, signal, onProgress: session.info }),
    );
  } catch (error) {
    session.fail(error);
  } finally {
    await session.destroy(deployment);
  }
  return session.report(load, correlation);
}

/** The bookkeeping of one run: manifest, phase records, progress lines, the failure if any. */
class RunSession {
  private readonly phases: PhaseRecord[] = [];
  private failure: { readonly error: HarnessError; readonly phase: PhaseName } | undefined;
  private destroyOutcome: DestroyOutcome = { kind: 'nothing-deployed' };
  private deployment: Deployment | undefined;
  private readonly warnings: string[] = [];
  private readonly now: () => Date;
  private cleanupCommand: string;
  private current: PhaseName = 'deploy';

  private constructor(
    private readonly options: RunOptions,
    private readonly deps: RunDependencies,
    private readonly manifest: ManifestWriter,
    private readonly startedAt: Date,
    private readonly commit: Promise<string>,
  ) {
    this.now = deps.now ?? (() => new Date());
    this.cleanupCommand = deps.cleanupCommand;
  }

  static async open(options: RunOptions, deps: RunDependencies): Promise<RunSession> {
    const now = deps.now ?? (() => new Date());
    const startedAt = now();
    const manifest = await ManifestWriter.create(deps.cwd, {
      runId: options.runId,
      stackName: options.stackName,
      target: options.target,
      region: options.region ?? null,
      createdAt: startedAt.toISOString(),
      expiresAt: options.expiresAt,
      creator: options.creator,
      pid: process.pid,
      cleanupCommand: deps.cleanupCommand,
      status: 'running',
      phase: null,
      phases: [],
      deployment: null,
      logDir: options.local.logDir ?? null,
      pids: [],
      destroy: null,
      reportPath: null,
    });
    deps.progress.info(`run ${options.runId}: stack ${options.stackName} on ${options.target}; manifest ${manifest.path}`);
    const commit = (deps.commit ?? (() => gitCommit(deps.cwd)))().catch(() => 'unknown');
    return new RunSession(options, deps, manifest, startedAt, commit);
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
      parts.push(`errors ${tick.errors}`, `${tick.rateRps.toFixed(1)} req/s`);
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
    const started = this.now();
    const startMs = performance.now();
    this.current = name;
    this.deps.progress.phaseStarted(name);
    await this.manifest.update((m) => ({
      phase: name,
      phases: [...m.phases, { name, startedAt: started.toISOString() }],
    }));
    const end = async (outcome: PhaseRecord['outcome'], detail?: string) => {
      const durationMs = performance.now() - startMs;
      this.phases.push({ name, startedAt: started.toISOString(), durationMs, outcome, ...(detail ? { detail } : {}) });
      this.deps.progress.phaseEnded(name, outcome, durationMs);
      await this.manifest.update((m) => ({
        phases: m.phases.map((p, i) => (i === m.phases.length - 1 ? { ...p, endedAt: this.now().toISOString(), outcome } : p)),
        ...(this.deployment ? localDetails(this.deployment) : {}),
      }));
    };
    try {
      await this.deps.beforePhase?.(name, signal);
      if (signal.aborted) throw this.interrupted(name);
      const result = await work(signal);
      // A signal that arrived while synchronous work blocked the event loop (CDK synthesis does) is only
      // delivered once the loop turns: let it, so it is blamed on this phase and not the next.
      await new Promise((resolve) => setImmediate(resolve));
      if (signal.aborted) {
        const failure = this.interrupted(name);
        await end('interrupted', failure.message);
        return result;
      }
      await end('done');
      return result;
    } catch (error) {
      const failure = signal.aborted ? this.interrupted(name) : asHarnessError(error, name);
      await end(failure instanceof InterruptedError ? 'interrupted' : 'failed', failure.message);
      this.failure ??= { error: failure, phase: name };
      throw failure;
    }
  }

  /** The run's interruption, attributed to the first phase that saw the signal. */
  private interrupted(phase: PhaseName): HarnessError {
    this.failure ??= { error: new InterruptedError(signalName(this.deps.signal), phase), phase };
    return this.failure.error;
  }

  /** Records the deployment in the manifest, so an interrupted run says what to clean up. */
  async deployed(deployment: Deployment): Promise<void> {
    this.deployment = deployment;
    const { logDir } = localDetails(deployment);
    if (this.options.target === 'local' && logDir) {
      // The emulator's processes end with the harness (their stdin closes); its files on disk do not.
      const store = this.options.local.logDir ? groupDirPath(logDir, deployment.logGroupName) : logDir;
      const assembly = (deployment as Partial<{ cdkOutDir: string }>).cdkOutDir;
      const paths = [...(this.options.local.keepLogs ? [] : [store]), ...(assembly ? [assembly] : [])];
      if (paths.length > 0) {
        this.cleanupCommand = `rm -rf ${paths.map((p) => `'${p}'`).join(' ')}`;
        setCleanupHint(this.cleanupCommand);
      }
    }
    await this.manifest.update(() => ({
      cleanupCommand: this.cleanupCommand,
      deployment: {
        baseUrl: deployment.baseUrl,
        logGroupName: deployment.logGroupName,
        functionName: deployment.functionName,
      },
      region: deployment.region,
      ...localDetails(deployment),
    }));
  }

  /** Remembers the first failure (phase() already did for phase errors). */
  fail(error: unknown): void {
    this.failure ??= { error: asHarnessError(error, this.current), phase: this.current };
  }

  /** Destroys what was deployed (unless --keep), never throwing: a failure becomes the outcome. */
  async destroy(deployment: Deployment | undefined): Promise<void> {
    if (!deployment) {
      await this.manifest.update(() => ({ status: 'nothing-deployed' }));
      return;
    }
    if (this.options.keep) {
      const warning = `--keep: ${this.options.stackName} is left running; remove it with: ${this.cleanupCommand}`;
      this.warnings.push(warning);
      this.deps.progress.warn(warning);
      this.destroyOutcome = { kind: 'kept' };
      await this.manifest.update(() => ({ status: 'kept' }));
      return;
    }
    const started = this.now();
    const startMs = performance.now();
    this.deps.progress.phaseStarted('destroy');
    await this.manifest.update(() => ({ phase: 'destroy', ...localDetails(deployment) }));
    await this.deps.beforePhase?.('destroy', this.deps.signal).catch(() => undefined);
    let outcome: PhaseRecord['outcome'] = 'done';
    let detail: string | undefined;
    try {
      const report = await deployment.destroy();
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
    const durationMs = performance.now() - startMs;
    this.phases.push({ name: 'destroy', startedAt: started.toISOString(), durationMs, outcome, ...(detail ? { detail } : {}) });
    this.deps.progress.phaseEnded('destroy', outcome, durationMs);
  }

  /** Judges the run, writes its report (also for failed and interrupted runs) and returns the result. */
  async report(load: LoadResult | undefined, correlation: CorrelationResult | undefined): Promise<RunResult> {
    const measurements = load ? measureRun(load, correlation) : undefined;
    const judged = this.judge(load, measurements);
    const started = this.now();
    const startMs = performance.now();
    this.deps.progress.phaseStarted('report');
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
      });
    const reportPhase = (): PhaseRecord => ({
      name: 'report',
      startedAt: started.toISOString(),
      durationMs: performance.now() - startMs,
      outcome: outcome.kind === 'interrupted' && outcome.phase === 'report' ? 'interrupted' : 'done',
    });
    let report = build(outcome, [...this.phases, reportPhase()]);
    let paths = await writeReport(report, dir, this.deps.env ?? {});
    const late = this.interruptedDuringReport(outcome);
    if (late !== outcome) {
      // A signal arrived while the files were written: say so in them.
      outcome = late;
      report = build(outcome, [...this.phases, reportPhase()]);
      paths = await writeReport(report, dir, this.deps.env ?? {});
    }
    const phase = reportPhase();
    this.phases.push(phase);
    this.deps.progress.phaseEnded('report', phase.outcome, phase.durationMs);
    await this.manifest.update(() => ({ reportPath: paths.markdown, phase: 'report' }));
    return { outcome, exitCode: exitCodeFor(outcome), report, paths, manifestPath: this.manifest.path };
  }

  private judge(
    load: LoadResult | undefined,
    measurements: RunMeasurements | undefined,
  ): { outcome: MeasuredOutcome; slos: SloResult[] } {
    const slos =
      load && measurements ? evaluateSlos(this.options.slos, measurements.metrics, { closedLoop: load.closedLoop }) : [];
    if (this.failure) {
      const { error, phase } = this.failure;
      if (error instanceof InterruptedError) return { outcome: { kind: 'interrupted', signal: error.signal, phase }, slos };
      return { outcome: { kind: 'error', code: error.code, message: error.message, phase, exitCode: error.exitCode }, slos };
    }
    if (this.deps.signal.aborted) {
      return { outcome: { kind: 'interrupted', signal: signalName(this.deps.signal), phase: 'destroy' }, slos };
    }
    const d = this.destroyOutcome;
    if (d.kind === 'failed' || (d.kind === 'destroyed' && !d.report.verified)) {
      const message = d.kind === 'failed' ? d.message : `left over: ${d.report.leftovers.join('; ')}`;
      return {
        outcome: { kind: 'error', code: 'DestroyFailed', message, phase: 'destroy', exitCode: ExitCode.Infrastructure },
        slos,
      };
    }
    if (!load || !measurements) {
      return { outcome: { kind: 'error', code: 'NoLoad', message: 'no load was measured', phase: 'load', exitCode: ExitCode.Infrastructure }, slos };
    }
    const sentRatio = load.rates ? load.rates.sentRps / load.rates.targetRps : undefined;
    const achievedRatio = load.rates ? load.rates.achievedRps / load.rates.targetRps : undefined;
    const verdict = decideVerdict(slos, { responses: measurements.responses, sentRatio, achievedRatio });
    return { outcome: { kind: 'verdict', verdict: verdict.verdict, reasons: verdict.reasons }, slos };
  }

  private interruptedDuringReport(outcome: MeasuredOutcome): MeasuredOutcome {
    if (outcome.kind === 'interrupted' || !this.deps.signal.aborted) return outcome;
    return { kind: 'interrupted', signal: signalName(this.deps.signal), phase: 'report' };
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

/** What a local deployment adds to the port (its log store and process ids), for the manifest. */
function localDetails(deployment: Deployment): { logDir?: string; pids?: number[] } {
  const local = deployment as Partial<{ logDir: string; startedPids(): number[] }>;
  return {
    ...(typeof local.logDir === 'string' ? { logDir: local.logDir } : {}),
    ...(typeof local.startedPids === 'function' ? { pids: local.startedPids() } : {}),
  };
}

/** The signal an AbortSignal was aborted with (cli.ts aborts with the signal's name). */
export function signalName(signal: AbortSignal): NodeJS.Signals {
  const reason = signal.reason;
  return typeof reason === 'string' && /^SIG[A-Z]+$/.test(reason) ? (reason as NodeJS.Signals) : 'SIGINT';
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
