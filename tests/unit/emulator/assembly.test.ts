import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAssembly } from '../../../harness/emulator/assembly.js';
import { UsageError } from '../../../harness/errors.js';
import { synthesize } from '../../../stack/build-app.js';

// The emulator runs what the cloud assembly says. One real synthesis of the stack with non-default
// context proves each setting flows through; hand-written templates cover the intrinsics and the errors.

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('reading the real stack', () => {
  let config: ReturnType<typeof readAssembly>;
  let outdir: string;

  beforeAll(async () => {
    outdir = tempDir('rda-assembly-test-');
    const synth = await synthesize({
      outdir,
      context: {
        runId: 'asm-test',
        stage: 'perf',
        memorySizeMb: '1024',
        timeoutSeconds: '7',
        throttleRateLimit: '50',
        throttleBurstLimit: '25',
        reservedConcurrency: '3',
        logLevel: 'debug',
      },
    });
    config = readAssembly({ cdkOutDir: synth.outdir, stackArtifactId: synth.stackArtifactId });
  }, 60_000);

  it('takes every function setting from the template', () => {
    expect(config.stackName).toBe('rda-asm-test');
    expect(config.function).toMatchObject({
      functionName: 'rda-asm-test-fn',
      handler: 'index.handler',
      runtime: 'nodejs24.x',
      memorySizeMb: 1024,
      timeoutSeconds: 7,
      environment: { LOG_LEVEL: 'debug' },
      logGroupName: '/aws/lambda/rda-asm-test-fn',
      reservedConcurrency: 3,
      architecture: 'arm64',
    });
  });

  it('points at the bundled asset directory that holds the handler file', () => {
    expect(config.function.codeDir.startsWith(path.resolve(outdir))).toBe(true);
    expect(fs.existsSync(path.join(config.function.codeDir, 'index.mjs'))).toBe(true);
  });

  it('takes the stage, its throttling and the ANY / + ANY /{proxy+} routes from the template', () => {
    expect(config.api.stageName).toBe('perf');
    expect(config.api.throttle).toEqual({ rateLimit: 50, burstLimit: 25 });
    expect(config.api.integrationTimeoutMs).toBe(29_000);
    expect(config.api.stageVariables).toBeNull();
    expect(config.api.binaryMediaTypes).toEqual([]);
    expect(config.api.routes.map((r) => [r.resourcePath, r.methods]).sort()).toEqual([
      ['/', ['ANY']],
      ['/{proxy+}', ['ANY']],
    ]);
    expect(config.api.apiId).toMatch(/^[a-z0-9]{10}$/);
  });
});

interface Assembly {
  dir: string;
  write(template: unknown, extra?: { assetMetadata?: boolean; assetsManifest?: boolean }): string;
}

/** A minimal assembly in the shape CDK writes, around a template the test controls. */
function assembly(): Assembly {
  const dir = tempDir('rda-assembly-hand-');
  fs.mkdirSync(path.join(dir, 'asset.abc123'));
  fs.writeFileSync(path.join(dir, 'asset.abc123', 'index.mjs'), 'export const handler = async () => ({});\n');
  return {
    dir,
    write(template, extra = {}) {
      const artifacts: Record<string, unknown> = {
        'rda-hand': {
          type: 'aws:cloudformation:stack',
          environment: 'aws://unknown-account/unknown-region',
          properties: { templateFile: 'rda-hand.template.json' },
        },
      };
      if (extra.assetsManifest) {
        artifacts['rda-hand.assets'] = { type: 'cdk:asset-manifest', properties: { file: 'rda-hand.assets.json' } };
        fs.writeFileSync(
          path.join(dir, 'rda-hand.assets.json'),
          JSON.stringify({
            files: {
              abc123: {
                source: { path: 'asset.abc123', packaging: 'zip' },
                destinations: { d: { objectKey: 'abc123.zip' } },
              },
            },
          }),
        );
      }
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
      fs.writeFileSync(path.join(dir, 'rda-hand.template.json'), JSON.stringify(template));
      return dir;
    },
  };
}

/** A template in the shape of the real stack, with hooks to change any part. */
function template(
  change: (
    resources: Record<
      string,
      { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
    >,
  ) => void = () => {},
) {
  const uri = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':apigateway:',
        { Ref: 'AWS::Region' },
        ':lambda:path/2015-03-31/functions/',
        { 'Fn::GetAtt': ['Fn', 'Arn'] },
        '/invocations',
      ],
    ],
  };
  const resources = {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a JS template
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: { 'Fn::Sub': '/custom/${AWS::StackName}' } } },
    Fn: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: { 'Fn::Join': ['-', ['hand', { Ref: 'Suffix' }]] },
        Handler: 'index.handler',
        Runtime: 'nodejs22.x',
        Code: { S3Bucket: 'b', S3Key: 'abc123.zip' },
        Environment: {
          Variables: {
            GROUP: { Ref: 'Logs' },
            WHERE: {
              'Fn::Sub': [
                // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a JS template
                '${AWS::Region}/${Name}/${!Literal}',
                { Name: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] } },
              ],
            },
            GROUP_ARN: { 'Fn::GetAtt': ['Logs', 'Arn'] },
          },
        },
        LoggingConfig: { LogGroup: { Ref: 'Logs' } },
      },
      Metadata: { 'aws:asset:path': 'asset.abc123', 'aws:asset:property': 'Code' } as Record<string, unknown>,
    },
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api', BinaryMediaTypes: ['image~1png', '*~1*'] } },
    Items: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
        PathPart: 'items',
        RestApiId: { Ref: 'Api' },
      },
    },
    Item: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { ParentId: { Ref: 'Items' }, PathPart: '{id}', RestApiId: { Ref: 'Api' } },
    },
    ItemGet: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        ResourceId: { Ref: 'Item' },
        RestApiId: { Ref: 'Api' },
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', Uri: uri, TimeoutInMillis: 5000 },
      },
    },
    ItemsPost: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'POST',
        ResourceId: { Ref: 'Items' },
        RestApiId: { Ref: 'Api' },
        Integration: { Type: 'AWS_PROXY', Uri: uri, TimeoutInMillis: 5000 },
      },
    },
    Deployment: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' } } },
    Stage: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        StageName: 'v1',
        DeploymentId: { Ref: 'Deployment' },
        RestApiId: { Ref: 'Api' },
        Variables: { color: 'blue' },
      },
    },
  };
  change(resources as never);
  return { Parameters: { Suffix: { Type: 'String', Default: 'fn' } }, Resources: resources };
}

