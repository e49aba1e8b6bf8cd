/**
 * The verified teardown against moto_server with the real SDK: retries (DELETE_FAILED, throttling),
 * the RetainResources last resort, and the post-destroy checks finding what really is left (a log
 * group kept by its DeletionPolicy, an orphan tagged with the run id, Lambda's default log group
 * re-created after the stack went). Stacks are made with CreateStack from small templates: fast, and
 * shaped like a run's stack (function log group `/aws/lambda/rda-<runId>-fn`, tags, outputs).
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, CreateLogGroupCommand, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli.js';
import { createAwsClients } from '../../harness/target/aws/config.js';
import { destroyRun } from '../../harness/target/aws/destroy.js';
import { logGroupExists } from '../../harness/target/aws/verify.js';
import { MANAGED_BY, TAG_KEYS } from '../../stack/names.js';
import { injectDeleteFailed, injectDeleteThrottling } from './helpers/inject.js';
import { useMoto } from './helpers/moto-env.js';

const moto = useMoto();

/** CreateStack of a run-shaped stack; `extra` adds resources; `tags` replaces this tool's stack tags. */
async function createRunStack(
  runId: string,
  extra: Record<string, unknown> = {},
  tags: { Key: string; Value: string }[] = [
    { Key: TAG_KEYS.runId, Value: runId },
    { Key: TAG_KEYS.managedBy, Value: MANAGED_BY },
  ],
): Promise<void> {
  const functionName = `rda-${runId}-fn`;
  const template = {
    Resources: {
      FunctionLogGroup: {
        Type: 'AWS::Logs::LogGroup',
        Properties: {
          LogGroupName: `/aws/lambda/${functionName}`,
          RetentionInDays: 1,
          Tags: [{ Key: TAG_KEYS.runId, Value: runId }],
        },
      },
      ...extra,
    },
    Outputs: { LogGroupName: { Value: { Ref: 'FunctionLogGroup' } }, FunctionName: { Value: functionName } },
  };
  await new CloudFormationClient({ region: moto.get().region }).send(
    new CreateStackCommand({
      StackName: `rda-${runId}`,
      TemplateBody: JSON.stringify(template),
      Tags: tags,
    }),
  );
}

async function stackExists(name: string): Promise<boolean> {
  const cfn = new CloudFormationClient({ region: moto.get().region });
  return cfn.send(new DescribeStacksCommand({ StackName: name })).then(
    () => true,
    () => false,
  );
}

const noRecheck = { staleRecheckDelaysMs: [] };

describe('destroy retries what fails', () => {
  it('retries a stack that ends DELETE_FAILED, then verifies it is gone', async () => {
    // Prepare: the first DeleteStack "fails" (injected: moto has no DELETE_FAILED), the second reaches moto.
    await createRunStack('df1');
    const cloudFormation = new CloudFormationClient({ region: moto.get().region });
    const faults = injectDeleteFailed(cloudFormation, 1, 'FunctionLogGroup');
    const clients = createAwsClients(moto.get().region, { cloudFormation });

    // Act
    const report = await destroyRun(clients, { runId: 'df1', region: moto.get().region, verifyOptions: noRecheck });

    // Assess
    expect(report.verified).toBe(true);
    expect(report.checks).toContain('stack rda-df1: DELETE_COMPLETE after 2 DeleteStack requests');
    expect(report.checks.join('\n')).toContain(
      'FunctionLogGroup (AWS::Logs::LogGroup /aws/lambda/rda-df1-fn) DELETE_FAILED',
    );
    expect(report.checks).toContain('log group /aws/lambda/rda-df1-fn: gone');
    const tokens = faults.deleteInputs.map((input) => input.ClientRequestToken);
    expect(new Set(tokens).size).toBe(2);
    expect(await stackExists('rda-df1')).toBe(false);
  });

  it('after two DELETE_FAILED, deletes retaining the stubborn resource and reports it as left behind', async () => {
    // Prepare
    await createRunStack('df2');
    const cloudFormation = new CloudFormationClient({ region: moto.get().region });
    const faults = injectDeleteFailed(cloudFormation, 2, 'FunctionLogGroup');
    const clients = createAwsClients(moto.get().region, { cloudFormation });

    // Act
    const report = await destroyRun(clients, { runId: 'df2', region: moto.get().region, verifyOptions: noRecheck });

    // Assess: the third request names the resource to retain (docs/aws-behaviour.md#stack-deletion), and a retained resource is
    // a leftover even though moto, which ignores RetainResources, deleted it anyway.
    expect(faults.deleteInputs.map((input) => input.RetainResources)).toEqual([
      undefined,
      undefined,
      ['FunctionLogGroup'],
    ]);
    expect(report.verified).toBe(false);
    expect(report.leftovers).toEqual([
      'retained: FunctionLogGroup (AWS::Logs::LogGroup /aws/lambda/rda-df2-fn) by the RetainResources retry after DELETE_FAILED: injected by the test: resource is in use',
    ]);
    expect(await stackExists('rda-df2')).toBe(false);
  });

  it('backs off and retries a throttled DeleteStack', async () => {
    // Prepare
    await createRunStack('thr1');
    const cloudFormation = new CloudFormationClient({ region: moto.get().region });
    const throttling = injectDeleteThrottling(cloudFormation, 2);
    const lines: string[] = [];

    // Act
    const report = await destroyRun(createAwsClients(moto.get().region, { cloudFormation }), {
      runId: 'thr1',
      region: moto.get().region,
      log: (line) => lines.push(line),
      deleteOptions: { backoff: { baseDelayMs: 20 } },
      verifyOptions: noRecheck,
    });

    // Assess
    expect(report.verified).toBe(true);
    expect(throttling.throttled()).toBe(2);
    expect(lines.filter((line) => line.includes('Throttling: Rate exceeded'))).toHaveLength(2);
  });
});

