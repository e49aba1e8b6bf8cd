import {
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  LimitExceededException,
  MalformedQueryException,
  ResourceNotFoundException,
  StartQueryCommand,
  StopQueryCommand,
  ThrottlingException,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, test } from 'vitest';
import { HarnessError, InterruptedError } from '../../../../harness/errors.js';
import { QuerySyntaxError } from '../../../../harness/insights/index.js';
import { type InsightsClient, runAwsInsightsQuery } from '../../../../harness/target/aws/insights-query.js';

// moto_server answers every query with status Complete at once (docs/aws-behaviour.md#insights-api, CONTRIBUTING.md#moto-gaps), so the
// Scheduled/Running/Failed/Timeout/Cancelled paths, throttling and paging are exercised here against a stub
// that answers StartQuery/GetQueryResults/StopQuery the way the service does. tests/aws/insights-moto.test.ts
// covers the real SDK round trip against moto_server.

type Answer = Partial<GetQueryResultsCommandOutput> | Error;

/** A client that plays back StartQuery and GetQueryResults answers in order and records every call. */
function stubClient(start: (string | Error)[], results: Answer[]) {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const client: InsightsClient = {
    send: (async (command: unknown) => {
      if (command instanceof StartQueryCommand) {
        calls.push({ name: 'StartQuery', input: { ...command.input } });
        const next = start.shift();
        if (next instanceof Error) throw next;
        return { queryId: next ?? 'q-1', $metadata: {} };
      }
      if (command instanceof GetQueryResultsCommand) {
        calls.push({ name: 'GetQueryResults', input: { ...command.input } });
        const next = results.shift();
        if (next === undefined) throw new Error('stub: no more GetQueryResults answers');
        if (next instanceof Error) throw next;
        return { $metadata: {}, ...next };
      }
      if (command instanceof StopQueryCommand) {
        calls.push({ name: 'StopQuery', input: { ...command.input } });
        return { success: true, $metadata: {} };
      }
      throw new Error('stub: unexpected command');
    }) as InsightsClient['send'],
  };
  return { client, calls };
}

const QUERY = {
  queryString: 'filter @type = "REPORT" | fields @requestId, @duration',
  logGroupNames: ['/aws/lambda/fn'],
  startTimeMs: 1_714_564_800_500,
  endTimeMs: 1_714_564_980_001,
};

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

const COMPLETE: Answer = {
  status: 'Complete',
  results: [
    [
      { field: '@requestId', value: 'r-2' },
      { field: '@duration', value: '14.97' },
      { field: '@ptr', value: 'p2' },
    ],
    [
      { field: '@requestId', value: 'r-1' },
      { field: '@ptr', value: 'p1' },
    ],
  ],
  statistics: { recordsMatched: 2, recordsScanned: 32, bytesScanned: 4487 },
};

