import { readdirSync, readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS,
  DEPLOYER_STACK_NAME,
  DEPLOYING_WORKFLOWS,
  DeployerConfigError,
  DeployerStack,
  type DeployerStackProps,
  deployerPropsFromContext,
  trustedSubjects,
  trustedWorkflowRefs,
} from '../../../stack/deployer-stack.js';
import { nagPacks } from '../../../stack/nag.js';
import { MANAGED_BY, STACK_PREFIX, stackName, TAG_KEYS } from '../../../stack/names.js';

const REPOSITORY = 'octo-org/octo-repo';
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const EXISTING_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly NotAction?: unknown;
  readonly NotResource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

function synth(
  props: Partial<DeployerStackProps> = {},
  env: { account?: string; region?: string } | undefined = { account: ACCOUNT, region: REGION },
) {
  const app = new App();
  const stack = new DeployerStack(app, DEPLOYER_STACK_NAME, { githubRepository: REPOSITORY, env, ...props });
  return { stack, template: Template.fromStack(stack) };
}

/** A CloudFormation value as text: `{Ref: X}` → `${X}`, `Fn::Join` joined, strings as they are. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ('Ref' in record) return `\${${String(record.Ref)}}`;
    if ('Fn::Join' in record) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
  }
  throw new Error(`cannot flatten ${JSON.stringify(value)}`);
}

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** Every statement of every identity policy of the template (inline role policies and AWS::IAM::Policy). */
function permissionStatements(template: Template): Statement[] {
  const fromPolicies = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy.Properties.PolicyDocument.Statement as Statement[]) ?? [],
  );
  const fromRoles = Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
    list(role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[]).flatMap(
      (p) => p.PolicyDocument.Statement,
    ),
  );
  return [...fromPolicies, ...fromRoles];
}

function trustStatements(template: Template): Statement[] {
  const roles = Object.values(template.findResources('AWS::IAM::Role'));
  expect(roles).toHaveLength(1);
  return roles[0]!.Properties.AssumeRolePolicyDocument.Statement as Statement[];
}

function resources(statement: Statement): string[] {
  return list(statement.Resource as unknown[]).map(flatten);
}

function actionsOf(
  statements: Statement[],
  predicate: (action: string) => boolean,
): { action: string; resources: string[] }[] {
  return statements.flatMap((s) =>
    list(s.Action)
      .filter(predicate)
      .map((action) => ({ action, resources: resources(s) })),
  );
}

