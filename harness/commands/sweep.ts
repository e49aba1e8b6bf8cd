import { type DurationRange, parseDurationMs } from '../duration.js';
import { abortError, ExitCode, InfraError } from '../errors.js';
import { listManifests, lockPath, updateManifest } from '../manifest.js';
import { runIsLive } from '../processes.js';
import type { SweepRow } from '../target/aws/index.js';
import type { Command, CommandContext } from './command.js';

interface SweepArgs {
  olderThan?: string;
  yes: boolean;
  region?: string;
  target: 'all' | 'local' | 'aws';
}

/**
 * `--older-than`: at least a second (it is the user's explicit override of the expiry tags), at most a year
 * (no stack of this tool should live that long; the expiry tag catches those anyway).
 */
const OLDER_THAN_RANGE: DurationRange = { minMs: 1_000, maxMs: 366 * 86_400_000, example: '6h' };

/**
 * `sweep`: finds this tool's stacks (named rda-*, tagged rda:managed-by) whose rda:expires-at has
 * passed, or that are older than --older-than, and destroys them one at a time with the same verified
 * teardown as a run. It also finishes local runs whose harness died before cleaning up (their
 * manifests in .rda/runs say `running` or `destroy-failed`). Dry run unless --yes. Exit 0 when
 * everything it destroyed is verified gone.
 *
 * @example
 * npm run harness -- sweep --older-than 6h --yes --region eu-west-1
 */
export const sweepCommand: Command<SweepArgs> = {
  builder: (y) =>
    y
      .option('older-than', {
        type: 'string',
        desc: 'also sweep stacks created longer ago than this (e.g. 6h), whatever their expiry tag says',
      })
      .option('yes', { type: 'boolean', default: false, desc: 'really destroy; without it, only list what would go' })
      .option('region', { type: 'string', desc: 'AWS region (default: $AWS_REGION, then $AWS_DEFAULT_REGION)' })
      .option('target', {
        type: 'string',
        choices: ['all', 'local', 'aws'],
        default: 'all',
        desc: "what to sweep: killed local runs, this tool's AWS stacks, or both (AWS is skipped, with a note, when no region is set)",
      }),
  async run(args, ctx) {
    const olderThanMs =
      args.olderThan === undefined ? undefined : parseDurationMs('--older-than', args.olderThan, OLDER_THAN_RANGE);
    const localFailures = args.target === 'aws' ? 0 : await sweepLocalRuns(args.yes, ctx);
    if (args.target === 'local') return finishLocal(localFailures);
    if (args.target === 'all' && args.region === undefined && !ctx.env.AWS_REGION && !ctx.env.AWS_DEFAULT_REGION) {
      ctx.out('aws: skipped: no region set (pass --region or set AWS_REGION to sweep AWS stacks too)');
      return finishLocal(localFailures);
    }
    const { AwsAccount, planSweep, renderSweepTable } = await import('../target/aws/index.js');
    const account = await AwsAccount.open({ region: args.region, env: ctx.env });
    const region = account.region;
    const stacks = await account.listStacks();
    const plan = planSweep(stacks, { nowMs: Date.now(), olderThanMs });

    const rows: SweepRow[] = [];
    let interrupted = false;
    for (const decision of plan) {
      if (!decision.due) rows.push({ decision, action: 'keep' });
      else if (!args.yes) rows.push({ decision, action: 'would destroy' });
      else if (interrupted || ctx.signal.aborted) {
        interrupted = true;
        rows.push({ decision, action: 'not started (interrupted)' });
      } else {
        // One at a time: DeleteRestApi allows 1 request per 30 s per account (docs/aws-behaviour.md#control-plane-quotas).
        const report = await account.destroyRun(decision.runId, ctx.err);
        rows.push({ decision, report, action: report.verified ? 'destroyed, verified' : 'NOT verified' });
      }
    }

    for (const line of renderSweepTable(rows)) ctx.out(line);
    const due = rows.filter((row) => row.decision.due).length;
    if (!args.yes) {
      ctx.out(`dry run in ${region}: ${due} stack(s) would be destroyed; rerun with --yes to destroy them`);
      return ExitCode.Pass;
    }
    finishLocal(localFailures);
    const unverified = rows.filter((row) => row.report !== undefined && !row.report.verified);
    for (const row of unverified) ctx.out(`${row.decision.stack.stackName} left: ${row.report?.leftovers.join('; ')}`);
    if (interrupted) throw abortError(ctx.signal, 'sweep');
    if (unverified.length > 0) {
      throw new InfraError(
        'SweepUnverified',
        `${unverified.length} of ${due} swept stack(s) not verified gone: ${unverified.map((r) => r.decision.stack.stackName).join(', ')}`,
      );
    }
    ctx.out(`swept ${due} stack(s) in ${region}, all verified gone`);
    return ExitCode.Pass;
  },
};

/**
 * Lists, and with --yes finishes, the local runs whose harness is gone without having cleaned up. Returns how
 * many could not be verified clean.
 */
async function sweepLocalRuns(yes: boolean, ctx: CommandContext): Promise<number> {
  const { destroyLocalRun } = await import('../target/local/cleanup.js');
  const unfinished = (await listManifests(ctx.cwd)).filter(
    (m) => m.target === 'local' && (m.status === 'running' || m.status === 'destroy-failed') && !runIsLive(m),
  );
  let failures = 0;
  for (const manifest of unfinished) {
    const what = `local run ${manifest.runId} (pid ${manifest.pid} gone, ${manifest.removePaths?.length ?? 0} path(s), ${manifest.pids.length} process(es))`;
    if (!yes) {
      ctx.out(`${what}: would clean up`);
      continue;
    }
    const lockFile = lockPath(ctx.cwd, manifest.runId);
    const report = await destroyLocalRun(manifest, { log: ctx.err, lockFile });
    await updateManifest(ctx.cwd, manifest.runId, {
      status: report.verified ? 'destroyed' : 'destroy-failed',
      destroy: { verified: report.verified, leftovers: report.leftovers, at: new Date().toISOString() },
    });
    if (!report.verified) failures++;
    ctx.out(`${what}: ${report.verified ? 'cleaned up, verified' : `NOT verified: ${report.leftovers.join('; ')}`}`);
  }
  if (unfinished.length === 0) ctx.out('local: no unfinished runs');
  return failures;
}

function finishLocal(failures: number): number {
  if (failures > 0)
    throw new InfraError('SweepUnverified', `${failures} local run(s) not verified clean: see the lines above`);
  return ExitCode.Pass;
}
