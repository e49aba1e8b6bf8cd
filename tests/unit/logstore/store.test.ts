import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  appendStoredEvents,
  forEachStoredLine,
  listLogGroups,
  listLogStreams,
  readStoredEvents,
  streamFilePath,
} from '../../../harness/logstore/store.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'insights-store-'));
  dirs.push(dir);
  return dir;
}

describe('the on-disk log store', () => {
  test('appends events and reads them back, groups and streams by their real names', async () => {
    // Prepare
    const dir = await tempDir();
    const stream = '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9';

    // Act
    await appendStoredEvents(dir, '/aws/lambda/fn', stream, [
      { timestamp: 1, ingestionTime: 2, message: 'a "quoted"\tline' },
    ]);
    await appendStoredEvents(dir, '/aws/lambda/fn', stream, [{ timestamp: 3, ingestionTime: 4, message: 'b' }]);

    // Assess
    expect(await listLogGroups(dir)).toEqual(['/aws/lambda/fn']);
    const streams = await listLogStreams(dir, '/aws/lambda/fn');
    expect(streams).toEqual([{ name: stream, file: streamFilePath(dir, '/aws/lambda/fn', stream) }]);
    expect(await readStoredEvents(streams[0]!.file)).toEqual([
      { timestamp: 1, ingestionTime: 2, message: 'a "quoted"\tline' },
      { timestamp: 3, ingestionTime: 4, message: 'b' },
    ]);
  });

  test('splits lines across read chunks and counts UTF-8 bytes of multi-byte lines', async () => {
    // Prepare: lines longer than the 1 MiB read size, with multi-byte characters on a chunk boundary.
    const dir = await tempDir();
    const file = path.join(dir, 'big.ndjson');
    const long = 'é'.repeat(700_000);
    const lines = ['first', long, 'x'.repeat(1_100_000), 'last without newline'];
    await writeFile(file, `${lines.slice(0, 3).join('\n')}\r\n${lines[3]}`);

    // Act
    const seen: { line: string; lineNo: number; bytes: number }[] = [];
    await forEachStoredLine(file, (line, lineNo, bytes) => seen.push({ line, lineNo, bytes }));

    // Assess
    expect(seen.map((s) => s.line)).toEqual(lines);
    expect(seen.map((s) => s.lineNo)).toEqual([0, 1, 2, 3]);
    expect(seen.map((s) => s.bytes)).toEqual(lines.map((l) => Buffer.byteLength(l)));
  });

  test('stops reading when the signal aborts', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 's.ndjson');
    await writeFile(file, 'a\nb\n');
    const controller = new AbortController();
    controller.abort('SIGINT');
    await expect(forEachStoredLine(file, () => {}, controller.signal)).rejects.toBe('SIGINT');
  });
});
