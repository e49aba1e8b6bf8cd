import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIdProblem } from '../../../stack/names.js';
import { readAssembly } from '../../emulator/assembly.js';
import type { Emulator } from '../../emulator/emulator.js';
import { startEmulator } from '../../emulator/emulator.js';
import { abortError, type HarnessError, InfraError, InterruptedError, UsageError } from '../../errors.js';
// Not the insights index: it re-exports the SDK-based AWS query, which costs start-up time to load (~100 ms).
import { queryLogStore } from '../../insights/engine.js';
import { groupDirPath, removeLogGroupDir } from '../../logstore/store.js';
import { StoreTimeIndex } from '../../logstore/time-index.js';
import { harnessCommand } from '../../shell-quote.js';
import type {
  Deployment,
  DeploymentFootprint,
  DeployOptions,
  DestroyReport,
  EmulatorFacts,
  InsightsQuery,
  InsightsResult,
  Target,
} from '../target.js';
import { localDestroyReport } from './cleanup.js';
import { cacheableContext, type SynthesizeFn, synthesizeCached } from './synth-cache.js';

/** Settings of the local target; every one has a default that needs no account and no Docker. */
export interface LocalTargetOptions {
  /** Run this synthesized assembly instead of synthesizing one per deploy. @default synthesize into a temporary directory */
  readonly cdkOutDir?: string;
  /** Stack artifact in `cdkOutDir`. @default `rda-<runId>` if present, else the only stack */
  readonly stackArtifactId?: string;
  /** Where the log store is written. @default a new temporary directory */
  readonly logDir?: string;
  /** Leave the log store on disk after destroy. @default false */
  readonly keepLogs?: boolean;
  /** @default 0 (a free port on 127.0.0.1) */
  readonly port?: number;
  /**
   * Execution environments alive at once on this machine; invocations beyond wait for one, and the report
   * says so (Lambda's own limit, reserved concurrency else 1,000, answers 500 apart). @default 10
   */
  readonly maxEnvironments?: number;
  /** @default 300000 */
  readonly idleTimeoutMs?: number;
  /** Overrides API Gateway's 29 s integration timeout (tests). */
  readonly integrationTimeoutMs?: number;
  /** Stage throttling off: for benchmarks of the emulator itself. @default false */
  readonly disableThrottling?: boolean;
  /** Region for an environment-agnostic stack. @default 'us-east-1' */
  readonly region?: string;
  /**
   * Reuse the synthesized assembly from `.rda/cache/` when the stack, handler, lock file, `cdk.json` and context
   * are unchanged. @default true, unless the environment sets `RDA_NO_SYNTH_CACHE=1`
   */
  readonly cacheAssembly?: boolean;
  /** Where cached assemblies are kept. @default `<repository>/.rda/cache` */
  readonly cacheDir?: string;
  /** Synthesizes the stack (tests count its calls). @default `synthesize` of stack/build-app.ts */
  readonly synthesize?: SynthesizeFn;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A local deployment: a `Deployment` plus what only the emulator has (its log directory and processes). */
export interface LocalDeployment extends Deployment {
  readonly target: 'local';
  /** The on-disk log store (`<dir>/<group>/<stream>.ndjson`). */
  readonly logDir: string;
  /** Directory of the assembly that runs. */
  readonly cdkOutDir: string;
  /** Pids of every execution environment started so far. */
  startedPids(): number[];
  /** Execution environments alive now. */
  environments(): { pid: number; logStreamName: string; state: string }[];
  /** The Node.js the function runs on and what Lambda's limit and this machine's cap did so far. */
  emulatorFacts(): EmulatorFacts;
}

/**
 * The default target: the embedded emulator of API Gateway + Lambda + CloudWatch Logs, started from the
 * synthesized cloud assembly.
 *
 * @example
 * await using deployment = await new LocalTarget().deploy({ runId: 'dev' });
 * const response = await fetch(`${deployment.baseUrl}types`);
 */
export class LocalTarget implements Target {
  readonly kind = 'local' as const;

  constructor(private readonly options: LocalTargetOptions = {}) {}

  cleanupCommand(runId: string): string {
    return harnessCommand(['destroy', '--run-id', runId]);
  }

