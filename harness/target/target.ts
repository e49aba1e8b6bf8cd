import type { ConcurrencyStats } from '../emulator/concurrency.js';
import type { InsightsResult } from '../insights/result.js';
/**
 * The port every run goes through. `LocalTarget` starts the embedded emulator from the synthesized
 * cloud assembly; `AwsTarget` deploys that same assembly with toolkit-lib. The pipeline in
 * `harness/run.ts` knows nothing else about where it runs.
 *
 * @example
 * const deployment = await target.deploy({ runId, signal });
 * try { ... await deployment.query({ queryString, startTimeMs, endTimeMs }) ... }
 * finally { await deployment.destroy(); }
 */
export interface Target {
  readonly kind: TargetKind;
  deploy(options: DeployOptions): Promise<Deployment>;
  /** The command a user runs to finish a run's cleanup by hand (after a second Ctrl-C, a kill). */
  cleanupCommand(runId: string): string;
}

export type TargetKind = 'local' | 'aws';

/** Settings a deploy takes; the stack reads the same values from CDK context. */
export interface DeployOptions {
  /** Names the stack (`rda-<runId>`) and tags every resource. */
  readonly runId: string;
  /** Aborted on SIGINT/SIGTERM/SIGHUP; a deploy in flight stops and cleans up what it made. */
  readonly signal?: AbortSignal;
  /**
   * CDK context the stack is synthesized with, resolved as the CDK CLI would (target/cdk-context.ts): `-c`, the
   * context files, the run's own keys (stage, memorySizeMb, throttle settings, tags). Values are JSON values.
   */
  readonly context?: Readonly<Record<string, unknown>>;
  /** Progress lines for the user (deploy events, cleanup). @default no output */
  readonly log?: (line: string) => void;
  /**
   * A directory the run owns and removes when it ends, recorded in its manifest before it exists: the target
   * creates its working files (synthesized assembly, local log store) below it, so a killed run leaves nothing
   * that `destroy --run-id` cannot find. @default os.tmpdir()
   */
  readonly scratchDir?: string;
}

/** What a deployment has on this machine, outside the cloud: the run records it so a later command can remove it. */
export interface DeploymentFootprint {
  /** Processes it started that are alive now or were (local execution environments). */
  readonly processes: readonly number[];
  /** Paths its destroy removes. */
  readonly paths: readonly string[];
  /** Where its logs are on this machine, when they are. */
  readonly logDir?: string;
}

/** A deployed stack: where to send requests, where its logs are, and how to remove it. */
export interface Deployment extends AsyncDisposable {
  readonly target: TargetKind;
  readonly runId: string;
  readonly stackName: string;
  /** Invoke URL including the stage, ending in `/`, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/bench/`. */
  readonly baseUrl: string;
  /** The function's log group, `/aws/lambda/<function>` or the stack-owned group wired to it. */
  readonly logGroupName: string;
  readonly functionName: string;
  readonly region: string;
  /** Memory size of the function in MB, as deployed. */
  readonly memorySizeMb: number;
  /**
   * How far a log line's timestamp may be from this machine's clock at the moment the line was written, in
   * either direction; correlation widens each query's time range by it. @default 60 s (a cloud region's clock)
   */
  readonly logClockSkewMs?: number;
  /** Runs a Logs Insights query and resolves once its status is `Complete`. */
  query(query: InsightsQuery): Promise<InsightsResult>;
  /**
   * Faults of the deployment itself so far, one sentence each, that make the run's figures untrustworthy
   * (the local log store failing to write). Empty when sound; always empty on AWS.
   */
  faults(): readonly string[];
  /** What it has on this machine (nothing for a cloud deployment). */
  footprint(): DeploymentFootprint;
  /** What a local run must say about its emulator so no local limit passes for AWS's; absent on AWS. */
  emulatorFacts?(): EmulatorFacts;
  /** Idempotent; safe to call twice and from a signal handler. */
  destroy(): Promise<DestroyReport>;
}

/**
 * One Logs Insights query. Times are epoch milliseconds, both ends inclusive; AWS receives whole seconds (both
 * floored, and it reads the end second through .999), so a range cut at whole seconds means the same on both targets.
 */
export interface InsightsQuery {
  readonly queryString: string;
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  /** Rows to return. @default 10000 (the AWS default) */
  readonly limit?: number;
  /** Log groups to query. @default the deployment's own log group */
  readonly logGroupNames?: readonly string[];
  readonly signal?: AbortSignal;
}

export type { InsightsResult, InsightsRow, InsightsStatistics } from '../insights/result.js';

/** The Node.js a local function runs on (`Emulator.nodeRuntime`). */
export interface NodeRuntimeFacts {
  /** The function's Lambda runtime, e.g. `nodejs24.x`. */
  readonly runtime: string;
  /** The Node.js major Lambda runs it on. */
  readonly wantedMajor: number;
  readonly nodeVersion: string;
  readonly nodePath: string;
  /** False when `nodeVersion` is not of `wantedMajor`: every figure of the run is then marked. */
  readonly matches: boolean;
  /** Why not, and what to do; set when `matches` is false. */
  readonly problem?: string;
}

/** A local deployment's emulator, as a run reports it. */
export interface EmulatorFacts {
  readonly nodeRuntime: NodeRuntimeFacts;
  /** Lambda's concurrency limit, this machine's cap on environments, and what each did. */
  readonly concurrency: ConcurrencyStats;
}

/** What destroy did and what it checked afterwards. */
export interface DestroyReport {
  readonly target: TargetKind;
  readonly stackName: string;
  /** True when the post-destroy checks found nothing left. */
  readonly verified: boolean;
  /** Each check and its outcome, e.g. `stack rda-abc: gone`, `pid 123: exited`. */
  readonly checks: readonly string[];
  /** Whatever is still there (empty when verified). */
  readonly leftovers: readonly string[];
  readonly durationMs: number;
}
