import { ExitCode, InfraError, InterruptedError } from '../errors.js';
import { parseDurationMs } from '../options.js';
import type { SweepRow } from '../target/aws/sweep.js';
import type { Command } from './command.js';

interface SweepArgs {
  olderThan?: string;
  yes: boolean;
  region?: string;
}

/**
 * `sweep`: finds this tool's stacks (named rda-*, tagged rda:managed-by) whose rda:expires-at has
 * passed, or that are older than --older-than, and destroys them one at a time with the same verified
 * teardown as a run. Dry run unless --yes. Exit 0 when every destroyed stack is verified gone.
 *
 * @example
 * npm run harness -- sweep --older-than 6h --yes --region eu-west-1
 */
export const sweepCommand: Command<SweepArgs> = {
  command: 'sweep',
  describe: "destroy this tool's expired stacks (dry run unless --yes)",
  builder: (y) =>
    y
      .option('older-than', {
        type: 'string',
        desc: 'also sweep stacks created longer ago than this (e.g. 6h), whatever their expiry tag says',
      })
      .option('yes', { type: 'boolean', default: false, desc: 'really destroy; without it, only list what would go' })
      .option('region', { type: 'string', desc: 'AWS region (default: $AWS_REGION, then $AWS_DEFAULT_REGION)' }),
  async run(args, ctx) {
    const olderThanMs = args.olderThan === undefined ? undefined : parseDurationMs('--older-than', args.olderThan);
    // Loaded here: the AWS SDK adds to the start-up of every other command.
    const [{ describeAllStacks }, { createAwsClients, resolveRegion }, { destroyRun }, { awsCallFailed }, { planSweep, renderSweepTable }] =
      await Promise.all([
        import('../target/aws/cloudformation.js'),
        import('../target/aws/config.js'),
        import('../target/aws/destroy.js'),
        import('../target/aws/errors.js'),
        import('../target/aws/sweep.js'),
      ]);
    const region = resolveRegion(args.region, ctx.env);
    const clients = createAwsClients(region);
    const stacks = await describeAllStacks(clients.cloudFormation).catch((error) => {
      throw awsCallFailed('DescribeStacks', error);
    });
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
        // One at a time: DeleteRestApi allows 1 request per 30 s per account (reliability.md §2 trap 4).
        const report = await destroyRun(clients, { runId: decision.runId, region, log: ctx.err });
        rows.push({ decision, report, action: report.verified ? 'destroyed, verified' : 'NOT verified' });
      }
    }

    for (const line of renderSweepTable(rows)) ctx.out(line);
    const due = rows.filter((row) => row.decision.due).length;
    if (!args.yes) {
      ctx.out(`dry run in ${region}: ${due} stack(s) would be destroyed; rerun with --yes to destroy them`);
      return ExitCode.Pass;
    }
    const unverified = rows.filter((row) => row.report !== undefined && !row.report.verified);
    for (const row of unverified) ctx.out(`${row.decision.stack.stackName} left: ${row.report?.leftovers.join('; ')}`);
    if (interrupted) throw new InterruptedError(signalOf(ctx.signal.reason), 'sweep');
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

function signalOf(reason: unknown): NodeJS.Signals {
  return typeof reason === 'string' && reason.startsWith('SIG') ? (reason as NodeJS.Signals) : 'SIGINT';
}