  async deploy(deploy: DeployOptions): Promise<LocalDeployment> {
    const problem = runIdProblem(deploy.runId);
    if (problem) throw new UsageError('RunIdInvalid', problem);
    const { signal } = deploy;
    throwIfAborted(signal, 'deploy');
    const log = deploy.log ?? (() => {});
    const cleanups: (() => void)[] = [];
    const cleanup = () => {
      for (const step of cleanups.splice(0).reverse()) step();
    };
    try {
      let cdkOutDir = this.options.cdkOutDir;
      let stackArtifactId = this.options.stackArtifactId;
      if (cdkOutDir === undefined) {
        const outdir = fs.mkdtempSync(path.join(deploy.scratchDir ?? os.tmpdir(), `rda-assembly-${deploy.runId}-`));
        cleanups.push(() => fs.rmSync(outdir, { recursive: true, force: true }));
        const context = { ...deploy.context, runId: deploy.runId };
        // Loaded on demand: aws-cdk-lib takes about a second to import and is not needed with a given assembly.
        // A cache hit never calls it, so never imports aws-cdk-lib.
        const synthesize: SynthesizeFn =
          this.options.synthesize ??
          (async (synthOptions) => (await import('../../../stack/build-app.js')).synthesize(synthOptions));
        if (this.useCache() && cacheableContext(context)) {
          const cached = await synthesizeCached({
            cacheDir: this.options.cacheDir ?? path.join(REPO_ROOT, '.rda', 'cache'),
            rootDir: REPO_ROOT,
            outdir,
            context,
            synthesize,
            log,
          });
          stackArtifactId = cached.stackArtifactId;
        } else {
          log(`synthesizing the stack into ${outdir}`);
          stackArtifactId = (await synthesize({ outdir, context })).stackArtifactId;
        }
        cdkOutDir = outdir;
      } else {
        stackArtifactId ??= preferredStack(cdkOutDir, `rda-${deploy.runId}`);
      }
      throwIfAborted(signal, 'deploy');
      const config = readAssembly({ cdkOutDir, stackArtifactId, region: this.options.region });

      const ownLogDir = this.options.logDir === undefined;
      // Logs kept past the run (--keep-logs) must not sit in the scratch directory the run removes.
      const logParent = this.options.keepLogs ? os.tmpdir() : (deploy.scratchDir ?? os.tmpdir());
      const logDir = this.options.logDir ?? fs.mkdtempSync(path.join(logParent, `rda-logs-${deploy.runId}-`));
      fs.mkdirSync(logDir, { recursive: true });
      let emulator: Emulator;
      try {
        emulator = await startEmulator(config, {
          logDir,
          port: this.options.port,
          maxEnvironments: this.options.maxEnvironments,
          idleTimeoutMs: this.options.idleTimeoutMs,
          integrationTimeoutMs: this.options.integrationTimeoutMs,
          disableThrottling: this.options.disableThrottling,
        });
      } catch (error) {
        if (ownLogDir) fs.rmSync(logDir, { recursive: true, force: true });
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE') {
          throw new UsageError(
            'PortInUse',
            `port ${this.options.port} on 127.0.0.1 is in use: choose another with --port, or 0 for any free port`,
          );
        }
        throw new InfraError('EmulatorStartFailed', `the local emulator did not start: ${(error as Error).message}`, {
          cause: error,
        });
      }
      log(`emulator listening on ${emulator.baseUrl}, logs in ${logDir}`);
      return new RunningLocalDeployment(deploy.runId, config.stackName, cdkOutDir, emulator, {
        keepLogs: this.options.keepLogs ?? false,
        ownLogDir,
        ownAssembly: this.options.cdkOutDir === undefined,
        afterDestroy: cleanup,
      });
    } catch (error) {
      cleanup();
      if (signal?.aborted && !(error instanceof InterruptedError) && error !== signal.reason)
        throw interrupted(signal, 'deploy');
      throw error;
    }
  }

  private useCache(): boolean {
    return this.options.cacheAssembly ?? process.env.RDA_NO_SYNTH_CACHE !== '1';
  }
}

/**
 * How far a local log line's timestamp may be from the moment the harness saw its request: the same clock,
 * plus the time a line takes from the function's stdout to the store (batched writes).
 */
const LOCAL_LOG_CLOCK_SKEW_MS = 2_000;

class RunningLocalDeployment implements LocalDeployment {
  readonly target = 'local' as const;
  readonly baseUrl: string;
  readonly logGroupName: string;
  readonly functionName: string;
  readonly region: string;
  readonly memorySizeMb: number;
  readonly logDir: string;
  /** The emulator's clock is this machine's: log timestamps and request times agree to the millisecond. */
  readonly logClockSkewMs = LOCAL_LOG_CLOCK_SKEW_MS;
  private destroying: Promise<DestroyReport> | undefined;
  /** Correlation asks many narrow queries of one store: each reads only the parts of it in its time range. */
  private readonly timeIndex = new StoreTimeIndex();

  constructor(
    readonly runId: string,
    readonly stackName: string,
    readonly cdkOutDir: string,
    private readonly emulator: Emulator,
    private readonly settings: {
      keepLogs: boolean;
      ownLogDir: boolean;
      ownAssembly: boolean;
      afterDestroy: () => void;
    },
  ) {
    const fn = emulator.config.function;
    this.baseUrl = emulator.baseUrl;
    this.logGroupName = fn.logGroupName;
    this.functionName = fn.functionName;
    this.region = emulator.config.region;
    this.memorySizeMb = fn.memorySizeMb;
    this.logDir = emulator.logDir;
  }

