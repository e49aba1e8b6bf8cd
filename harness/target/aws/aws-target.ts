/**
 * The AWS adapter of the Target port: synthesizes the run's stack, deploys it with toolkit-lib, reads
 * its outputs, queries its logs with Logs Insights, and destroys it with a verified teardown. The stack
 * name (`rda-<runId>`) is fixed before anything is created, so a failed or interrupted deploy is
 * deleted too (docs/failure-model.md#what-a-stop-does).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleepMs } from 'node:timers/promises';
import type { SynthesizeOptions, SynthResult } from '../../../stack/build-app.js';
import {
  isManagedByThisTool,
  MANAGED_BY,
  runIdProblem,
  stackName as stackNameOf,
  TAG_KEYS,
} from '../../../stack/names.js';
import { abortError, HarnessError, InfraError, UsageError } from '../../errors.js';
import type {
  Deployment,
  DeploymentFootprint,
  DeployOptions,
  DestroyReport,
  InsightsQuery,
  InsightsResult,
  Target,
} from '../target.js';
import { describeStack, requestStackDelete, type StackInfo } from './cloudformation.js';
import {
  type AwsClients,
  cleanupCommand,
  createAwsClients,
  type DeploymentMethodName,
  resolveDeploymentMethod,
  resolveRegion,
} from './config.js';
import { type DestroyRunOptions, destroyRun, type KnownStack } from './destroy.js';
import { describeAwsError } from './errors.js';
import { runAwsInsightsQuery } from './insights-query.js';
import { assemblyWantsTerminationProtection, functionMemoryMb, readTemplate } from './template.js';
import { describeToolkitError, startToolkitDeploy, type ToolkitDeployResult } from './toolkit.js';

/** Synthesizes a run's app; `stack/build-app.ts` in production, a small failing stack in some tests. */
export type Synthesizer = (options: SynthesizeOptions) => Promise<SynthResult>;

/** Settings of an {@link AwsTarget}; each has a production default. */
export interface AwsTargetOptions {
  /** @default AWS_REGION, else AWS_DEFAULT_REGION (a UsageError when neither is set) */
  readonly region?: string;
  /** Where region and deployment method are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** `direct` for moto_server, whose change sets do not parse (CONTRIBUTING.md#the-aws-tests-and-moto_server). @default RDA_DEPLOYMENT_METHOD, else 'change-set' */
  readonly deploymentMethod?: DeploymentMethodName;
  /** @default synthesize of stack/build-app.ts */
  readonly synthesize?: Synthesizer;
  /** Parent of the per-deploy cloud assembly directory, removed after the deploy. @default os.tmpdir() */
  readonly workDir?: string;
  /** SDK clients to use instead of new ones (tests add middleware to them). @default new clients for the region */
  readonly clients?: Partial<AwsClients>;
  /** Delete polling, timeout and retry settings. @default those of deleteStackAndWait */
  readonly deleteOptions?: DestroyRunOptions['deleteOptions'];
  /** Tagging API recheck settings. @default those of verifyNothingLeft */
  readonly verifyOptions?: DestroyRunOptions['verifyOptions'];
  /** How long an aborted toolkit-lib deploy may take to stop before cleanup goes ahead anyway. @default 20000 */
  readonly abortGraceMs?: number;
}

/** Outputs every run's stack must have (stack/random-data-stack.ts). */
const REQUIRED_OUTPUTS = ['ApiUrl', 'FunctionName', 'LogGroupName', 'StackRunId'] as const;

/**
 * Deploys runs to AWS (or to moto_server when `AWS_ENDPOINT_URL` points there).
 *
 * @example
 * const target = new AwsTarget({ region: 'eu-west-1' });
 * const deployment = await target.deploy({ runId: 'pr-42', signal, log: console.log });
 * try { ... } finally { const report = await deployment.destroy(); }
 */
export class AwsTarget implements Target {
  readonly kind = 'aws' as const;
  readonly region: string;
  readonly deploymentMethod: DeploymentMethodName;
  readonly clients: AwsClients;
  private readonly options: AwsTargetOptions;

  /** Resolves region and deployment method at once, so bad settings fail (exit 2) before any AWS call. */
  constructor(options: AwsTargetOptions = {}) {
    const env = options.env ?? process.env;
    this.options = options;
    this.region = resolveRegion(options.region, env);
    this.deploymentMethod = resolveDeploymentMethod(options.deploymentMethod, env);
    this.clients = createAwsClients(this.region, options.clients);
  }

  /** The command that finishes a run's cleanup by hand; what a second Ctrl-C prints. */
  cleanupCommand(runId: string): string {
    return cleanupCommand(runId, this.region);
  }

