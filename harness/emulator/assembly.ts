import fs from 'node:fs';
import path from 'node:path';
import { UsageError, type UsageErrorCode } from '../errors.js';
import {
  ACCOUNT_THROTTLE,
  type ApiConfig,
  DEFAULT_INTEGRATION_TIMEOUT_MS,
  type EmulatorConfig,
  type FunctionConfig,
  type RouteConfig,
  type ThrottleConfig,
} from './config.js';
import { stableId } from './ids.js';

/**
 * Reads a synthesized cloud assembly (`cdk.out`) into the emulator's plain config: the REST API's routes,
 * stage and throttling, and the function's bundle, handler, memory, timeout, environment and log group.
 * Everything comes from the template, so a change to the stack changes what the emulator runs.
 */

/** Where the assembly is and what to assume for what a template leaves open. */
export interface ReadAssemblyOptions {
  /** The assembly directory (holds `manifest.json`). */
  readonly cdkOutDir: string;
  /** Which stack artifact; @default the only stack in the assembly */
  readonly stackArtifactId?: string;
  /** Used when the stack is environment-agnostic. @default 'us-east-1' */
  readonly region?: string;
  /** Used when the stack is environment-agnostic. @default '123456789012' (the account AWS documentation uses) */
  readonly accountId?: string;
}

/** The emulator config plus where it came from. */
export interface AssemblyConfig extends EmulatorConfig {
  readonly stackArtifactId: string;
  readonly templatePath: string;
}

type Json = unknown;
interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
  readonly Metadata?: Record<string, Json>;
}
interface Template {
  readonly Resources?: Record<string, Resource>;
  readonly Parameters?: Record<string, { Default?: Json }>;
}

/** Reads `manifest.json`, the stack template and the asset manifest; throws a `UsageError` naming what is wrong. */
export function readAssembly(options: ReadAssemblyOptions): AssemblyConfig {
  const dir = path.resolve(options.cdkOutDir);
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = readJson(
    manifestPath,
    'AssemblyNotFound',
    `no cloud assembly at '${dir}': run the synth first or pass the cdk.out directory`,
  ) as {
    artifacts?: Record<string, { type: string; environment?: string; properties?: Record<string, Json> }>;
  };
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  let chosen: (typeof stacks)[number] | undefined;
  if (options.stackArtifactId !== undefined) {
    chosen = stacks.find(([id]) => id === options.stackArtifactId);
    if (!chosen) {
      throw new UsageError(
        'StackNotInAssembly',
        `stack '${options.stackArtifactId}' is not in '${manifestPath}'; it has: ${stacks.map(([id]) => id).join(', ') || 'no stacks'}`,
      );
    }
  } else {
    if (stacks.length !== 1) {
      throw new UsageError(
        'StackNotInAssembly',
        `'${manifestPath}' holds ${stacks.length} stacks (${stacks.map(([id]) => id).join(', ')}): name the one to run`,
      );
    }
    chosen = stacks[0]!;
  }
  const [artifactId, artifact] = chosen;
  const props = artifact.properties ?? {};
  const templatePath = path.join(dir, String(props.templateFile));
  const template = readJson(
    templatePath,
    'AssemblyNotFound',
    `template '${templatePath}' is missing: synthesize again`,
  ) as Template;
  const stackName = typeof props.stackName === 'string' ? props.stackName : artifactId;
  const [, envAccount, envRegion] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
  const region = envRegion && !envRegion.startsWith('unknown-') ? envRegion : (options.region ?? 'us-east-1');
  const accountId =
    envAccount && !envAccount.startsWith('unknown-') ? envAccount : (options.accountId ?? '123456789012');
  const assetObjects = readAssetObjects(dir, manifest.artifacts ?? {}, artifactId);

  const reader = new TemplateReader(template, { stackName, region, accountId, templatePath });
  const { api, functionLogicalId } = reader.api();
  const fn = reader.function(functionLogicalId, dir, assetObjects);
  return { stackName, region, accountId, api, function: fn, stackArtifactId: artifactId, templatePath };
}

function readJson(file: string, code: UsageErrorCode, missing: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(code, missing);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError('AssemblyInvalid', `'${file}' is not valid JSON: synthesize again`, { cause: error });
  }
}

