/**
 * The AWS target's whole lifecycle on the REAL synthesized stack (bundled handler asset included)
 * against moto_server with the real SDK and toolkit-lib: deploy, outputs, tags, a Logs Insights query
 * through the SDK, destroy, verification, idempotent destroy.
 *
 * moto gaps (CONTRIBUTING.md#moto-gaps) and how this file stays independent of them: moto runs no Lambda code, so
 * the test writes the log events itself; its Insights supports only @timestamp/@message/@logStream/@log,
 * sort and limit, so the query uses only those; it skips AWS::ApiGateway::Stage and leaves the REST API
 * behind after DeleteStack: nothing here asserts either way about the REST API (see verify.ts for why
 * the verification does not look for it by id).
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsDeployment, AwsTarget } from '../../harness/target/aws/aws-target.js';
import { createAwsClients } from '../../harness/target/aws/config.js';
import { logGroupExists } from '../../harness/target/aws/verify.js';
import { MANAGED_BY, TAG_KEYS } from '../../stack/names.js';
import { useMoto } from './helpers/moto-env.js';

const moto = useMoto();
const RUN_ID = 'life1';
const EXPIRES_AT = '2099-01-01T00:00:00.000Z';

let deployment: AwsDeployment;
let cloudFormation: CloudFormationClient;
const deleteRequests: string[] = [];
const lines: string[] = [];

beforeAll(async () => {
  cloudFormation = new CloudFormationClient({ region: moto.get().region });
  // Counts DeleteStack requests that reach moto, to prove concurrent destroy() calls share one teardown.
  cloudFormation.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'DeleteStackCommand')
        deleteRequests.push(String((args.input as { StackName?: string }).StackName));
      return next(args);
    },
    { step: 'initialize', name: 'countDeletes' },
  );
  const target = new AwsTarget({
    region: moto.get().region,
    deploymentMethod: 'direct',
    clients: { cloudFormation },
    verifyOptions: { staleRecheckDelaysMs: [] },
  });
  deployment = await target.deploy({
    runId: RUN_ID,
    context: { memorySizeMb: '256', expiresAt: EXPIRES_AT, creator: 'lifecycle-test' },
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await deployment?.destroy();
});

describe('AwsTarget on moto_server', () => {
  it('deploys the real stack and returns its outputs', async () => {
    expect(deployment.stackName).toBe('rda-life1');
    expect(deployment.stackId).toMatch(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/rda-life1\//);
    expect(deployment.baseUrl).toMatch(/^https:\/\/[a-z0-9]+\.execute-api\.us-east-1\.amazonaws\.com\/bench\/$/);
    expect(deployment.functionName).toBe('rda-life1-fn');
    expect(deployment.logGroupName).toBe('/aws/lambda/rda-life1-fn');
    expect(deployment.memorySizeMb).toBe(256);
    expect(deployment.outputs.StackRunId).toBe(RUN_ID);
    expect(deployment.cleanupCommand).toBe('npm run harness -- destroy --run-id life1 --region us-east-1');
    expect(lines[0]).toContain('npm run harness -- destroy --run-id life1 --region us-east-1');
    expect(lines.some((line) => line.includes('CREATE_COMPLETE'))).toBe(true);
    expect(await logGroupExists(createAwsClients(moto.get().region).logs, deployment.logGroupName)).toBe(true);
  });

  it('tags the stack with run id, expiry, creator, managed-by and its deploy token', async () => {
    const stack = (await cloudFormation.send(new DescribeStacksCommand({ StackName: 'rda-life1' }))).Stacks?.[0];

    const tags = Object.fromEntries((stack?.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    expect(tags).toEqual({
      [TAG_KEYS.runId]: RUN_ID,
      [TAG_KEYS.expiresAt]: EXPIRES_AT,
      [TAG_KEYS.creator]: 'lifecycle-test',
      [TAG_KEYS.managedBy]: MANAGED_BY,
      [TAG_KEYS.deployToken]: expect.stringMatching(/^[0-9a-f]{24}$/),
    });
    expect(stack?.EnableTerminationProtection ?? false).toBe(false);
  });

  it("runs a Logs Insights query through the SDK on the run's log group", async () => {
    // Prepare: moto runs no Lambda code, so write what the handler would have logged.
    const logs = new CloudWatchLogsClient({ region: moto.get().region });
    const stream = '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef';
    await logs.send(new CreateLogStreamCommand({ logGroupName: deployment.logGroupName, logStreamName: stream }));
    const nowMs = Date.now();
    const ids = [
      '6f1c1d3e-0000-4000-8000-000000000001',
      '6f1c1d3e-0000-4000-8000-000000000002',
      '6f1c1d3e-0000-4000-8000-000000000003',
    ];
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: deployment.logGroupName,
        logStreamName: stream,
        logEvents: ids.map((correlationId, i) => ({
          timestamp: nowMs - 3000 + i * 1000,
          message: JSON.stringify({ level: 30, correlationId, status: 200 }),
        })),
      }),
    );

    // Act
    const result = await deployment.query({
      queryString: 'fields @timestamp, @message | sort @timestamp asc | limit 2',
      startTimeMs: nowMs - 60_000,
      endTimeMs: nowMs + 60_000,
    });

    // Assess
    expect(result.status).toBe('Complete');
    expect(result.rows).toHaveLength(2);
    expect(result.rows.map((row) => JSON.parse(row['@message']!).correlationId)).toEqual(ids.slice(0, 2));
  });

  it('destroys the stack, verifies nothing is left, and shares one teardown between concurrent calls', async () => {
    // Act: two calls at once, as a `finally` and a signal handler might make them.
    const [first, second] = await Promise.all([deployment.destroy(), deployment.destroy()]);
    const third = await deployment.destroy();

    // Assess
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(deleteRequests).toEqual([deployment.stackId]);
    expect(first.verified).toBe(true);
    expect(first.leftovers).toEqual([]);
    // Every resource recorded before the delete is asked for by id afterwards: each has its line.
    expect(first.checks).toEqual([
      'stack rda-life1: DELETE_COMPLETE after 1 DeleteStack request',
      'stack rda-life1: gone (DELETE_COMPLETE)',
      'log group /aws/lambda/rda-life1-fn: gone',
      expect.stringMatching(/^FunctionRole\w+ \(AWS::IAM::Role [\w-]+\): gone \(GetRole: not found\)$/),
      'Function76856677 (AWS::Lambda::Function rda-life1-fn): gone (GetFunction: not found)',
      'FunctionApiGatewayInvokeB5014D23 (AWS::Lambda::Permission): gone with its parent Function76856677 (AWS::Lambda::Function rda-life1-fn)',
      expect.stringMatching(/^ApiF70053CD \(AWS::ApiGateway::RestApi \w+\): gone \(GetRestApi: not found\)$/),
      expect.stringMatching(/^ApiDeployment\w+ \(AWS::ApiGateway::Deployment\): gone with its parent ApiF70053CD/),
      expect.stringMatching(/^ApiANY\w+ \(AWS::ApiGateway::Method\): gone with its parent ApiF70053CD/),
      expect.stringMatching(/^Apiproxy\w+ \(AWS::ApiGateway::Resource \w+\): gone with its parent ApiF70053CD/),
      expect.stringMatching(/^ApiproxyANY\w+ \(AWS::ApiGateway::Method\): gone with its parent ApiF70053CD/),
      `resources tagged ${TAG_KEYS.runId}=${RUN_ID}: none left (Resource Groups Tagging API)`,
    ]);
    const byName = await cloudFormation
      .send(new DescribeStacksCommand({ StackName: 'rda-life1' }))
      .catch((error: Error) => error);
    expect(byName).toBeInstanceOf(Error);
    expect((byName as Error).message).toBe('Stack with id rda-life1 does not exist');
  });
});
