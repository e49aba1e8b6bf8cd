import { CfnResource, Stack, TagManager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SavedQueryError } from '../../../stack/errors.js';
import { type SavedQuery, savedQueries } from '../../../stack/log-queries.js';
import { MANAGED_BY, TAG_KEYS } from '../../../stack/names.js';
import type { RandomDataStack } from '../../../stack/random-data-stack.js';
import { allStatements, buildTestStack, removeTestOutdirs, TEST_CONTEXT } from './stack-fixture.js';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;

let stack: RandomDataStack;
let template: Template;
let json: { Resources: Resources; Outputs: Record<string, { Value: unknown }> };
let ids: { fn: string; logGroup: string; role: string; api: string };

beforeAll(() => {
  ({ stack } = buildTestStack({ context: { ...TEST_CONTEXT } }));
  template = Template.fromStack(stack);
  json = template.toJSON() as typeof json;
  const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as CfnResource);
  ids = {
    fn: logicalId(stack.fn),
    logGroup: logicalId(stack.logGroup),
    role: logicalId(stack.role),
    api: logicalId(stack.api),
  };
});

afterAll(removeTestOutdirs);

function resourcesOfType(type: string): Resources {
  return Object.fromEntries(Object.entries(json.Resources).filter(([, resource]) => resource.Type === type));
}

describe('RandomDataStack: nothing left behind', () => {
  it('names the CloudFormation stack rda-<runId>', () => {
    expect(stack.stackName).toBe('rda-unit-test');
  });

  it('has no account-level AWS::ApiGateway::Account (docs/aws-behaviour.md#api-gateway-account-role)', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('has no Custom::LogRetention and no Lambda function other than the handler (docs/aws-behaviour.md#lambda-log-group-lifecycle)', () => {
    template.resourceCountIs('Custom::LogRetention', 0);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(Object.values(json.Resources).filter((r) => r.Type.startsWith('Custom::'))).toEqual([]);
  });

  it("declares the function's log group, deleted with the stack, with the retention from context", () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    expect(json.Resources[ids.logGroup]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: { LogGroupName: '/aws/lambda/rda-unit-test-fn', RetentionInDays: 3 },
    });
  });

  it('wires that log group as the function log group through LoggingConfig', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: ids.logGroup } },
    });
  });
});

describe('RandomDataStack: least-privilege IAM', () => {
  it('attaches no managed policy to any role and declares none', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    for (const role of Object.values(resourcesOfType('AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('grants logs:CreateLogGroup nowhere', () => {
    expect(JSON.stringify(json)).not.toContain('logs:CreateLogGroup');
  });

  it("has no wildcard action and no '*' resource in any policy statement", () => {
    // Prepare
    const statements = allStatements(json);
    expect(statements.length).toBeGreaterThan(0);

    // Assess
    for (const statement of statements) {
      for (const action of [statement.Action ?? []].flat()) expect(action).not.toContain('*');
      for (const resource of [statement.Resource ?? []].flat()) {
        if (typeof resource === 'string') expect(resource).not.toContain('*');
      }
    }
  });

  it("gives the execution role only CreateLogStream and PutLogEvents, on the function's own log group", () => {
    // Prepare: the only role, and every statement that grants it something (inline or attached).
    template.resourceCountIs('AWS::IAM::Role', 1);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    const role = json.Resources[ids.role];

    // Assess
    expect(role!.Properties?.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } }],
    });
    const grants = allStatements(role!.Properties?.Policies);
    expect(grants).toEqual([
      {
        Sid: 'WriteOwnLogGroup',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // GetAtt Arn of a log group ends in ':*', i.e. the streams of this one group.
        Resource: { 'Fn::GetAtt': [ids.logGroup, 'Arn'] },
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', { Role: { 'Fn::GetAtt': [ids.role, 'Arn'] } });
  });

  it('has exactly one Lambda permission: API Gateway, on this API, for the deployed stage only', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [ids.fn, 'Arn'] },
      SourceArn: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':execute-api:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':',
            { Ref: ids.api },
            '/perf/*/*',
          ],
        ],
      },
    });
  });

  it('grants no test-invoke-stage permission', () => {
    expect(JSON.stringify(json)).not.toContain('test-invoke-stage');
  });
});