/** S3 object key → asset directory, from the stack's asset manifest (used when asset metadata is off). */
function readAssetObjects(
  dir: string,
  artifacts: Record<string, { type: string; properties?: Record<string, Json> }>,
  stackId: string,
): Map<string, string> {
  const objects = new Map<string, string>();
  for (const [id, artifact] of Object.entries(artifacts)) {
    if (artifact.type !== 'cdk:asset-manifest' || !id.startsWith(stackId)) continue;
    const file = path.join(dir, String(artifact.properties?.file));
    if (!fs.existsSync(file)) continue;
    const assets = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      files?: Record<string, { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }>;
    };
    for (const asset of Object.values(assets.files ?? {})) {
      for (const destination of Object.values(asset.destinations ?? {})) {
        if (destination.objectKey && asset.source?.path) objects.set(destination.objectKey, asset.source.path);
      }
    }
  }
  return objects;
}

interface ReaderContext {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly templatePath: string;
}

/** Resolves the intrinsics a CDK template uses (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split). */
class TemplateReader {
  private readonly resources: Record<string, Resource>;

  constructor(
    private readonly template: Template,
    private readonly ctx: ReaderContext,
  ) {
    this.resources = template.Resources ?? {};
  }

  private ofType(type: string): [string, Resource][] {
    return Object.entries(this.resources).filter(([, r]) => r.Type === type);
  }

  private fail(code: UsageErrorCode, message: string): never {
    throw new UsageError(code, `${message} (template '${this.ctx.templatePath}')`);
  }

