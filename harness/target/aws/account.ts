/**
 * Run-level operations in one AWS account and region, for the commands: deploy, destroy and verify a run,
 * list and sweep this tool's stacks, run a Logs Insights query. The commands reach AWS only through this
 * class (via `harness/target/aws/index.ts`); the SDK stays behind it.
 */
import type { StackSummary } from '@aws-sdk/client-cloudformation';
import type { DestroyReport } from '../target.js';
import { AwsTarget } from './aws-target.js';
import { describeAllStacks, type StackInfo } from './cloudformation.js';
import { type AwsClients, type DeploymentMethodName, requireAwsCredentials } from './config.js';
import { type AwsInsightsQuery, type AwsInsightsResult, runAwsInsightsQuery } from './insights-query.js';
import { listLiveStacks } from './list-stacks.js';

export interface AwsAccountOptions {
  /** @default AWS_REGION, else AWS_DEFAULT_REGION (a UsageError, exit 2, when neither is set) */
  readonly region?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default RDA_DEPLOYMENT_METHOD, else 'change-set' */
  readonly deploymentMethod?: DeploymentMethodName | string;
  /** SDK clients to use instead of new ones (tests add middleware). */
  readonly clients?: Partial<AwsClients>;
}

/**
 * One account and region, checked before use: {@link AwsAccount.open} resolves the region and the deployment
 * method and makes sure credentials resolve, so a bad setting stops with exit 2 before any AWS call.
 *
 * @example
 * const account = await AwsAccount.open({ region: args.region, env: ctx.env });
 * const report = await account.destroyRun('pr-42-1', ctx.err);
 */
export class AwsAccount {
  private constructor(readonly target: AwsTarget) {}

  static async open(options: AwsAccountOptions = {}): Promise<AwsAccount> {
    const target = new AwsTarget({
      region: options.region,
      env: options.env,
      deploymentMethod: options.deploymentMethod as DeploymentMethodName | undefined,
      clients: options.clients,
    });
    await requireAwsCredentials(target.clients.cloudFormation, target.region);
    return new AwsAccount(target);
  }

  get region(): string {
    return this.target.region;
  }

  /** Deletes a run's stack (whoever deployed it), waits, and verifies nothing tagged with the run is left. */
  destroyRun(runId: string, log?: (line: string) => void): Promise<DestroyReport> {
    return this.target.destroyRun(runId, log);
  }

  /** Every stack of the region with its tags (DescribeStacks, all pages). */
  listStacks(): Promise<StackInfo[]> {
    return describeAllStacks(this.target.clients.cloudFormation);
  }

  /** Summaries of the stacks that are not deleted (ListStacks: the one listing the deployer role may call on every stack). */
  listLiveStacks(signal?: AbortSignal): Promise<StackSummary[]> {
    return listLiveStacks(this.region, { client: this.target.clients.cloudFormation, signal });
  }

  /** A Logs Insights query on the account's log groups, polled to completion. */
  query(query: AwsInsightsQuery, onStatus?: (status: string) => void): Promise<AwsInsightsResult> {
    return runAwsInsightsQuery(this.target.clients.logs, query, onStatus ? { onStatus } : {});
  }

  /** Closes the SDK clients' sockets. */
  close(): void {
    for (const client of Object.values(this.target.clients)) client.destroy();
  }
}
