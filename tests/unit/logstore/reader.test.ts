import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { forEachStoredBlock, forEachStoredLine, MAX_STORED_LINE_BYTES } from '../../../harness/logstore/store.js';

const dirs: string[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function fileWith(content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'store-reader-'));
  dirs.push(dir);
  const file = path.join(dir, 'stream.ndjson');
  await writeFile(file, content);
  return file;
}

async function linesOf(file: string): Promise<{ lines: { line: string; lineNo: number }[]; count: number }> {
  const lines: { line: string; lineNo: number }[] = [];
  const count = await forEachStoredLine(file, (line, lineNo) => lines.push({ line, lineNo }));
  return { lines, count };
}

describe('reading a stream file', () => {
  test('a line spread over many read chunks is joined once, not once per chunk', async () => {
    // 5 MiB without a newline spans five 1 MiB chunks; the old reader concatenated its carry on each one.
    const long = 'a'.repeat(5 * (1 << 20));
    const file = await fileWith(`first\n${long}\nlast`);
    const concat = vi.spyOn(Buffer, 'concat');

    const { lines, count } = await linesOf(file);

    expect(count).toBe(3);
    expect(lines.map((l) => l.line.length)).toEqual([5, long.length, 4]);
    expect(lines[1]!.line === long).toBe(true);
    // One join per line that crossed a chunk (the long one, and the last one held at the end of the file).
    expect(concat.mock.calls.length).toBeLessThanOrEqual(2);
  });

  test('a line longer than the limit is skipped without being held, and later lines keep their numbers', async () => {
    const huge = Buffer.alloc(MAX_STORED_LINE_BYTES + (3 << 20), 0x61);
    const file = await fileWith(Buffer.concat([Buffer.from('one\n'), huge, Buffer.from('\nthree\nfour\n')]));

    const { lines, count } = await linesOf(file);
    const summary = await forEachStoredBlock(file, (text) => text.split('\n').length - 1);

    expect(lines).toEqual([
      { line: 'one', lineNo: 0 },
      { line: 'three', lineNo: 2 },
      { line: 'four', lineNo: 3 },
    ]);
    expect(count).toBe(4);
    expect(summary.oversizedLines).toBe(1);
  });

  test('a file that is one huge line without a newline reads as one skipped line', async () => {
    const file = await fileWith(Buffer.alloc(MAX_STORED_LINE_BYTES + (2 << 20), 0x62));

    const summary = await forEachStoredBlock(file, () => {
      throw new Error('no block expected');
    });

    expect(summary).toMatchObject({ lines: 1, oversizedLines: 1, completeEndByte: 0 });
  });

  test('blocks carry their byte position, and a range reads only its lines with their numbers', async () => {
    const file = await fileWith('zero\nüne\ntwo\nthree\n');
    const starts: { startByte: number; byteLength: number; firstLineNo: number }[] = [];
    await forEachStoredBlock(file, (text, _ascii, firstLineNo, startByte, byteLength) => {
      starts.push({ startByte, byteLength, firstLineNo });
      return text.split('\n').length - 1;
    });
    expect(starts).toEqual([{ startByte: 0, byteLength: 20, firstLineNo: 0 }]);

    // 'üne\n' is 5 bytes: 'two' starts at byte 10.
    const seen: string[] = [];
    const summary = await forEachStoredBlock(
      file,
      (text, _ascii, firstLineNo) => {
        seen.push(`${firstLineNo}:${text}`);
        return text.split('\n').length - 1;
      },
      undefined,
      { startByte: 10, endByte: 14, firstLineNo: 2 },
    );
    expect(seen).toEqual(['2:two\n']);
    expect(summary).toMatchObject({ lines: 1, completeEndByte: 14 });
  });
});
