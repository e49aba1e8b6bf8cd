/**
 * CDK app entry (`cdk.json`: `npx tsx stack/app.ts`), for `npx cdk synth` and `npx cdk deploy`.
 * Settings come from context, e.g. `npx cdk deploy -c runId=alice -c memorySizeMb=1024`.
 */
import { App } from 'aws-cdk-lib';
import { buildApp } from './build-app.js';
import { SavedQueryError, StackConfigError } from './errors.js';
import { addNagChecks } from './nag.js';

const app = new App({
  // CDK's built-in template validation takes 3-4 s of a ~10 s `cdk synth` on our machines; the stack
  // tests run it (tests/unit/stack/nag.test.ts) and require an empty report, so it is skipped here.
  builtinCloudFormationValidation: false,
});
try {
  buildApp(app);
} catch (error) {
  // A bad -c value is the user's to fix: say what is wrong without a stack trace (exit code 2, usage).
  if (!(error instanceof StackConfigError || error instanceof SavedQueryError)) throw error;
  console.error(`error: ${error.message}`);
  process.exit(2);
}
// cdk-nag findings that are not acknowledged fail `cdk synth` and `cdk deploy` (about 1 s).
addNagChecks(app);
app.synth();
