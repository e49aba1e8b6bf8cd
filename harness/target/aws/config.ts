/**
 * Where the AWS target talks to: the region, the SDK clients, and how stacks are deployed. Credentials
 * come from the SDK's default chain (profile, environment, OIDC web identity in CI); `AWS_ENDPOINT_URL`
 * redirects every client, which is how the tests reach moto_server.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { InfraError, UsageError } from '../../errors.js';
import { harnessCommand } from '../../shell-quote.js';

/** The three SDK clients the AWS target uses after deploy: delete and describe, logs, tag search. */
export interface AwsClients {
  readonly cloudFormation: CloudFormationClient;
  readonly logs: CloudWatchLogsClient;
  readonly tagging: ResourceGroupsTaggingAPIClient;
}

/** Partition-region-number, e.g. `eu-west-1`, `us-gov-west-1`, `ap-southeast-4`. */
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`; a UsageError (exit 2) when none is set or it is malformed. */
export function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  const region = nonEmpty(flag) ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  if (region === undefined) {
    throw new UsageError(
      'RegionMissing',
      'no AWS region given: pass --region (e.g. --region eu-west-1) or set AWS_REGION',
    );
  }
  if (!REGION_PATTERN.test(region)) {
    throw new UsageError('RegionInvalid', `region '${region}' is not an AWS region name: give one like 'eu-west-1'`);
  }
  return region;
}

/** How toolkit-lib deploys: change sets (its default, what real AWS gets) or direct CreateStack/UpdateStack. */
export type DeploymentMethodName = 'change-set' | 'direct';

/** Environment variable that switches the deployment method; moto_server needs `direct` (CONTRIBUTING.md#the-aws-tests-and-moto_server). */
export const DEPLOYMENT_METHOD_ENV = 'RDA_DEPLOYMENT_METHOD';

/** The explicit choice, else `RDA_DEPLOYMENT_METHOD`, else `change-set`; a UsageError for anything else. */
export function resolveDeploymentMethod(explicit: string | undefined, env: NodeJS.ProcessEnv): DeploymentMethodName {
  const value = nonEmpty(explicit) ?? nonEmpty(env[DEPLOYMENT_METHOD_ENV]) ?? 'change-set';
  if (value !== 'change-set' && value !== 'direct') {
    throw new UsageError(
      'DeploymentMethodInvalid',
      `deployment method '${value}' is not known: use 'change-set' (real AWS) or 'direct' (moto_server)`,
    );
  }
  return value;
}

/** Creates the SDK clients for `region`; any client given in `overrides` is used as is (tests add middleware). */
export function createAwsClients(region: string, overrides: Partial<AwsClients> = {}): AwsClients {
  return {
    cloudFormation: overrides.cloudFormation ?? new CloudFormationClient({ region }),
    logs: overrides.logs ?? new CloudWatchLogsClient({ region }),
    tagging: overrides.tagging ?? new ResourceGroupsTaggingAPIClient({ region }),
  };
}

/** A client whose config resolves credentials: every SDK v3 client (`client.config.credentials()`). */
export interface CredentialSource {
  readonly config: { readonly credentials: () => Promise<unknown> };
}

/**
 * Resolves credentials once through the client's own provider (the SDK's default chain: environment, SSO,
 * profile files, web identity, container and instance metadata), so a machine without credentials stops
 * with exit 2 and what to set before anything is created or a destroy command is printed. The client keeps
 * the resolved identity, so later calls do not resolve them again.
 */
export async function requireAwsCredentials(client: CredentialSource, region: string): Promise<void> {
  try {
    await client.config.credentials();
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    const name = error instanceof Error ? error.name : '';
    // The provider chain says "none of us found credentials" with these names; anything else (an STS call
    // that failed for a web identity, a network error) is the world's fault, not the configuration's.
    if (name === 'CredentialsProviderError' || name === 'ProviderError' || /could not load credentials/i.test(reason)) {
      throw new UsageError(
        'CredentialsMissing',
        `no AWS credentials found (${reason}): set AWS_PROFILE to a profile in ~/.aws/config ` +
          '(run aws sso login first for an SSO profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY ' +
          `(plus AWS_SESSION_TOKEN for temporary keys); the region, ${region}, is set (--region or AWS_REGION)`,
        { cause: error },
      );
    }
    throw new InfraError(
      'CredentialsUnavailable',
      `could not resolve AWS credentials for region ${region}: ${reason}`,
      { cause: error },
    );
  }
}

/** The command that finishes a run's cleanup; printed when a second Ctrl-C leaves it unfinished. */
export function cleanupCommand(runId: string, region: string): string {
  return harnessCommand(['destroy', '--run-id', runId, '--region', region]);
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
