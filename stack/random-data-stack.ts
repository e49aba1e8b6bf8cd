/**
 * The random-data API of one run: a REST API (regional) proxying every path to one Lambda function,
 * the function's own log group, and an execution role that can write to that group and nothing else.
 * Everything is deleted with the stack and tagged with the run id, expiry time and creator.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aws,
  CfnOutput,
  CfnResource,
  Duration,
  Lazy,
  RemovalPolicy,
  Stack,
  type StackProps,
  Tags,
  Validations,
} from 'aws-cdk-lib';
import { AwsIntegration, EndpointType, type Method, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  LogLevel as EsbuildLogLevel,
  NodejsFunction,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { CfnQueryDefinition, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StackConfig } from './config.js';
import { SavedQueryError } from './errors.js';
import { savedQueries as defaultSavedQueries, type SavedQuery } from './log-queries.js';
import { MANAGED_BY, resourceName, stackName, TAG_KEYS } from './names.js';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The handler's source file, bundled by esbuild into the function's asset. */
export const HANDLER_ENTRY = join(PROJECT_ROOT, 'handler', 'index.ts');

/** Newest Node.js runtime aws-cdk-lib knows; cdk-nag (AwsSolutions-L1) checks that it stays the newest. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

/** The only actions the execution role gets, on the function's own log group (docs/aws-behaviour.md#lambda-log-group-lifecycle). */
export const FUNCTION_LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'] as const;

/**
 * The bundle is ESM (`index.mjs`), so it means the same thing wherever it is loaded from, including a
 * cdk.out inside this `"type": "module"` project. Bundled CommonJS dependencies (pino) call `require`
 * for Node built-ins, which ESM output only has through `createRequire`.
 */
const ESM_REQUIRE_BANNER =
  "import{createRequire as __rdaCreateRequire}from'node:module';const require=__rdaCreateRequire(import.meta.url);";

const BUNDLE_STUBS = join(PROJECT_ROOT, 'handler', 'bundle-stubs');

/**
 * How esbuild bundles the handler (CDK runs it locally, no Docker). The perf figure `handler` bundles its
 * comparison handlers with these same settings (harness/perf/handler-cold.ts).
 */
export const HANDLER_BUNDLING = {
  forceDockerBundling: false,
  minify: true,
  sourceMap: false,
  format: OutputFormat.ESM,
  banner: ESM_REQUIRE_BANNER,
  // The runtime is Node 24, but the local emulator runs the same bundle on Node 20: a node20
  // target is valid on both and changes nothing for this ES2022 code.
  target: 'node20',
  externalModules: ['@aws-sdk/*'],
  // Modules pino loads at start-up for features the handler does not use (worker transports, async
  // destinations, closing a stream), replaced by the stubs in handler/bundle-stubs: together ~26 M
  // instructions of every cold start (README, "Measuring performance", figure `handler`).
  esbuildArgs: {
    '--alias:thread-stream': join(BUNDLE_STUBS, 'thread-stream.cjs'),
    '--alias:assert': join(BUNDLE_STUBS, 'assert.cjs'),
    '--alias:worker_threads': join(BUNDLE_STUBS, 'worker-threads.cjs'),
  },
  // esbuild's size summary would land in every bench run's output; warnings and errors still show.
  logLevel: EsbuildLogLevel.WARNING,
} as const satisfies BundlingOptions;

// Limits of AWS::Logs::QueryDefinition: Name 1..255 without ':' or '*', QueryString 1..10,000 characters.
const QUERY_NAME_MAX = 255;
const QUERY_STRING_MAX = 10_000;
const SAVED_QUERY_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Props of {@link RandomDataStack}. */
export interface RandomDataStackProps extends StackProps {
  /** Parsed settings of the run (see `readStackConfig`). */
  readonly config: StackConfig;
  /** Queries saved as `AWS::Logs::QueryDefinition`s on the function's log group. @default savedQueries of log-queries.ts */
  readonly savedQueries?: readonly SavedQuery[];
  /**
   * Record the cdk-nag acknowledgements. Only tests turn this off, to prove each acknowledgement
   * still matches a live finding (a stale one would hide a regression). @default true
   */
  readonly acknowledgeNagFindings?: boolean;
}

