/**
 * Lists the stacks of a region that are not yet deleted, with CloudFormation ListStacks (the one
 * stack listing the deployer role may call on every stack: it has no resource-level permission).
 */
import {
  CloudFormationClient,
  paginateListStacks,
  StackStatus,
  type StackSummary,
} from '@aws-sdk/client-cloudformation';
import { pagedClient } from './call.js';

/** Every status but DELETE_COMPLETE: deleted stacks stay listed for 90 days (docs/aws-behaviour.md#stack-statuses) and are not our business. */
const LIVE_STATUSES = Object.values(StackStatus).filter((status) => status !== StackStatus.DELETE_COMPLETE);

/** Summaries of the region's stacks that still exist, all pages; a failure is InfraError `AwsRequestFailed`. */
export async function listLiveStacks(
  region: string,
  options: { readonly client?: CloudFormationClient; readonly signal?: AbortSignal } = {},
): Promise<StackSummary[]> {
  const cfn = options.client ?? new CloudFormationClient({ region });
  const stacks: StackSummary[] = [];
  try {
    const client = pagedClient(CloudFormationClient, cfn, `ListStacks in '${region}'`, { signal: options.signal });
    // stopOnSameToken ends a listing whose token repeats instead of looping on it.
    const pages = paginateListStacks(
      { client, stopOnSameToken: true },
      { StackStatusFilter: LIVE_STATUSES },
      { abortSignal: options.signal },
    );
    for await (const page of pages) stacks.push(...(page.StackSummaries ?? []));
    return stacks;
  } finally {
    if (options.client === undefined) cfn.destroy();
  }
}
