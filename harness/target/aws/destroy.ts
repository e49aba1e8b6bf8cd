/**
 * One verified teardown of a run's stack, shared by `Deployment.destroy()`, `destroy --run-id`, `sweep`
 * and the cleanup of a failed deploy: look at what the stack holds, delete it (retrying), then prove
 * nothing is left. Uses the CloudFormation SDK directly rather than toolkit-lib's `destroy`: that one
 * needs the cloud assembly (a `destroy --run-id` from another checkout has none), does not retry
 * DELETE_FAILED or offer RetainResources, and cannot be told how long to wait.
 */
import {
  isManagedByThisTool,
  MANAGED_BY,
  resourceName,
  stackName as stackNameOf,
  TAG_KEYS,
} from '../../../stack/names.js';
import { UsageError } from '../../errors.js';
import type { DestroyReport } from '../target.js';
import {
  type DeleteStackOptions,
  type DeleteStackResult,
  deleteStackAndWait,
  describeResource,
  describeStack,
  listStackResources,
  retainedLogicalIds,
  type StackInfo,
  type StackResourceInfo,
  stackTemplateBody,
} from './cloudformation.js';
import { type AwsClients, cleanupCommand } from './config.js';
import { describeAwsError } from './errors.js';
import {
  type RecordedResource,
  type ResourceCheckClients,
  recordResources,
  type VerifyOptions,
  verifyNothingLeft,
} from './verify.js';

/** What a deploy already learned about the stack; used when the stack is gone before destroy looks. */
export interface KnownStack {
  readonly stackId?: string;
  readonly logGroupName?: string;
  readonly functionName?: string;
}

/** Options of {@link destroyRun}. */
export interface DestroyRunOptions {
  readonly runId: string;
  readonly region: string;
  readonly known?: KnownStack;
  /** Progress lines. @default nothing */
  readonly log?: (line: string) => void;
  /** Polling, timeout and retry settings of the delete. @default those of deleteStackAndWait */
  readonly deleteOptions?: Omit<DeleteStackOptions, 'log'>;
  /** Tagging API recheck settings. @default those of verifyNothingLeft */
  readonly verifyOptions?: Pick<VerifyOptions, 'staleRecheckDelaysMs' | 'sleep'>;
  /** @default Date.now */
  readonly now?: () => number;
}

/** What the stack held just before the delete: the names the verification looks for afterwards. */
interface Snapshot {
  readonly info?: StackInfo;
  readonly logGroupNames: string[];
  /** Kept by their DeletionPolicy; log groups among them are checked by name instead. */
  readonly retainedByPolicy: StackResourceInfo[];
  /** Every resource of the stack with its physical id, checked one by one after the delete (docs/aws-behaviour.md#after-delete-checks). */
  readonly resources: RecordedResource[];
  readonly notes: string[];
  /** Why the resources could not be recorded; a leftover, since nothing then proves them gone. */
  readonly unrecorded?: string;
}

/** True when the stack carries `rda:managed-by=<MANAGED_BY>`: this tool created it. */
export function isManagedStack(stack: Pick<StackInfo, 'tags'>): boolean {
  return isManagedByThisTool(stack.tags);
}

/** UsageError `StackNotManaged` (exit 2): `name` exists without our managed-by tag, so it is left alone. */
export function foreignStackError(name: string): UsageError {
  return new UsageError(
    'StackNotManaged',
    `stack '${name}' lacks the tag ${TAG_KEYS.managedBy}=${MANAGED_BY}, so it was not created by this tool: ` +
      'nothing was deleted (delete it yourself if it is yours to delete)',
  );
}

/**
 * Deletes the run's stack, waits, verifies; never throws for AWS errors: they end up in the report's leftovers.
 * Every physical resource of the stack is recorded before DeleteStack is requested and asked for by id once
 * the stack is gone (docs/aws-behaviour.md#after-delete-checks); `clients` may carry the Lambda and IAM
 * clients those checks use, else they are created for `options.region`.
 * Throws UsageError `StackNotManaged` before deleting anything when the stack exists without the tag
 * `rda:managed-by=<MANAGED_BY>`: a stack of the same name that this tool did not create is not ours to delete.
 */
