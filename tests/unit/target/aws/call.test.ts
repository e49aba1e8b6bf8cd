/** callAws and pagedClient: every AWS call retries on one schedule and fails as one kind of error. */
import { CloudFormationClient, paginateListStacks } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { InfraError } from '../../../../harness/errors.js';
import { callAws, pagedClient } from '../../../../harness/target/aws/call.js';
import { describeAllStacks, describeStack } from '../../../../harness/target/aws/cloudformation.js';
import { awsErrorCode, describeAwsError, isStackMissingError } from '../../../../harness/target/aws/errors.js';
import { listLiveStacks } from '../../../../harness/target/aws/list-stacks.js';

const awsError = (name: string, message = 'x') => Object.assign(new Error(message), { name });
const fast = { sleep: async () => {}, random: () => 0 };

/** A stub client answering with `answers` in order (an Error is thrown), recording each command's input. */
function stub(answers: unknown[]) {
  const inputs: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push({ ...command.input });
      const answer = answers.shift();
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { client: client as never as CloudFormationClient, inputs };
}

describe('callAws', () => {
  it('retries throttling on the shared schedule, then returns the answer', async () => {
    let calls = 0;
    const result = await callAws(
      'DescribeStacks',
      async () => {
        calls++;
        if (calls < 3) throw awsError('ThrottlingException', 'Rate exceeded');
        return 'ok';
      },
      { backoff: fast },
    );
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('turns a failure into InfraError AwsRequestFailed that still reads as the SDK error', async () => {
    const error = await callAws(
      "DescribeStacks of 'rda-x'",
      () => Promise.reject(awsError('ValidationError', 'Stack with id rda-x does not exist')),
      {
        backoff: fast,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InfraError);
    expect(error).toMatchObject({
      code: 'AwsRequestFailed',
      message: "DescribeStacks of 'rda-x' failed: ValidationError: Stack with id rda-x does not exist",
    });
    expect(awsErrorCode(error)).toBe('ValidationError');
    expect(isStackMissingError(error)).toBe(true);
    expect(describeAwsError(error)).toBe('ValidationError: Stack with id rda-x does not exist');
  });

  it('stops retrying once the signal is aborted and rethrows the error as is', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    const throttled = awsError('ThrottlingException');
    await expect(
      callAws('ListStacks', () => Promise.reject(throttled), { signal: controller.signal, backoff: fast }),
    ).rejects.toBe(throttled);
  });
});

describe('paginated listings', () => {
  it('follow the tokens through the SDK paginator, retrying a throttled page', async () => {
    const { client, inputs } = stub([
      { StackSummaries: [{ StackName: 'a' }], NextToken: 't1' },
      awsError('Throttling'),
      { StackSummaries: [{ StackName: 'b' }] },
    ]);
    // The default schedule would wait up to a second: here a throttled page retries at once.
    const paged = pagedClient(CloudFormationClient, client, 'ListStacks', { backoff: fast });
    expect(paged).toBeInstanceOf(CloudFormationClient);

    const names: (string | undefined)[] = [];
    for await (const page of paginateListStacks({ client: paged }, {}))
      names.push(...(page.StackSummaries ?? []).map((s) => s.StackName));

    expect(names).toEqual(['a', 'b']);
    expect(inputs.map((input) => input.NextToken)).toEqual([undefined, 't1', 't1']);
  });

  it('describeAllStacks reads every page of DescribeStacks', async () => {
    const stacks = await describeAllStacks(
      stub([{ Stacks: [{ StackName: 'a' }], NextToken: 't' }, { Stacks: [{ StackName: 'b' }] }]).client,
    );
    expect(stacks.map((s) => s.stackName)).toEqual(['a', 'b']);
  });

  it('listLiveStacks reads every page and leaves out deleted stacks in the request', async () => {
    const { client, inputs } = stub([
      { StackSummaries: [{ StackName: 'a' }], NextToken: 't1' },
      { StackSummaries: [{ StackName: 'b' }] },
    ]);
    const stacks = await listLiveStacks('eu-west-1', { client });
    expect(stacks.map((s) => s.StackName)).toEqual(['a', 'b']);
    expect(inputs.map((input) => input.NextToken)).toEqual([undefined, 't1']);
    expect(inputs[0]?.StackStatusFilter).not.toContain('DELETE_COMPLETE');
  });

  it('listLiveStacks reads the tags of rda- stacks by stack id, and leaves out one deleted in between', async () => {
    // Prepare: ListStacks has no tags; DescribeStacks of each rda- stack gives them.
    const { client, inputs } = stub([
      {
        StackSummaries: [
          { StackName: 'rda-a', StackId: 'id-a', StackStatus: 'CREATE_COMPLETE' },
          { StackName: 'other', StackId: 'id-o', StackStatus: 'CREATE_COMPLETE' },
          { StackName: 'rda-gone', StackId: 'id-g', StackStatus: 'DELETE_IN_PROGRESS' },
        ],
      },
      {
        Stacks: [
          {
            StackName: 'rda-a',
            StackId: 'id-a',
            StackStatus: 'UPDATE_COMPLETE',
            Tags: [{ Key: 'rda:managed-by', Value: 'random-data-api-harness' }],
          },
        ],
      },
      { Stacks: [{ StackName: 'rda-gone', StackId: 'id-g', StackStatus: 'DELETE_COMPLETE' }] },
    ]);
    // Act
    const stacks = await listLiveStacks('eu-west-1', { client });
    // Assess
    expect(stacks).toEqual([
      {
        StackName: 'rda-a',
        StackId: 'id-a',
        StackStatus: 'UPDATE_COMPLETE',
        Tags: [{ Key: 'rda:managed-by', Value: 'random-data-api-harness' }],
      },
      { StackName: 'other', StackId: 'id-o', StackStatus: 'CREATE_COMPLETE' },
    ]);
    expect(inputs.slice(1).map((input) => input.StackName)).toEqual(['id-a', 'id-g']);
  });

  it('a listing that fails is InfraError AwsRequestFailed naming the call and the region', async () => {
    const { client } = stub([awsError('AccessDenied', 'not allowed')]);
    await expect(listLiveStacks('eu-west-1', { client })).rejects.toMatchObject({
      code: 'AwsRequestFailed',
      message:
        "ListStacks in 'eu-west-1' failed: AccessDenied: not allowed (the credentials lack the permission for this call: check their policy)",
    });
  });

  it('describeStack says undefined for a stack that does not exist, through the wrapper', async () => {
    const { client } = stub([awsError('ValidationError', 'Stack with id rda-x does not exist')]);
    expect(await describeStack(client, 'rda-x')).toBeUndefined();
  });
});