function failure(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('reading hand-written templates', () => {
  it('resolves Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split from the template itself', () => {
    const dir = assembly().write(template());
    const config = readAssembly({ cdkOutDir: dir, region: 'eu-central-1' });
    expect(config.region).toBe('eu-central-1');
    expect(config.function.functionName).toBe('hand-fn');
    expect(config.function.logGroupName).toBe('/custom/rda-hand');
    expect(config.function.environment).toEqual({
      GROUP: '/custom/rda-hand',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub leaves `${!Literal}` as the literal text `${Literal}`
      WHERE: 'eu-central-1/b/${Literal}',
      GROUP_ARN: 'arn:aws:logs:eu-central-1:123456789012:log-group:/custom/rda-hand:*',
    });
    // CloudFormation's defaults when the template does not say.
    expect(config.function.memorySizeMb).toBe(128);
    expect(config.function.timeoutSeconds).toBe(3);
  });

  it('builds nested routes, binary types, stage variables and the integration timeout', () => {
    const config = readAssembly({ cdkOutDir: assembly().write(template()) });
    expect(config.api.routes.map((r) => [r.resourcePath, r.methods]).sort()).toEqual([
      ['/items', ['POST']],
      ['/items/{id}', ['GET']],
    ]);
    expect(config.api.binaryMediaTypes).toEqual(['image/png', '*/*']);
    expect(config.api.stageVariables).toEqual({ color: 'blue' });
    expect(config.api.integrationTimeoutMs).toBe(5000);
    // No MethodSettings: the account limits apply, no stage bucket.
    expect(config.api.throttle).toBeNull();
  });

  it('finds the code through the asset manifest when asset metadata is off', () => {
    const asm = assembly();
    const dir = asm.write(
      template((r) => {
        delete r.Fn!.Metadata;
      }),
      { assetsManifest: true },
    );
    expect(readAssembly({ cdkOutDir: dir }).function.codeDir).toBe(path.join(dir, 'asset.abc123'));
  });

  it('names an intrinsic it cannot resolve and where it is', () => {
    const dir = assembly().write(
      template((r) => {
        (r.Fn!.Properties.Environment as { Variables: Record<string, unknown> }).Variables.OTHER = {
          'Fn::ImportValue': 'shared-thing',
        };
      }),
    );
    const error = failure(() => readAssembly({ cdkOutDir: dir }));
    expect(error.code).toBe('UnsupportedIntrinsic');
    expect(error.message).toContain("Fn.Environment.Variables.OTHER: 'Fn::ImportValue' cannot be resolved locally");
  });

  it('refuses what it cannot emulate, saying what it found', () => {
    const mock = failure(() =>
      readAssembly({
        cdkOutDir: assembly().write(
          template((r) => {
            r.ItemGet!.Properties.Integration = { Type: 'MOCK' };
          }),
        ),
      }),
    );
    expect(mock.message).toContain("method GET /items/{id} uses integration type 'MOCK'");
    const json = failure(() =>
      readAssembly({
        cdkOutDir: assembly().write(
          template((r) => {
            r.Fn!.Properties.LoggingConfig = { LogFormat: 'JSON' };
          }),
        ),
      }),
    );
    expect(json.message).toContain("logs in format 'JSON'");
    const python = failure(() =>
      readAssembly({
        cdkOutDir: assembly().write(
          template((r) => {
            r.Fn!.Properties.Runtime = 'python3.12';
          }),
        ),
      }),
    );
    expect(python.message).toContain("runtime 'python3.12'");
    const auth = failure(() =>
      readAssembly({
        cdkOutDir: assembly().write(
          template((r) => {
            r.ItemGet!.Properties.AuthorizationType = 'AWS_IAM';
          }),
        ),
      }),
    );
    expect(auth.message).toContain("authorization 'AWS_IAM'");
  });

  it('says when the assembly, the stack or the asset is missing', () => {
    expect(failure(() => readAssembly({ cdkOutDir: path.join(os.tmpdir(), 'no-such-cdk-out') })).code).toBe(
      'AssemblyNotFound',
    );
    const asm = assembly();
    const dir = asm.write(template());
    const wrong = failure(() => readAssembly({ cdkOutDir: dir, stackArtifactId: 'rda-other' }));
    expect(wrong.code).toBe('StackNotInAssembly');
    expect(wrong.message).toContain('it has: rda-hand');
    fs.rmSync(path.join(dir, 'asset.abc123'), { recursive: true });
    const asset = failure(() => readAssembly({ cdkOutDir: dir }));
    expect(asset.code).toBe('AssetNotFound');
  });
});
