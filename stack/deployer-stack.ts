/**
 * The role GitHub Actions assumes for per-pull-request checks, and the GitHub OIDC provider it trusts.
 * Deployed once per account (and region) by an administrator with `stack/deployer-app.ts`; the
 * workflows then hold no AWS keys, only this role's ARN in a repository variable.
 *
 * Who may assume it: a GitHub OIDC token for `sts.amazonaws.com` whose `sub` is this repository's
 * `pull_request` or default-branch subject AND whose `job_workflow_ref` names one of this repository's
 * deploying workflow files ({@link DEPLOYING_WORKFLOWS}) on the ref it runs on.
 *
 * What the role may do, statement by statement (docs/aws-behaviour.md#deployer-role):
 * - assume the CDK bootstrap deploy, file-publishing and lookup roles of this account and region:
 *   the bootstrap deploy role is what creates and updates the `rda-*` stacks;
 * - describe stacks named `rda-*`, and delete those among them tagged `rda:managed-by=<MANAGED_BY>`
 *   (the harness deletes and verifies with the SDK);
 * - run Logs Insights queries on the `rda` log groups, and read the results;
 * - list stacks, log groups and tagged resources, to prove a run left nothing behind and to sweep.
 */
import {
  ArnFormat,
  CfnOutput,
  type CfnResource,
  Duration,
  Stack,
  type StackProps,
  Token,
  Validations,
} from 'aws-cdk-lib';
import {
  type IOidcProvider,
  OidcProviderNative,
  OpenIdConnectPrincipal,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { MANAGED_BY, STACK_PREFIX, TAG_KEYS } from './names.js';

/** GitHub's OIDC issuer host; also the prefix of the condition keys in the trust policy. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/**
 * The workflow files that assume the role, by the event they run on: the pull request checks and the
 * cleanup on close run as `pull_request` (ref `refs/pull/<number>/merge`), the sweep on the default
 * branch (schedule or dispatch). tests/unit/stack/deployer-stack.test.ts holds this list to the
 * workflows that actually configure AWS credentials.
 */
export const DEPLOYING_WORKFLOWS = {
  pullRequest: ['pr-closed.yml', 'pr-latency.yml'],
  defaultBranch: ['sweep.yml'],
} as const;

/** The audience `aws-actions/configure-aws-credentials` asks GitHub for. */
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/** Name of the deployer stack. It must not start with `rda-`: the role may delete `rda-*` stacks, not itself. */
export const DEPLOYER_STACK_NAME = 'random-data-api-github-deployer';

/** CDK's default bootstrap qualifier (`cdk bootstrap` without `--qualifier`). */
export const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

/**
 * Actions granted on `*` because the Service Authorization Reference lists no resource type for
 * them. The template test holds every `*` statement to this list.
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS = [
  'cloudformation:ListStacks',
  'logs:GetQueryResults',
  'logs:StopQuery',
  'logs:DescribeQueries',
  'tag:GetResources',
] as const;

/** A deployer setting that cannot be used; the message quotes it and says what to pass. */
export class DeployerConfigError extends Error {
  readonly code = 'InvalidDeployerContext';

  constructor(message: string) {
    super(message);
    this.name = 'DeployerConfigError';
  }
}

/** Props of {@link DeployerStack}. */
export interface DeployerStackProps extends StackProps {
  /** `owner/name` of the only repository whose workflows may assume the role. */
  readonly githubRepository: string;
  /**
   * ARN of the account's existing GitHub OIDC provider. An account holds one provider per URL, so
   * pass it when another stack or team already created it. @default a new provider is created
   */
  readonly oidcProviderArn?: string;
  /** Branch the scheduled sweep runs on: its runs carry `ref:refs/heads/<branch>` as subject. @default 'main' */
  readonly defaultBranch?: string;
  /** Qualifier the account was bootstrapped with. @default 'hnb659fds' */
  readonly bootstrapQualifier?: string;
  /**
   * Longest session the workflows may request; above the pull request job's 60-minute timeout so the
   * cleanup step still holds valid credentials. @default Duration.hours(2)
   */
  readonly maxSessionDuration?: Duration;
  /**
   * Record the cdk-nag acknowledgements of the deliberate wildcards. Only tests turn this off, to prove
   * each acknowledgement still matches a live finding. @default true
   */
  readonly acknowledgeNagFindings?: boolean;
}

/**
 * The `sub` claims the role trusts: this repository's `pull_request` runs (checks, cleanup on close)
 * and runs on its default branch (the scheduled sweep). Exact strings, no wildcards.
 */
export function trustedSubjects(githubRepository: string, defaultBranch = 'main'): string[] {
  const repository = validRepository(githubRepository);
  const branch = validBranch(defaultBranch);
  return [`repo:${repository}:pull_request`, `repo:${repository}:ref:refs/heads/${branch}`];
}

/**
 * The `job_workflow_ref` claims the role trusts (matched with StringLike, on top of the exact `sub`):
 * `<owner>/<name>/.github/workflows/<file>@<ref>` for the deploying workflow files of this repository
 * only, each on the ref it runs on. The one wildcard is the pull request number in `refs/pull/<n>/merge`,
 * a ref namespace GitHub alone writes. So a run of any other workflow file of the repository (a new
 * file in a pull request, ci.yml, or sweep.yml on a pull request) cannot assume the role. IAM has
 * evaluated GitHub's `job_workflow_ref` claim as a condition key since AWS STS added provider-specific
 * claims (AWS What's New, 2026-01, "AWS STS supports validation of identity provider claims").
 */
export function trustedWorkflowRefs(githubRepository: string, defaultBranch = 'main'): string[] {
  const repository = validRepository(githubRepository);
  const branch = validBranch(defaultBranch);
  const file = (name: string) => `${repository}/.github/workflows/${name}`;
  return [
    ...DEPLOYING_WORKFLOWS.pullRequest.map((name) => `${file(name)}@refs/pull/*/merge`),
    ...DEPLOYING_WORKFLOWS.defaultBranch.map((name) => `${file(name)}@refs/heads/${branch}`),
  ];
}

/** The GitHub OIDC provider (created or imported) and the role the per-pull-request workflows assume. */
export class DeployerStack extends Stack {
  readonly role: Role;
  readonly oidcProvider: IOidcProvider;

  constructor(scope: Construct, id: string, props: DeployerStackProps) {
    const {
      githubRepository,
      oidcProviderArn,
      defaultBranch,
      bootstrapQualifier,
      maxSessionDuration,
      acknowledgeNagFindings,
      ...stackProps
    } = props;
    super(scope, id, {
      description: `GitHub OIDC deploy role for ${githubRepository}'s per-pull-request checks`,
      ...stackProps,
    });
    const subjects = trustedSubjects(githubRepository, defaultBranch);
    const workflowRefs = trustedWorkflowRefs(githubRepository, defaultBranch);
    const qualifier = bootstrapQualifier ?? DEFAULT_BOOTSTRAP_QUALIFIER;
    if (!/^[a-z0-9]{1,10}$/.test(qualifier)) {
      throw new DeployerConfigError(
        `bootstrap qualifier '${qualifier}' is not 1 to 10 lowercase letters or digits: pass the --qualifier given to cdk bootstrap`,
      );
    }

    this.oidcProvider = oidcProviderArn
      ? OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidcProvider', validProviderArn(oidcProviderArn))
      : new OidcProviderNative(this, 'GitHubOidcProvider', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: [GITHUB_OIDC_AUDIENCE],
          // No thumbprints: IAM trusts GitHub's certificate through its own CA store for this issuer.
        });

    this.role = new Role(this, 'DeployRole', {
      description: `assumed by GitHub Actions of ${githubRepository} to deploy, query and delete ${STACK_PREFIX}* stacks`,
      maxSessionDuration: maxSessionDuration ?? Duration.hours(2),
      assumedBy: new OpenIdConnectPrincipal(this.oidcProvider, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: subjects,
        },
        // Both operators must hold: the exact subject (this repository, pull request or default branch)
        // and one of this repository's deploying workflow files on its own ref.
        StringLike: { [`${GITHUB_OIDC_HOST}:job_workflow_ref`]: workflowRefs },
      }),
    });

    const stack = Stack.of(this);
    const bootstrapRole = (kind: string) =>
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName: `cdk-${qualifier}-${kind}-role-${stack.account}-${stack.region}`,
      });
    const rdaLogGroups = [`/aws/lambda/${STACK_PREFIX}*`, `${STACK_PREFIX}*`].map((name) =>
      stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );

    // The bootstrap deploy role creates, updates and deletes stacks through CloudFormation; the
    // file-publishing role uploads the function bundle; the lookup role reads context. Named per
    // account and region (aws-cdk-lib DefaultStackSynthesizer), so no other role matches.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole'],
        resources: ['deploy', 'file-publishing', 'lookup'].map(bootstrapRole),
      }),
    );
    const rdaStacks = stack.formatArn({
      service: 'cloudformation',
      resource: 'stack',
      resourceName: `${STACK_PREFIX}*/*`,
    });
    // The harness deletes a run's stack and waits for DELETE_COMPLETE itself, reading the stack as it goes.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'DescribeRdaStacks',
        actions: [
          'cloudformation:DescribeStacks',
          'cloudformation:DescribeStackEvents',
          'cloudformation:DescribeStackResource',
          'cloudformation:DescribeStackResources',
          'cloudformation:ListStackResources',
          'cloudformation:GetTemplate',
        ],
        resources: [rdaStacks],
      }),
    );
    // DeleteStack only on stacks this tool created: the name alone does not prove it (anyone may create
    // an `rda-*` stack), the `rda:managed-by` tag the harness puts on every stack it deploys does. The
    // harness checks the same tag before it deletes (harness/target/aws/destroy.ts); this is the backstop.
    // DeleteStack needs no iam:PassRole: CloudFormation reuses the stack's execution role "even if the
    // user doesn't have permission to pass it" (DeleteStack RoleARN documentation).
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'DeleteManagedRdaStacks',
        actions: ['cloudformation:DeleteStack'],
        resources: [rdaStacks],
        conditions: { StringEquals: { [`aws:ResourceTag/${TAG_KEYS.managedBy}`]: MANAGED_BY } },
      }),
    );
    // Resource '*': ListStacks has no resource type in the Service Authorization Reference, and
    // DescribeStacks without a stack name is authorized as ListStacks on every stack
    // (jogold/cloudstructs#215). sweep and pr-stacks list this way, then filter on `rda-`.
    this.role.addToPolicy(
      new PolicyStatement({ sid: 'ListStacksForSweep', actions: ['cloudformation:ListStacks'], resources: ['*'] }),
    );
    // StartQuery is the one Insights action with a resource type (log-group); the run's function logs
    // to /aws/lambda/rda-<runId>-fn, and CloudFormation names any unnamed group of the stack rda-<runId>-….
    // No DeleteLogGroup: the group is a stack resource and goes with the stack (docs/aws-behaviour.md#lambda-log-group-lifecycle).
    this.role.addToPolicy(
      new PolicyStatement({ sid: 'QueryRdaLogGroups', actions: ['logs:StartQuery'], resources: rdaLogGroups }),
    );
    // Resource '*': GetQueryResults, StopQuery and DescribeQueries take a query id, not a log group,
    // and the Service Authorization Reference lists no resource type for any of them.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'ReadInsightsQueries',
        actions: ['logs:GetQueryResults', 'logs:StopQuery', 'logs:DescribeQueries'],
        resources: ['*'],
      }),
    );
    // DescribeLogGroups is authorized against every log group of the account and region, even with a
    // name prefix (maxbanton/cwh#83), so a narrower ARN denies it. Still no other account or region.
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'VerifyLogGroupsGone',
        actions: ['logs:DescribeLogGroups'],
        resources: [
          stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    // Resource '*': the Resource Groups Tagging API has no resource-level permissions; the harness
    // filters on the tag rda:run-id to prove nothing of a run is left.
    this.role.addToPolicy(
      new PolicyStatement({ sid: 'VerifyNothingTagged', actions: ['tag:GetResources'], resources: ['*'] }),
    );

    if (acknowledgeNagFindings ?? true) this.acknowledgeWildcards();

    new CfnOutput(this, 'DeployRoleArn', {
      value: this.role.roleArn,
      description: 'set this as the repository variable RDA_DEPLOY_ROLE_ARN',
    });
    new CfnOutput(this, 'OidcProviderArn', { value: this.oidcProvider.oidcProviderArn });
  }

  /**
   * cdk-nag's AwsSolutions-IAM5 flags each wildcard resource of the role's policy; every one is
   * deliberate and explained above. cdk-nag 3 takes one acknowledgement per finding, named after the
   * resource as it renders it (pseudo parameters as `<AWS::Region>`).
   */
  private acknowledgeWildcards(): void {
    const policy = this.role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
    const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
    const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
    const arn = (service: string, resource: string) =>
      `arn:<AWS::Partition>:${service}:${region}:${account}:${resource}`;
    const reasons: [string, string][] = [
      [
        arn('cloudformation', `stack/${STACK_PREFIX}*/*`),
        `describe only stacks named ${STACK_PREFIX}<runId>, and delete only those tagged ${TAG_KEYS.managedBy}=${MANAGED_BY}`,
      ],
      [
        '*',
        'ListStacks, GetQueryResults, StopQuery, DescribeQueries and tag:GetResources have no resource-level permissions',
      ],
      [
        arn('logs', `log-group:/aws/lambda/${STACK_PREFIX}*`),
        "Logs Insights queries on the function log groups of this tool's runs only",
      ],
      [
        arn('logs', `log-group:${STACK_PREFIX}*`),
        "Logs Insights queries on log groups CloudFormation named after this tool's stacks only",
      ],
      [
        arn('logs', 'log-group:*'),
        'DescribeLogGroups is authorized against every log group of the account and region, even with a prefix',
      ],
    ];
    for (const [resource, reason] of reasons) {
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    }
  }
}

