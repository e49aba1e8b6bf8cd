/**
 * Proof that a destroy left nothing behind. CloudFormation's DELETE_COMPLETE already guarantees that
 * every stack resource with DeletionPolicy Delete is gone (a resource it cannot delete makes the stack
 * DELETE_FAILED instead), so these checks look where things outlive a completed delete:
 * 1. the stack itself (DescribeStacks: "does not exist", or DELETE_COMPLETE by id);
 * 2. log groups, including `/aws/lambda/<fn>`, which Lambda creates outside the stack (docs/aws-behaviour.md#lambda-log-group-lifecycle);
 * 3. anything still tagged `rda:run-id=<runId>` (Resource Groups Tagging API), which is where an
 *    orphan of any other type shows up;
 * 4. resources the delete kept on purpose (DeletionPolicy Retain, or the RetainResources retry).
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import { CloudWatchLogsClient, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { paginateGetResources, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { TAG_KEYS } from '../../../stack/names.js';
import { pagedClient } from './call.js';
import { describeStack } from './cloudformation.js';
import type { AwsClients } from './config.js';
import { describeAwsError } from './errors.js';
import type { BackoffOptions } from './retry.js';

/** What to check after a run's stack was deleted. */
export interface VerifyOptions {
  readonly runId: string;
  readonly stackName: string;
  /** The stack's ARN when known: DescribeStacks by id tells DELETE_COMPLETE apart from "never existed". */
  readonly stackId?: string;
  /** Log groups that must be gone (the stack's own and Lambda's default one). */
  readonly logGroupNames: readonly string[];
  /** Resources left on purpose, one description each; every one is a leftover. @default none */
  readonly retained?: readonly string[];
  /**
   * Waits before asking the Tagging API again about an ARN no service check can confirm: it may list
   * "previously tagged" resources for a while after they are deleted (aws/aws-sdk#302, boto/boto3#3341).
   * @default [5000, 15000]
   */
  readonly staleRecheckDelaysMs?: readonly number[];
  readonly backoff?: BackoffOptions;
  /** @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** Each check's outcome and whatever is still there. */
export interface VerifyResult {
  readonly checks: readonly string[];
  readonly leftovers: readonly string[];
}

/** Runs the four checks above; a check that cannot run counts as a leftover (unverified is not verified). */
export async function verifyNothingLeft(clients: AwsClients, options: VerifyOptions): Promise<VerifyResult> {
  const checks: string[] = [];
  const leftovers: string[] = [];
  const backoff = options.backoff ?? {};

  await guarded(`stack ${options.stackName}`, leftovers, async () => {
    const stack = await describeStack(clients.cloudFormation, options.stackId ?? options.stackName, backoff);
    if (stack === undefined) checks.push(`stack ${options.stackName}: gone (DescribeStacks: does not exist)`);
    else if (stack.status === 'DELETE_COMPLETE') checks.push(`stack ${options.stackName}: gone (DELETE_COMPLETE)`);
    else {
      const reason = stack.statusReason ? `: ${stack.statusReason}` : '';
      leftovers.push(`stack ${options.stackName}: still there, ${stack.status}${reason}`);
    }
  });

  for (const name of unique(options.logGroupNames)) {
    await guarded(`log group ${name}`, leftovers, async () => {
      if (await logGroupExists(clients.logs, name, backoff)) leftovers.push(`log group ${name}: still exists`);
      else checks.push(`log group ${name}: gone`);
    });
  }

  const tag = `${TAG_KEYS.runId}=${options.runId}`;
  await guarded(`resources tagged ${tag}`, leftovers, async () => {
    const found = await taggedLeftovers(clients, options, backoff);
    for (const arn of found.live) leftovers.push(`tagged ${tag}: ${arn} still exists`);
    for (const arn of found.listed)
      leftovers.push(`tagged ${tag}: ${arn} still listed by the Resource Groups Tagging API`);
    if (found.live.length + found.listed.length === 0) {
      const stale =
        found.stale > 0 ? `; ${found.stale} entr${found.stale === 1 ? 'y' : 'ies'} of deleted resources ignored` : '';
      checks.push(`resources tagged ${tag}: none left (Resource Groups Tagging API${stale})`);
    }
  });

  for (const description of options.retained ?? []) leftovers.push(`retained: ${description}`);
  return { checks, leftovers };
}

/** Exact-name lookup; DescribeLogGroups only filters by prefix, so `/aws/lambda/a` must not match `/aws/lambda/ab`. */
export async function logGroupExists(
  logs: CloudWatchLogsClient,
  name: string,
  backoff: BackoffOptions = {},
): Promise<boolean> {
  const client = pagedClient(CloudWatchLogsClient, logs, `DescribeLogGroups of '${name}'`, { backoff });
  for await (const page of paginateDescribeLogGroups(
    { client, pageSize: 50, stopOnSameToken: true },
    { logGroupNamePrefix: name },
  )) {
    if ((page.logGroups ?? []).some((group) => group.logGroupName === name)) return true;
  }
  return false;
}

/** ARNs tagged with the run id, paged. */
export async function taggedArns(
  tagging: ResourceGroupsTaggingAPIClient,
  runId: string,
  backoff: BackoffOptions = {},
): Promise<string[]> {
  const arns: string[] = [];
  const client = pagedClient(
    ResourceGroupsTaggingAPIClient,
    tagging,
    `GetResources tagged ${TAG_KEYS.runId}=${runId}`,
    { backoff },
  );
  const pages = paginateGetResources(
    { client, stopOnSameToken: true },
    { TagFilters: [{ Key: TAG_KEYS.runId, Values: [runId] }] },
  );
  for await (const page of pages) {
    for (const mapping of page.ResourceTagMappingList ?? []) if (mapping.ResourceARN) arns.push(mapping.ResourceARN);
  }
  return arns;
}

interface TaggedLeftovers {
  /** Confirmed present by the owning service. */
  readonly live: string[];
  /** No service check available, and still listed after the rechecks. */
  readonly listed: string[];
  /** Listed, but the owning service says they are gone. */
  readonly stale: number;
}

async function taggedLeftovers(
  clients: AwsClients,
  options: VerifyOptions,
  backoff: BackoffOptions,
): Promise<TaggedLeftovers> {
  const live: string[] = [];
  let unconfirmed: string[] = [];
  let stale = 0;
  for (const arn of await taggedArns(clients.tagging, options.runId, backoff)) {
    const present = await confirmPresent(clients, arn, backoff);
    if (present === true) live.push(arn);
    else if (present === false) stale++;
    else unconfirmed.push(arn);
  }
  const sleep = options.sleep ?? sleepMs;
  for (const delayMs of options.staleRecheckDelaysMs ?? [5000, 15_000]) {
    if (unconfirmed.length === 0) break;
    await sleep(delayMs);
    const still = new Set(await taggedArns(clients.tagging, options.runId, backoff));
    stale += unconfirmed.filter((arn) => !still.has(arn)).length;
    unconfirmed = unconfirmed.filter((arn) => still.has(arn));
  }
  return { live, listed: unconfirmed, stale };
}

/** Asks the owning service whether an ARN is still there: true, false, or undefined when we have no client for it. */
async function confirmPresent(clients: AwsClients, arn: string, backoff: BackoffOptions): Promise<boolean | undefined> {
  const service = arn.split(':')[2];
  if (service === 'cloudformation' && arn.includes(':stack/')) {
    const stack = await describeStack(clients.cloudFormation, arn, backoff);
    return stack !== undefined && stack.status !== 'DELETE_COMPLETE';
  }
  if (service === 'logs') {
    const match = /:log-group:(.+?)(:\*)?$/.exec(arn);
    if (match) return logGroupExists(clients.logs, match[1]!, backoff);
  }
  return undefined;
}

/** Runs one check; if AWS refuses to answer, that check becomes a leftover naming the error. */
async function guarded(what: string, leftovers: string[], check: () => Promise<void>): Promise<void> {
  try {
    await check();
  } catch (error) {
    leftovers.push(`${what}: not checked (${describeAwsError(error)})`);
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.filter((value) => value.length > 0))];
}
