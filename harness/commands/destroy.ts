import { runIdProblem } from '../../stack/names.js';
import { ExitCode, InfraError, UsageError } from '../errors.js';
import type { Command } from './command.js';

interface DestroyArgs {
  runId: string;
  region?: string;
}

/**
 * `destroy --run-id ID`: deletes the run's stack, waits, and verifies nothing is left (stack, log
 * groups, resources tagged with the run id). Exit 0 only when verified, else 3 with the leftovers.
 *
 * @example
 * npm run harness -- destroy --run-id demo --region eu-west-1
 */
export const destroyCommand: Command<DestroyArgs> = {
  command: 'destroy',
  describe: "delete a run's stack from AWS and verify nothing is left (exit 0 only when verified)",
  builder: (y) =>
    y
      .option('run-id', { type: 'string', demandOption: true, desc: 'the run whose stack rda-<run-id> to destroy' })
      .option('region', { type: 'string', desc: 'AWS region (default: $AWS_REGION, then $AWS_DEFAULT_REGION)' }),
  async run(args, ctx) {
    // yargs reports a missing --run-id but may still call this handler, so check it here as well.
    if (typeof args.runId !== 'string') throw new UsageError('RunIdMissing', 'no run id given: pass --run-id <id>');
    const problem = runIdProblem(args.runId);
    if (problem !== null) throw new UsageError('RunIdInvalid', problem);
    // Loaded here: the AWS SDK adds to the start-up of every other command.
    const [{ createAwsClients, resolveRegion }, { destroyRun }] = await Promise.all([import('../target/aws/config.js'), import('../target/aws/destroy.js')]);
    const region = resolveRegion(args.region, ctx.env);
    const report = await destroyRun(createAwsClients(region), { runId: args.runId, region, log: ctx.err });
    for (const check of report.checks) ctx.out(`  ok    ${check}`);
    for (const leftover of report.leftovers) ctx.out(`  LEFT  ${leftover}`);
    if (!report.verified) {
      throw new InfraError(
        'DestroyUnverified',
        `stack ${report.stackName} is not verified gone: ${report.leftovers.join('; ')}`,
      );
    }
    ctx.out(`stack ${report.stackName}: destroyed and verified in ${report.durationMs} ms`);
    return ExitCode.Pass;
  },
};
