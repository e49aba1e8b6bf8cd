/**
 * The delete state machine against a scripted CloudFormation (statuses moto cannot produce: DELETE_FAILED,
 * ROLLBACK_COMPLETE, a delete refused while an update runs, a delete that never ends). The same code
 * runs against moto_server in tests/aws/.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { deleteStackAndWait, retainedLogicalIds } from '../../../../harness/target/aws/cloudformation.js';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/rda-x/0000';

interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

/** A CloudFormation whose DescribeStacks walks through `statuses` (one per call, the last repeats) per delete. */
class ScriptedCloudFormation {
  readonly calls: Call[] = [];
  private deletes = 0;
  private described = 0;
  private refused = false;

  constructor(
    private readonly script: {
      initial: string;
      /** Statuses after the n-th DeleteStack (index n−1); `gone` means "does not exist". */
      afterDelete: string[][];
      failedResources?: { logicalId: string; reason: string }[];
      protectedStack?: boolean;
      refuseFirstDelete?: string;
    },
  ) {}

  asClient(): CloudFormationClient {
    return {
      send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => this.send(command),
    } as never;
  }

  private async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    const name = command.constructor.name;
    this.calls.push({ command: name, input: command.input });
    if (name === 'DeleteStackCommand') {
      if (this.script.refuseFirstDelete && this.deletes === 0 && !this.refused) {
        this.refused = true;
        throw Object.assign(new Error(this.script.refuseFirstDelete), { name: 'ValidationError' });
      }
      this.deletes++;
      this.described = 0;
      return {};
    }
    if (name === 'DescribeStacksCommand') {
      const status = this.currentStatus();
      if (status === 'gone') {
        throw Object.assign(new Error(`Stack with id ${String(command.input.StackName)} does not exist`), {
          name: 'ValidationError',
        });
      }
      return {
        Stacks: [
          {
            StackId: STACK_ID,
            StackName: 'rda-x',
            StackStatus: status,
            StackStatusReason:
              status === 'DELETE_FAILED' ? 'The following resource(s) failed to delete: [Fn]' : undefined,
            EnableTerminationProtection: this.script.protectedStack ?? false,
          },
        ],
      };
    }
    if (name === 'ListStackResourcesCommand') {
      return {
        StackResourceSummaries: (this.script.failedResources ?? []).map((r) => ({
          LogicalResourceId: r.logicalId,
          PhysicalResourceId: `${r.logicalId.toLowerCase()}-1`,
          ResourceType: 'AWS::Lambda::Function',
          ResourceStatus: 'DELETE_FAILED',
          ResourceStatusReason: r.reason,
        })),
      };
    }
    throw new Error(`unexpected ${name}`);
  }

  private currentStatus(): string {
    if (this.deletes === 0) {
      if (this.refused && this.described++ > 0) return 'UPDATE_COMPLETE';
      return this.script.initial;
    }
    const statuses = this.script.afterDelete[Math.min(this.deletes, this.script.afterDelete.length) - 1]!;
    const status = statuses[Math.min(this.described, statuses.length - 1)]!;
    this.described++;
    return status;
  }

  deleteInputs(): Record<string, unknown>[] {
    return this.calls.filter((c) => c.command === 'DeleteStackCommand').map((c) => c.input);
  }
}

const fast = { pollIntervalMs: 1, maxPollIntervalMs: 1, sleep: async () => {}, tokenPrefix: 'rda-x-t' };