describe('DeployerStack: trust', () => {
  it('creates the GitHub OIDC provider for the sts.amazonaws.com audience', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::IAM::OIDCProvider', 1);
    template.hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it("trusts only this repository's pull request runs and its default branch, by exact sub and aud", () => {
    // Act
    const { template } = synth();
    const [statement, ...others] = trustStatements(template);
    // Assess
    expect(others).toEqual([]);
    expect(statement!.Effect).toBe('Allow');
    expect(statement!.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(statement!.Principal).toEqual({
      Federated: { Ref: Object.keys(template.findResources('AWS::IAM::OIDCProvider'))[0] },
    });
    expect(Object.keys(statement!.Condition ?? {}).sort()).toEqual(['StringEquals', 'StringLike']);
    expect(statement!.Condition?.StringEquals).toEqual({
      'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
      'token.actions.githubusercontent.com:sub': [
        `repo:${REPOSITORY}:pull_request`,
        `repo:${REPOSITORY}:ref:refs/heads/main`,
      ],
    });
  });

  it("also requires the job's workflow to be one of this repository's deploying workflow files, on its own ref", () => {
    const { template } = synth();
    const [statement] = trustStatements(template);
    expect(statement!.Condition?.StringLike).toEqual({
      'token.actions.githubusercontent.com:job_workflow_ref': [
        `${REPOSITORY}/.github/workflows/pr-closed.yml@refs/pull/*/merge`,
        `${REPOSITORY}/.github/workflows/pr-latency.yml@refs/pull/*/merge`,
        `${REPOSITORY}/.github/workflows/sweep.yml@refs/heads/main`,
      ],
    });
  });

  it('follows the default branch in the workflow refs, and allows no wildcard but the pull request number', () => {
    const refs = trustedWorkflowRefs(REPOSITORY, 'trunk');
    const { template } = synth({ defaultBranch: 'trunk' });
    expect(
      trustStatements(template)[0]!.Condition?.StringLike?.['token.actions.githubusercontent.com:job_workflow_ref'],
    ).toEqual(refs);
    expect(refs).toContain(`${REPOSITORY}/.github/workflows/sweep.yml@refs/heads/trunk`);
    for (const ref of refs) {
      expect(ref.startsWith(`${REPOSITORY}/.github/workflows/`)).toBe(true);
      expect(ref.replace('@refs/pull/*/merge', '')).not.toMatch(/[*?]/);
    }
    expect(() => trustedWorkflowRefs(REPOSITORY, 'feature/*')).toThrow(DeployerConfigError);
    expect(() => trustedWorkflowRefs('octo-org/*', 'main')).toThrow(DeployerConfigError);
  });

  it('trusts exactly the workflow files that configure AWS credentials, on the events they run on', () => {
    const dir = new URL('../../../.github/workflows/', import.meta.url);
    const configuring = readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .filter((name) => readFileSync(new URL(name, dir), 'utf8').includes('aws-actions/configure-aws-credentials@'))
      .sort();
    expect([...DEPLOYING_WORKFLOWS.pullRequest, ...DEPLOYING_WORKFLOWS.defaultBranch].sort()).toEqual(configuring);
    for (const name of DEPLOYING_WORKFLOWS.pullRequest) {
      expect(readFileSync(new URL(name, dir), 'utf8'), name).toMatch(/^on:\n {2}pull_request:/m);
    }
    for (const name of DEPLOYING_WORKFLOWS.defaultBranch) {
      expect(readFileSync(new URL(name, dir), 'utf8'), name).not.toMatch(/^ {2}pull_request:/m);
    }
  });

  it('has no wildcard in the subject, so no other repository, fork or branch matches', () => {
    const { template } = synth({ defaultBranch: 'trunk' });
    const subjects = list(
      trustStatements(template)[0]!.Condition?.StringEquals?.['token.actions.githubusercontent.com:sub'] as string[],
    );
    expect(subjects).toEqual(trustedSubjects(REPOSITORY, 'trunk'));
    for (const subject of subjects) {
      expect(subject).not.toMatch(/[*?]/);
      expect(subject.startsWith(`repo:${REPOSITORY}:`)).toBe(true);
    }
  });

  it('uses an existing provider when given its ARN, creating none (an account holds one per URL)', () => {
    const { template } = synth({ oidcProviderArn: EXISTING_PROVIDER });
    template.resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(trustStatements(template)[0]!.Principal).toEqual({ Federated: EXISTING_PROVIDER });
  });

  it('allows sessions longer than the pull request job, as long as the workflow asks for', () => {
    const { template } = synth();
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    const workflow = readFileSync(new URL('../../../.github/workflows/pr-latency.yml', import.meta.url), 'utf8');
    const requested = Number(/role-duration-seconds: (\d+)/.exec(workflow)?.[1]);
    const jobMinutes = Number(/ {4}timeout-minutes: (\d+)\n {4}permissions:\n {6}id-token: write/.exec(workflow)?.[1]);
    expect(requested).toBeGreaterThan(jobMinutes * 60);
    expect(role!.Properties.MaxSessionDuration).toBeGreaterThanOrEqual(requested);
  });
});

describe('DeployerStack: permissions', () => {
  const { template } = synth();
  const statements = permissionStatements(template);

  it('attaches no managed policy and uses no NotAction, NotResource or Deny tricks', () => {
    const role = Object.values(template.findResources('AWS::IAM::Role'))[0];
    expect(role!.Properties.ManagedPolicyArns).toBeUndefined();
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
    }
  });

  it('never grants a wildcard action, and touches only sts, cloudformation, logs and tag', () => {
    const actions = statements.flatMap((s) => list(s.Action));
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      expect(action, action).toMatch(/^(sts|cloudformation|logs|tag):[A-Za-z]+$/);
    }
    expect(actions).not.toContain('iam:PassRole');
  });

  it('grants a * resource only to actions that have no resource-level permission, and names each of them', () => {
    const starActions = statements.filter((s) => resources(s).includes('*')).flatMap((s) => list(s.Action));
    expect(starActions.sort()).toEqual([...ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS].sort());
    for (const statement of statements.filter((s) => resources(s).includes('*'))) {
      expect(resources(statement)).toEqual(['*']);
    }
  });

  it('assumes only the three CDK bootstrap roles of this account and region', () => {
    const assume = actionsOf(statements, (action) => action.startsWith('sts:'));
    expect(assume.map((a) => a.action)).toEqual(['sts:AssumeRole']);
    expect(assume[0]!.resources).toEqual(
      ['deploy', 'file-publishing', 'lookup'].map(
        (kind) => `arn:\${AWS::Partition}:iam::${ACCOUNT}:role/cdk-hnb659fds-${kind}-role-${ACCOUNT}-${REGION}`,
      ),
    );
  });

  it('describes and deletes only stacks whose name starts with rda-, and lists stacks only through ListStacks', () => {
    const stackActions = actionsOf(
      statements,
      (action) => action.startsWith('cloudformation:') && action !== 'cloudformation:ListStacks',
    );
    expect(stackActions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['cloudformation:DeleteStack', 'cloudformation:DescribeStacks']),
    );
    for (const { action, resources: arns } of stackActions) {
      expect(arns, action).toEqual([
        `arn:\${AWS::Partition}:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK_PREFIX}*/*`,
      ]);
    }
    expect(stackActions.map((a) => a.action)).not.toEqual(
      expect.arrayContaining([
        'cloudformation:CreateStack',
        'cloudformation:UpdateStack',
        'cloudformation:ExecuteChangeSet',
      ]),
    );
  });

  it('deletes a stack only when it carries the tag rda:managed-by of this tool, whatever its name', () => {
    // Act
    const deleting = statements.filter((s) => list(s.Action).includes('cloudformation:DeleteStack'));
    // Assess: one statement, DeleteStack alone, conditioned on the stack's managed-by tag.
    expect(deleting).toHaveLength(1);
    expect(list(deleting[0]!.Action)).toEqual(['cloudformation:DeleteStack']);
    expect(deleting[0]!.Condition).toEqual({
      StringEquals: { [`aws:ResourceTag/${TAG_KEYS.managedBy}`]: MANAGED_BY },
    });
    expect(`aws:ResourceTag/${TAG_KEYS.managedBy}`).toBe('aws:ResourceTag/rda:managed-by');
  });

  it('cannot delete its own stack: the deployer stack name does not match rda-*', () => {
    expect(DEPLOYER_STACK_NAME.startsWith(STACK_PREFIX)).toBe(false);
    expect(stackName('pr-1-abcdef0').startsWith(STACK_PREFIX)).toBe(true);
  });

  it('starts Insights queries only on the rda log groups, and deletes or changes no log group', () => {
    const logActions = actionsOf(statements, (action) => action.startsWith('logs:')).map((a) => a.action);
    expect(logActions.sort()).toEqual(
      [
        'logs:DescribeLogGroups',
        'logs:DescribeQueries',
        'logs:GetQueryResults',
        'logs:StartQuery',
        'logs:StopQuery',
      ].sort(),
    );
    expect(actionsOf(statements, (action) => action === 'logs:StartQuery')).toEqual([
      {
        action: 'logs:StartQuery',
        resources: [
          `arn:\${AWS::Partition}:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/${STACK_PREFIX}*`,
          `arn:\${AWS::Partition}:logs:${REGION}:${ACCOUNT}:log-group:${STACK_PREFIX}*`,
        ],
      },
    ]);
  });

  it('lists log groups within this account and region only', () => {
    const describe = actionsOf(statements, (action) => action === 'logs:DescribeLogGroups');
    expect(describe).toEqual([
      { action: 'logs:DescribeLogGroups', resources: [`arn:\${AWS::Partition}:logs:${REGION}:${ACCOUNT}:log-group:*`] },
    ]);
  });

  it('follows a custom bootstrap qualifier in the role names', () => {
    const custom = permissionStatements(synth({ bootstrapQualifier: 'rdapr1' }).template);
    const [assume] = actionsOf(custom, (action) => action === 'sts:AssumeRole');
    expect(assume!.resources.every((arn) => arn.includes(':role/cdk-rdapr1-'))).toBe(true);
  });

  it('outputs the role ARN to paste into the repository variable', () => {
    const outputs = synth().template.findOutputs('DeployRoleArn');
    expect(outputs.DeployRoleArn!.Description).toContain('RDA_DEPLOY_ROLE_ARN');
  });
});

