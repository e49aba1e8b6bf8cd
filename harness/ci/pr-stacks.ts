/**
 * Which stacks belong to one pull request: the pure choice `pr-closed` makes before it destroys them.
 */
import { isManagedByThisTool, MANAGED_BY, runIdProblem, STACK_PREFIX, TAG_KEYS } from '../../stack/names.js';
import { prRunIdPrefix } from './run-id.js';

/** The fields of a CloudFormation `StackSummary` the choice needs, plus the stack's tags (from DescribeStacks). */
export interface StackSummaryLike {
  readonly StackName?: string;
  readonly StackStatus?: string;
  /** Absent or without `rda:managed-by=<MANAGED_BY>`: not this tool's stack, never chosen for deletion. */
  readonly Tags?: readonly { readonly Key?: string; readonly Value?: string }[];
}

/** The stacks of one pull request: those to destroy, and those left alone because this tool did not create them. */
export interface PrStacksPlan {
  /** Run ids to destroy, sorted, without duplicates. */
  readonly runIds: string[];
  /** One sentence per stack of the pull request's name left alone, naming it and saying why. */
  readonly skipped: string[];
}

/**
 * The stacks of pull request `prNumber` that still exist: named `rda-pr-<n>-…` with a valid run id, not
 * yet `DELETE_COMPLETE`. Only those tagged `rda:managed-by=<MANAGED_BY>` are to be destroyed; a stack of
 * such a name without the tag was not created by this tool and is listed in `skipped` instead. Run ids are
 * sorted and without duplicates (ListStacks returns one entry per stack id, and a name deleted and
 * re-created appears twice).
 */
export function planPrStacks(stacks: readonly StackSummaryLike[], prNumber: number | string): PrStacksPlan {
  const namePrefix = `${STACK_PREFIX}${prRunIdPrefix(prNumber)}`;
  const runIds = new Set<string>();
  const skipped = new Set<string>();
  for (const stack of stacks) {
    const name = stack.StackName ?? '';
    if (!name.startsWith(namePrefix) || stack.StackStatus === 'DELETE_COMPLETE') continue;
    const runId = name.slice(STACK_PREFIX.length);
    if (runIdProblem(runId) !== null) continue;
    const tags = Object.fromEntries((stack.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value]));
    if (isManagedByThisTool(tags)) runIds.add(runId);
    else skipped.add(name);
  }
  return {
    runIds: [...runIds].sort(),
    skipped: [...skipped]
      .sort()
      .map(
        (name) =>
          `skipped stack ${name}: it lacks the tag ${TAG_KEYS.managedBy}=${MANAGED_BY}, so it was not created by this tool and is not listed for deletion`,
      ),
  };
}

/** The run ids of {@link planPrStacks}: the pull request's stacks this tool created and that still exist. */
export function selectPrRunIds(stacks: readonly StackSummaryLike[], prNumber: number | string): string[] {
  return planPrStacks(stacks, prNumber).runIds;
}