  /** Verified teardown of a run's stack, whether or not this process deployed it (`destroy --run-id`, `sweep`). */
  destroyRun(runId: string, log?: (line: string) => void, known?: KnownStack): Promise<DestroyReport> {
    return destroyRun(this.clients, {
      runId,
      region: this.region,
      known,
      log,
      deleteOptions: this.options.deleteOptions,
      verifyOptions: this.options.verifyOptions,
    });
  }

  async deploy(options: DeployOptions): Promise<AwsDeployment> {
    const { runId, signal } = options;
    const log = options.log ?? (() => {});
    const problem = runIdProblem(runId);
    if (problem !== null) throw new UsageError('RunIdInvalid', problem);
    if (options.context?.runId !== undefined && options.context.runId !== runId) {
      throw new UsageError(
        'RunIdConflict',
        `context runId '${options.context.runId}' differs from run id '${runId}': drop it from the context`,
      );
    }
    const name = stackNameOf(runId);
    throwIfAborted(signal, 'deploy');
    log(
      `deploying stack ${name} to ${this.region} (${this.deploymentMethod}); ` +
        `if cleanup is cut short, finish it with: ${this.cleanupCommand(runId)}`,
    );
    await this.refuseExistingStack(runId);

    const workDir = await mkdtemp(join(this.options.workDir ?? options.scratchDir ?? tmpdir(), `rda-${runId}-`));
    // A second Ctrl-C exits the process at once (cli.ts), skipping `finally`: remove the assembly then too.
    const removeOnExit = () => rmSync(workDir, { recursive: true, force: true });
    process.once('exit', removeOnExit);
    try {
      // Tagged on the stack: a failed deploy deletes only a stack that carries it (deployOrCleanUp).
      const deployToken = randomBytes(12).toString('hex');
      const synth = await this.synthesize(workDir, { ...options.context, runId, deployToken });
      if (synth.stackName !== name) {
        throw new InfraError(
          'StackNameMismatch',
          `the synthesized stack is named '${synth.stackName}', expected '${name}': the stack must be named rda-<runId>`,
        );
      }
      if (await assemblyWantsTerminationProtection(synth.outdir, synth.stackArtifactId)) {
        throw new UsageError(
          'TerminationProtected',
          `stack '${name}' is synthesized with termination protection: ephemeral stacks must have it off (terminationProtection: false)`,
        );
      }
      const memorySizeMb = functionMemoryMb(await readTemplate(synth.templatePath));
      throwIfAborted(signal, 'deploy');
      // Synthesis takes seconds: look again, so a run that created the stack meanwhile is not deployed over.
      await this.refuseExistingStack(runId);

      const result = await this.deployOrCleanUp(runId, synth, deployToken, log, signal);
      const outputs = result.outputs;
      const missing = REQUIRED_OUTPUTS.filter((key) => !outputs[key]);
      const wrongRunId = outputs.StackRunId !== undefined && outputs.StackRunId !== runId;
      if (missing.length > 0 || wrongRunId) {
        const report = await this.destroyRun(runId, log, { stackId: result.stackArn });
        const what =
          missing.length > 0
            ? `stack output '${missing.join("', '")}' not found; got: ${Object.keys(outputs).join(', ') || 'none'}`
            : `stack output StackRunId is '${outputs.StackRunId}', expected '${runId}'`;
        throw new InfraError('StackOutputMissing', `${what}; ${cleanupSummary(report)}`);
      }
      return new AwsDeployment({
        runId,
        stackName: name,
        stackId: result.stackArn,
        region: this.region,
        outputs,
        // The FunctionName output always leads to the function (checked above); 128 MB is Lambda's default.
        memorySizeMb: memorySizeMb ?? 128,
        target: this,
        log,
      });
    } finally {
      process.removeListener('exit', removeOnExit);
      await rm(workDir, { recursive: true, force: true });
    }
  }

  /**
   * Refuses to deploy over any existing stack of the run's name: one with termination protection, one
   * this tool did not create, and one it did, since a run id names one run and that stack belongs to
   * another run, live or dead (its deploy would update it, and its cleanup delete it).
   */
  private async refuseExistingStack(runId: string): Promise<void> {
    const name = stackNameOf(runId);
    const existing = await describeStack(this.clients.cloudFormation, name);
    if (existing === undefined || existing.status === 'DELETE_COMPLETE') return;
    if (existing.terminationProtection) {
      throw new UsageError(
        'TerminationProtected',
        `stack '${name}' exists with termination protection on: the harness deploys only ephemeral stacks; pick another --run-id`,
      );
    }
    if (!isManagedByThisTool(existing.tags)) {
      throw new UsageError(
        'StackNotManaged',
        `stack '${name}' exists but is not tagged ${TAG_KEYS.managedBy}=${MANAGED_BY}: the harness only updates its own stacks; pick another --run-id`,
      );
    }
    throw new UsageError(
      'StackExists',
      `stack '${name}' already exists (${describeExisting(existing)}): run id '${runId}' names another run, ` +
        `which may still be using it; if that run is over, destroy its stack with '${this.cleanupCommand(runId)}', or pick another --run-id`,
    );
  }

