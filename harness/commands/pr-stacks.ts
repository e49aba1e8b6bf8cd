import { planPrStacks } from '../ci/pr-stacks.js';
import { prRunIdPrefix } from '../ci/run-id.js';
import { ExitCode } from '../errors.js';
import type { Command } from './command.js';

interface PrStacksArgs {
  pr: string;
  region?: string;
}

/**
 * `pr-stacks`: prints the run id of every stack of one pull request that still exists and that this tool
 * created (tagged rda:managed-by), one per line (nothing when there is none), for `pr-closed` to destroy
 * each with `destroy --run-id`. A stack of such a name without the tag is named on stderr as skipped.
 *
 * @example
 * for id in $(npm run --silent harness -- pr-stacks --pr 42); do npm run harness -- destroy --run-id "$id"; done
 */
export const prStacksCommand: Command<PrStacksArgs> = {
  builder: (y) =>
    y
      .option('pr', { type: 'string', demandOption: true, desc: 'pull request number' })
      .option('region', { type: 'string', desc: 'AWS region (default: $AWS_REGION, then $AWS_DEFAULT_REGION)' }),
  async run(args, ctx) {
    const prefix = prRunIdPrefix(args.pr);
    const { AwsAccount } = await import('../target/aws/index.js');
    // A missing login is a configuration error (exit 2), not a failed listing (exit 3).
    const account = await AwsAccount.open({ region: args.region, env: ctx.env });
    try {
      // Stacks of the pull request's names without rda:managed-by are a stranger's: named on stderr, never listed.
      const { runIds, skipped } = planPrStacks(await account.listLiveStacks(ctx.signal), args.pr);
      for (const line of skipped) ctx.err(line);
      for (const runId of runIds) ctx.out(runId);
      ctx.err(`${runIds.length} stack(s) with run id '${prefix}*' in ${account.region}`);
      return ExitCode.Pass;
    } finally {
      account.close();
    }
  },
};