  api(): { api: ApiConfig; functionLogicalId: string } {
    const apis = this.ofType('AWS::ApiGateway::RestApi');
    if (apis.length !== 1) {
      this.fail(
        'UnsupportedTemplate',
        `the local emulator runs exactly one REST API (AWS::ApiGateway::RestApi), found ${apis.length}`,
      );
    }
    const [apiLogicalId, apiResource] = apis[0]!;
    const apiProps = apiResource.Properties ?? {};
    const apiId = this.physicalId(apiLogicalId);
    const rootId = this.attribute(apiLogicalId, 'RootResourceId');

    // Resource tree: id → path.
    const pathsById = new Map<string, string>([[rootId, '/']]);
    const pending = this.ofType('AWS::ApiGateway::Resource');
    for (let round = 0; pending.length > 0 && round <= pending.length; round++) {
      for (let i = pending.length - 1; i >= 0; i--) {
        const [logicalId, resource] = pending[i]!;
        const parentId = String(this.resolve(resource.Properties?.ParentId, `${logicalId}.ParentId`));
        const parentPath = pathsById.get(parentId);
        if (parentPath === undefined) continue;
        const part = String(this.resolve(resource.Properties?.PathPart, `${logicalId}.PathPart`));
        pathsById.set(this.physicalId(logicalId), parentPath === '/' ? `/${part}` : `${parentPath}/${part}`);
        pending.splice(i, 1);
      }
    }
    if (pending.length > 0) {
      this.fail(
        'UnsupportedTemplate',
        `API resources ${pending.map(([id]) => id).join(', ')} have no parent in the resource tree`,
      );
    }

    const methodsByPath = new Map<string, { id: string; methods: string[] }>();
    const functionArns = new Set<string>();
    const timeouts = new Set<number>();
    for (const [logicalId, method] of this.ofType('AWS::ApiGateway::Method')) {
      const p = method.Properties ?? {};
      const resourceId = String(this.resolve(p.ResourceId, `${logicalId}.ResourceId`));
      const resourcePath = pathsById.get(resourceId);
      if (resourcePath === undefined)
        this.fail('UnsupportedTemplate', `method ${logicalId} points at an unknown resource`);
      const httpMethod = String(this.resolve(p.HttpMethod, `${logicalId}.HttpMethod`)).toUpperCase();
      const where = `method ${httpMethod} ${resourcePath}`;
      const authorization =
        p.AuthorizationType === undefined
          ? 'NONE'
          : String(this.resolve(p.AuthorizationType, `${logicalId}.AuthorizationType`));
      if (authorization !== 'NONE') {
        this.fail(
          'UnsupportedTemplate',
          `${where} uses authorization '${authorization}': the local emulator runs unauthenticated methods only`,
        );
      }
      const integration = (p.Integration ?? {}) as Record<string, Json>;
      if (integration.Type !== 'AWS_PROXY') {
        this.fail(
          'UnsupportedTemplate',
          `${where} uses integration type '${String(integration.Type)}': the local emulator runs AWS_PROXY (Lambda proxy) integrations only`,
        );
      }
      const uri = String(this.resolve(integration.Uri, `${logicalId}.Integration.Uri`));
      const arn = /\/functions\/(arn:[^/]+:lambda:[^/]+:function:[^/]+)\/invocations$/.exec(uri)?.[1];
      if (!arn) this.fail('UnsupportedTemplate', `${where} integrates '${uri}', which is not a Lambda function`);
      functionArns.add(arn);
      if (integration.TimeoutInMillis !== undefined) {
        timeouts.add(Number(this.resolve(integration.TimeoutInMillis, `${logicalId}.Integration.TimeoutInMillis`)));
      }
      const entry = methodsByPath.get(resourcePath) ?? { id: resourceId, methods: [] };
      entry.methods.push(httpMethod);
      methodsByPath.set(resourcePath, entry);
    }
    if (functionArns.size !== 1) {
      this.fail(
        'UnsupportedTemplate',
        `the local emulator runs one function behind the API; the methods integrate ${functionArns.size}`,
      );
    }
    if (timeouts.size > 1) {
      this.fail(
        'UnsupportedTemplate',
        `methods set different integration timeouts (${[...timeouts].join(', ')} ms): use one value`,
      );
    }
    const [functionArn] = functionArns;
    const functionLogicalId = this.ofType('AWS::Lambda::Function').find(
      ([id]) => this.attribute(id, 'Arn') === functionArn,
    )?.[0];
    if (!functionLogicalId)
      this.fail('UnsupportedTemplate', `the integrated function '${functionArn}' is not in the template`);

    const stages = this.ofType('AWS::ApiGateway::Stage');
    if (stages.length !== 1) {
      this.fail(
        'UnsupportedTemplate',
        `the local emulator runs exactly one stage (AWS::ApiGateway::Stage), found ${stages.length}`,
      );
    }
    const [stageLogicalId, stage] = stages[0]!;
    const sp = stage.Properties ?? {};
    const stageName = String(this.resolve(sp.StageName, `${stageLogicalId}.StageName`));
    const variables =
      sp.Variables === undefined
        ? {}
        : (this.resolve(sp.Variables, `${stageLogicalId}.Variables`) as Record<string, Json>);
    const stageVariables = Object.keys(variables).length === 0 ? null : mapValues(variables, String);
    const routes: RouteConfig[] = [...methodsByPath].map(([resourcePath, { id, methods }]) => ({
      resourcePath,
      resourceId: id,
      methods,
    }));
    const binary =
      apiProps.BinaryMediaTypes === undefined
        ? []
        : (this.resolve(apiProps.BinaryMediaTypes, `${apiLogicalId}.BinaryMediaTypes`) as Json[]);
    return {
      functionLogicalId,
      api: {
        apiId,
        stageName,
        deploymentId:
          sp.DeploymentId === undefined
            ? stableId(`${this.ctx.stackName}/deployment`, 6)
            : String(this.resolve(sp.DeploymentId, `${stageLogicalId}.DeploymentId`)),
        stageVariables,
        // CloudFormation spells `/` as `~1` in binary media types (a JSON-pointer escape) when authors copy them from the API.
        binaryMediaTypes: binary.map((type) => String(type).replaceAll('~1', '/')),
        throttle: this.throttle(stageLogicalId, sp.MethodSettings),
        integrationTimeoutMs: timeouts.size === 1 ? [...timeouts][0]! : DEFAULT_INTEGRATION_TIMEOUT_MS,
        routes,
      },
    };
  }

  private throttle(stageLogicalId: string, methodSettings: Json): ThrottleConfig | null {
    if (methodSettings === undefined) return null;
    const settings = this.resolve(methodSettings, `${stageLogicalId}.MethodSettings`) as Record<string, Json>[];
    let throttle: ThrottleConfig | null = null;
    for (const setting of settings) {
      const hasThrottle = setting.ThrottlingRateLimit !== undefined || setting.ThrottlingBurstLimit !== undefined;
      if (!hasThrottle) continue;
      if (setting.HttpMethod !== '*' || setting.ResourcePath !== '/*') {
        this.fail(
          'UnsupportedTemplate',
          `stage throttling for '${String(setting.HttpMethod)} ${String(setting.ResourcePath)}' is per method: the local emulator applies stage-wide ('*', '/*') throttling only`,
        );
      }
      throttle = {
        rateLimit:
          setting.ThrottlingRateLimit === undefined ? ACCOUNT_THROTTLE.rateLimit : Number(setting.ThrottlingRateLimit),
        burstLimit:
          setting.ThrottlingBurstLimit === undefined
            ? ACCOUNT_THROTTLE.burstLimit
            : Number(setting.ThrottlingBurstLimit),
      };
    }
    return throttle;
  }

