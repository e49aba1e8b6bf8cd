/**
 * Proof that a destroy left nothing behind. CloudFormation's DELETE_COMPLETE already guarantees that
 * every stack resource with DeletionPolicy Delete is gone (a resource it cannot delete makes the stack
 * DELETE_FAILED instead), so these checks look where things outlive a completed delete:
 * 1. the stack itself (DescribeStacks: "does not exist", or DELETE_COMPLETE by id);
 * 2. log groups, including `/aws/lambda/<fn>`, which Lambda creates outside the stack (docs/aws-behaviour.md#lambda-log-group-lifecycle);
 * 3. anything still tagged `rda:run-id=<runId>` (Resource Groups Tagging API), which is where an
 *    orphan of any other type shows up;
 * 4. resources the delete kept on purpose (DeletionPolicy Retain, or the RetainResources retry);
 * 5. every physical resource recorded from ListStackResources before DeleteStack, asked for by id with its
 *    own service's describe/get call: the Tagging API does not index every type, so an orphan it misses
 *    would otherwise pass unseen (docs/aws-behaviour.md#after-delete-checks).
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import { APIGatewayClient, GetRestApiCommand } from '@aws-sdk/client-api-gateway';
import {
  CloudWatchLogsClient,
  DescribeQueryDefinitionsCommand,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { paginateGetResources, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { TAG_KEYS } from '../../../stack/names.js';
import { callAws, pagedClient } from './call.js';
import { describeResource, describeStack, type StackResourceInfo } from './cloudformation.js';
import type { AwsClients } from './config.js';
import { awsErrorCode, describeAwsError } from './errors.js';
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
   * The stack's physical resources recorded before DeleteStack, each checked by id afterwards (check 5).
   * Resources already reported as retained are left out by the caller. @default none
   */
  readonly resources?: readonly RecordedResource[];
  /** Region of the Lambda and IAM clients created when `clients` has none. @default the SDK's own resolution */
  readonly region?: string;
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
export async function verifyNothingLeft(
  clients: AwsClients & ResourceCheckClients,
  options: VerifyOptions,
): Promise<VerifyResult> {
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

  // Log groups are looked up once: a recorded AWS::Logs::LogGroup reuses the answer of its name check.
  const logGroups = new Map<string, boolean>();
  for (const name of unique(options.logGroupNames)) {
    await guarded(`log group ${name}`, leftovers, async () => {
      const exists = await logGroupExists(clients.logs, name, backoff);
      logGroups.set(name, exists);
      if (exists) leftovers.push(`log group ${name}: still exists`);
      else checks.push(`log group ${name}: gone`);
    });
  }

  if ((options.resources ?? []).length > 0) {
    const perResource = await checkRecordedResources(clients, options.resources ?? [], {
      backoff,
      region: options.region,
      logGroups,
      reportedLogGroups: new Set(unique(options.logGroupNames)),
    });
    checks.push(...perResource.checks);
    leftovers.push(...perResource.leftovers);
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

/**
 * One physical resource of the stack, recorded from ListStackResources before DeleteStack was requested,
 * so it can be asked for by id once the stack is gone (docs/aws-behaviour.md#after-delete-checks).
 */
export interface RecordedResource extends StackResourceInfo {
  /**
   * For a type in {@link CHILD_TYPES}: the logical ids of the parents it dies with, read from the template;
   * undefined when they could not be read, and then the resource cannot be vouched for.
   */
  readonly parentLogicalIds?: readonly string[];
}

/** SDK clients of the per-resource checks beyond {@link AwsClients}; created for `VerifyOptions.region` when absent. */
export interface ResourceCheckClients {
  readonly lambda?: LambdaClient;
  readonly iam?: IAMClient;
  readonly apiGateway?: APIGatewayClient;
}

/** How one resource type is asked for by id: the call's name and whether the resource still exists. */
interface DirectCheck {
  readonly call: string;
  exists(context: CheckContext, physicalId: string): Promise<boolean>;
}

interface CheckContext {
  readonly clients: AwsClients & ResourceCheckClients;
  readonly backoff: BackoffOptions;
  readonly region?: string;
  readonly logGroups: Map<string, boolean>;
  /** Every query definition id, listed once per verification (DescribeQueryDefinitions has no by-id lookup). */
  queryDefinitionIds?: Promise<Set<string>>;
  lambda?: LambdaClient;
  iam?: IAMClient;
  apiGateway?: APIGatewayClient;
}

/**
 * Types whose resource is asked for directly by its physical id. A NotFound answer means gone; any other
 * failure leaves the resource "not checked", which is a leftover.
 */
export const DIRECT_CHECKS: Readonly<Record<string, DirectCheck>> = {
  'AWS::Logs::LogGroup': {
    call: 'DescribeLogGroups',
    exists: async (context, name) => {
      const known = context.logGroups.get(name);
      if (known !== undefined) return known;
      const exists = await logGroupExists(context.clients.logs, name, context.backoff);
      context.logGroups.set(name, exists);
      return exists;
    },
  },
  'AWS::Logs::QueryDefinition': {
    call: 'DescribeQueryDefinitions',
    exists: async (context, id) => {
      context.queryDefinitionIds ??= queryDefinitionIds(context.clients.logs, context.backoff);
      return (await context.queryDefinitionIds).has(id);
    },
  },
  'AWS::Lambda::Function': askById('GetFunction', ['ResourceNotFoundException'], (context, name) => {
    context.lambda ??= context.clients.lambda ?? new LambdaClient({ region: context.region });
    return context.lambda.send(new GetFunctionCommand({ FunctionName: name }));
  }),
  'AWS::IAM::Role': askById('GetRole', ['NoSuchEntity', 'NoSuchEntityException'], (context, name) => {
    context.iam ??= context.clients.iam ?? new IAMClient({ region: context.region });
    return context.iam.send(new GetRoleCommand({ RoleName: name }));
  }),
  'AWS::ApiGateway::RestApi': askById('GetRestApi', ['NotFoundException'], (context, id) => {
    context.apiGateway ??= context.clients.apiGateway ?? new APIGatewayClient({ region: context.region });
    return context.apiGateway.send(new GetRestApiCommand({ restApiId: id }));
  }),
};

/**
 * Types deleted together with a parent resource, and the template property that names the parent: such
 * a resource is gone once every parent is confirmed gone (a Stage cannot outlive its REST API, a
 * permission its function's policy, an inline policy its role). `exclusive` lists properties that attach
 * the resource elsewhere too; when one is set, the parent alone does not vouch for it.
 */
export const CHILD_TYPES: Readonly<
  Record<string, { readonly parentType: string; readonly property: string; readonly exclusive?: readonly string[] }>
> = {
  'AWS::ApiGateway::Deployment': { parentType: 'AWS::ApiGateway::RestApi', property: 'RestApiId' },
  'AWS::ApiGateway::Stage': { parentType: 'AWS::ApiGateway::RestApi', property: 'RestApiId' },
  'AWS::ApiGateway::Method': { parentType: 'AWS::ApiGateway::RestApi', property: 'RestApiId' },
  'AWS::ApiGateway::Resource': { parentType: 'AWS::ApiGateway::RestApi', property: 'RestApiId' },
  'AWS::Lambda::Permission': { parentType: 'AWS::Lambda::Function', property: 'FunctionName' },
  'AWS::IAM::Policy': { parentType: 'AWS::IAM::Role', property: 'Roles', exclusive: ['Users', 'Groups'] },
};

/**
 * Pure: the recorded resources with the parents of the child types read from the template (`Ref`,
 * `Fn::GetAtt`, or a literal equal to a recorded parent's physical id). A template that cannot be read
 * leaves children without parents, which then count as not checked.
 */
export function recordResources(
  resources: readonly StackResourceInfo[],
  templateBody: string | undefined,
): RecordedResource[] {
  let template: { Resources?: Record<string, { Properties?: Record<string, unknown> }> } = {};
  try {
    if (templateBody !== undefined) template = JSON.parse(templateBody);
  } catch {
    // A YAML template is not ours (CDK writes JSON): children stay without parents, hence unverified.
  }
  return resources.map((resource) => {
    const child = CHILD_TYPES[resource.type];
    const properties = template.Resources?.[resource.logicalId]?.Properties;
    if (child === undefined || properties === undefined) return { ...resource };
    if ((child.exclusive ?? []).some((key) => properties[key] !== undefined)) return { ...resource };
    const raw = properties[child.property];
    const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
    const parents = values.map((value) => parentLogicalId(value, child.parentType, resources));
    if (parents.length === 0 || parents.some((parent) => parent === undefined)) return { ...resource };
    return { ...resource, parentLogicalIds: parents as string[] };
  });
}

function parentLogicalId(
  value: unknown,
  parentType: string,
  resources: readonly StackResourceInfo[],
): string | undefined {
  let logicalId: string | undefined;
  if (typeof value === 'string') {
    // A literal name or ARN: the parent is the recorded resource with that physical id.
    logicalId = resources.find(
      (r) => r.type === parentType && r.physicalId && (value === r.physicalId || value.endsWith(`:${r.physicalId}`)),
    )?.logicalId;
  } else if (typeof value === 'object' && value !== null) {
    const record = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
    const getAtt = record['Fn::GetAtt'];
    if (typeof record.Ref === 'string') logicalId = record.Ref;
    else if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') logicalId = getAtt[0];
    else if (typeof getAtt === 'string') logicalId = getAtt.split('.')[0];
  }
  return resources.some((r) => r.logicalId === logicalId && r.type === parentType) ? logicalId : undefined;
}

/** What happened to one recorded resource. */
type Outcome = 'gone' | 'present' | 'unchecked';

/**
 * Check 5: each recorded resource asked for by id (or vouched for by its parent). Every resource yields one
 * line: a check when confirmed gone, else a leftover naming it and saying why (still there, not checked,
 * no check for its type). A recorded log group whose name check already wrote its line adds none.
 */
export async function checkRecordedResources(
  clients: AwsClients & ResourceCheckClients,
  resources: readonly RecordedResource[],
  options: {
    readonly backoff?: BackoffOptions;
    readonly region?: string;
    readonly logGroups?: Map<string, boolean>;
    /** Log group names whose `log group <name>: ...` line is already written. @default none */
    readonly reportedLogGroups?: ReadonlySet<string>;
  } = {},
): Promise<VerifyResult> {
  const checks: string[] = [];
  const leftovers: string[] = [];
  const context: CheckContext = {
    clients,
    backoff: options.backoff ?? {},
    region: options.region,
    logGroups: options.logGroups ?? new Map(),
  };
  const outcomes = new Map<string, Outcome>();
  const lines = new Map<string, { readonly check?: string; readonly leftover?: string }>();

  // Parents first: every resource that is not a child is asked for directly.
  for (const resource of resources) {
    if (CHILD_TYPES[resource.type] !== undefined) continue;
    const what = describeResource(resource);
    if (resource.physicalId === undefined) {
      outcomes.set(resource.logicalId, 'gone');
      lines.set(resource.logicalId, { check: `${what}: never created (no physical id in ListStackResources)` });
      continue;
    }
    const direct = DIRECT_CHECKS[resource.type];
    if (direct === undefined) {
      outcomes.set(resource.logicalId, 'unchecked');
      const reason = `no check for the type ${resource.type}: add one to DIRECT_CHECKS or CHILD_TYPES in harness/target/aws/verify.ts`;
      lines.set(resource.logicalId, { leftover: `${what}: not checked (${reason})` });
      continue;
    }
    try {
      const exists = await direct.exists(context, resource.physicalId);
      outcomes.set(resource.logicalId, exists ? 'present' : 'gone');
      if (resource.type === 'AWS::Logs::LogGroup') {
        // Same wording as the name check, so a group named both ways is reported once.
        if (options.reportedLogGroups?.has(resource.physicalId)) continue;
        lines.set(
          resource.logicalId,
          exists
            ? { leftover: `log group ${resource.physicalId}: still exists` }
            : { check: `log group ${resource.physicalId}: gone` },
        );
      } else {
        lines.set(
          resource.logicalId,
          exists
            ? { leftover: `${what}: still exists (${direct.call} answers for it)` }
            : { check: `${what}: gone (${direct.call}: not found)` },
        );
      }
    } catch (error) {
      outcomes.set(resource.logicalId, 'unchecked');
      lines.set(resource.logicalId, { leftover: `${what}: not checked (${describeAwsError(error)})` });
    }
  }

  for (const resource of resources) {
    if (CHILD_TYPES[resource.type] === undefined) continue;
    const what = describeResource(resource);
    const parents = resource.parentLogicalIds;
    if (parents === undefined) {
      lines.set(resource.logicalId, {
        leftover: `${what}: not checked (its parent ${CHILD_TYPES[resource.type]!.parentType} could not be read from the template)`,
      });
      continue;
    }
    const names = parents.map((id) => describeResource(resources.find((r) => r.logicalId === id)!)).join(', ');
    lines.set(
      resource.logicalId,
      parents.every((id) => outcomes.get(id) === 'gone')
        ? { check: `${what}: gone with its parent ${names}` }
        : { leftover: `${what}: not confirmed gone (deleted with its parent ${names}, which is not confirmed gone)` },
    );
  }

  // Report in ListStackResources order.
  for (const resource of resources) {
    const line = lines.get(resource.logicalId);
    if (line?.check !== undefined) checks.push(line.check);
    if (line?.leftover !== undefined) leftovers.push(line.leftover);
  }
  return { checks, leftovers };
}

/** True unless the call fails with one of `notFoundCodes` (false); other failures propagate. */
/** A check that asks the resource's service for it by id: answered means it exists, a NotFound code that it is gone. */
function askById(
  call: string,
  notFoundCodes: readonly string[],
  send: (context: CheckContext, physicalId: string) => Promise<unknown>,
): DirectCheck {
  return {
    call,
    exists: (context, physicalId) =>
      existsUnless(notFoundCodes, () =>
        callAws(`${call} of '${physicalId}'`, () => send(context, physicalId), { backoff: context.backoff }),
      ),
  };
}

async function existsUnless(notFoundCodes: readonly string[], call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (notFoundCodes.includes(awsErrorCode(error))) return false;
    throw error;
  }
}

/** Every saved query's id (DescribeQueryDefinitions, paged by hand: the SDK has no paginator for it). */
async function queryDefinitionIds(logs: CloudWatchLogsClient, backoff: BackoffOptions): Promise<Set<string>> {
  const ids = new Set<string>();
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const page = await callAws(
      'DescribeQueryDefinitions',
      () => logs.send(new DescribeQueryDefinitionsCommand({ maxResults: 1000, nextToken: token })),
      { backoff },
    );
    for (const definition of page.queryDefinitions ?? [])
      if (definition.queryDefinitionId) ids.add(definition.queryDefinitionId);
    nextToken = page.nextToken && page.nextToken !== token ? page.nextToken : undefined;
  } while (nextToken !== undefined);
  return ids;
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
