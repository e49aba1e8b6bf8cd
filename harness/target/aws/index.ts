/**
 * The AWS target's facade: the only module outside `harness/target/aws/` imports. Commands load it lazily,
 * since the SDK adds to the start-up of every command that does not need it.
 */
export { AwsAccount, type AwsAccountOptions } from './account.js';
export { AwsTarget, type AwsTargetOptions } from './aws-target.js';
export type { AwsInsightsResult } from './insights-query.js';
export { planSweep, renderSweepTable, type SweepDecision, type SweepRow } from './sweep.js';
