import { branchRunId, prRunId } from '../ci/run-id.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Command } from './command.js';

interface PrRunIdArgs {
  pr?: string;
  branch?: string;
  sha: string;
}

/**
 * `pr-run-id`: prints the run id a CI run uses, from the pull request number (or a branch name) and
 * the commit, so the workflow and `pr-closed` agree on it. Only the id goes to stdout.
 *
 * @example
 * RUN_ID="$(npm run --silent harness -- pr-run-id --pr 42 --sha "$GITHUB_SHA")"
 */
export const prRunIdCommand: Command<PrRunIdArgs> = {
  builder: (y) =>
    y
      .option('pr', { type: 'string', desc: 'pull request number' })
      .option('branch', { type: 'string', desc: 'branch name, for a run outside a pull request' })
      .option('sha', { type: 'string', demandOption: true, desc: 'commit id (7 to 64 hex digits)' }),
  async run(args, ctx) {
    if ((args.pr === undefined) === (args.branch === undefined)) {
      throw new UsageError('RunIdSourceAmbiguous', 'pass exactly one of --pr and --branch, with --sha');
    }
    ctx.out(args.pr !== undefined ? prRunId(args.pr, args.sha) : branchRunId(args.branch ?? '', args.sha));
    return ExitCode.Pass;
  },
};