describe('deleteStackAndWait', () => {
  it('deletes a ROLLBACK_COMPLETE stack left by a failed create', async () => {
    const cfn = new ScriptedCloudFormation({
      initial: 'ROLLBACK_COMPLETE',
      afterDelete: [['DELETE_IN_PROGRESS', 'gone']],
    });

    const result = await deleteStackAndWait(cfn.asClient(), 'rda-x', fast);

    expect(result).toMatchObject({ outcome: 'deleted', attempts: 1, retained: [] });
    expect(cfn.deleteInputs()).toEqual([
      { StackName: STACK_ID, ClientRequestToken: 'rda-x-t-1', RetainResources: undefined },
    ]);
  });

  it('retries a DELETE_FAILED stack once and succeeds, with a fresh request token', async () => {
    const cfn = new ScriptedCloudFormation({
      initial: 'CREATE_COMPLETE',
      afterDelete: [
        ['DELETE_IN_PROGRESS', 'DELETE_FAILED'],
        ['DELETE_IN_PROGRESS', 'DELETE_COMPLETE'],
      ],
      failedResources: [{ logicalId: 'Fn', reason: 'ENI still in use' }],
    });
    const lines: string[] = [];

    const result = await deleteStackAndWait(cfn.asClient(), 'rda-x', { ...fast, log: (line) => lines.push(line) });

    expect(result.outcome).toBe('deleted');
    expect(result.attempts).toBe(2);
    expect(result.failures).toContain('  Fn (AWS::Lambda::Function fn-1) DELETE_FAILED: ENI still in use');
    expect(cfn.deleteInputs().map((i) => i.ClientRequestToken)).toEqual(['rda-x-t-1', 'rda-x-t-2']);
    expect(cfn.deleteInputs().every((i) => i.RetainResources === undefined)).toBe(true);
    expect(lines.some((line) => line.includes('DELETE_FAILED'))).toBe(true);
  });

  it('retains the resources that failed twice on the third attempt and reports them', async () => {
    const cfn = new ScriptedCloudFormation({
      initial: 'CREATE_COMPLETE',
      afterDelete: [['DELETE_FAILED'], ['DELETE_FAILED'], ['DELETE_COMPLETE']],
      failedResources: [{ logicalId: 'Fn', reason: 'ENI still in use' }],
    });

    const result = await deleteStackAndWait(cfn.asClient(), 'rda-x', fast);

    expect(result.outcome).toBe('deleted');
    expect(result.attempts).toBe(3);
    expect(cfn.deleteInputs().map((i) => i.RetainResources)).toEqual([undefined, undefined, ['Fn']]);
    expect(result.retained.map((r) => r.logicalId)).toEqual(['Fn']);
  });

  it('gives up as failed when even the retaining attempt fails', async () => {
    const cfn = new ScriptedCloudFormation({
      initial: 'CREATE_COMPLETE',
      afterDelete: [['DELETE_FAILED']],
      failedResources: [{ logicalId: 'Fn', reason: 'access denied' }],
    });

    const result = await deleteStackAndWait(cfn.asClient(), 'rda-x', fast);

    expect(result).toMatchObject({ outcome: 'failed', attempts: 3, lastStatus: 'DELETE_FAILED' });
  });

  it('leaves a stack with termination protection alone', async () => {
    const cfn = new ScriptedCloudFormation({ initial: 'CREATE_COMPLETE', afterDelete: [], protectedStack: true });

    const result = await deleteStackAndWait(cfn.asClient(), 'rda-x', fast);

    expect(result.outcome).toBe('protected');
    expect(cfn.deleteInputs()).toEqual([]);
  });

  it('reports a stack that does not exist as absent without sending DeleteStack', async () => {
    const cfn = new ScriptedCloudFormation({ initial: 'gone', afterDelete: [] });

    const result = await deleteStackAndWait(cfn.asClient(), 'rda-x', fast);

    expect(result.outcome).toBe('absent');
    expect(cfn.deleteInputs()).toEqual([]);
  });

  it('waits out an update that blocks the delete, then deletes', async () => {
    const cfn = new ScriptedCloudFormation({
      initial: 'UPDATE_IN_PROGRESS',
      afterDelete: [['gone']],
      refuseFirstDelete: 'Stack [rda-x] cannot be deleted while in status UPDATE_IN_PROGRESS',
    });

    const result = await deleteStackAndWait(cfn.asClient(), 'rda-x', fast);

    expect(result.outcome).toBe('deleted');
    expect(cfn.deleteInputs()).toHaveLength(2);
  });

  it('stops waiting at the deadline and says the stack was still deleting', async () => {
    let clockMs = 0;
    const cfn = new ScriptedCloudFormation({ initial: 'CREATE_COMPLETE', afterDelete: [['DELETE_IN_PROGRESS']] });

    const result = await deleteStackAndWait(cfn.asClient(), 'rda-x', {
      ...fast,
      timeoutMs: 60_000,
      now: () => clockMs,
      sleep: async (ms) => {
        clockMs += ms + 10_000;
      },
    });

    expect(result).toMatchObject({ outcome: 'timed-out', lastStatus: 'DELETE_IN_PROGRESS', attempts: 1 });
  });

  it('retries a throttled DeleteStack with backoff instead of failing the teardown', async () => {
    const cfn = new ScriptedCloudFormation({ initial: 'CREATE_COMPLETE', afterDelete: [['gone']] });
    const client = cfn.asClient();
    const original = client.send.bind(client);
    let throttled = 0;
    client.send = (async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'DeleteStackCommand' && throttled < 2) {
        throttled++;
        throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
      }
      return original(command as never);
    }) as never;
    const delays: number[] = [];

    const result = await deleteStackAndWait(client, 'rda-x', {
      ...fast,
      backoff: { baseDelayMs: 100, random: () => 0.5, sleep: async (ms) => void delays.push(ms) },
    });

    expect(result.outcome).toBe('deleted');
    expect(delays).toEqual([50, 100]);
  });
});

describe('retainedLogicalIds', () => {
  it('lists the resources whose DeletionPolicy keeps something after the stack is gone', () => {
    const template = JSON.stringify({
      Resources: {
        Kept: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain' },
        Snap: { Type: 'AWS::RDS::DBInstance', DeletionPolicy: 'Snapshot' },
        OnCreate: { Type: 'AWS::S3::Bucket', DeletionPolicy: 'RetainExceptOnCreate' },
        Gone: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Delete' },
        Default: { Type: 'AWS::IAM::Role' },
      },
    });

    expect(retainedLogicalIds(template)).toEqual(['Kept', 'Snap', 'OnCreate']);
  });

  it('says nothing about a template it cannot parse', () => {
    expect(retainedLogicalIds('Resources:\n  X: {}')).toEqual([]);
  });
});