describe('RandomDataStack: API', () => {
  it('uses a REGIONAL endpoint', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'rda-unit-test-api',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  it('proxies ANY / and ANY /{proxy+} to the function and has no other method', () => {
    // Prepare
    const integration = {
      Type: 'AWS_PROXY',
      IntegrationHttpMethod: 'POST',
      Uri: {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':apigateway:',
            { Ref: 'AWS::Region' },
            ':lambda:path/2015-03-31/functions/',
            { 'Fn::GetAtt': [ids.fn, 'Arn'] },
            '/invocations',
          ],
        ],
      },
    };

    // Assess
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'ANY',
      ResourceId: { 'Fn::GetAtt': [ids.api, 'RootResourceId'] },
      Integration: integration,
    });
    template.resourceCountIs('AWS::ApiGateway::Resource', 1);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    const proxyMethods = Object.values(resourcesOfType('AWS::ApiGateway::Method')).filter(
      (method) =>
        JSON.stringify(method.Properties?.ResourceId) !== JSON.stringify({ 'Fn::GetAtt': [ids.api, 'RootResourceId'] }),
    );
    expect(proxyMethods).toHaveLength(1);
    expect(proxyMethods[0]!.Properties).toMatchObject({ HttpMethod: 'ANY', Integration: integration });
  });

  it('names the stage from context and throttles every method of it with the rate and burst from context', () => {
    template.resourceCountIs('AWS::ApiGateway::Stage', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'perf',
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 42, ThrottlingBurstLimit: 84 }),
      ],
    });
  });

  it('enables no access or execution logging on the stage (they need the account CloudWatch role)', () => {
    const stage = Object.values(resourcesOfType('AWS::ApiGateway::Stage'))[0];
    expect(stage!.Properties?.AccessLogSetting).toBeUndefined();
    const settings = (stage!.Properties?.MethodSettings ?? []) as Record<string, unknown>[];
    expect(settings.length).toBeGreaterThan(0);
    for (const setting of settings) {
      expect(setting.LoggingLevel).toBeUndefined();
      expect(setting.DataTraceEnabled).not.toBe(true);
    }
  });
});

describe('RandomDataStack: function', () => {
  it('runs the handler on Node.js 24, arm64, with memory, timeout and log level from context', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'rda-unit-test-fn',
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 7,
    });
  });

  it('sets only LOG_LEVEL in the environment', () => {
    expect(json.Resources[ids.fn]!.Properties?.Environment).toEqual({ Variables: { LOG_LEVEL: 'debug' } });
  });

  it('reserves no concurrency by default (reserving can fail deploys on new accounts, docs/aws-behaviour.md#reserved-concurrency)', () => {
    expect(json.Resources[ids.fn]!.Properties?.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('reserves concurrency when the context asks for it', () => {
    const { stack: reserved } = buildTestStack({ context: { reservedConcurrency: '5' } });
    Template.fromStack(reserved).hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 5 });
  });

  it('uses the default settings when the context gives none', () => {
    // Prepare
    const { stack: defaults } = buildTestStack();
    const defaultTemplate = Template.fromStack(defaults);

    // Assess
    expect(defaults.stackName).toBe('rda-dev');
    defaultTemplate.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'rda-dev-fn',
      MemorySize: 512,
      Timeout: 10,
      Environment: { Variables: { LOG_LEVEL: 'info' } },
    });
    defaultTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'bench',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 })],
    });
    defaultTemplate.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 1 });
  });

  it('stops synthesis with the context key in the message when a value is bad', () => {
    expect(() => buildTestStack({ context: { memorySizeMb: '64' } })).toThrow(
      "context 'memorySizeMb' is '64': give an integer from 128 to 10240",
    );
  });
});

/** The logical ids a resource names through `Ref`, `Fn::GetAtt` or `${...}` in `Fn::Sub`: CloudFormation orders it after each. */
function referencedIds(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const child of node) referencedIds(child, found);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, child] of Object.entries(node)) {
      if (key === 'Ref' && typeof child === 'string') found.add(child);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(child) ? String(child[0]) : String(child).split('.')[0]!);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(child) ? child[0] : child;
        for (const [, name] of String(text).matchAll(/\$\{([^!}][^}.]*)[^}]*\}/g)) found.add(name!);
        if (Array.isArray(child)) referencedIds(child[1], found);
      } else referencedIds(child, found);
    }
  }
  return found;
}

function dependsOn(resource: Resources[string]): string[] {
  return resource.DependsOn === undefined ? [] : [resource.DependsOn as string | string[]].flat();
}

describe('RandomDataStack: dependencies', () => {
  it('declares no DependsOn that a Ref or GetAtt of the same resource already implies (cfn-lint W3005)', () => {
    const redundant = Object.entries(json.Resources).flatMap(([id, resource]) => {
      const { DependsOn: _, ...rest } = resource;
      const implied = referencedIds(rest);
      return dependsOn(resource)
        .filter((target) => implied.has(target))
        .map((target) => `${id} -> ${target}`);
    });
    expect(redundant).toEqual([]);
  });

  it('orders the function after its role through the GetAtt in Role, with no DependsOn of its own', () => {
    expect(json.Resources[ids.fn]!.Properties?.Role).toEqual({ 'Fn::GetAtt': [ids.role, 'Arn'] });
    expect(json.Resources[ids.fn]!.DependsOn).toBeUndefined();
  });

  it('still makes the function wait for a policy resource of its role, which no GetAtt orders', () => {
    // Prepare: a statement added after construction becomes the role's DefaultPolicy, a resource of its own.
    const { stack: withPolicy } = buildTestStack();
    withPolicy.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['ssm:GetParameter'], resources: ['arn:aws:ssm:*:*:parameter/x'] }),
    );

    // Act
    const resources = Template.fromStack(withPolicy).toJSON().Resources as Resources;

    // Assess
    const [policyId] = Object.keys(resources).filter((id) => resources[id]!.Type === 'AWS::IAM::Policy');
    const fnId = withPolicy.getLogicalId(withPolicy.fn.node.defaultChild as CfnResource);
    expect(policyId).toBeDefined();
    expect(resources[fnId]!.DependsOn).toEqual([policyId]);
  });
});

