/**
 * Builds the CDK app of one run and synthesizes it in-process. The harness calls `synthesize` for both
 * targets (the emulator reads the template and the bundle; the AWS target deploys the assembly), and
 * `stack/app.ts` (the `cdk.json` entry) calls `buildApp`.
 */
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { readStackConfig } from './config.js';
import { stackName } from './names.js';
import { RandomDataStack } from './random-data-stack.js';

/** Adds the run's stack to `app`, with settings read from the app's context; throws `StackConfigError`. */
export function buildApp(app: App): RandomDataStack {
  const config = readStackConfig(app);
  const name = stackName(config.runId);
  return new RandomDataStack(app, name, { config });
}

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /** Directory the cloud assembly is written to (created if missing). */
  readonly outdir: string;
  /** CDK context, e.g. `{ runId: 'pr-42', stage: 'bench' }`; values may be strings. @default {} */
  readonly context?: Readonly<Record<string, unknown>>;
}

/** Where the synthesized stack is. */
export interface SynthResult {
  readonly outdir: string;
  /** CloudFormation stack name, `rda-<runId>`. */
  readonly stackName: string;
  /** Id of the stack artifact in the cloud assembly manifest. */
  readonly stackArtifactId: string;
  /** Absolute path of the stack's template JSON. */
  readonly templatePath: string;
}

// What the CDK CLI puts in context by default, so an in-process assembly looks like `cdk synth`'s:
// `aws:asset:*` metadata on the function tells a reader of the template where its bundle is.
const CLI_LIKE_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
};

/** Synthesizes the run's app into `outdir` in this process (no Docker, no network). */
export async function synthesize(options: SynthesizeOptions): Promise<SynthResult> {
  const app = new App({
    outdir: options.outdir,
    context: { ...CLI_LIKE_CONTEXT, ...options.context },
    // Capturing a stack trace per construct costs time and is only useful when debugging the CDK.
    stackTraces: false,
    // CDK's built-in template validation takes ~2.5 s of a ~3.5 s synthesis on our machines, at the
    // start of every bench run; tests/unit/stack/nag.test.ts runs it and requires an empty report.
    builtinCloudFormationValidation: false,
  });
  return synthesizeStack(app, buildApp(app));
}

/** Synthesizes `app` and says where `stack`'s template landed. */
export function synthesizeStack(app: App, stack: Stack): SynthResult {
  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  return {
    outdir: assembly.directory,
    stackName: artifact.stackName,
    stackArtifactId: artifact.id,
    templatePath: join(assembly.directory, artifact.templateFile),
  };
}
