/**
 * CloudFormation for teardown: describe a stack, delete it, wait for DELETE_COMPLETE, retry
 * DELETE_FAILED once and then delete again retaining what would not go (docs/aws-behaviour.md#stack-deletion). Every call
 * goes through `callAws`, so throttling stretches the teardown instead of breaking it.
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateDescribeStacks,
  paginateListStackResources,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { callAws, pagedClient } from './call.js';
import { awsErrorCode, describeAwsError, isStackMissingError } from './errors.js';
import type { BackoffOptions } from './retry.js';

/** What the harness needs to know about a stack. */
export interface StackInfo {
  readonly stackId: string;
  readonly stackName: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly terminationProtection: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly outputs: Readonly<Record<string, string>>;
  readonly createdAt?: Date;
}

/** One resource of a stack, as ListStackResources reports it. */
export interface StackResourceInfo {
  readonly logicalId: string;
  readonly physicalId?: string;
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
}

/** Converts the SDK's `Stack` to {@link StackInfo}. */
export function toStackInfo(stack: Stack): StackInfo {
  const tags: Record<string, string> = {};
  for (const tag of stack.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined) outputs[output.OutputKey] = output.OutputValue ?? '';
  }
  return {
    stackId: stack.StackId ?? stack.StackName ?? '',
    stackName: stack.StackName ?? '',
    status: stack.StackStatus ?? 'UNKNOWN',
    statusReason: stack.StackStatusReason,
    terminationProtection: stack.EnableTerminationProtection === true,
    tags,
    outputs,
    createdAt: stack.CreationTime,
  };
}

/**
 * Describes one stack by name or id; undefined when CloudFormation says it does not exist. By id, a
 * deleted stack comes back with status DELETE_COMPLETE (kept 90 days, docs/aws-behaviour.md#stack-statuses).
 */
export async function describeStack(
  cfn: CloudFormationClient,
  nameOrId: string,
  backoff: BackoffOptions = {},
): Promise<StackInfo | undefined> {
  try {
    const result = await callAws(
      `DescribeStacks of '${nameOrId}'`,
      () => cfn.send(new DescribeStacksCommand({ StackName: nameOrId })),
      {
        backoff,
      },
    );
    const stack = result.Stacks?.[0];
    return stack ? toStackInfo(stack) : undefined;
  } catch (error) {
    if (isStackMissingError(error)) return undefined;
    throw error;
  }
}

/** Every stack CloudFormation lists as not deleted, with tags and outputs (DescribeStacks without a name, paged). */
export async function describeAllStacks(cfn: CloudFormationClient, backoff: BackoffOptions = {}): Promise<StackInfo[]> {
  const stacks: StackInfo[] = [];
  const client = pagedClient(CloudFormationClient, cfn, 'DescribeStacks', { backoff });
  for await (const page of paginateDescribeStacks({ client, stopOnSameToken: true }, {})) {
    for (const stack of page.Stacks ?? []) stacks.push(toStackInfo(stack));
  }
  return stacks;
}

/** The stack's resources and their statuses (ListStackResources, paged). */
export async function listStackResources(
  cfn: CloudFormationClient,
  stackId: string,
  backoff: BackoffOptions = {},
): Promise<StackResourceInfo[]> {
  const resources: StackResourceInfo[] = [];
  const client = pagedClient(CloudFormationClient, cfn, `ListStackResources of '${stackId}'`, { backoff });
  for await (const page of paginateListStackResources({ client, stopOnSameToken: true }, { StackName: stackId })) {
    for (const summary of page.StackResourceSummaries ?? []) {
      if (!summary.LogicalResourceId) continue;
      resources.push({
        logicalId: summary.LogicalResourceId,
        physicalId: summary.PhysicalResourceId || undefined,
        type: summary.ResourceType ?? 'Unknown',
        status: summary.ResourceStatus ?? 'UNKNOWN',
        reason: summary.ResourceStatusReason,
      });
    }
  }
  return resources;
}

/** Logical ids of the resources whose DeletionPolicy keeps them when the stack is deleted. */
export async function retainedByPolicy(
  cfn: CloudFormationClient,
  stackId: string,
  backoff: BackoffOptions = {},
): Promise<string[]> {
  const result = await callAws(
    `GetTemplate of '${stackId}'`,
    () => cfn.send(new GetTemplateCommand({ StackName: stackId })),
    { backoff },
  );
  return retainedLogicalIds(result.TemplateBody ?? '');
}

/** The stack's template as deployed (GetTemplate, `Original` stage); the per-resource checks read child-to-parent links from it. */
export async function stackTemplateBody(
  cfn: CloudFormationClient,
  stackId: string,
  backoff: BackoffOptions = {},
): Promise<string> {
  const result = await callAws(
    `GetTemplate of '${stackId}'`,
    () => cfn.send(new GetTemplateCommand({ StackName: stackId })),
    { backoff },
  );
  return result.TemplateBody ?? '';
}