describe('runAwsInsightsQuery', () => {
  test('starts the query in whole seconds and polls through Scheduled and Running until Complete', async () => {
    // Prepare
    const { client, calls } = stubClient(
      ['q-42'],
      [{ status: 'Scheduled' }, { status: 'Running', results: [] }, { status: 'Running' }, COMPLETE],
    );
    const { waits, sleep } = recordingSleep();
    const statuses: string[] = [];

    // Act
    const result = await runAwsInsightsQuery(client, QUERY, {
      pollIntervalMs: 100,
      maxPollIntervalMs: 300,
      sleep,
      random: () => 0.5,
      onStatus: (s) => statuses.push(s),
    });

    // Assess: start and end floored to seconds, AWS reads the end second to its .999 (docs/aws-behaviour.md#insights-api);
    // limit defaults to 10,000.
    expect(calls[0]).toEqual({
      name: 'StartQuery',
      input: {
        queryString: QUERY.queryString,
        logGroupNames: ['/aws/lambda/fn'],
        startTime: 1_714_564_800,
        endTime: 1_714_564_980,
        limit: 10_000,
      },
    });
    expect(calls.slice(1).map((c) => c.input)).toEqual(Array(4).fill({ queryId: 'q-42' }));
    expect(statuses).toEqual(['Scheduled', 'Running', 'Complete']);
    expect(waits).toEqual([100, 200, 300]);
    expect(result).toEqual({
      status: 'Complete',
      queryId: 'q-42',
      fields: ['@requestId', '@duration'],
      rows: [
        { '@requestId': 'r-2', '@duration': '14.97', '@ptr': 'p2' },
        { '@requestId': 'r-1', '@ptr': 'p1' },
      ],
      statistics: { recordsMatched: 2, recordsScanned: 32, bytesScanned: 4487 },
      awsStatistics: { recordsMatched: 2, recordsScanned: 32, bytesScanned: 4487 },
    });
  });

  test.each([
    ['Failed', 'QueryFailed'],
    ['Timeout', 'QueryTimedOut'],
    ['Cancelled', 'QueryCancelled'],
    ['Unknown', 'QueryStatusUnknown'],
  ])('status %s becomes an infrastructure error %s', async (status, code) => {
    const { client } = stubClient(['q-1'], [{ status: 'Running' }, { status: status as never }]);
    const error = await runAwsInsightsQuery(client, QUERY, { sleep: recordingSleep().sleep }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe(code);
    expect((error as HarnessError).exitCode).toBe(3);
    expect((error as Error).message).toContain('q-1');
  });

  test('an unknown log group becomes a usage error LogGroupNotFound with the service wording', async () => {
    const notFound = new ResourceNotFoundException({
      message: "Log group '/aws/lambda/fn' does not exist for account ID '111111111111'",
      $metadata: {},
    });
    const { client } = stubClient([notFound], []);
    const error = await runAwsInsightsQuery(client, QUERY).catch((e: unknown) => e);
    expect((error as HarnessError).code).toBe('LogGroupNotFound');
    expect((error as HarnessError).exitCode).toBe(2);
    expect((error as Error).message).toBe("Log group '/aws/lambda/fn' does not exist for account ID '111111111111'");
  });

  test('throttling is retried with jittered backoff until StartQuery succeeds', async () => {
    const throttled = () => new ThrottlingException({ message: 'Rate exceeded', $metadata: {} });
    const tooMany = new LimitExceededException({ message: 'too many concurrent queries', $metadata: {} });
    const { client, calls } = stubClient([throttled(), tooMany, throttled(), 'q-7'], [COMPLETE]);
    const { waits, sleep } = recordingSleep();

    const result = await runAwsInsightsQuery(client, QUERY, { sleep, random: () => 0.5, maxPollIntervalMs: 800 });

    expect(result.queryId).toBe('q-7');
    expect(calls.filter((c) => c.name === 'StartQuery')).toHaveLength(4);
    // 250 ms doubling, capped at 800, times the jitter draw 0.5.
    expect(waits).toEqual([125, 250, 400]);
  });

  test('a query the service rejects points at the place it names', async () => {
    const malformed = new MalformedQueryException({ message: 'unexpected symbol', $metadata: {} });
    malformed.queryCompileError = {
      location: { startCharOffset: 9, endCharOffset: 12 },
      message: 'unexpected symbol: foo',
    };
    const { client } = stubClient([malformed], []);
    const error = await runAwsInsightsQuery(client, { ...QUERY, queryString: 'fields a\n|foo b' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QuerySyntaxError);
    expect([(error as QuerySyntaxError).line, (error as QuerySyntaxError).column]).toEqual([2, 1]);
    expect((error as Error).message).toContain('unexpected symbol: foo\n  |foo b\n  ^^^');
  });

  test('a query still running at the deadline is stopped', async () => {
    const { client, calls } = stubClient(['q-9'], [{ status: 'Running' }]);
    const error = await runAwsInsightsQuery(client, QUERY, { timeoutMs: 0, sleep: recordingSleep().sleep }).catch(
      (e: unknown) => e,
    );
    expect((error as HarnessError).code).toBe('QueryDeadlineExceeded');
    expect(calls.at(-1)).toEqual({ name: 'StopQuery', input: { queryId: 'q-9' } });
  });

  test('all result pages are collected through nextToken', async () => {
    const page = (value: string, nextToken?: string): Answer => ({
      status: 'Complete',
      results: [[{ field: 'x', value }]],
      nextToken,
    });
    const { client, calls } = stubClient(['q-3'], [page('1', 't1'), page('2', 't2'), page('3')]);
    const result = await runAwsInsightsQuery(client, QUERY);
    expect(result.rows).toEqual([{ x: '1' }, { x: '2' }, { x: '3' }]);
    expect(calls.slice(2).map((c) => c.input)).toEqual([
      { queryId: 'q-3', nextToken: 't1' },
      { queryId: 'q-3', nextToken: 't2' },
    ]);
  });

  test('an abort while polling stops the query and reports the signal', async () => {
    const controller = new AbortController();
    const { client, calls } = stubClient(['q-5'], [{ status: 'Running' }]);
    const sleep = async () => {
      controller.abort('SIGTERM');
      throw new Error('aborted');
    };
    const error = await runAwsInsightsQuery(client, { ...QUERY, signal: controller.signal }, { sleep }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).signal).toBe('SIGTERM');
    expect(calls.at(-1)).toEqual({ name: 'StopQuery', input: { queryId: 'q-5' } });
  });

  test('a query starting with SOURCE goes out without logGroupNames (docs/aws-behaviour.md#insights-source)', async () => {
    const { client, calls } = stubClient(['q-7'], [COMPLETE]);
    const queryString = "SOURCE logGroups(namePrefix: ['/aws/lambda/']) | stats count(*)";
    await runAwsInsightsQuery(client, { ...QUERY, queryString, logGroupNames: [] }, { sleep: async () => {} });
    expect(calls[0]?.name).toBe('StartQuery');
    expect(calls[0]?.input.queryString).toBe(queryString);
    expect(calls[0]?.input.logGroupNames).toBeUndefined();
  });

  test('SOURCE together with named log groups is refused before any call (choice)', async () => {
    const { client, calls } = stubClient([], []);
    await expect(
      runAwsInsightsQuery(client, { ...QUERY, queryString: 'SOURCE logGroups() | fields @message' }),
    ).rejects.toMatchObject({ code: 'ConflictingFlags' });
    expect(calls).toEqual([]);
  });

  test('bad arguments are refused before any call', async () => {
    const { client, calls } = stubClient([], []);
    await expect(runAwsInsightsQuery(client, { ...QUERY, logGroupNames: [] })).rejects.toMatchObject({
      code: 'InvalidLogGroups',
    });
    await expect(runAwsInsightsQuery(client, { ...QUERY, limit: 100_001 })).rejects.toMatchObject({
      code: 'InvalidLimit',
    });
    expect(calls).toEqual([]);
  });
});
