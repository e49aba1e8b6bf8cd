/**
 * Small CDK apps for the paths the real stack cannot take against moto (a create that fails, a stack
 * that asks for termination protection). Synthesized in-process in milliseconds, no bundling; tagged
 * like a real run so teardown and sweep treat them the same.
 */
import { App, Stack, Tags } from 'aws-cdk-lib';
import type { Synthesizer } from '../../../harness/target/aws/aws-target.js';
import { synthesizeStack } from '../../../stack/build-app.js';
import { MANAGED_BY, stackName, TAG_KEYS } from '../../../stack/names.js';

/** Options of {@link tinyStack}. */
export interface TinyStackOptions {
  readonly terminationProtection?: boolean;
  /** Called once per synthesis, e.g. to count that synthesis happened. */
  readonly onSynthesize?: () => void;
}

/** A synthesizer whose stack `rda-<runId>` holds whatever `build` adds. */
export function tinyStack(build: (stack: Stack) => void, options: TinyStackOptions = {}): Synthesizer {
  return async ({ outdir, context = {} }) => {
    options.onSynthesize?.();
    const runId = String(context.runId);
    // No built-in template validation: its engine takes ~10 s to load on first use and adds nothing here.
    const app = new App({
      outdir,
      context: { ...context },
      stackTraces: false,
      builtinCloudFormationValidation: false,
    });
    const name = stackName(runId);
    const stack = new Stack(app, name, {
      stackName: name,
      analyticsReporting: false,
      terminationProtection: options.terminationProtection ?? false,
    });
    build(stack);
    Tags.of(stack).add(TAG_KEYS.runId, runId);
    Tags.of(stack).add(TAG_KEYS.managedBy, MANAGED_BY);
    if (context.expiresAt) Tags.of(stack).add(TAG_KEYS.expiresAt, String(context.expiresAt));
    // The failed-deploy cleanup deletes only a stack that carries its deploy's token (aws-target.ts).
    if (context.deployToken) Tags.of(stack).add(TAG_KEYS.deployToken, String(context.deployToken));
    return synthesizeStack(app, stack);
  };
}
