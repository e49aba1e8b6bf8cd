/**
 * Lists the stacks of a region that are not yet deleted, with CloudFormation ListStacks (the one
 * stack listing the deployer role may call on every stack: it has no resource-level permission),
 * then reads the tags of the `rda-*` ones with DescribeStacks, which the role may call on those.
 */
import {
  CloudFormationClient,
  paginateListStacks,
  StackStatus,
  type StackSummary,
  type Tag,
} from '@aws-sdk/client-cloudformation';
import { STACK_PREFIX } from '../../../stack/names.js';
import { abortError } from '../../errors.js';
import { pagedClient } from './call.js';
import { describeStack } from './cloudformation.js';

/** Every status but DELETE_COMPLETE: deleted stacks stay listed for 90 days (docs/aws-behaviour.md#stack-statuses) and are not our business. */
const LIVE_STATUSES = Object.values(StackStatus).filter((status) => status !== StackStatus.DELETE_COMPLETE);

/**
 * A ListStacks summary; a stack named `rda-*` also carries its tags (ListStacks has none), so callers can
 * tell this tool's stacks (`rda:managed-by=<MANAGED_BY>`) from a stranger's of the same name.
 */
export type LiveStackSummary = StackSummary & { readonly Tags?: Tag[] };

/**
 * Summaries of the region's stacks that still exist, all pages, the `rda-*` ones with their tags (one
 * DescribeStacks each, by stack id; a stack deleted in between is left out). A failure is InfraError
 * `AwsRequestFailed`.
 */
export async function listLiveStacks(
  region: string,
  options: { readonly client?: CloudFormationClient; readonly signal?: AbortSignal } = {},
): Promise<LiveStackSummary[]> {
  const cfn = options.client ?? new CloudFormationClient({ region });
  const summaries: StackSummary[] = [];
  try {
    const client = pagedClient(CloudFormationClient, cfn, `ListStacks in '${region}'`, { signal: options.signal });
    // stopOnSameToken ends a listing whose token repeats instead of looping on it.
    const pages = paginateListStacks(
      { client, stopOnSameToken: true },
      { StackStatusFilter: LIVE_STATUSES },
      { abortSignal: options.signal },
    );
    for await (const page of pages) summaries.push(...(page.StackSummaries ?? []));

    const stacks: LiveStackSummary[] = [];
    for (const summary of summaries) {
      if (!(summary.StackName ?? '').startsWith(STACK_PREFIX)) {
        stacks.push(summary);
        continue;
      }
      if (options.signal?.aborted) throw abortError(options.signal, 'ListStacks');
      const info = await describeStack(cfn, summary.StackId ?? summary.StackName ?? '', { signal: options.signal });
      if (info === undefined || info.status === StackStatus.DELETE_COMPLETE) continue;
      const tags = Object.entries(info.tags).map(([Key, Value]) => ({ Key, Value }));
      stacks.push({ ...summary, StackStatus: info.status as StackStatus, Tags: tags });
    }
    return stacks;
  } finally {
    if (options.client === undefined) cfn.destroy();
  }
}
