/**
 * destroyRun with fake SDK clients: a stack named like a run's but without this tool's `rda:managed-by`
 * tag is refused before anything is deleted (the moto version: tests/aws/destroy-verify.test.ts).
 */
import type { CloudFormationClient, StackStatus, Tag } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../../harness/errors.js';
import type { AwsClients } from '../../../../harness/target/aws/config.js';
import { destroyRun, foreignStackError, isManagedStack } from '../../../../harness/target/aws/destroy.js';
import { MANAGED_BY, TAG_KEYS } from '../../../../stack/names.js';

const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/rda-foreign/1';

/**
 * Fake clients over one stack with `tags`, recording the name of every command sent. DeleteStack "works"
 * (the stack reads DELETE_COMPLETE afterwards), so code that deletes finishes instead of hanging.
 */
function fakeClients(tags: Tag[]) {
  const sent: string[] = [];
  let deleted = false;
  const answer = async (command: { constructor: { name: string } }) => {
    const name = command.constructor.name;
    sent.push(name);
    switch (name) {
      case 'DescribeStacksCommand':
        return {
          Stacks: [
            {
              StackName: 'rda-foreign',
              StackId: STACK_ID,
              StackStatus: (deleted ? 'DELETE_COMPLETE' : 'CREATE_COMPLETE') as StackStatus,
              CreationTime: new Date(0),
              Tags: tags,
              Outputs: [{ OutputKey: 'LogGroupName', OutputValue: '/aws/lambda/rda-foreign-fn' }],
            },
          ],
        };
      case 'ListStackResourcesCommand':
        return {
          StackResourceSummaries: [
            {
              LogicalResourceId: 'FunctionLogGroup',
              PhysicalResourceId: '/aws/lambda/rda-foreign-fn',
              ResourceType: 'AWS::Logs::LogGroup',
              ResourceStatus: 'CREATE_COMPLETE',
            },
          ],
        };
      case 'GetTemplateCommand':
        return { TemplateBody: JSON.stringify({ Resources: { FunctionLogGroup: { Type: 'AWS::Logs::LogGroup' } } }) };
      case 'DeleteStackCommand':
        deleted = true;
        return {};
      default:
        return {};
    }
  };
  const client = { send: answer };
  const clients: AwsClients = {
    cloudFormation: client as never as CloudFormationClient,
    logs: client as never as CloudWatchLogsClient,
    tagging: client as never as ResourceGroupsTaggingAPIClient,
  };
  return { clients, sent };
}

const options = {
  runId: 'foreign',
  region: 'eu-west-1',
  deleteOptions: { pollIntervalMs: 1, timeoutMs: 1000, sleep: async () => {} },
  verifyOptions: { staleRecheckDelaysMs: [] },
};

describe('destroyRun refuses a stack this tool did not create', () => {
  it.each([
    ['no tags at all', []],
    ['another tool as managed-by', [{ Key: TAG_KEYS.managedBy, Value: 'someone-else' }]],
    ['only a run-id tag', [{ Key: TAG_KEYS.runId, Value: 'foreign' }]],
  ])('throws StackNotManaged (exit 2) and sends no DeleteStack: %s', async (_what, tags) => {
    // Prepare
    const { clients, sent } = fakeClients(tags);
    const lines: string[] = [];
    // Act
    const error = await destroyRun(clients, { ...options, log: (line) => lines.push(line) }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    // Assess
    expect(error).toBeInstanceOf(HarnessError);
    expect(error).toMatchObject({ code: 'StackNotManaged', kind: 'usage', exitCode: 2 });
    expect((error as Error).message).toBe(
      `stack 'rda-foreign' lacks the tag ${TAG_KEYS.managedBy}=${MANAGED_BY}, so it was not created by this tool: ` +
        'nothing was deleted (delete it yourself if it is yours to delete)',
    );
    expect(sent).not.toContain('DeleteStackCommand');
    expect(sent.filter((name) => /Delete/.test(name))).toEqual([]);
    expect(lines.join('\n')).toContain(
      'rda-foreign: not tagged rda:managed-by=random-data-api-harness, so not deleted',
    );
  });

  it('deletes a stack tagged rda:managed-by of this tool, as before', async () => {
    const { clients, sent } = fakeClients([{ Key: TAG_KEYS.managedBy, Value: MANAGED_BY }]);
    const report = await destroyRun(clients, options);
    expect(sent).toContain('DeleteStackCommand');
    expect(report.checks).toContain('stack rda-foreign: DELETE_COMPLETE after 1 DeleteStack request');
  });

  it('tells our stacks by the managed-by tag, and names the stack and the tag in the error', () => {
    expect(isManagedStack({ tags: { [TAG_KEYS.managedBy]: MANAGED_BY } })).toBe(true);
    expect(isManagedStack({ tags: {} })).toBe(false);
    expect(isManagedStack({ tags: { [TAG_KEYS.managedBy]: `${MANAGED_BY}-not` } })).toBe(false);
    expect(foreignStackError('rda-x').message).toContain("stack 'rda-x' lacks the tag rda:managed-by=");
  });
});
