/**
 * Lists the stacks of a region that are not yet deleted, with CloudFormation ListStacks (the one
 * stack listing the deployer role may call on every stack: it has no resource-level permission).
 */
import {
  CloudFormationClient,
  ListStacksCommand,
  type StackSummary,
  StackStatus,
} from '@aws-sdk/client-cloudformation';
import { InfraError } from '../../errors.js';

/** Every status but DELETE_COMPLETE: deleted stacks stay listed for 90 days (docs/aws-behaviour.md#stack-statuses) and are not our business. */
const LIVE_STATUSES = Object.values(StackStatus).filter((status) => status !== StackStatus.DELETE_COMPLETE);

/** ListStacks pages hold up to 100 summaries; 1,000 pages is far past any account and bounds a looping token. */
const MAX_PAGES = 1000;

/** Summaries of the region's stacks that still exist, all pages. */
export async function listLiveStacks(
  region: string,
  options: { readonly client?: CloudFormationClient; readonly signal?: AbortSignal } = {},
): Promise<StackSummary[]> {
  const client = options.client ?? new CloudFormationClient({ region });
  const stacks: StackSummary[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const output = await client.send(new ListStacksCommand({ StackStatusFilter: LIVE_STATUSES, NextToken: nextToken }), {
        abortSignal: options.signal,
      });
      stacks.push(...(output.StackSummaries ?? []));
      nextToken = output.NextToken;
      if (!nextToken) return stacks;
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const name = (error as Error).name;
    throw new InfraError(
      'ListStacksFailed',
      `listing the CloudFormation stacks of '${region}' failed (${name}: ${(error as Error).message}); check the region, the network, and that the credentials allow cloudformation:ListStacks`,
      { cause: error },
    );
  } finally {
    if (options.client === undefined) client.destroy();
  }
  throw new InfraError('ListStacksFailed', `ListStacks in '${region}' returned more than ${MAX_PAGES} pages: stopping`);
}
