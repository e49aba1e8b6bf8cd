import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SynthResult, synthesize } from '../../../stack/build-app.js';
import { StackConfigError } from '../../../stack/errors.js';

interface Resource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}
type Template = { Resources: Record<string, Resource> };

const root = mkdtempSync(join(tmpdir(), 'rda-synth-test-'));
let result: SynthResult;
let template: Template;
let synthMs: number;

beforeAll(async () => {
  const started = performance.now();
  result = await synthesize({ outdir: join(root, 'cdk.out'), context: { runId: 'synth-test', stage: 'v1' } });
  synthMs = performance.now() - started;
  template = JSON.parse(readFileSync(result.templatePath, 'utf8')) as Template;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function functionResource() {
  const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  expect(functions).toHaveLength(1);
  return functions[0];
}

describe('synthesize', () => {
  it('writes the run stack to the outdir and says where it is', () => {
    expect(result).toEqual({
      outdir: join(root, 'cdk.out'),
      stackName: 'rda-synth-test',
      stackArtifactId: 'rda-synth-test',
      templatePath: join(root, 'cdk.out', 'rda-synth-test.template.json'),
    });
    const manifest = JSON.parse(readFileSync(join(result.outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts[result.stackArtifactId].type).toBe('aws:cloudformation:stack');
    console.info(`synthesize() took ${synthMs.toFixed(0)} ms (bundling included)`);
  });

  it('reads the context it is given', () => {
    const stage = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGateway::Stage');
    expect(stage?.Properties.StageName).toBe('v1');
    expect(functionResource()!.Properties.FunctionName).toBe('rda-synth-test-fn');
  });

  it("points the function's asset metadata at a bundle directory inside the assembly", () => {
    const metadata = functionResource()!.Metadata ?? {};
    expect(metadata['aws:asset:property']).toBe('Code');
    expect(existsSync(join(result.outdir, String(metadata['aws:asset:path'])))).toBe(true);
  });

  it('bundles the handler as one minified ESM file without source maps', () => {
    // Prepare
    const assetDir = join(result.outdir, String(functionResource()!.Metadata?.['aws:asset:path']));

    // Act
    const files = readdirSync(assetDir);
    const code = readFileSync(join(assetDir, 'index.mjs'), 'utf8');

    // Assess
    expect(files).toEqual(['index.mjs']);
    expect(code).not.toContain('sourceMappingURL');
    expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
  });

  it('produces a bundle Node can import, exporting the handler named in the template', async () => {
    // Prepare
    const fn = functionResource();
    const assetDir = join(result.outdir, String(fn!.Metadata?.['aws:asset:path']));
    const [file, exportName] = String(fn!.Properties.Handler).split('.');

    // Act
    const module = await import(pathToFileURL(join(assetDir, `${file}.mjs`)).href);

    // Assess
    expect(typeof module[exportName!]).toBe('function');
  });

  it('leaves no AWS::CDK::Metadata resource for moto or the emulator to skip', () => {
    expect(Object.values(template.Resources).map((r) => r.Type)).not.toContain('AWS::CDK::Metadata');
  });

  it('rejects a bad context value with a StackConfigError naming the key', async () => {
    await expect(
      synthesize({ outdir: join(root, 'bad.out'), context: { throttleBurstLimit: 'many' } }),
    ).rejects.toThrow(StackConfigError);
    await expect(
      synthesize({ outdir: join(root, 'bad.out'), context: { throttleBurstLimit: 'many' } }),
    ).rejects.toThrow("context 'throttleBurstLimit' is 'many'");
  });
});