  function(logicalId: string, dir: string, assetObjects: Map<string, string>): FunctionConfig {
    const resource = this.resources[logicalId]!;
    const p = resource.Properties ?? {};
    const at = (key: string) => `${logicalId}.${key}`;
    const functionName = this.physicalId(logicalId);
    const runtime = String(this.resolve(p.Runtime, at('Runtime')));
    if (!runtime.startsWith('nodejs')) {
      this.fail(
        'UnsupportedTemplate',
        `function '${functionName}' uses runtime '${runtime}': the local emulator runs Node.js runtimes only`,
      );
    }
    const handler = String(this.resolve(p.Handler, at('Handler')));
    const logging = (p.LoggingConfig === undefined ? {} : this.resolve(p.LoggingConfig, at('LoggingConfig'))) as Record<
      string,
      Json
    >;
    if (logging.LogFormat !== undefined && logging.LogFormat !== 'Text') {
      this.fail(
        'UnsupportedTemplate',
        `function '${functionName}' logs in format '${String(logging.LogFormat)}': the local emulator writes Lambda's Text format only`,
      );
    }
    const variables = ((p.Environment as Record<string, Json> | undefined)?.Variables ?? {}) as Record<string, Json>;
    const architectures =
      p.Architectures === undefined ? ['x86_64'] : (this.resolve(p.Architectures, at('Architectures')) as Json[]);
    return {
      functionName,
      handler,
      runtime,
      memorySizeMb: p.MemorySize === undefined ? 128 : Number(this.resolve(p.MemorySize, at('MemorySize'))),
      timeoutSeconds: p.Timeout === undefined ? 3 : Number(this.resolve(p.Timeout, at('Timeout'))),
      environment: mapValues(this.resolve(variables, at('Environment.Variables')) as Record<string, Json>, String),
      codeDir: this.codeDir(logicalId, resource, dir, assetObjects),
      logGroupName: logging.LogGroup === undefined ? `/aws/lambda/${functionName}` : String(logging.LogGroup),
      reservedConcurrency:
        p.ReservedConcurrentExecutions === undefined
          ? undefined
          : Number(this.resolve(p.ReservedConcurrentExecutions, at('ReservedConcurrentExecutions'))),
      architecture: String(architectures[0] ?? 'x86_64'),
    };
  }

