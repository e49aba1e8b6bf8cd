import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InterruptedError } from '../../../harness/errors.js';
import { appendStoredEvents, queryLogStore, streamFilePath } from '../../../harness/insights/index.js';

const GROUP = '/aws/lambda/engine-fn';
const STREAM = '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const T0 = Date.UTC(2024, 4, 1, 12);

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function store(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'insights-engine-'));
  dirs.push(dir);
  return dir;
}

function query(logDir: string, queryString: string, extra: { signal?: AbortSignal; limit?: number } = {}) {
  return queryLogStore({
    logDir,
    logGroupNames: [GROUP],
    queryString,
    startTimeMs: T0,
    endTimeMs: T0 + 3_600_000,
    ...extra,
  });
}

describe('reading the store', () => {
  test('lines in another key order, torn lines and blank lines: events are read, the rest skipped', async () => {
    // Prepare: a line written by another tool (keys reordered, spaces), a torn last write, a blank line.
    const dir = await store();
    const file = streamFilePath(dir, GROUP, STREAM);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(
      file,
      [
        `{ "message": "reordered \\"quoted\\"", "ingestionTime": ${T0 + 5}, "timestamp": ${T0 + 1} }`,
        '',
        `{"timestamp":${T0 + 2},"ingestionTime":${T0 + 6},"message":"canonical"}`,
        `{"timestamp":${T0 + 3},"ingestionTime":${T0 + 7},"message":"torn wri`,
      ].join('\n'),
    );

    // Act
    const result = await query(dir, 'fields @message, @ingestionTime');

    // Assess
    expect(result.rows.map(({ '@ptr': _ptr, ...row }) => row)).toEqual([
      { '@message': 'canonical', '@ingestionTime': '2024-05-01 12:00:00.006' },
      { '@message': 'reordered "quoted"', '@ingestionTime': '2024-05-01 12:00:00.005' },
    ]);
  });

  test('a filter the pre-check cannot decide from the raw line still gets the exact answer', async () => {
    // Prepare: escaped keys and values in the message hide the text the pre-check looks for.
    const dir = await store();
    await appendStoredEvents(dir, GROUP, STREAM, [
      { timestamp: T0 + 1, ingestionTime: T0 + 1, message: '{"\\u0073tatus":503,"path":"/a"}' },
      { timestamp: T0 + 2, ingestionTime: T0 + 2, message: '{"status":200,"path":"/b"}' },
      { timestamp: T0 + 3, ingestionTime: T0 + 3, message: '{"status":"5\\u00300","path":"/c"}' },
    ]);

    // Act
    const result = await query(dir, 'filter status >= 500 | stats count(*) as n by path');

    // Assess
    expect(result.rows).toEqual([
      { path: '/a', n: '1' },
      { path: '/c', n: '1' },
    ]);
  });

  test('newest-first limit over many events keeps exactly the newest ones', async () => {
    // Prepare: 20,000 events over two streams, interleaved in time.
    const dir = await store();
    const events = (offset: number) =>
      Array.from({ length: 10_000 }, (_, i) => ({
        timestamp: T0 + i * 2 + offset,
        ingestionTime: T0,
        message: `event ${i * 2 + offset}`,
      }));
    await appendStoredEvents(dir, GROUP, STREAM, events(0));
    await appendStoredEvents(dir, GROUP, 'other-stream', events(1));

    // Act
    const result = await query(dir, 'fields @message | limit 3');

    // Assess
    expect(result.rows.map((r) => r['@message'])).toEqual(['event 19999', 'event 19998', 'event 19997']);
    expect(result.statistics.recordsScanned).toBe(20_000);
    // Without a limit anywhere, AWS's default of 10,000 rows applies (docs/aws-behaviour.md#insights-commands); 100,000 is the most.
    const unlimited = await query(dir, 'fields @message');
    expect(unlimited.rows).toHaveLength(10_000);
    expect(unlimited.rows.at(-1)?.['@message']).toBe('event 10000');
    await expect(query(dir, 'fields @message', { limit: 100_001 })).rejects.toMatchObject({ code: 'InvalidLimit' });
  });

  test('an aborted signal stops the query with the signal name', async () => {
    const dir = await store();
    await appendStoredEvents(dir, GROUP, STREAM, [{ timestamp: T0, ingestionTime: T0, message: 'x' }]);
    const controller = new AbortController();
    controller.abort('SIGTERM');
    const error = await query(dir, 'fields @message', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).signal).toBe('SIGTERM');
  });

  test('a time range with the end before the start is a usage error', async () => {
    const dir = await store();
    await expect(
      queryLogStore({
        logDir: dir,
        logGroupNames: [GROUP],
        queryString: 'fields @message',
        startTimeMs: 2,
        endTimeMs: 1,
      }),
    ).rejects.toMatchObject({ code: 'InvalidTimeRange' });
  });
});