export async function destroyRun(
  clients: AwsClients & ResourceCheckClients,
  options: DestroyRunOptions,
): Promise<DestroyReport> {
  const now = options.now ?? Date.now;
  const startedMs = now();
  const log = options.log ?? (() => {});
  const name = stackNameOf(options.runId);
  const finish = (checks: string[], leftovers: string[]): DestroyReport => ({
    target: 'aws',
    stackName: name,
    verified: leftovers.length === 0,
    checks,
    leftovers,
    durationMs: now() - startedMs,
  });
  log(
    `destroying stack ${name} in ${options.region}; to finish this cleanup by hand: ${cleanupCommand(options.runId, options.region)}`,
  );

  let snapshot: Snapshot;
  try {
    snapshot = await takeSnapshot(clients, options, name);
  } catch (error) {
    return finish([], [`stack ${name}: not checked (${describeAwsError(error)})`]);
  }
  if (snapshot.info !== undefined && !isManagedStack(snapshot.info)) {
    log(`stack ${name}: not tagged ${TAG_KEYS.managedBy}=${MANAGED_BY}, so not deleted`);
    throw foreignStackError(name);
  }

  let deletion: DeleteStackResult;
  try {
    deletion = await deleteStackAndWait(clients.cloudFormation, snapshot.info ?? name, {
      tokenPrefix: `rda-${options.runId}-${startedMs.toString(36)}`,
      ...options.deleteOptions,
      log,
    });
  } catch (error) {
    return finish(
      [...snapshot.notes],
      [
        `stack ${name}: delete failed (${describeAwsError(error)})`,
        ...(snapshot.unrecorded ? [snapshot.unrecorded] : []),
      ],
    );
  }

  const checks = [...snapshot.notes, deleteLine(name, deletion), ...deletion.failures];
  if (deletion.outcome === 'protected') {
    return finish(checks, [
      ...(snapshot.unrecorded ? [snapshot.unrecorded] : []),
      `stack ${name}: termination protection is on, so it was not deleted (the harness never turns it on): ` +
        `turn it off with 'aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name ${name}', then run '${cleanupCommand(options.runId, options.region)}'`,
    ]);
  }

  const retained = [
    ...snapshot.retainedByPolicy
      .filter((r) => r.type !== 'AWS::Logs::LogGroup')
      .map((r) => `${describeResource(r)} by its DeletionPolicy`),
    ...deletion.retained.map(
      (r) =>
        `${describeResource(r)} by the RetainResources retry after DELETE_FAILED: ${r.reason ?? 'no reason given'}`,
    ),
  ];
  // A retained resource is already a leftover; log groups kept by their DeletionPolicy are checked by name.
  const reportedAsRetained = new Set([
    ...snapshot.retainedByPolicy.filter((r) => r.type !== 'AWS::Logs::LogGroup').map((r) => r.logicalId),
    ...deletion.retained.map((r) => r.logicalId),
  ]);
  const verification = await verifyNothingLeft(clients, {
    runId: options.runId,
    stackName: name,
    stackId: deletion.stackId ?? snapshot.info?.stackId ?? options.known?.stackId,
    logGroupNames: snapshot.logGroupNames,
    retained,
    resources: snapshot.resources.filter((r) => !reportedAsRetained.has(r.logicalId)),
    region: options.region,
    ...options.verifyOptions,
  });
  const report = finish(
    [...checks, ...verification.checks],
    [...(snapshot.unrecorded ? [snapshot.unrecorded] : []), ...verification.leftovers],
  );
  log(
    report.verified
      ? `stack ${name}: destroyed and verified in ${report.durationMs} ms`
      : `stack ${name}: NOT verified, left: ${report.leftovers.join('; ')}`,
  );
  return report;
}

