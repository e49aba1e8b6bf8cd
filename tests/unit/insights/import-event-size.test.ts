import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../../../harness/cli.js';
import { importFilterLogEvents } from '../../../harness/insights/import.js';
import { MAX_EVENT_BYTES } from '../../../harness/logstore/event-size.js';
import { readStoredEvents, streamFilePath } from '../../../harness/logstore/store.js';

// `logs import` stores no event larger than CloudWatch could hold (docs/aws-behaviour.md#log-event-size), and
// says how many it cut, so no message changes silently.

const STREAM = '2023/12/05/[$LATEST]e34ea4d32b8f441c96246bbee30ff465';
const GROUP = '/aws/lambda/fn';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'insights-import-size-'));
  dirs.push(dir);
  return dir;
}

function event(eventId: string, timestamp: number, message: string) {
  return { logStreamName: STREAM, timestamp, message, ingestionTime: timestamp + 1000, eventId };
}

describe('logs import and the event size limit', () => {
  test('cuts oversized events to the limit on a character boundary and counts them', async () => {
    // Prepare: one short event, one exactly at the limit (plus the newline the store drops), two over it
    const dir = await tempDir();
    const logDir = path.join(dir, 'logs');
    const file = path.join(dir, 'export.json');
    const euro = `a${'€'.repeat(Math.floor(MAX_EVENT_BYTES / 3) + 1)}`; // 3-byte characters across the limit
    await writeFile(
      file,
      JSON.stringify({
        events: [
          event('e1', 1000, 'short\n'),
          event('e2', 1001, `${'x'.repeat(MAX_EVENT_BYTES)}\n`),
          event('e3', 1002, euro),
          event('e4', 1003, 'y'.repeat(MAX_EVENT_BYTES + 10)),
        ],
      }),
    );

    // Act
    const report = await importFilterLogEvents({ file, logDir, logGroupName: GROUP });

    // Assess
    expect(report).toMatchObject({ events: 4, duplicates: 0, alreadyStored: 0, truncated: 2 });
    const stored = await readStoredEvents(streamFilePath(logDir, GROUP, STREAM));
    expect(stored.map((e) => e.timestamp)).toEqual([1000, 1001, 1002, 1003]);
    expect(stored[0]?.message).toBe('short');
    expect(stored[1]?.message).toBe('x'.repeat(MAX_EVENT_BYTES));
    const cut = stored[2]?.message ?? '';
    expect(euro.startsWith(cut)).toBe(true);
    expect(Buffer.byteLength(cut, 'utf8')).toBe(1 + 3 * Math.floor((MAX_EVENT_BYTES - 1) / 3));
    expect(stored[3]?.message).toBe('y'.repeat(MAX_EVENT_BYTES));
  });

  test('a re-import skips the events it cut before, and reports nothing cut when nothing was', async () => {
    // Prepare
    const dir = await tempDir();
    const logDir = path.join(dir, 'logs');
    const file = path.join(dir, 'export.json');
    await writeFile(file, JSON.stringify({ events: [event('e1', 1000, 'z'.repeat(MAX_EVENT_BYTES + 1))] }));
    const first = await importFilterLogEvents({ file, logDir, logGroupName: GROUP });

    // Act
    const again = await importFilterLogEvents({ file, logDir, logGroupName: GROUP });

    // Assess
    expect(first.truncated).toBe(1);
    expect(again).toMatchObject({ events: 0, alreadyStored: 1 });
    expect(again.truncated).toBeUndefined();
    expect(await readStoredEvents(streamFilePath(logDir, GROUP, STREAM))).toHaveLength(1);
  });

  test('the logs import command says how many messages it cut', async () => {
    // Prepare
    const dir = await tempDir();
    const logDir = path.join(dir, 'logs');
    const file = path.join(dir, 'export.json');
    await writeFile(
      file,
      JSON.stringify({ events: [event('e1', 1000, 'ok'), event('e2', 1001, 'z'.repeat(MAX_EVENT_BYTES + 1))] }),
    );
    const out: string[] = [];

    // Act
    const code = await main(['logs', 'import', file, '--log-dir', logDir, '--log-group', GROUP], {
      out: (line) => out.push(line),
      err: () => undefined,
      env: {},
      isTty: false,
    });

    // Assess
    expect(code).toBe(0);
    expect(out.join('\n')).toBe(
      `imported 2 event(s) from 1 page(s) into log group '${GROUP}' (1 stream(s)) in '${logDir}'` +
        `; cut 1 message(s) to CloudWatch's ${MAX_EVENT_BYTES}-byte event limit`,
    );
  });
});
