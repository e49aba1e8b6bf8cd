/**
 * Which stacks belong to one pull request: the pure choice `pr-closed` makes before it destroys them.
 */
import { runIdProblem, STACK_PREFIX } from '../../stack/names.js';
import { prRunIdPrefix } from './run-id.js';

/** The two fields of a CloudFormation `StackSummary` the choice needs. */
export interface StackSummaryLike {
  readonly StackName?: string;
  readonly StackStatus?: string;
}

/**
 * Run ids of the stacks of pull request `prNumber` that still exist: named `rda-pr-<n>-…` with a valid
 * run id, not yet `DELETE_COMPLETE`. Sorted and without duplicates (ListStacks returns one entry per
 * stack id, and a name deleted and re-created appears twice).
 */
export function selectPrRunIds(stacks: readonly StackSummaryLike[], prNumber: number | string): string[] {
  const namePrefix = `${STACK_PREFIX}${prRunIdPrefix(prNumber)}`;
  const runIds = new Set<string>();
  for (const stack of stacks) {
    const name = stack.StackName ?? '';
    if (!name.startsWith(namePrefix) || stack.StackStatus === 'DELETE_COMPLETE') continue;
    const runId = name.slice(STACK_PREFIX.length);
    if (runIdProblem(runId) === null) runIds.add(runId);
  }
  return [...runIds].sort();
}