async function takeSnapshot(clients: AwsClients, options: DestroyRunOptions, name: string): Promise<Snapshot> {
  const known = options.known ?? {};
  const functionNames = new Set<string>(known.functionName ? [known.functionName] : []);
  const logGroupNames = new Set<string>(known.logGroupName ? [known.logGroupName] : []);
  const notes: string[] = [];
  let retained: StackResourceInfo[] = [];
  let recorded: RecordedResource[] = [];
  let unrecorded: string | undefined;

  const info = await describeStack(clients.cloudFormation, known.stackId ?? name);
  const live = info !== undefined && info.status !== 'DELETE_COMPLETE' ? info : undefined;
  // A stack found DELETE_COMPLETE by id (a repeated destroy of a deployment) still lists its resources for
  // 90 days, so a second destroy checks them again instead of calling an earlier leftover verified.
  const listed = live ?? (info?.status === 'DELETE_COMPLETE' ? info : undefined);
  if (listed) {
    if (listed.outputs.LogGroupName) logGroupNames.add(listed.outputs.LogGroupName);
    if (listed.outputs.FunctionName) functionNames.add(listed.outputs.FunctionName);
    // Best effort: the delete must go ahead even if listing or the template is refused; what could not be
    // recorded cannot be proved gone, so for a live stack it makes the report unverified.
    let resources: StackResourceInfo[] | undefined;
    try {
      // Every page (listStackResources pages), before DeleteStack: these physical ids are what the
      // verification asks each service about once the stack is gone (docs/aws-behaviour.md#after-delete-checks).
      resources = await listStackResources(clients.cloudFormation, listed.stackId);
      for (const resource of resources) {
        if (!resource.physicalId) continue;
        if (resource.type === 'AWS::Logs::LogGroup') logGroupNames.add(resource.physicalId);
        if (resource.type === 'AWS::Lambda::Function') functionNames.add(resource.physicalId);
      }
    } catch (error) {
      notes.push(`stack ${name}: resources not listed before delete (${describeAwsError(error)})`);
      if (live)
        unrecorded = `stack ${name}: resources not recorded before delete (${describeAwsError(error)}), so none of them is proved gone`;
    }
    if (resources !== undefined) {
      let templateBody: string | undefined;
      try {
        templateBody = await stackTemplateBody(clients.cloudFormation, listed.stackId);
        const keptIds = new Set(retainedLogicalIds(templateBody));
        retained = resources.filter((r) => keptIds.has(r.logicalId));
      } catch (error) {
        // Without the template, child resources have no parent to vouch for them: they stay not checked.
        notes.push(`stack ${name}: template not read before delete (${describeAwsError(error)})`);
      }
      recorded = recordResources(resources, templateBody);
    }
  }
  if (!live && functionNames.size === 0) {
    // Nothing to ask: fall back to the function name the stack gives every run (stack/random-data-stack.ts).
    functionNames.add(resourceName(options.runId, 'fn'));
  }
  // Lambda creates this group itself on first write, outside the stack (docs/aws-behaviour.md#lambda-log-group-lifecycle).
  for (const fn of functionNames) logGroupNames.add(`/aws/lambda/${fn}`);
  return {
    info: live,
    logGroupNames: [...logGroupNames],
    retainedByPolicy: retained,
    resources: recorded,
    notes,
    unrecorded,
  };
}

function deleteLine(name: string, deletion: DeleteStackResult): string {
  const attempts = `${deletion.attempts} DeleteStack request${deletion.attempts === 1 ? '' : 's'}`;
  switch (deletion.outcome) {
    case 'absent':
      return `stack ${name}: nothing to delete (it did not exist)`;
    case 'deleted':
      return `stack ${name}: DELETE_COMPLETE after ${attempts}`;
    case 'protected':
      return `stack ${name}: termination protection on, not deleted`;
    case 'timed-out':
      return `stack ${name}: still ${deletion.lastStatus ?? 'deleting'} when the wait ended, after ${attempts}`;
    case 'failed':
      return `stack ${name}: ${deletion.lastStatus ?? 'DELETE_FAILED'} after ${attempts}`;
  }
}