describe('RandomDataStack: tags and outputs', () => {
  const expectedTags = {
    [TAG_KEYS.runId]: 'unit-test',
    [TAG_KEYS.expiresAt]: '2030-01-31T12:00:00.000Z',
    [TAG_KEYS.creator]: 'ci-bot',
    [TAG_KEYS.managedBy]: MANAGED_BY,
  };

  it('puts the run id, expiry, creator and managed-by tags on every taggable resource', () => {
    // Prepare: every L1 resource that can carry tags, found from the construct tree, not from a list.
    const taggable = stack.node
      .findAll()
      .filter((construct): construct is CfnResource => CfnResource.isCfnResource(construct))
      .filter((resource) => TagManager.isTaggable(resource));
    expect(taggable.length).toBeGreaterThanOrEqual(5); // log group, role, function, REST API, stage

    // Assess
    for (const resource of taggable) {
      const tags = json.Resources[stack.getLogicalId(resource)]!.Properties?.Tags;
      const asMap = Array.isArray(tags)
        ? Object.fromEntries((tags as { Key: string; Value: string }[]).map((tag) => [tag.Key, tag.Value]))
        : tags;
      expect(asMap, `${resource.cfnResourceType} ${resource.node.path}`).toMatchObject(expectedTags);
    }
  });

  it('tags the CloudFormation stack itself', () => {
    expect(Stack.of(stack).tags.tagValues()).toMatchObject(expectedTags);
  });

  it('outputs ApiUrl, FunctionName, LogGroupName and StackRunId, and nothing else', () => {
    expect(Object.keys(json.Outputs).sort()).toEqual(['ApiUrl', 'FunctionName', 'LogGroupName', 'StackRunId']);
    expect(json.Outputs.ApiUrl!.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: ids.api },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/perf/',
        ],
      ],
    });
    expect(json.Outputs.FunctionName!.Value).toEqual({ Ref: ids.fn });
    expect(json.Outputs.LogGroupName!.Value).toEqual({ Ref: ids.logGroup });
    expect(json.Outputs.StackRunId!.Value).toBe('unit-test');
  });
});

describe('RandomDataStack: saved Logs Insights queries', () => {
  function expectOneDefinitionPerQuery(target: Template, queries: readonly SavedQuery[], logGroupId: string) {
    target.resourceCountIs('AWS::Logs::QueryDefinition', queries.length);
    for (const query of queries) {
      target.hasResourceProperties('AWS::Logs::QueryDefinition', {
        Name: `rda/unit-test/${query.name}`,
        QueryString: query.queryString,
        LogGroupNames: [{ Ref: logGroupId }],
      });
    }
  }

  it("saves every query of stack/log-queries.ts, scoped to the function's log group", () => {
    expectOneDefinitionPerQuery(template, savedQueries, ids.logGroup);
  });

  it('saves any list of queries it is given, one definition each', () => {
    // Prepare
    const queries: SavedQuery[] = [
      { name: 'first', description: 'test', queryString: 'fields @timestamp | limit 1' },
      { name: 'top-10-slowest', description: 'test', queryString: 'sort durationMs desc | limit 10' },
    ];

    // Act
    const { stack: custom } = buildTestStack({ context: { runId: 'unit-test' }, props: { savedQueries: queries } });
    const customTemplate = Template.fromStack(custom);

    // Assess
    const logGroupId = custom.getLogicalId(custom.logGroup.node.defaultChild as CfnResource);
    expectOneDefinitionPerQuery(customTemplate, queries, logGroupId);
  });

  it('saves no query definition when the list is empty', () => {
    const { stack: empty } = buildTestStack({ props: { savedQueries: [] } });
    Template.fromStack(empty).resourceCountIs('AWS::Logs::QueryDefinition', 0);
  });

  it.each([
    [
      [{ name: 'Not Kebab', description: '', queryString: 'limit 1' }],
      "saved query name 'Not Kebab' is not kebab-case",
    ],
    [
      [
        { name: 'twice', description: '', queryString: 'limit 1' },
        { name: 'twice', description: '', queryString: 'limit 2' },
      ],
      "saved query name 'twice' is used twice",
    ],
    [[{ name: 'blank', description: '', queryString: '  ' }], "saved query 'blank' has a query string of 2 characters"],
    [
      [{ name: 'huge', description: '', queryString: 'x'.repeat(10_001) }],
      "saved query 'huge' has a query string of 10001 characters: give 1 to 10000",
    ],
  ])('rejects an unusable saved query list with a SavedQueryError', (queries, message) => {
    expect(() => buildTestStack({ props: { savedQueries: queries } })).toThrow(SavedQueryError);
    expect(() => buildTestStack({ props: { savedQueries: queries } })).toThrow(message);
  });
});