/** Reads the deployer's settings from CDK context (`-c githubRepository=owner/name` …). */
export function deployerPropsFromContext(context: (key: string) => unknown): DeployerStackProps {
  const text = (key: string): string | undefined => {
    const value = context(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      throw new DeployerConfigError(
        `context '${key}' is '${JSON.stringify(value)}': pass a string with -c ${key}=<value>`,
      );
    }
    return value;
  };
  const githubRepository = text('githubRepository');
  if (githubRepository === undefined) {
    throw new DeployerConfigError(
      'context githubRepository is missing: pass -c githubRepository=<owner>/<name>, the repository whose workflows assume the role',
    );
  }
  return {
    githubRepository,
    oidcProviderArn: text('oidcProviderArn'),
    defaultBranch: text('defaultBranch'),
    bootstrapQualifier: text('bootstrapQualifier'),
  };
}

function validRepository(value: string): string {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(value) || /\/\.{1,2}$/.test(value)) {
    throw new DeployerConfigError(
      `github repository '${value}' is not 'owner/name': pass -c githubRepository=<owner>/<name> exactly as GitHub spells it (no wildcards)`,
    );
  }
  return value;
}

function validBranch(value: string): string {
  if (!/^[A-Za-z0-9._/-]+$/.test(value) || value.includes('..') || value.startsWith('/')) {
    throw new DeployerConfigError(
      `default branch '${value}' is not a plain branch name: pass -c defaultBranch=main (letters, digits, . _ / -)`,
    );
  }
  return value;
}

function validProviderArn(value: string): string {
  if (!/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(value)) {
    throw new DeployerConfigError(
      `oidc provider '${value}' is not the ARN of a GitHub OIDC provider: pass arn:aws:iam::<account>:oidc-provider/${GITHUB_OIDC_HOST}`,
    );
  }
  return value;
}
