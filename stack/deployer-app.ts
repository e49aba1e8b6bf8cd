/**
 * CDK app entry for administrators: deploys the GitHub OIDC deploy role once per account and region.
 *
 * @example
 * npx cdk deploy --app "npx tsx stack/deployer-app.ts" -c githubRepository=owner/name
 * npx cdk deploy --app "npx tsx stack/deployer-app.ts" -c githubRepository=owner/name \
 *   -c oidcProviderArn=arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
 */
import { App } from 'aws-cdk-lib';
import { DEPLOYER_STACK_NAME, DeployerStack, deployerPropsFromContext } from './deployer-stack.js';
import { addNagChecks } from './nag.js';

const app = new App();
new DeployerStack(app, DEPLOYER_STACK_NAME, {
  ...deployerPropsFromContext((key) => app.node.tryGetContext(key)),
  // The account and region `cdk deploy` resolved from the caller's credentials: the bootstrap role
  // names in the policy carry them.
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
addNagChecks(app);
app.synth();