/** Pure part of {@link retainedByPolicy}: `Retain`, `RetainExceptOnCreate` and `Snapshot` all leave something behind. */
export function retainedLogicalIds(templateBody: string): string[] {
  let template: { Resources?: Record<string, { DeletionPolicy?: unknown }> };
  try {
    template = JSON.parse(templateBody);
  } catch {
    // A YAML template is not ours (CDK writes JSON); say nothing rather than guess.
    return [];
  }
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => ['Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(String(resource.DeletionPolicy)))
    .map(([logicalId]) => logicalId);
}

/** Sends one DeleteStack (with backoff on throttling). A stack that does not exist is not an error. */
export async function requestStackDelete(
  cfn: CloudFormationClient,
  nameOrId: string,
  options: {
    readonly clientRequestToken?: string;
    readonly retainResources?: readonly string[];
    readonly backoff?: BackoffOptions;
  } = {},
): Promise<void> {
  await callAws(
    `DeleteStack of '${nameOrId}'`,
    () =>
      cfn.send(
        new DeleteStackCommand({
          StackName: nameOrId,
          ClientRequestToken: options.clientRequestToken,
          RetainResources: options.retainResources ? [...options.retainResources] : undefined,
        }),
      ),
    { backoff: options.backoff },
  );
}

/** Options of {@link deleteStackAndWait}. */
export interface DeleteStackOptions {
  /** Progress lines. @default nothing */
  readonly log?: (line: string) => void;
  /** First wait between status polls; grows 1.5× per poll up to `maxPollIntervalMs`. @default 1000 */
  readonly pollIntervalMs?: number;
  /** @default 10000 (DescribeStacks is cheap, but 100 stacks × 1/s would meet its throttle) */
  readonly maxPollIntervalMs?: number;
  /** Gives up waiting after this long. @default 1800000 (30 min; a REST API alone can take minutes, docs/aws-behaviour.md#control-plane-quotas) */
  readonly timeoutMs?: number;
  /** DeleteStack requests in all: plain ones, then one with RetainResources. @default 3 */
  readonly maxAttempts?: number;
  /** Retries of each call on throttling. @default DEFAULT_BACKOFF */
  readonly backoff?: BackoffOptions;
  /** Unique per destroy: CloudFormation treats a reused ClientRequestToken as the same request. */
  readonly tokenPrefix?: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/** How a delete ended. */
export type DeleteOutcome = 'deleted' | 'absent' | 'failed' | 'timed-out' | 'protected';

/** What {@link deleteStackAndWait} did. */
export interface DeleteStackResult {
  readonly outcome: DeleteOutcome;
  readonly stackId?: string;
  /** DeleteStack requests that were accepted (throttled retries of one request count once). */
  readonly attempts: number;
  /** Resources left in place by the RetainResources attempt. */
  readonly retained: readonly StackResourceInfo[];
  /** The status the stack was last seen in. */
  readonly lastStatus?: string;
  /** Why attempts failed, e.g. `Function (AWS::Lambda::Function) DELETE_FAILED: ...`. */
  readonly failures: readonly string[];
}

const DELETE_COMPLETE = 'DELETE_COMPLETE';
const DELETE_FAILED = 'DELETE_FAILED';

/**
 * Deletes a stack and waits until it is gone. DELETE_FAILED gets a second plain attempt (the usual
 * cause, a dependency still draining, has often cleared); if that fails too, a third attempt retains the
 * resources that would not delete and reports them. A stack with termination protection is left alone.
 */
export async function deleteStackAndWait(
  cfn: CloudFormationClient,
  stack: string | StackInfo,
  options: DeleteStackOptions = {},
): Promise<DeleteStackResult> {
  const log = options.log ?? (() => {});
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepMs;
  const maxAttempts = options.maxAttempts ?? 3;
  const deadline = now() + (options.timeoutMs ?? 30 * 60_000);
  const backoff: BackoffOptions = {
    ...options.backoff,
    onRetry: (error, attempt, delayMs) => {
      log(`throttled or transient AWS error (${describeAwsError(error)}); retry ${attempt} in ${delayMs} ms`);
      options.backoff?.onRetry?.(error, attempt, delayMs);
    },
  };
  const info = typeof stack === 'string' ? await describeStack(cfn, stack, backoff) : stack;
  if (info === undefined || info.status === DELETE_COMPLETE) {
    return {
      outcome: 'absent',
      stackId: info?.stackId,
      attempts: 0,
      retained: [],
      lastStatus: info?.status,
      failures: [],
    };
  }
  if (info.terminationProtection) {
    return {
      outcome: 'protected',
      stackId: info.stackId,
      attempts: 0,
      retained: [],
      lastStatus: info.status,
      failures: [],
    };
  }

  const tokenPrefix = options.tokenPrefix ?? `rda-delete-${Date.now().toString(36)}`;
  const failures: string[] = [];
  let retained: StackResourceInfo[] = [];
  let retainIds: string[] | undefined;
  let attempts = 0;
  let lastStatus = info.status;

  const waitOptions = { ...options, backoff, deadline, now, sleep };
  while (attempts < maxAttempts) {
    const sent = await sendDelete(cfn, info.stackId, `${tokenPrefix}-${attempts + 1}`, retainIds, waitOptions, log);
    if (sent === 'timed-out')
      return { outcome: 'timed-out', stackId: info.stackId, attempts, retained, lastStatus, failures };
    attempts++;
    log(
      `DeleteStack ${info.stackName} sent (attempt ${attempts}${retainIds ? `, retaining ${retainIds.join(', ')}` : ''})`,
    );

    const settled = await waitUntilSettled(cfn, info.stackId, waitOptions);
    if (settled === undefined || settled.status === DELETE_COMPLETE) {
      log(`stack ${info.stackName}: DELETE_COMPLETE`);
      return { outcome: 'deleted', stackId: info.stackId, attempts, retained, lastStatus: DELETE_COMPLETE, failures };
    }
    lastStatus = settled.status;
    if (settled.status.endsWith('_IN_PROGRESS')) {
      return { outcome: 'timed-out', stackId: info.stackId, attempts, retained, lastStatus, failures };
    }
    if (settled.status !== DELETE_FAILED) {
      // The delete did not take (e.g. it raced a create that was still starting): ask again.
      log(`stack ${info.stackName} is ${settled.status} after DeleteStack; asking again`);
      continue;
    }

    const failed = (await listStackResources(cfn, info.stackId, backoff)).filter((r) => r.status === DELETE_FAILED);
    const reason = settled.statusReason ? `: ${settled.statusReason}` : '';
    failures.push(`attempt ${attempts}: DELETE_FAILED${reason}`);
    for (const resource of failed)
      failures.push(`  ${describeResource(resource)} DELETE_FAILED: ${resource.reason ?? 'no reason given'}`);
    log(
      `stack ${info.stackName}: DELETE_FAILED${reason}; ${failed.map((r) => r.logicalId).join(', ') || 'no resource named'}`,
    );

    if (attempts + 1 >= maxAttempts && failed.length > 0) {
      // Last resort: let CloudFormation finish the stack and leave the stubborn resources, which the
      // report then lists as leftovers to remove by hand.
      retainIds = failed.map((r) => r.logicalId);
      retained = failed;
    }
  }
  return { outcome: 'failed', stackId: info.stackId, attempts, retained, lastStatus, failures };
}

type WaitOptions = DeleteStackOptions & {
  readonly backoff: BackoffOptions;
  readonly deadline: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<unknown>;
};

/**
 * Sends DeleteStack. CloudFormation refuses it while some operations run (e.g. UPDATE_IN_PROGRESS):
 * then wait for the stack to settle and ask again, until the deadline.
 */
async function sendDelete(
  cfn: CloudFormationClient,
  stackId: string,
  token: string,
  retainIds: string[] | undefined,
  options: WaitOptions,
  log: (line: string) => void,
): Promise<'sent' | 'timed-out'> {
  for (;;) {
    try {
      await requestStackDelete(cfn, stackId, {
        clientRequestToken: token,
        retainResources: retainIds,
        backoff: options.backoff,
      });
      return 'sent';
    } catch (error) {
      if (awsErrorCode(error) !== 'ValidationError' || !/IN_PROGRESS|cannot be deleted/i.test(String(error)))
        throw error;
      log(`DeleteStack refused (${describeAwsError(error)}); waiting for the running operation to end`);
      const settled = await waitUntilSettled(cfn, stackId, options);
      if (settled?.status.endsWith('_IN_PROGRESS')) return 'timed-out';
    }
  }
}

/** Polls until the stack leaves every `*_IN_PROGRESS` status (or disappears, or the deadline passes). */
async function waitUntilSettled(
  cfn: CloudFormationClient,
  stackId: string,
  options: WaitOptions,
): Promise<StackInfo | undefined> {
  let intervalMs = options.pollIntervalMs ?? 1000;
  const maxIntervalMs = options.maxPollIntervalMs ?? 10_000;
  for (;;) {
    const info = await describeStack(cfn, stackId, options.backoff);
    if (info === undefined || !info.status.endsWith('_IN_PROGRESS')) return info;
    if (options.now() >= options.deadline) return info;
    await options.sleep(Math.min(intervalMs, Math.max(0, options.deadline - options.now())));
    intervalMs = Math.min(maxIntervalMs, Math.ceil(intervalMs * 1.5));
  }
}

/** `Logical (Type physical-id)`, the way the report names a resource. */
export function describeResource(resource: StackResourceInfo): string {
  return `${resource.logicalId} (${resource.type}${resource.physicalId ? ` ${resource.physicalId}` : ''})`;
}
