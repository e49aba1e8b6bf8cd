import fs from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import { ManifestWriter } from '../manifest.js';
import { checkStackContext, mergeContext, parseContextFlags, readContextFiles } from '../target/cdk-context.js';
import { type LocalDeployment, LocalTarget } from '../target/local/local-target.js';
import type { DestroyReport } from '../target/target.js';
import type { Command } from './command.js';

interface LocalArgs {
  port: number;
  logDir?: string;
  keepLogs: boolean;
  runId: string;
  cdkOut?: string;
  context?: string[];
  maxEnvironments?: number;
}

/**
 * `local`: runs the API on the embedded emulator (API Gateway + Lambda + CloudWatch Logs) in the
 * foreground, for trying it by hand; Ctrl-C stops it and ends every execution environment.
 *
 * @example
 * npm run harness -- local --port 3000 --keep-logs
 * # listening http://127.0.0.1:3000/bench/
 * # logs /tmp/rda-logs-local-Ab12Cd
 */
export const localCommand: Command<LocalArgs> = {
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 0, desc: 'port on 127.0.0.1 (0 picks a free one)' })
      .option('log-dir', {
        type: 'string',
        desc: 'where the log store is written (default: a new temporary directory)',
      })
      .option('keep-logs', { type: 'boolean', default: false, desc: 'leave the log store on disk after stopping' })
      .option('run-id', {
        type: 'string',
        default: 'local',
        desc: 'run id the stack is synthesized with (names the function)',
      })
      .option('cdk-out', { type: 'string', desc: 'run this synthesized assembly instead of synthesizing one' })
      .option('max-environments', {
        type: 'number',
        desc: "execution environments run at once on this machine (default 10); requests beyond wait for one (Lambda's own limit, reserved concurrency else 1,000, still answers 500)",
      })
      .option('context', {
        alias: 'c',
        type: 'string',
        array: true,
        desc: 'CDK context key=value, repeatable, as `cdk synth -c` takes it (over cdk.json, cdk.context.json, ~/.cdk.json)',
      }),
  async run(args, ctx) {
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65_535) {
      throw new UsageError('InvalidPort', `--port '${args.port}' is not a port: give a whole number from 0 to 65535`);
    }
    const cap = args.maxEnvironments;
    if (cap !== undefined && (!Number.isInteger(cap) || cap < 1 || cap > 1_000)) {
      throw new UsageError(
        'OutOfRange',
        `--max-environments '${cap}' is out of range: give a whole number from 1 to 1000`,
      );
    }
    // The context `npx cdk synth` would use from here (the run id is set by deploy).
    const resolved = mergeContext([
      ...readContextFiles({ projectDir: ctx.cwd, homeDir: ctx.env.HOME }),
      { source: '-c', values: parseContextFlags(args.context ?? []) },
    ]);
    checkStackContext(resolved, { now: new Date() });
    const target = new LocalTarget({
      port: args.port,
      logDir: args.logDir,
      keepLogs: args.keepLogs,
      cdkOutDir: args.cdkOut,
      maxEnvironments: cap,
    });
    // Recorded like a bench run, so `destroy --run-id` and `sweep` can finish it if it is killed.
    const record = await LocalRunRecord.open(ctx.cwd, args.runId, target.cleanupCommand(args.runId));
    ctx.setCleanupHint(target.cleanupCommand(args.runId));
    let deployment: LocalDeployment | undefined;
    try {
      deployment = await target.deploy({
        runId: args.runId,
        signal: ctx.signal,
        context: resolved.values,
        log: ctx.err,
        scratchDir: record.scratchDir,
      });
      await record.deployed(deployment);
      ctx.out(`listening ${deployment.baseUrl}`);
      ctx.out(`logs ${deployment.logDir}`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) return resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      const report = await record.finish(deployment);
      ctx.setCleanupHint(undefined);
      for (const check of report.checks) ctx.err(`stopped: ${check}`);
      for (const leftover of report.leftovers) ctx.err(`left over: ${leftover}`);
    }
    return ExitCode.Pass;
  },
};

/** The manifest and scratch directory of one `local` session. */
class LocalRunRecord {
  private constructor(
    private readonly manifest: ManifestWriter,
    readonly scratchDir: string,
  ) {}

  /** Takes the run id (ManifestWriter refuses one in use or one whose earlier run did not finish its cleanup). */
  static async open(cwd: string, runId: string, cleanupCommand: string): Promise<LocalRunRecord> {
    const scratchDir = path.join(os.tmpdir(), `rda-run-${runId}-${process.pid}`);
    const now = new Date().toISOString();
    const manifest = await ManifestWriter.create(cwd, {
      runId,
      stackName: `rda-${runId}`,
      target: 'local',
      region: null,
      createdAt: now,
      expiresAt: now,
      creator: 'local',
      pid: process.pid,
      cleanupCommand,
      status: 'running',
      phase: 'deploy',
      phases: [],
      deployment: null,
      logDir: null,
      pids: [],
      removePaths: [scratchDir],
      destroy: null,
      reportPath: null,
    });
    try {
      await rm(scratchDir, { recursive: true, force: true });
      await mkdir(scratchDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      await manifest.update(() => ({ status: 'nothing-deployed' }));
      await manifest.release();
      throw error;
    }
    return new LocalRunRecord(manifest, scratchDir);
  }

  async deployed(deployment: LocalDeployment): Promise<void> {
    const footprint = deployment.footprint();
    await this.manifest.update(() => ({
      deployment: {
        baseUrl: deployment.baseUrl,
        logGroupName: deployment.logGroupName,
        functionName: deployment.functionName,
      },
      logDir: footprint.logDir ?? null,
      pids: [...footprint.processes],
      removePaths: [this.scratchDir, ...footprint.paths],
    }));
  }

  /** Destroys the deployment (if any), removes the scratch directory, and records the outcome. */
  async finish(deployment: LocalDeployment | undefined): Promise<DestroyReport> {
    const pids = deployment ? deployment.footprint().processes : [];
    const report = deployment ? await deployment.destroy() : undefined;
    await rm(this.scratchDir, { recursive: true, force: true, maxRetries: 2 }).catch(() => undefined);
    const scratchLeft = fs.existsSync(this.scratchDir);
    const leftovers = [...(report?.leftovers ?? []), ...(scratchLeft ? [`directory ${this.scratchDir}`] : [])];
    const checks = [
      ...(report?.checks ?? []),
      `scratch directory ${this.scratchDir}: ${scratchLeft ? 'still there' : 'removed'}`,
    ];
    const verified = leftovers.length === 0;
    try {
      await this.manifest.update(() => ({
        pids: [...pids],
        status: verified ? (deployment ? 'destroyed' : 'nothing-deployed') : 'destroy-failed',
        destroy: { verified, leftovers, at: new Date().toISOString() },
      }));
    } finally {
      await this.manifest.release(); // after the last update: the id is free for the next run
    }
    return {
      target: 'local',
      stackName: `rda-${this.manifest.manifest.runId}`,
      verified,
      checks,
      leftovers,
      durationMs: report?.durationMs ?? 0,
    };
  }
}
