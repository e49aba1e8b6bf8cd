import { runIdProblem, TAG_KEYS } from '../../stack/names.js';
import { ExitCode, UsageError } from '../errors.js';
import { generateRunId, parseTtlMs } from '../options.js';
import { checkStackContext, mergeContext, parseContextFlags, readContextFiles } from '../target/cdk-context.js';
import type { Command } from './command.js';

interface DeployArgs {
  runId?: string;
  ttl: string;
  region?: string;
  deploymentMethod?: string;
  context?: string[];
}

/**
 * `deploy`: deploys one run's stack to AWS and leaves it up, for a user who wants an API to poke at;
 * prints its outputs and the command that destroys it. Ctrl-C during the deploy deletes the stack.
 *
 * @example
 * npm run harness -- deploy --run-id demo --ttl 4h --region eu-west-1
 */
export const deployCommand: Command<DeployArgs> = {
  builder: (y) =>
    y
      .option('run-id', { type: 'string', desc: 'names the stack rda-<run-id> (default: a random id)' })
      .option('ttl', {
        type: 'string',
        default: '2h',
        desc: 'lifetime written to the rda:expires-at tag; `sweep` removes the stack after it',
      })
      .option('region', { type: 'string', desc: 'AWS region (default: $AWS_REGION, then $AWS_DEFAULT_REGION)' })
      .option('deployment-method', {
        type: 'string',
        desc: "'change-set' (default) or 'direct' (moto_server); default: $RDA_DEPLOYMENT_METHOD",
      })
      .option('context', {
        alias: 'c',
        type: 'string',
        array: true,
        desc: 'CDK context key=value, repeatable, as `cdk deploy -c` takes it (over cdk.json, cdk.context.json, ~/.cdk.json)',
      }),
  async run(args, ctx) {
    const runId = args.runId ?? generateRunId();
    // Every usage error comes before the first AWS call (the credentials check is one).
    const problem = runIdProblem(runId);
    if (problem !== null) throw new UsageError('RunIdInvalid', problem);
    const ttlMs = parseTtlMs(args.ttl);
    const expiresAt = new Date(Date.now() + ttlMs).toISOString();
    // The context `npx cdk deploy` would use from here, checked before the first AWS call.
    const resolved = mergeContext([
      ...readContextFiles({ projectDir: ctx.cwd, homeDir: ctx.env.HOME }),
      { source: '-c', values: parseContextFlags(args.context ?? []) },
      { source: 'run', values: { expiresAt } },
    ]);
    checkStackContext(resolved, { now: new Date() });
    const { AwsAccount } = await import('../target/aws/index.js');
    const { target } = await AwsAccount.open({
      region: args.region,
      env: ctx.env,
      deploymentMethod: args.deploymentMethod,
    });
    const deployment = await target.deploy({ runId, signal: ctx.signal, context: resolved.values, log: ctx.err });

    ctx.out(`stack ${deployment.stackName} deployed in ${deployment.region}`);
    for (const [key, value] of Object.entries(deployment.outputs)) ctx.out(`  ${key} = ${value}`);
    ctx.out(`  ${TAG_KEYS.expiresAt} = ${expiresAt} (after that, 'npm run harness -- sweep --yes' removes it)`);
    ctx.out(`destroy it with: ${deployment.cleanupCommand}`);
    return ExitCode.Pass;
  },
};
