import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { HarnessError } from '../../../harness/errors.js';
import { IMPORTED_IDS_FILE, importFilterLogEvents, JsonDocumentSplitter } from '../../../harness/insights/import.js';
import { queryLogStore } from '../../../harness/insights/index.js';
import { LOG_TYPE_FILE, readLogGroupType } from '../../../harness/logstore/log-type-file.js';
import { groupDirPath, readStoredEvents, removeLogGroupDir, streamFilePath } from '../../../harness/logstore/store.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'insights-import-'));
  dirs.push(dir);
  return dir;
}

const STREAM = '2023/12/05/[$LATEST]e34ea4d32b8f441c96246bbee30ff465';
const ID = '76269889-7d50-4d6d-a3f1-9b4f5322f47c';

// Two pages as `aws logs filter-log-events --output json` prints them (indented), written one after the other;
// the second page repeats the last event of the first (pages can overlap when re-run).
const page1 = {
  events: [
    {
      logStreamName: STREAM,
      timestamp: 1701814483162,
      message: `START RequestId: ${ID} Version: $LATEST\n`,
      ingestionTime: 1701814491000,
      eventId: 'e1',
    },
    {
      logStreamName: STREAM,
      timestamp: 1701814483877,
      message: `END RequestId: ${ID}\n`,
      ingestionTime: 1701814491000,
      eventId: 'e2',
    },
  ],
  searchedLogStreams: [],
  nextToken: 'token-1',
};
const page2 = {
  events: [
    {
      logStreamName: STREAM,
      timestamp: 1701814483877,
      message: `END RequestId: ${ID}\n`,
      ingestionTime: 1701814491000,
      eventId: 'e2',
    },
    {
      logStreamName: STREAM,
      timestamp: 1701814483877,
      message: `REPORT RequestId: ${ID}\tDuration: 14.97 ms\tBilled Duration: 15 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t\n`,
      ingestionTime: 1701814491000,
      eventId: 'e3',
    },
    {
      logStreamName: 'other',
      timestamp: 1701814483900,
      message: 'braces { in } text "quoted"',
      ingestionTime: 1701814491000,
      eventId: 'e4',
    },
  ],
  searchedLogStreams: [],
};