  private codeDir(logicalId: string, resource: Resource, dir: string, assetObjects: Map<string, string>): string {
    const metadata = resource.Metadata ?? {};
    let assetPath: string | undefined;
    if (typeof metadata['aws:asset:path'] === 'string' && (metadata['aws:asset:property'] ?? 'Code') === 'Code') {
      assetPath = metadata['aws:asset:path'];
    } else {
      const code = (resource.Properties?.Code ?? {}) as Record<string, Json>;
      if (code.S3Key !== undefined) {
        const key = String(this.resolve(code.S3Key, `${logicalId}.Code.S3Key`));
        assetPath = assetObjects.get(key);
      }
    }
    if (assetPath === undefined) {
      this.fail(
        'AssetNotFound',
        `function ${logicalId} has no local asset (no 'aws:asset:path' metadata and no matching asset manifest entry)`,
      );
    }
    const full = path.resolve(dir, assetPath);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory()) {
      this.fail(
        'AssetNotFound',
        `the code of function ${logicalId} should be the directory '${full}', which does not exist: synthesize again`,
      );
    }
    return full;
  }

  /** What `Ref` returns for a resource, derived from its own properties where CloudFormation would use them. */
  private physicalId(logicalId: string): string {
    const resource = this.resources[logicalId];
    const p = resource?.Properties ?? {};
    const named = (key: string) =>
      p[key] === undefined ? undefined : String(this.resolve(p[key], `${logicalId}.${key}`));
    const generated = `${this.ctx.stackName}-${logicalId.slice(0, 20)}-${stableId(`${this.ctx.stackName}/${logicalId}`, 12).toUpperCase()}`;
    switch (resource?.Type) {
      case 'AWS::Lambda::Function':
        return named('FunctionName') ?? generated;
      case 'AWS::Logs::LogGroup':
        return named('LogGroupName') ?? generated;
      case 'AWS::IAM::Role':
        return named('RoleName') ?? generated;
      case 'AWS::ApiGateway::RestApi':
        return stableId(`${this.ctx.stackName}/${logicalId}`, 10);
      case 'AWS::ApiGateway::Resource':
      case 'AWS::ApiGateway::Deployment':
        return stableId(`${this.ctx.stackName}/${logicalId}`, 6);
      case 'AWS::ApiGateway::Stage':
        return named('StageName') ?? generated;
      default:
        return this.fail(
          'UnsupportedIntrinsic',
          `cannot resolve {"Ref": "${logicalId}"} (type ${resource?.Type ?? 'unknown'}) locally`,
        );
    }
  }

  private attribute(logicalId: string, attribute: string): string {
    const { region, accountId } = this.ctx;
    const type = this.resources[logicalId]?.Type;
    if (type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      return `arn:aws:lambda:${region}:${accountId}:function:${this.physicalId(logicalId)}`;
    }
    if (type === 'AWS::Logs::LogGroup' && attribute === 'Arn') {
      return `arn:aws:logs:${region}:${accountId}:log-group:${this.physicalId(logicalId)}:*`;
    }
    if (type === 'AWS::IAM::Role' && attribute === 'Arn')
      return `arn:aws:iam::${accountId}:role/${this.physicalId(logicalId)}`;
    if (type === 'AWS::ApiGateway::RestApi' && attribute === 'RootResourceId') {
      return stableId(`${this.ctx.stackName}/${logicalId}/root`, 10);
    }
    return this.fail('UnsupportedIntrinsic', `cannot resolve {"Fn::GetAtt": ["${logicalId}", "${attribute}"]} locally`);
  }

  private pseudo(name: string): string | undefined {
    switch (name) {
      case 'AWS::Region':
        return this.ctx.region;
      case 'AWS::AccountId':
        return this.ctx.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.ctx.stackName;
      default:
        return undefined;
    }
  }

  private ref(name: string, where: string): string {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Default === undefined)
        this.fail('UnsupportedIntrinsic', `${where}: parameter '${name}' has no default`);
      return String(parameter.Default);
    }
    if (!this.resources[name])
      this.fail('UnsupportedIntrinsic', `${where}: {"Ref": "${name}"} names nothing in the template`);
    return this.physicalId(name);
  }

  /** Resolves a template value; `where` names it in errors. */
  resolve(value: Json, where: string): Json {
    if (Array.isArray(value)) return value.map((item, i) => this.resolve(item, `${where}[${i}]`));
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, Json>;
    const keys = Object.keys(record);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      const [fn] = keys;
      const arg = record[fn!];
      switch (fn) {
        case 'Ref':
          return this.ref(String(arg), where);
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          return this.attribute(String(id), String(attribute));
        }
        case 'Fn::Join': {
          const [separator, list] = arg as [string, Json];
          return (this.resolve(list, where) as Json[]).map(String).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = this.resolve(arg, where) as [Json, Json[]];
          return list[Number(index)];
        }
        case 'Fn::Split': {
          const [separator, text] = this.resolve(arg, where) as [string, Json];
          return String(text).split(separator);
        }
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, Json>]) : [String(arg), {}];
          const resolvedVars = mapValues(vars, (v) => String(this.resolve(v, where)));
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (name.startsWith('!')) return `\${${name.slice(1)}}`;
            if (name in resolvedVars) return resolvedVars[name]!;
            const dot = name.indexOf('.');
            return dot === -1 ? this.ref(name, where) : this.attribute(name.slice(0, dot), name.slice(dot + 1));
          });
        }
        default:
          return this.fail('UnsupportedIntrinsic', `${where}: '${fn}' cannot be resolved locally`);
      }
    }
    return mapValues(record, (v, k) => this.resolve(v, `${where}.${k}`));
  }
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T, key: string) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [key, value] of Object.entries(record)) out[key] = fn(value, key);
  return out;
}
