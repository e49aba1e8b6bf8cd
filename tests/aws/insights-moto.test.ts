/**
 * The AWS path of Logs Insights against moto_server with the real SDK: StartQuery and GetQueryResults
 * polling, row conversion, the unknown-log-group error, and the `query --target aws` command. moto answers
 * every query with status Complete at once, and supports only fields/sort/limit (CONTRIBUTING.md#moto-gaps); the
 * Scheduled/Running/Failed/Timeout/Cancelled paths are covered with a stub client in
 * tests/unit/target/aws/insights-query.test.ts.
 */
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { main } from '../../harness/cli.js';
import { HarnessError } from '../../harness/errors.js';
import { runAwsInsightsQuery } from '../../harness/target/aws/insights-query.js';
import { type MotoServer, motoAvailable, startMoto } from '../helpers/moto.js';

const GROUP = '/aws/lambda/rda-insights-moto-fn';
const STREAM = '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const ID = '76269889-7d50-4d6d-a3f1-9b4f5322f47c';

let moto: MotoServer;
let client: CloudWatchLogsClient;
// Well inside the query range: moto drops events in the last second of a range (docs/aws-behaviour.md#insights-api, CONTRIBUTING.md#moto-gaps).
const now = Date.now();
const events = [
  { timestamp: now - 60_000, message: `START RequestId: ${ID} Version: $LATEST` },
  { timestamp: now - 59_000, message: `END RequestId: ${ID}` },
  {
    timestamp: now - 58_000,
    message: `REPORT RequestId: ${ID}\tDuration: 14.97 ms\tBilled Duration: 15 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t`,
  },
];

beforeAll(async () => {
  // Fail loudly, not skip: these tests are the proof that the AWS path works (CONTRIBUTING.md#the-aws-tests-and-moto_server).
  expect(
    motoAvailable(),
    'moto_server must be on PATH for the aws project (CONTRIBUTING.md#the-aws-tests-and-moto_server)',
  ).toBe(true);
  moto = await startMoto();
  client = new CloudWatchLogsClient({
    endpoint: moto.endpoint,
    region: moto.region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: STREAM }));
  await client.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: STREAM, logEvents: events }));
});

afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

describe('runAwsInsightsQuery against moto_server', () => {
  test('starts a query, polls it to Complete and returns string rows with @ptr', async () => {
    // Prepare
    const statuses: string[] = [];

    // Act
    const result = await runAwsInsightsQuery(
      client,
      {
        queryString: 'fields @timestamp, @message | sort @timestamp desc',
        logGroupNames: [GROUP],
        startTimeMs: now - 3_600_000,
        endTimeMs: now + 60_000,
      },
      { pollIntervalMs: 10, onStatus: (s) => statuses.push(s) },
    );

    // Assess
    expect(statuses.at(-1)).toBe('Complete');
    expect(result.status).toBe('Complete');
    expect(result.queryId).toMatch(/\S/);
    expect(result.fields).toEqual(expect.arrayContaining(['@timestamp', '@message']));
    expect(result.rows.map((row) => row['@message'])).toEqual([
      events[2]!.message,
      events[1]!.message,
      events[0]!.message,
    ]);
    for (const row of result.rows) {
      expect(typeof row['@ptr']).toBe('string');
      expect(Object.values(row).every((v) => typeof v === 'string')).toBe(true);
    }
  });

  test('an unknown log group is a usage error LogGroupNotFound', async () => {
    const error = await runAwsInsightsQuery(client, {
      queryString: 'fields @message',
      logGroupNames: ['/aws/lambda/does-not-exist'],
      startTimeMs: now - 3_600_000,
      endTimeMs: now,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('LogGroupNotFound');
    expect((error as HarnessError).exitCode).toBe(2);
    expect((error as Error).message).toContain('/aws/lambda/does-not-exist');
  });
});

describe('npm run harness -- query --target aws against moto_server', () => {
  test('prints the rows as JSON and the statistics', async () => {
    // Prepare: the SDK reads the endpoint and credentials from the environment of the process.
    const saved = { ...process.env };
    Object.assign(process.env, moto.env);
    const out: string[] = [];
    const err: string[] = [];
    try {
      // Act
      const code = await main(
        [
          'query',
          '--target',
          'aws',
          '--log-group',
          GROUP,
          '--since',
          '2h',
          '--format',
          'json',
          'fields @message | sort @timestamp desc | limit 2',
        ],
        { out: (l) => out.push(l), err: (l) => err.push(l), env: { ...process.env } },
      );

      // Assess
      expect(code).toBe(0);
      expect((JSON.parse(out.join('\n')) as Record<string, string>[]).map((row) => row['@message'])).toEqual([
        events[2]!.message,
        events[1]!.message,
      ]);
      expect(err.join('\n')).toMatch(/query status: Complete/);
      expect(err.join('\n')).toMatch(/2 row\(s\); \d+ records matched/);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