describe('logs import', () => {
  test('loads concatenated pages, drops trailing newlines and overlapping events, and the store answers queries', async () => {
    // Prepare
    const dir = await tempDir();
    const file = path.join(dir, 'prod-export.json');
    await writeFile(file, `${JSON.stringify(page1, null, 4)}\n${JSON.stringify(page2, null, 4)}\n`);
    const logDir = path.join(dir, 'logs');

    // Act
    const report = await importFilterLogEvents({ file, logDir });

    // Assess
    expect(report).toEqual({
      logGroupName: 'prod-export',
      pages: 2,
      events: 4,
      duplicates: 1,
      alreadyStored: 0,
      streams: [STREAM, 'other'],
    });
    const result = await queryLogStore({
      logDir,
      logGroupNames: ['prod-export'],
      queryString: 'fields @timestamp, @type, @duration, @message',
      startTimeMs: 0,
      endTimeMs: Date.now(),
    });
    // Lambda fields are found through the Lambda stream name, although the group is not /aws/lambda/...
    expect(result.rows.map(({ '@ptr': _ptr, ...row }) => row)).toEqual([
      { '@timestamp': '2023-12-05 22:14:43.900', '@message': 'braces { in } text "quoted"' },
      {
        '@timestamp': '2023-12-05 22:14:43.877',
        '@type': 'REPORT',
        '@duration': '14.97',
        '@message': `REPORT RequestId: ${ID}\tDuration: 14.97 ms\tBilled Duration: 15 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t`,
      },
      { '@timestamp': '2023-12-05 22:14:43.877', '@type': 'END', '@message': `END RequestId: ${ID}` },
      {
        '@timestamp': '2023-12-05 22:14:43.162',
        '@type': 'START',
        '@message': `START RequestId: ${ID} Version: $LATEST`,
      },
    ]);
  });

  test.each([
    ['not JSON at all', 'hello', /is not a sequence of JSON documents: line 1: expected '\{'/],
    ['a page without events', '{"nextToken":"x"}', /page 1 \(line 1\) has no "events" array/],
    ['an event without a stream', '{"events":[{"timestamp":1,"message":"m"}]}', /page 1, event 0 has no logStreamName/],
    [
      'a file cut short',
      '{"events":[{"logStreamName":"s","timestamp":1,',
      /ends inside a JSON document that starts on line 1/,
    ],
    ['an empty file', '  \n', /holds no JSON/],
  ])('rejects %s with a clear usage error', async (_name, text, message) => {
    const dir = await tempDir();
    const file = path.join(dir, 'bad.json');
    await writeFile(file, text);
    const error = await importFilterLogEvents({ file, logDir: path.join(dir, 'logs') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toMatch(/InvalidImportFile/);
    expect((error as HarnessError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });

  test('importing the same file twice stores each event once (idempotent by event id)', async () => {
    // Prepare
    const dir = await tempDir();
    const file = path.join(dir, 'prod-export.json');
    await writeFile(file, `${JSON.stringify(page1)}\n${JSON.stringify(page2)}\n`);
    const logDir = path.join(dir, 'logs');
    const count = async () => {
      const result = await queryLogStore({
        logDir,
        logGroupNames: ['prod-export'],
        queryString: 'stats count(*) as n',
        startTimeMs: 0,
        endTimeMs: Date.now(),
      });
      return result.rows[0]?.n;
    };
    await importFilterLogEvents({ file, logDir });

    // Act
    const again = await importFilterLogEvents({ file, logDir });

    // Assess
    expect(again).toMatchObject({ events: 0, duplicates: 1, alreadyStored: 4 });
    expect(await count()).toBe('4');
    expect(await readdir(path.join(logDir, 'prod-export'))).toContain(IMPORTED_IDS_FILE);
  });

  test('an overlapping export adds only the events that are new', async () => {
    // Prepare: the first export holds e1 and e2, the second e2 to e4
    const dir = await tempDir();
    const logDir = path.join(dir, 'logs');
    const first = path.join(dir, 'first.json');
    const second = path.join(dir, 'second.json');
    await writeFile(first, JSON.stringify(page1));
    await writeFile(second, JSON.stringify(page2));
    await importFilterLogEvents({ file: first, logDir, logGroupName: '/aws/lambda/fn' });

    // Act
    const report = await importFilterLogEvents({ file: second, logDir, logGroupName: '/aws/lambda/fn' });

    // Assess
    expect(report).toMatchObject({ events: 2, alreadyStored: 1 });
    const stored = await readStoredEvents(streamFilePath(logDir, '/aws/lambda/fn', STREAM));
    expect(stored.map((e) => e.message.split(' ')[0])).toEqual(['START', 'END', 'REPORT']);
  });

  test('events without an eventId are matched by content, and repeated identical lines are all kept', async () => {
    // Prepare: two identical lines and one other, none with an eventId
    const dir = await tempDir();
    const logDir = path.join(dir, 'logs');
    const file = path.join(dir, 'no-ids.json');
    const event = { logStreamName: 's', timestamp: 1, message: 'same' };
    await writeFile(file, JSON.stringify({ events: [event, event, { ...event, message: 'other' }] }));

    // Act
    const first = await importFilterLogEvents({ file, logDir });
    const second = await importFilterLogEvents({ file, logDir });

    // Assess
    expect(first).toMatchObject({ events: 3, duplicates: 0, alreadyStored: 0 });
    expect(second).toMatchObject({ events: 0, duplicates: 0, alreadyStored: 3 });
    expect((await readStoredEvents(streamFilePath(logDir, 'no-ids', 's'))).map((e) => e.message)).toEqual([
      'same',
      'same',
      'other',
    ]);
  });

  test('a missing file is a usage error that names it', async () => {
    const error = await importFilterLogEvents({ file: '/nonexistent/export.json', logDir: '/tmp/x' }).catch(
      (e: unknown) => e,
    );
    expect((error as HarnessError).code).toBe('ImportFileNotFound');
    expect((error as Error).message).toContain("'/nonexistent/export.json'");
  });
});

describe('logs import --log-type (docs/aws-behaviour.md#log-type-discovery)', () => {
  const FLOW =
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';

  async function exportFile(dir: string, message: string): Promise<string> {
    const file = path.join(dir, 'export.json');
    await writeFile(
      file,
      JSON.stringify({ events: [{ logStreamName: 's', timestamp: 1000, message, eventId: 'e1' }] }),
    );
    return file;
  }

  test('the type is stored with the group, reported, and removed with the group', async () => {
    // Arrange
    const logDir = await tempDir();
    const file = await exportFile(logDir, FLOW);

    // Act
    const report = await importFilterLogEvents({ file, logDir, logGroupName: 'flows', logType: 'VPC-Flow' });

    // Assess
    expect(report).toMatchObject({ logGroupName: 'flows', events: 1, logType: 'vpc-flow' });
    expect(await readLogGroupType(logDir, 'flows')).toBe('vpc-flow');
    expect(await readdir(groupDirPath(logDir, 'flows'))).toContain(LOG_TYPE_FILE);
    removeLogGroupDir(logDir, 'flows');
    expect(await readdir(logDir)).toEqual(['export.json']);
    expect(await readLogGroupType(logDir, 'flows')).toBeNull();
  });

  test('a later import without --log-type keeps the type; --log-type auto clears it', async () => {
    const logDir = await tempDir();
    const file = await exportFile(logDir, FLOW);
    await importFilterLogEvents({ file, logDir, logGroupName: 'g', logType: 'route53' });
    const again = await importFilterLogEvents({ file, logDir, logGroupName: 'g' });
    expect(again.logType).toBeUndefined();
    expect(await readLogGroupType(logDir, 'g')).toBe('route53');
    await importFilterLogEvents({ file, logDir, logGroupName: 'g', logType: 'auto' });
    expect(await readLogGroupType(logDir, 'g')).toBeNull();
  });

  test('the stored type decides discovery: a flow record in a group typed route53 gives no flow fields', async () => {
    const logDir = await tempDir();
    const file = await exportFile(logDir, FLOW);
    const query = async () =>
      (
        await queryLogStore({
          logDir,
          logGroupNames: ['g'],
          queryString: 'fields srcAddr, bytes',
          startTimeMs: 0,
          endTimeMs: 10_000,
        })
      ).rows.map(({ '@ptr': _ptr, ...row }) => row);
    await importFilterLogEvents({ file, logDir, logGroupName: 'g', logType: 'route53' });
    expect(await query()).toEqual([{}]);
    await importFilterLogEvents({ file, logDir, logGroupName: 'g', logType: 'auto' });
    expect(await query()).toEqual([{ srcAddr: '172.31.16.139', bytes: '4249' }]);
  });

  test('a bad --log-type is a usage error naming the value and the accepted ones, before anything is stored', async () => {
    const logDir = await tempDir();
    const file = await exportFile(logDir, FLOW);
    const error = await importFilterLogEvents({ file, logDir, logGroupName: 'g', logType: 'vpcflow' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('InvalidLogType');
    expect((error as HarnessError).exitCode).toBe(2);
    expect((error as Error).message).toBe(
      "unknown log type 'vpcflow': use one of auto, vpc-flow, route53, route53-resolver, cloudtrail, apigateway, lambda, other (--log-type; auto decides from the group name and the events)",
    );
    expect(await readdir(logDir)).toEqual(['export.json']);
  });
});

describe('splitting concatenated JSON documents', () => {
  test('finds documents split across chunks, with braces and escaped quotes inside strings', () => {
    const splitter = new JsonDocumentSplitter();
    const text = '{"a":"}\\"{"}\n  {"b":[1,{"c":2}]}{"d":3}';
    const found: string[] = [];
    for (let i = 0; i < text.length; i += 3) found.push(...splitter.push(text.slice(i, i + 3)).map((d) => d.text));
    expect(found.map((t) => JSON.parse(t))).toEqual([{ a: '}"{' }, { b: [1, { c: 2 }] }, { d: 3 }]);
    expect(splitter.rest()).toBeNull();
  });
});