  /**
   * Whether the stack named after the run is the one this deploy created, by its deploy-token tag. A stack
   * with another token, or none, was created by another run that won the race for the name: not ours to delete.
   * Nothing there counts as ours: the verified teardown then only checks that nothing is left.
   */
  private async ownStack(
    runId: string,
    deployToken: string,
  ): Promise<{ readonly mine: true; readonly stackId?: string } | { readonly mine: false; readonly why: string }> {
    const name = stackNameOf(runId);
    let existing: StackInfo | undefined;
    try {
      existing = await describeStack(this.clients.cloudFormation, name);
    } catch (error) {
      return { mine: false, why: `stack ${name} could not be described (${describeAwsError(error)})` };
    }
    if (existing === undefined || existing.status === 'DELETE_COMPLETE') return { mine: true };
    const token = existing.tags[TAG_KEYS.deployToken];
    if (token === deployToken) return { mine: true, stackId: existing.stackId };
    const tag =
      token === undefined ? `has no ${TAG_KEYS.deployToken} tag` : `carries another deploy's ${TAG_KEYS.deployToken}`;
    return { mine: false, why: `stack ${name} (${describeExisting(existing)}) ${tag}, so another run created it` };
  }

  private async synthesize(outdir: string, context: Readonly<Record<string, unknown>>): Promise<SynthResult> {
    const synthesize = this.options.synthesize ?? (await import('../../../stack/build-app.js')).synthesize;
    try {
      return await synthesize({ outdir, context });
    } catch (error) {
      if (error instanceof HarnessError) throw error;
      const code = (error as { code?: unknown }).code;
      if (code === 'InvalidStackContext' || code === 'InvalidSavedQuery') {
        throw new UsageError(code, (error as Error).message, { cause: error });
      }
      throw new InfraError('SynthFailed', `synthesis of the stack failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /**
   * Runs toolkit-lib's deploy. If it fails, or the signal fires, the stack is destroyed (a failed create
   * leaves ROLLBACK_COMPLETE or a half-made stack) before the error is rethrown. On abort the DeleteStack
   * request goes out at once; then toolkit-lib stops at its next message (the IoHost holds it, waited
   * for at most `abortGraceMs`), then the verified teardown runs, which also deletes a stack whose
   * CreateStack was already on its way when the signal came.
   */
  private async deployOrCleanUp(
    runId: string,
    synth: SynthResult,
    deployToken: string,
    log: (line: string) => void,
    signal: AbortSignal | undefined,
  ): Promise<ToolkitDeployResult> {
    const name = stackNameOf(runId);
    const { result: deploying, halted } = startToolkitDeploy({
      outdir: synth.outdir,
      stackArtifactId: synth.stackArtifactId,
      region: this.region,
      method: this.deploymentMethod,
      log,
      signal,
    });
    // Settled either way below; this only keeps an abandoned rejection from being reported as unhandled.
    deploying.catch(() => {});

    const abort = abortPromise(signal);
    let failure: unknown;
    try {
      const result = await Promise.race([deploying, abort.promise]);
      if (!signal?.aborted) return result;
    } catch (error) {
      failure = error;
    } finally {
      abort.dispose();
    }

    if (signal?.aborted) {
      const early = await this.ownStack(runId, deployToken);
      if (early.mine) {
        log(`interrupted: requesting deletion of ${name} now`);
        await requestStackDelete(this.clients.cloudFormation, early.stackId ?? name).catch((error) =>
          log(`DeleteStack of ${name} failed (${describeAwsError(error)}); the teardown below tries again`),
        );
      }
      const grace = new AbortController();
      const graceOver = sleepMs(this.options.abortGraceMs ?? 20_000, undefined, { signal: grace.signal }).catch(noop);
      await Promise.race([deploying.then(noop, noop), halted, graceOver]);
      grace.abort();
      // Asked again: a CreateStack already on its way when the signal came may have landed since.
      const own = await this.ownStack(runId, deployToken);
      if (own.mine) log(cleanupSummary(await this.destroyRun(runId, log, knownStack(own.stackId))));
      else log(`cleanup skipped: ${own.why}; not deleted`);
      throw abortError(signal, 'deploy');
    }
    log(`deploy of ${name} failed: ${describeToolkitError(failure)}; destroying what it made`);
    const own = await this.ownStack(runId, deployToken);
    let cleanup: string;
    if (own.mine) {
      cleanup = cleanupSummary(await this.destroyRun(runId, log, knownStack(own.stackId)));
    } else {
      cleanup = `cleanup skipped: ${own.why}; not deleted`;
      log(cleanup);
    }
    throw new InfraError(
      'DeployFailed',
      `deploy of stack '${name}' failed: ${describeToolkitError(failure)}; ${cleanup}`,
      {
        cause: failure,
      },
    );
  }
}

/** What the AWS target knows about a deployed run. */
interface AwsDeploymentProps {
  readonly runId: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly region: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly memorySizeMb: number;
  readonly target: AwsTarget;
  readonly log: (line: string) => void;
}

/** A run's deployed stack on AWS. `destroy()` is idempotent: concurrent calls share one teardown, and a verified one is not repeated. */
export class AwsDeployment implements Deployment {
  readonly target = 'aws' as const;
  readonly runId: string;
  readonly stackName: string;
  /** The stack's ARN: DescribeStacks by ARN still answers (DELETE_COMPLETE) after deletion. */
  readonly stackId: string;
  readonly baseUrl: string;
  readonly logGroupName: string;
  readonly functionName: string;
  readonly region: string;
  readonly memorySizeMb: number;
  readonly outputs: Readonly<Record<string, string>>;
  /** What to run if a second Ctrl-C cuts the teardown short. */
  readonly cleanupCommand: string;
  private readonly awsTarget: AwsTarget;
  private readonly log: (line: string) => void;
  private teardown?: Promise<DestroyReport>;

  constructor(props: AwsDeploymentProps) {
    this.runId = props.runId;
    this.stackName = props.stackName;
    this.stackId = props.stackId;
    this.region = props.region;
    this.outputs = props.outputs;
    this.baseUrl = props.outputs.ApiUrl!.endsWith('/') ? props.outputs.ApiUrl! : `${props.outputs.ApiUrl}/`;
    this.logGroupName = props.outputs.LogGroupName!;
    this.functionName = props.outputs.FunctionName!;
    this.memorySizeMb = props.memorySizeMb;
    this.awsTarget = props.target;
    this.log = props.log;
    this.cleanupCommand = props.target.cleanupCommand(props.runId);
  }

  faults(): readonly string[] {
    return [];
  }

  /** A cloud deployment has nothing on this machine once deployed (the assembly was removed after deploy). */
  footprint(): DeploymentFootprint {
    return { processes: [], paths: [] };
  }

  /** Runs a Logs Insights query (StartQuery, then GetQueryResults until Complete) on the run's log group. */
  query(query: InsightsQuery): Promise<InsightsResult> {
    return runAwsInsightsQuery(this.awsTarget.clients.logs, {
      queryString: query.queryString,
      startTimeMs: query.startTimeMs,
      endTimeMs: query.endTimeMs,
      limit: query.limit,
      logGroupNames: query.logGroupNames ?? [this.logGroupName],
      signal: query.signal,
    });
  }

  destroy(): Promise<DestroyReport> {
    if (this.teardown === undefined) {
      const teardown = this.awsTarget.destroyRun(this.runId, this.log, {
        stackId: this.stackId,
        logGroupName: this.logGroupName,
        functionName: this.functionName,
      });
      this.teardown = teardown;
      // An unverified teardown may be retried by calling destroy() again; a verified one is final.
      teardown.then(
        (report) => {
          if (!report.verified && this.teardown === teardown) this.teardown = undefined;
        },
        () => {
          if (this.teardown === teardown) this.teardown = undefined;
        },
      );
    }
    return this.teardown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }
}

/** A stack's status and creation time, for messages. */
function describeExisting(stack: StackInfo): string {
  return `${stack.status}, created ${stack.createdAt?.toISOString() ?? 'at an unknown time'}`;
}

/** Pins the teardown to the stack id this deploy made, so it cannot reach a stack created later under the name. */
function knownStack(stackId: string | undefined): KnownStack | undefined {
  return stackId === undefined ? undefined : { stackId };
}

/** One line on how a cleanup ended, for error messages. */
function cleanupSummary(report: DestroyReport): string {
  return report.verified
    ? `cleanup: stack ${report.stackName} destroyed and verified`
    : `cleanup: NOT verified, left: ${report.leftovers.join('; ')}`;
}

function throwIfAborted(signal: AbortSignal | undefined, phase: string): void {
  if (signal?.aborted) throw abortError(signal, phase);
}

/** A promise that rejects when `signal` aborts (never, without a signal), and a way to drop its listener. */
function abortPromise(signal: AbortSignal | undefined): { promise: Promise<never>; dispose: () => void } {
  if (signal === undefined) return { promise: new Promise<never>(() => {}), dispose: noop };
  let onAbort = noop;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortError(signal, 'deploy'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(noop);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

function noop(): void {}