/** One run's API, function, log group, role, saved queries, tags and outputs. */
export class RandomDataStack extends Stack {
  readonly config: StackConfig;
  readonly functionName: string;
  readonly logGroupName: string;
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  readonly api: RestApi;
  /** Invoke URL including the stage, ending in `/` (a CloudFormation token until deployed). */
  readonly apiUrl: string;
  readonly queryDefinitions: readonly CfnQueryDefinition[];

  constructor(scope: Construct, id: string, props: RandomDataStackProps) {
    const { config, savedQueries, acknowledgeNagFindings, ...stackProps } = props;
    super(scope, id, {
      stackName: stackName(config.runId),
      description: `random-data API of run '${config.runId}', created by ${MANAGED_BY}; delete after ${config.expiresAt}`,
      // No AWS::CDK::Metadata resource: one less thing for moto and the emulator to skip.
      analyticsReporting: false,
      terminationProtection: false,
      ...stackProps,
    });
    this.config = config;
    this.functionName = resourceName(config.runId, 'fn');
    this.logGroupName = `/aws/lambda/${this.functionName}`;

    // The group Lambda would otherwise create on first write, outside the stack (docs/aws-behaviour.md#lambda-log-group-lifecycle): declared
    // here under its default name so it is deleted with the stack.
    this.logGroup = new LogGroup(this, 'FunctionLogGroup', {
      logGroupName: this.logGroupName,
      retention: config.logRetentionDays as RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // GetAtt Arn of a log group ends in ':*' (every stream of this one group), which is what
    // CreateLogStream and PutLogEvents act on. No logs:CreateLogGroup: a late invocation during
    // teardown must not re-create the group (docs/aws-behaviour.md#lambda-log-group-lifecycle).
    this.role = new Role(this, 'FunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `execution role of ${this.functionName}: writes to its own log group only`,
      inlinePolicies: {
        WriteOwnLogGroup: new PolicyDocument({
          statements: [
            new PolicyStatement({
              sid: 'WriteOwnLogGroup',
              actions: [...FUNCTION_LOG_ACTIONS],
              resources: [this.logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });

    this.fn = new NodejsFunction(this, 'Function', {
      functionName: this.functionName,
      description: `random-data API handler of run '${config.runId}'`,
      entry: HANDLER_ENTRY,
      handler: 'handler',
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: config.memorySizeMb,
      timeout: Duration.seconds(config.timeoutSeconds),
      reservedConcurrentExecutions: config.reservedConcurrency,
      role: this.role,
      logGroup: this.logGroup,
      environment: { LOG_LEVEL: config.logLevel },
      // Only meaningful for the AWS SDK v2, which this function neither bundles nor uses.
      awsSdkConnectionReuse: false,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      bundling: HANDLER_BUNDLING,
    });
    dropDependsOnImpliedByRole(this.fn.node.defaultChild as CfnResource, this.role.node.defaultChild as CfnResource);

    this.api = new RestApi(this, 'Api', {
      restApiName: resourceName(config.runId, 'api'),
      description: `random-data API of run '${config.runId}'`,
      // EDGE is CDK's default; regional APIs have the gentler CreateRestApi quota (docs/aws-behaviour.md#control-plane-quotas).
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // No AWS::ApiGateway::Account: that account-wide singleton must not live in an ephemeral stack (docs/aws-behaviour.md#api-gateway-account-role).
      cloudWatchRole: false,
      deployOptions: {
        stageName: config.stage,
        throttlingRateLimit: config.throttleRateLimit,
        throttlingBurstLimit: config.throttleBurstLimit,
        dataTraceEnabled: false,
        metricsEnabled: false,
        tracingEnabled: false,
      },
    });
    // RestApi adds an `Endpoint` output of its own; `ApiUrl` below is the one the harness reads.
    this.api.node.tryRemoveChild('Endpoint');

    // A plain AWS_PROXY integration: LambdaIntegration would add one permission per method (two
    // more for test-invoke-stage); this stack grants exactly one, scoped to the deployed stage.
    const integration = new AwsIntegration({
      proxy: true,
      service: 'lambda',
      path: `2015-03-31/functions/${this.fn.functionArn}/invocations`,
    });
    const rootMethod = this.api.root.addMethod('ANY', integration);
    const proxy = this.api.root.addProxy({ defaultIntegration: integration, anyMethod: true });
    const proxyMethod = proxy.anyMethod!; // defined: `anyMethod: true`

    // The stage name is a literal rather than a Ref to the Stage, so the permission and URL do not
    // depend on the Stage resource (moto skips AWS::ApiGateway::Stage, CONTRIBUTING.md#moto-gaps).
    this.fn.addPermission('ApiGatewayInvoke', {
      principal: new ServicePrincipal('apigateway.amazonaws.com'),
      action: 'lambda:InvokeFunction',
      sourceArn: this.api.arnForExecuteApi('*', '/*', config.stage),
    });
    this.apiUrl = `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${config.stage}/`;

    this.queryDefinitions = this.addSavedQueries(savedQueries ?? defaultSavedQueries);

    new CfnOutput(this, 'ApiUrl', { value: this.apiUrl, description: 'invoke URL with the stage, ending in /' });
    new CfnOutput(this, 'FunctionName', { value: this.fn.functionName });
    new CfnOutput(this, 'LogGroupName', { value: this.logGroup.logGroupName });
    new CfnOutput(this, 'StackRunId', { value: config.runId });

    const tags = Tags.of(this);
    tags.add(TAG_KEYS.runId, config.runId);
    tags.add(TAG_KEYS.expiresAt, config.expiresAt);
    tags.add(TAG_KEYS.creator, config.creator);
    tags.add(TAG_KEYS.managedBy, MANAGED_BY);
    if (config.deployToken !== undefined) tags.add(TAG_KEYS.deployToken, config.deployToken);

    if (acknowledgeNagFindings ?? true) {
      this.acknowledgeNagFindings([rootMethod, proxyMethod]);
    }
  }

  /** One `AWS::Logs::QueryDefinition` per saved query, named `rda/<runId>/<name>`, scoped to the function's log group. */
  private addSavedQueries(queries: readonly SavedQuery[]): CfnQueryDefinition[] {
    const scope = new Construct(this, 'SavedQueries');
    const seen = new Set<string>();
    return queries.map((query) => {
      checkSavedQuery(query, seen);
      const name = `rda/${this.config.runId}/${query.name}`;
      if (name.length > QUERY_NAME_MAX) {
        throw new SavedQueryError(query.name, `saved query name '${name}' is longer than ${QUERY_NAME_MAX} characters`);
      }
      return new CfnQueryDefinition(scope, query.name, {
        name,
        queryString: query.queryString,
        logGroupNames: [this.logGroup.logGroupName],
      });
    });
  }

  /**
   * cdk-nag findings this design accepts, each on the one resource it is about, with the reason
   * (docs/aws-behaviour.md#cdk-nag). The nag test fails if any of these stops matching a live finding.
   */
  private acknowledgeNagFindings(methods: readonly Method[]): void {
    const api = this.api.node.defaultChild as CfnResource;
    const stage = this.api.deploymentStage.node.defaultChild as CfnResource;
    const fn = this.fn.node.defaultChild as CfnResource;

    const noAccountRole =
      'access and execution logging need the account-level API Gateway CloudWatch role, which an ephemeral stack must not own (docs/aws-behaviour.md#api-gateway-account-role); requests are traced through the function log group instead';
    acknowledge(stage, 'AwsSolutions-APIG1', noAccountRole);
    acknowledge(stage, 'AwsSolutions-APIG6', noAccountRole);
    acknowledge(stage, 'Serverless-APIGWAccessLogging', noAccountRole);
    acknowledge(
      stage,
      'AwsSolutions-APIG3',
      'ephemeral bench stage living at most a few hours; abuse is bounded by stage throttling and bounded parameters, and a WAFv2 web ACL per run costs more than the run',
    );
    acknowledge(
      stage,
      'Serverless-APIGWXrayEnabled',
      'requests are correlated through the function log group (correlation id, API request id); X-Ray adds cost per run and nothing the report uses',
    );
    acknowledge(
      api,
      'AwsSolutions-APIG2',
      'a proxy API declares no models or required parameters, so a validator would check nothing; the handler validates every parameter with bounds and answers 400 InvalidParameter naming it',
    );
    const publicApi =
      'intentionally public API serving random data: no user data and no state; exposure is bounded by stage throttling, bounded parameters and a 16 KiB body limit';
    for (const method of methods) {
      const cfnMethod = method.node.defaultChild as CfnResource;
      acknowledge(cfnMethod, 'AwsSolutions-APIG4', publicApi);
      acknowledge(cfnMethod, 'AwsSolutions-COG4', publicApi);
    }
    acknowledge(
      fn,
      'Serverless-LambdaDLQ',
      'invoked only synchronously by API Gateway: a dead-letter queue applies to asynchronous invokes, and errors go back to the caller',
    );
    acknowledge(
      fn,
      'Serverless-LambdaTracing',
      'active tracing needs xray:PutTraceSegments on Resource * in the execution role, which may only write to its own log group; requests are correlated from the logs',
    );
  }
}

/** Acknowledges one cdk-nag rule on one CloudFormation resource (never on a stack or an L2 wrapper). */
function acknowledge(resource: CfnResource, id: string, reason: string): void {
  Validations.of(resource).acknowledge({ id, reason });
}

function checkSavedQuery(query: SavedQuery, seen: Set<string>): void {
  if (!SAVED_QUERY_NAME.test(query.name)) {
    throw new SavedQueryError(
      query.name,
      `saved query name '${query.name}' is not kebab-case: use lowercase letters and digits separated by single hyphens`,
    );
  }
  if (seen.has(query.name)) {
    throw new SavedQueryError(
      query.name,
      `saved query name '${query.name}' is used twice: give each query its own name`,
    );
  }
  seen.add(query.name);
  if (query.queryString.trim().length === 0 || query.queryString.length > QUERY_STRING_MAX) {
    throw new SavedQueryError(
      query.name,
      `saved query '${query.name}' has a query string of ${query.queryString.length} characters: give 1 to ${QUERY_STRING_MAX}`,
    );
  }
}

/**
 * CDK makes every Function depend on its role construct, so that the function waits for the role's
 * separate policy resources. This role has none (its one policy is inline), so the `DependsOn` on the
 * role only repeats the order that the `Fn::GetAtt` in the function's `Role` already gives (cfn-lint
 * W3005). Render the function's `DependsOn` without the role itself: any other dependency, a policy
 * resource of the role among them, stays. Computed at render time, after CDK has resolved the
 * construct dependencies into resource dependencies.
 */
function dropDependsOnImpliedByRole(fn: CfnResource, role: CfnResource): void {
  const dependsOn = () =>
    fn
      .obtainDependencies()
      .filter((dependency): dependency is CfnResource => dependency instanceof CfnResource && dependency !== role)
      .filter((dependency) => Stack.of(dependency) === Stack.of(fn))
      .sort((a, b) => a.node.path.localeCompare(b.node.path))
      .map((dependency) => dependency.logicalId);
  fn.addOverride('DependsOn', Lazy.list({ produce: dependsOn }, { omitEmpty: true }));
}
