import { runIdProblem } from '../../stack/names.js';
import { ExitCode, InfraError, UsageError } from '../errors.js';
import { lockPath, readManifest, updateManifest } from '../manifest.js';
import type { DestroyReport } from '../target/target.js';
import type { Command, CommandContext } from './command.js';

interface DestroyArgs {
  runId: string;
  region?: string;
}

/**
 * `destroy --run-id ID`: deletes the run's stack, waits, and verifies nothing is left (stack, log
 * groups, resources tagged with the run id). A local run (its manifest in .rda/runs says so) has its
 * recorded environments ended and its recorded files removed instead. Either way the manifest is updated.
 * Exit 0 only when verified, else 3 with the leftovers.
 *
 * @example
 * npm run harness -- destroy --run-id demo --region eu-west-1
 */
export const destroyCommand: Command<DestroyArgs> = {
  builder: (y) =>
    y
      .option('run-id', { type: 'string', demandOption: true, desc: 'the run whose stack rda-<run-id> to destroy' })
      .option('region', { type: 'string', desc: 'AWS region (default: $AWS_REGION, then $AWS_DEFAULT_REGION)' }),
  async run(args, ctx) {
    // yargs reports a missing --run-id but may still call this handler, so check it here as well.
    if (typeof args.runId !== 'string') throw new UsageError('RunIdMissing', 'no run id given: pass --run-id <id>');
    const problem = runIdProblem(args.runId);
    if (problem !== null) throw new UsageError('RunIdInvalid', problem);
    const manifest = await readManifest(ctx.cwd, args.runId);
    if (manifest?.target === 'local') {
      const { destroyLocalRun } = await import('../target/local/cleanup.js');
      const lockFile = lockPath(ctx.cwd, args.runId);
      return finish(args.runId, await destroyLocalRun(manifest, { log: ctx.err, lockFile }), ctx);
    }
    const { AwsAccount } = await import('../target/aws/index.js');
    const account = await AwsAccount.open({ region: args.region, env: ctx.env });
    try {
      return await finish(args.runId, await account.destroyRun(args.runId, ctx.err), ctx);
    } finally {
      account.close();
    }
  },
};

/** Prints what was checked, records the outcome in the run's manifest (if any), and turns leftovers into exit 3. */
async function finish(runId: string, report: DestroyReport, ctx: CommandContext): Promise<number> {
  for (const check of report.checks) ctx.out(`  ok    ${check}`);
  for (const leftover of report.leftovers) ctx.out(`  LEFT  ${leftover}`);
  await updateManifest(ctx.cwd, runId, {
    status: report.verified ? 'destroyed' : 'destroy-failed',
    destroy: { verified: report.verified, leftovers: report.leftovers, at: new Date().toISOString() },
  });
  if (!report.verified) {
    throw new InfraError(
      'DestroyUnverified',
      `stack ${report.stackName} is not verified gone: ${report.leftovers.join('; ')}`,
    );
  }
  ctx.out(`stack ${report.stackName}: destroyed and verified in ${Math.round(report.durationMs)} ms`);
  return ExitCode.Pass;
}
