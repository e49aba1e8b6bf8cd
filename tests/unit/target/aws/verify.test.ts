/**
 * The Tagging API check with scripted clients: the stale entries GetResources can return for deleted
 * resources ("previously tagged", aws/aws-sdk#302) must not fail a verification, and a real leftover must.
 * The same check runs against moto_server in tests/aws/destroy-verify.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../../harness/target/aws/config.js';
import { verifyNothingLeft } from '../../../../harness/target/aws/verify.js';

const REST_API = 'arn:aws:apigateway:eu-west-1::/restapis/abc123';
const OLD_GROUP = 'arn:aws:logs:eu-west-1:1:log-group:/aws/lambda/rda-a-fn';
const OLD_STACK = 'arn:aws:cloudformation:eu-west-1:1:stack/rda-a/1';

type Send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => Promise<unknown>;
const client = (send: Send) => ({ send }) as never;

/** Clients where the stack is gone, no log group exists, and the Tagging API answers `pages` in turn. */
function fakeClients(pages: string[][]): { clients: AwsClients; taggingCalls: () => number } {
  let taggingCalls = 0;
  const clients: AwsClients = {
    cloudFormation: client(async (command) => {
      const id = String(command.input.StackName);
      if (id.startsWith('arn:'))
        return { Stacks: [{ StackId: id, StackName: 'rda-a', StackStatus: 'DELETE_COMPLETE' }] };
      throw Object.assign(new Error(`Stack with id ${id} does not exist`), { name: 'ValidationError' });
    }),
    logs: client(async () => ({ logGroups: [] })),
    tagging: client(async () => {
      const arns = pages[Math.min(taggingCalls, pages.length - 1)]!;
      taggingCalls++;
      return { ResourceTagMappingList: arns.map((ResourceARN) => ({ ResourceARN })) };
    }),
  };
  return { clients, taggingCalls: () => taggingCalls };
}

const options = { runId: 'a', stackName: 'rda-a', stackId: OLD_STACK, logGroupNames: ['/aws/lambda/rda-a-fn'] };

describe('verifyNothingLeft', () => {
  it('ignores tagged entries whose owning service says they are gone', async () => {
    const { clients } = fakeClients([[OLD_GROUP, OLD_STACK]]);

    const result = await verifyNothingLeft(clients, { ...options, staleRecheckDelaysMs: [] });

    expect(result.leftovers).toEqual([]);
    expect(result.checks).toEqual([
      'stack rda-a: gone (DELETE_COMPLETE)',
      'log group /aws/lambda/rda-a-fn: gone',
      'resources tagged rda:run-id=a: none left (Resource Groups Tagging API; 2 entries of deleted resources ignored)',
    ]);
  });

  it('asks again about an entry it cannot confirm, and accepts it once the Tagging API drops it', async () => {
    const { clients, taggingCalls } = fakeClients([[REST_API], []]);
    const waits: number[] = [];

    const result = await verifyNothingLeft(clients, {
      ...options,
      staleRecheckDelaysMs: [5, 15],
      sleep: async (ms) => void waits.push(ms),
    });

    expect(result.leftovers).toEqual([]);
    expect(waits).toEqual([5]);
    expect(taggingCalls()).toBe(2);
  });

  it('reports an entry still listed after every recheck as a leftover', async () => {
    const { clients } = fakeClients([[REST_API]]);

    const result = await verifyNothingLeft(clients, {
      ...options,
      staleRecheckDelaysMs: [5, 15],
      sleep: async () => {},
    });

    expect(result.leftovers).toEqual([
      `tagged rda:run-id=a: ${REST_API} still listed by the Resource Groups Tagging API`,
    ]);
  });

  it('counts a check AWS refused to answer as a leftover, quoting the error', async () => {
    const { clients } = fakeClients([[]]);
    const denied = {
      ...clients,
      tagging: client(async () =>
        Promise.reject(Object.assign(new Error('no tag:GetResources'), { name: 'AccessDeniedException' })),
      ),
    };

    const result = await verifyNothingLeft(denied, { ...options, staleRecheckDelaysMs: [] });

    expect(result.leftovers).toEqual([
      'resources tagged rda:run-id=a: not checked (AccessDeniedException: no tag:GetResources)',
    ]);
  });
});
