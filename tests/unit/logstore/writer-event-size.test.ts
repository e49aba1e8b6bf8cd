import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_EVENT_BYTES } from '../../../harness/logstore/event-size.js';
import { readStoredEvents, streamFilePath } from '../../../harness/logstore/store.js';
import { LogStreamWriter } from '../../../harness/logstore/writer.js';

// Every event the emulator stores, application or platform line, fits in one CloudWatch event
// (docs/aws-behaviour.md#log-event-size): a longer message is stored cut to MAX_EVENT_BYTES.

const GROUP = '/aws/lambda/fn';
const STREAM = '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'logstore-event-size-'));
  dirs.push(dir);
  return dir;
}

describe('LogStreamWriter and the event size limit', () => {
  it('stores an oversized event cut to the limit on a character boundary, and the others unchanged', async () => {
    // Prepare: a line of emoji (4 bytes each) just over the limit, between two ordinary lines
    const dir = await tempDir();
    const writer = new LogStreamWriter(dir, GROUP, STREAM);
    const emoji = '😀'.repeat(Math.floor(MAX_EVENT_BYTES / 4) + 1);
    const padded = `ab${emoji}`;

    // Act
    writer.add(1000, 'START RequestId: r1 Version: $LATEST');
    writer.add(1001, padded);
    writer.add(1002, 'x'.repeat(MAX_EVENT_BYTES));
    writer.add(1003, 'y'.repeat(MAX_EVENT_BYTES + 1));
    writer.close();

    // Assess
    const stored = await readStoredEvents(streamFilePath(dir, GROUP, STREAM));
    expect(stored.map((event) => event.timestamp)).toEqual([1000, 1001, 1002, 1003]);
    expect(stored[0]?.message).toBe('START RequestId: r1 Version: $LATEST');
    const cut = stored[1]?.message ?? '';
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(padded.startsWith(cut)).toBe(true);
    // 2 ASCII bytes, then as many whole 4-byte emoji as fit: the last one is dropped, not split.
    expect(cut.length).toBe(2 + 2 * Math.floor((MAX_EVENT_BYTES - 2) / 4));
    expect(stored[2]?.message).toBe('x'.repeat(MAX_EVENT_BYTES));
    expect(stored[3]?.message).toBe('y'.repeat(MAX_EVENT_BYTES));
  });
});