describe('DeployerStack: cdk-nag', () => {
  function openFindings(stack: DeployerStack): string[] {
    return nagPacks().flatMap((pack) => pack.validateScope(stack).violations.map((violation) => violation.ruleName));
  }

  it.each([
    ['with an account and region', { account: ACCOUNT, region: REGION }],
    ['environment-agnostic', undefined],
  ])('reports no unacknowledged finding (%s)', (_what, env) => {
    expect(openFindings(synth({}, env).stack)).toEqual([]);
  });

  it('acknowledges exactly the wildcard findings it has, with reasons', () => {
    const bare = openFindings(synth({ acknowledgeNagFindings: false }).stack);
    const { stack } = synth();
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>));
    expect(bare).toHaveLength(5);
    expect(bare.every((rule) => rule.startsWith('AwsSolutions-IAM5[Resource::'))).toBe(true);
    expect(acknowledged.map(([id]) => id.replace(/^annotation::/i, '')).sort()).toEqual([...bare].sort());
    for (const [, reason] of acknowledged) expect(reason.length).toBeGreaterThanOrEqual(10);
  });
});

describe('DeployerStack: bad settings', () => {
  it.each(['octo-org/*', '*', 'octo-org', 'octo-org/octo-repo/extra', 'octo org/repo', 'octo-org/..', ''])(
    "rejects the repository '%s' with a message that says what to pass",
    (repository) => {
      expect(() => synth({ githubRepository: repository })).toThrow(DeployerConfigError);
      expect(() => synth({ githubRepository: repository })).toThrow(/-c githubRepository=<owner>\/<name>/);
    },
  );

  it('rejects a provider ARN that is not the GitHub provider, a bad qualifier and a branch with wildcards', () => {
    expect(() => synth({ oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/example.com' })).toThrow(
      /is not the ARN of a GitHub OIDC provider/,
    );
    expect(() => synth({ bootstrapQualifier: 'Bad-Qualifier' })).toThrow(/bootstrap qualifier 'Bad-Qualifier'/);
    expect(() => synth({ defaultBranch: 'release/*' })).toThrow(/default branch 'release\/\*'/);
  });

  it('reads its settings from CDK context and names a missing or mistyped one', () => {
    const context: Record<string, unknown> = { githubRepository: REPOSITORY, defaultBranch: 'trunk' };
    expect(deployerPropsFromContext((key) => context[key])).toEqual({
      githubRepository: REPOSITORY,
      oidcProviderArn: undefined,
      defaultBranch: 'trunk',
      bootstrapQualifier: undefined,
    });
    expect(() => deployerPropsFromContext(() => undefined)).toThrow(
      /context githubRepository is missing: pass -c githubRepository=/,
    );
    expect(() => deployerPropsFromContext((key) => (key === 'githubRepository' ? 42 : undefined))).toThrow(
      /context 'githubRepository' is '42'/,
    );
  });
});
