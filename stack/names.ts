/**
 * Names and tags shared by the stack, the harness and the CI helpers. One place decides what a run id
 * may look like, so a stack name, a function name and a tag value never disagree.
 */

/** Every stack this tool creates starts with this; the deployer role and `sweep` key on it. */
export const STACK_PREFIX = 'rda-';

/** Run ids: lowercase letters, digits and hyphens, starting with a letter or digit. */
export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** Capped so `rda-<runId>-<suffix>` fits Lambda's 64-character function-name limit with room to spare. */
export const RUN_ID_MAX_LENGTH = 32;

/** Tag keys put on every resource of a run's stack. */
export const TAG_KEYS = {
  runId: 'rda:run-id',
  expiresAt: 'rda:expires-at',
  creator: 'rda:creator',
  managedBy: 'rda:managed-by',
  /** A random value per deploy: the failure cleanup deletes the stack only if it carries its own. */
  deployToken: 'rda:deploy-token',
} as const;

/** Value of the `rda:managed-by` tag: how `sweep` and the deployer role recognise our stacks. */
export const MANAGED_BY = 'random-data-api-harness';

/** True when `tags` (key to value) carry `rda:managed-by=<MANAGED_BY>`: the one test of "this tool created it". */
export function isManagedByThisTool(tags: Readonly<Record<string, string | undefined>>): boolean {
  return tags[TAG_KEYS.managedBy] === MANAGED_BY;
}

/** Returns null when `runId` is valid, else a sentence saying what is wrong and what to change. */
export function runIdProblem(runId: string): string | null {
  if (runId.length === 0) return 'run id is empty: give 1 to 32 lowercase letters, digits or hyphens';
  if (runId.length > RUN_ID_MAX_LENGTH) {
    return `run id '${runId}' is ${runId.length} characters long: the maximum is ${RUN_ID_MAX_LENGTH}`;
  }
  if (!RUN_ID_PATTERN.test(runId) || runId.endsWith('-') || runId.includes('--')) {
    return `run id '${runId}' may hold only lowercase letters, digits and single hyphens, and must start and end with a letter or digit`;
  }
  return null;
}

/** `rda-<runId>`: the CloudFormation stack name of a run. */
export function stackName(runId: string): string {
  return `${STACK_PREFIX}${runId}`;
}

/** `rda-<runId>-<suffix>`: a deterministic physical name for one resource of a run. */
export function resourceName(runId: string, suffix: string): string {
  return `${STACK_PREFIX}${runId}-${suffix}`;
}
