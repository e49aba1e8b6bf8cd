import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { HarnessError } from '../../../harness/errors.js';
import {
  appendStoredEvents,
  forEachStoredLine,
  groupDirPath,
  listLogGroups,
  listLogStreams,
  readStoredEvents,
  removeLogGroupDir,
  streamFilePath,
} from '../../../harness/logstore/store.js';
import { LogStreamWriter } from '../../../harness/logstore/writer.js';

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

/** Every path under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

/** A store folder inside a temp root that also holds a file of someone else's: the root must not change. */
async function storeInRoot(): Promise<{ root: string; store: string }> {
  const root = await tempDir();
  const store = path.join(root, 'store');
  await mkdir(store);
  await writeFile(path.join(root, 'not-ours.txt'), 'keep me');
  return { root, store };
}

describe('log group and stream names the store must never resolve outside itself', () => {
  // Issue 13: `..` and `.` are valid CloudWatch names and encodeURIComponent leaves them unchanged.
  test.each([
    { title: 'group ..', group: '..', stream: 'stream-1' },
    { title: 'group .', group: '.', stream: 'stream-1' },
    { title: 'stream .. in group ..', group: '..', stream: '..' },
    { title: 'stream . in group .', group: '.', stream: '.' },
    { title: 'a stream name with / in group ..', group: '..', stream: '2024/05/01/[$LATEST]abc' },
  ])('$title: written inside the store, listed and read back by its real name', async ({ group, stream }) => {
    // Prepare
    const { root, store } = await storeInRoot();
    const event = { timestamp: 1, ingestionTime: 2, message: `hello from ${group}/${stream}` };

    // Act
    await appendStoredEvents(store, group, stream, [event]);

    // Assess: nothing beside the store changed, the group is one folder directly in it.
    expect(await readdir(root)).toEqual(['not-ours.txt', 'store'].sort());
    expect(path.dirname(groupDirPath(store, group))).toBe(store);
    expect(path.dirname(streamFilePath(store, group, stream))).toBe(groupDirPath(store, group));
    expect(await listLogGroups(store)).toEqual([group]);
    const streams = await listLogStreams(store, group);
    expect(streams).toEqual([{ name: stream, file: streamFilePath(store, group, stream) }]);
    expect(await readStoredEvents(streams[0]!.file)).toEqual([event]);
  });

  test('a group name with / and a stream named .. stay one folder and one file', async () => {
    // Prepare
    const { root, store } = await storeInRoot();

    // Act
    await appendStoredEvents(store, '../../etc', '..', [{ timestamp: 1, ingestionTime: 1, message: 'x' }]);
    await appendStoredEvents(store, '..', '..', [{ timestamp: 2, ingestionTime: 2, message: 'y' }]);

    // Assess
    expect(await readdir(root)).toEqual(['not-ours.txt', 'store'].sort());
    expect(await tree(store)).toEqual([
      '%2E%2E',
      '%2E%2E/%2E%2E.ndjson',
      '..%2F..%2Fetc',
      '..%2F..%2Fetc/%2E%2E.ndjson',
    ]);
    expect(await listLogGroups(store)).toEqual(['..', '../../etc']);
    expect((await listLogStreams(store, '../../etc')).map((s) => s.name)).toEqual(['..']);
  });

  test('removing group .. removes its folder only, never the store or its parent', async () => {
    // Prepare
    const { root, store } = await storeInRoot();
    await appendStoredEvents(store, '..', 's', [{ timestamp: 1, ingestionTime: 1, message: 'x' }]);
    await appendStoredEvents(store, 'other', 's', [{ timestamp: 1, ingestionTime: 1, message: 'x' }]);

    // Act
    const removed = removeLogGroupDir(store, '..');
    removeLogGroupDir(store, '.');

    // Assess
    expect(path.dirname(removed)).toBe(store);
    expect(await readdir(root)).toEqual(['not-ours.txt', 'store'].sort());
    expect(await listLogGroups(store)).toEqual(['other']);
  });

  test('the emulator writer keeps group .. inside the store', async () => {
    // Prepare
    const { root, store } = await storeInRoot();

    // Act
    const writer = new LogStreamWriter(store, '..', '..');
    writer.add(5, 'from the emulator');
    writer.close();

    // Assess
    expect(await readdir(root)).toEqual(['not-ours.txt', 'store'].sort());
    expect(await listLogGroups(store)).toEqual(['..']);
    const streams = await listLogStreams(store, '..');
    expect(streams.map((s) => s.name)).toEqual(['..']);
    expect((await readStoredEvents(streams[0]!.file)).map((e) => e.message)).toEqual(['from the emulator']);
  });
});

describe('log names longer than a file name may be', () => {
  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  test.each([
    { title: 'group', group: 'g'.repeat(600), stream: 's' },
    { title: 'stream', group: 'g', stream: 's'.repeat(600) },
  ])('a 600-character $title name is a LogNameTooLong usage error naming the limit', async ({ group, stream }) => {
    // Prepare
    const { root, store } = await storeInRoot();

    // Act
    const error = await rejection(
      appendStoredEvents(store, group, stream, [{ timestamp: 1, ingestionTime: 1, message: 'x' }]),
    );

    // Assess
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('LogNameTooLong');
    expect((error as HarnessError).kind).toBe('usage');
    expect((error as HarnessError).message).toContain('512');
    expect((error as HarnessError).message).toContain('600 characters');
    expect((error as HarnessError).message.length).toBeLessThan(300);
    expect(() => new LogStreamWriter(store, group, stream)).toThrow(
      expect.objectContaining({ code: 'LogNameTooLong' }),
    );
    expect(await readdir(root)).toEqual(['not-ours.txt', 'store'].sort());
    expect(await readdir(store)).toEqual([]);
  });

  test('300-character names (within the CloudWatch limit of 512) are stored under a hashed file name and read back', async () => {
    // Prepare: 300 characters, and 900 bytes once `/` is encoded as %2F, far over 255.
    const { store } = await storeInRoot();
    const group = `/aws/lambda/${'g'.repeat(288)}`;
    const stream = '/'.repeat(300);
    const other = `${'s'.repeat(299)}x`;

    // Act
    await appendStoredEvents(store, group, stream, [{ timestamp: 1, ingestionTime: 1, message: 'one' }]);
    await appendStoredEvents(store, group, stream, [{ timestamp: 2, ingestionTime: 2, message: 'two' }]);
    const writer = new LogStreamWriter(store, group, other);
    writer.add(3, 'three');
    writer.close();

    // Assess
    expect(group).toHaveLength(300);
    expect(await listLogGroups(store)).toEqual([group]);
    const streams = await listLogStreams(store, group);
    expect(streams.map((s) => s.name).sort()).toEqual([stream, other].sort());
    for (const s of streams) expect(path.basename(s.file).length).toBeLessThanOrEqual(255);
    const byName = new Map(streams.map((s) => [s.name, s.file]));
    expect((await readStoredEvents(byName.get(stream)!)).map((e) => e.message)).toEqual(['one', 'two']);
    expect((await readStoredEvents(byName.get(other)!)).map((e) => e.message)).toEqual(['three']);
  });

  test('a 250-character name that fits the file system keeps its plain encoded file name', async () => {
    // Prepare
    const { store } = await storeInRoot();
    const group = 'g'.repeat(250);

    // Act
    await appendStoredEvents(store, group, 's', [{ timestamp: 1, ingestionTime: 1, message: 'x' }]);

    // Assess
    expect(await readdir(store)).toEqual([group]);
    expect(await listLogGroups(store)).toEqual([group]);
  });
});