  startedPids(): number[] {
    return this.emulator.startedPids();
  }

  faults(): readonly string[] {
    const health = this.emulator.logStoreHealth();
    if (health.lostEvents === 0) return [];
    return [
      `the local log store could not write ${health.lostEvents} log event(s) (${health.firstError ?? 'unknown error'}): check free space and permissions of ${this.logDir}`,
    ];
  }

  footprint(): DeploymentFootprint {
    const paths: string[] = [];
    // A directory the user named may hold other things: only this function's log group there is ours.
    if (!this.settings.keepLogs)
      paths.push(this.settings.ownLogDir ? this.logDir : groupDirPath(this.logDir, this.logGroupName));
    if (this.settings.ownAssembly) paths.push(this.cdkOutDir);
    return { processes: this.startedPids(), paths, logDir: this.logDir };
  }

  environments(): { pid: number; logStreamName: string; state: string }[] {
    return this.emulator.environments();
  }

  emulatorFacts(): EmulatorFacts {
    const { runtime, wantedMajor, nodeVersion, nodePath, matches, problem } = this.emulator.nodeRuntime;
    return {
      nodeRuntime: { runtime, wantedMajor, nodeVersion, nodePath, matches, ...(problem ? { problem } : {}) },
      concurrency: this.emulator.concurrency(),
    };
  }

  async query(query: InsightsQuery): Promise<InsightsResult> {
    throwIfAborted(query.signal, 'query');
    if (this.destroying)
      throw new UsageError('DeploymentDestroyed', `run '${this.runId}' was destroyed: its logs cannot be queried`);
    return queryLogStore({
      logDir: this.logDir,
      logGroupNames: [...(query.logGroupNames ?? [this.logGroupName])],
      queryString: query.queryString,
      startTimeMs: query.startTimeMs,
      endTimeMs: query.endTimeMs,
      limit: query.limit,
      signal: query.signal,
      timeIndex: this.timeIndex,
    });
  }

  destroy(): Promise<DestroyReport> {
    this.destroying ??= this.doDestroy();
    return this.destroying;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }

  private async doDestroy(): Promise<DestroyReport> {
    const started = performance.now();
    const checks: string[] = [];
    const leftovers: string[] = [];
    const stop = await this.emulator.close();
    checks.push(`server 127.0.0.1:${this.emulator.port}: closed`);
    for (const proc of stop.processes) {
      if (proc.gone) checks.push(`pid ${proc.pid}: exited`);
      else {
        checks.push(`pid ${proc.pid}: still running`);
        leftovers.push(`process ${proc.pid} (log stream ${proc.logStreamName})`);
      }
      // Each environment's private /tmp goes with it.
      if (proc.tmpDirGone) checks.push(`tmp ${proc.tmpDir}: removed`);
      else {
        checks.push(`tmp ${proc.tmpDir}: still there`);
        leftovers.push(`directory ${proc.tmpDir}`);
      }
    }
    if (this.settings.keepLogs) {
      checks.push(`log store ${this.logDir}: kept`);
    } else {
      // A directory the user named may hold other things: remove only this function's log group there.
      let target = this.logDir;
      if (this.settings.ownLogDir) fs.rmSync(target, { recursive: true, force: true });
      else target = removeLogGroupDir(this.logDir, this.logGroupName);
      if (fs.existsSync(target)) {
        checks.push(`log store ${target}: still there`);
        leftovers.push(`directory ${target}`);
      } else {
        checks.push(`log store ${target}: removed`);
      }
    }
    // Removes the run's own assembly copy; the shared cache in .rda/cache stays for the next run.
    this.settings.afterDestroy();
    if (this.settings.ownAssembly) {
      if (fs.existsSync(this.cdkOutDir)) {
        checks.push(`assembly ${this.cdkOutDir}: still there`);
        leftovers.push(`directory ${this.cdkOutDir}`);
      } else {
        checks.push(`assembly ${this.cdkOutDir}: removed`);
      }
    }
    return localDestroyReport(this.stackName, checks, leftovers, started);
  }
}

/** The stack named after the run when the assembly has it, else let the reader pick the only one. */
function preferredStack(cdkOutDir: string, name: string): string | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(cdkOutDir, 'manifest.json'), 'utf8')) as {
      artifacts?: Record<string, unknown>;
    };
    return manifest.artifacts && name in manifest.artifacts ? name : undefined;
  } catch {
    return undefined;
  }
}

function interrupted(signal: AbortSignal, phase: string): HarnessError {
  return abortError(signal, phase);
}

function throwIfAborted(signal: AbortSignal | undefined, phase: string): void {
  if (signal?.aborted) throw interrupted(signal, phase);
}