describe('verification finds what is really left', () => {
  it('reports a log group kept by its DeletionPolicy', async () => {
    // Prepare: moto honours DeletionPolicy Retain, as CloudFormation does.
    await createRunStack('keep1', {
      Kept: { Type: 'AWS::Logs::LogGroup', DeletionPolicy: 'Retain', Properties: { LogGroupName: 'rda-keep1-kept' } },
    });
    const clients = createAwsClients(moto.get().region);

    // Act
    const report = await destroyRun(clients, { runId: 'keep1', region: moto.get().region, verifyOptions: noRecheck });

    // Assess
    expect(report.verified).toBe(false);
    expect(report.leftovers).toEqual(['log group rda-keep1-kept: still exists']);
    expect(report.checks).toContain('stack rda-keep1: gone (DELETE_COMPLETE)');
    expect(await logGroupExists(clients.logs, 'rda-keep1-kept')).toBe(true);
  });

  it('reports a resource outside the stack tagged with the run id, and verifies once it is removed', async () => {
    // Prepare
    await createRunStack('orph1');
    const logs = new CloudWatchLogsClient({ region: moto.get().region });
    await logs.send(
      new CreateLogGroupCommand({ logGroupName: '/rda-test/orph1-orphan', tags: { [TAG_KEYS.runId]: 'orph1' } }),
    );
    const clients = createAwsClients(moto.get().region);

    // Act
    const first = await destroyRun(clients, { runId: 'orph1', region: moto.get().region, verifyOptions: noRecheck });
    await logs.send(new DeleteLogGroupCommand({ logGroupName: '/rda-test/orph1-orphan' }));
    const second = await destroyRun(clients, { runId: 'orph1', region: moto.get().region, verifyOptions: noRecheck });

    // Assess
    expect(first.verified).toBe(false);
    expect(first.leftovers).toEqual([
      `tagged ${TAG_KEYS.runId}=orph1: arn:aws:logs:us-east-1:123456789012:log-group:/rda-test/orph1-orphan still exists`,
    ]);
    expect(second.verified).toBe(true);
    expect(second.checks).toContain('stack rda-orph1: nothing to delete (it did not exist)');
    expect(second.checks).toContain(
      `resources tagged ${TAG_KEYS.runId}=orph1: none left (Resource Groups Tagging API)`,
    );
  });

  it('destroy --run-id exits 3 naming the Lambda log group re-created after the stack was deleted', async () => {
    // Prepare: a late invocation re-creates /aws/lambda/<fn> outside the stack (docs/aws-behaviour.md#lambda-log-group-lifecycle).
    await createRunStack('late1');
    const clients = createAwsClients(moto.get().region);
    expect(
      (await destroyRun(clients, { runId: 'late1', region: moto.get().region, verifyOptions: noRecheck })).verified,
    ).toBe(true);
    await new CloudWatchLogsClient({ region: moto.get().region }).send(
      new CreateLogGroupCommand({ logGroupName: '/aws/lambda/rda-late1-fn' }),
    );
    const out: string[] = [];
    const err: string[] = [];

    // Act
    const code = await main(['destroy', '--run-id', 'late1', '--region', moto.get().region], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });

    // Assess
    expect(code).toBe(3);
    expect(out).toContain('  LEFT  log group /aws/lambda/rda-late1-fn: still exists');
    expect(err.join('\n')).toContain('error [DestroyUnverified]: stack rda-late1 is not verified gone');
  });

  it('destroy --run-id exits 0 with the checks it made when the stack is gone', async () => {
    await createRunStack('cmd1');
    const out: string[] = [];

    const code = await main(['destroy', '--run-id', 'cmd1', '--region', moto.get().region], {
      out: (line) => out.push(line),
      err: () => {},
    });

    expect(code).toBe(0);
    expect(out).toContain('  ok    stack rda-cmd1: gone (DELETE_COMPLETE)');
    expect(out).toContain('  ok    log group /aws/lambda/rda-cmd1-fn: gone');
    expect(await stackExists('rda-cmd1')).toBe(false);
  });
});

describe('destroy leaves alone a stack this tool did not create', () => {
  it('destroy --run-id exits 2 for a stack named rda-<id> without rda:managed-by, deleting neither it nor its log group', async () => {
    // Prepare: a stranger's stack under a run's name, made with CreateStack directly, without our tags.
    await createRunStack('foreign1', {}, []);
    const out: string[] = [];
    const err: string[] = [];

    // Act
    const code = await main(['destroy', '--run-id', 'foreign1', '--region', moto.get().region], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });

    // Assess
    expect(code).toBe(2);
    expect(err.join('\n')).toContain(
      `error [StackNotManaged]: stack 'rda-foreign1' lacks the tag ${TAG_KEYS.managedBy}=${MANAGED_BY}, so it was not created by this tool: nothing was deleted`,
    );
    expect(await stackExists('rda-foreign1')).toBe(true);
    expect(await logGroupExists(createAwsClients(moto.get().region).logs, '/aws/lambda/rda-foreign1-fn')).toBe(true);
  });
});
