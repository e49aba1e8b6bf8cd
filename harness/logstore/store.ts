import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * The on-disk log store shared by the emulator (writer), `logs import` (writer) and the Insights
 * engine (reader): `<dir>/<encodeURIComponent(group)>/<encodeURIComponent(stream)>.ndjson`, one event
 * per line, `{"timestamp": ms, "ingestionTime": ms, "message": "..."}`, message without its trailing newline.
 */
export interface StoredEvent {
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/** Folder that holds one log group's streams. */
export function groupDirPath(dir: string, logGroupName: string): string {
  return path.join(dir, encodeURIComponent(logGroupName));
}

/** File that holds one log stream's events. */
export function streamFilePath(dir: string, logGroupName: string, logStreamName: string): string {
  return path.join(groupDirPath(dir, logGroupName), `${encodeURIComponent(logStreamName)}.ndjson`);
}

/** Log group names in a store folder, sorted. */
export async function listLogGroups(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => decodeName(e.name))
    .filter((name): name is string => name !== null)
    .sort();
}

/** Stream names of one group with their files, in file-name order (the scan order of the engine). */
export async function listLogStreams(dir: string, logGroupName: string): Promise<{ name: string; file: string }[]> {
  const groupDir = groupDirPath(dir, logGroupName);
  const entries = await fs.readdir(groupDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ndjson'))
    .map((e) => e.name)
    .sort()
    .flatMap((fileName) => {
      const name = decodeName(fileName.slice(0, -'.ndjson'.length));
      return name === null ? [] : [{ name, file: path.join(groupDir, fileName) }];
    });
}

/** True when the store has a folder for the group. */
export async function logGroupExists(dir: string, logGroupName: string): Promise<boolean> {
  try {
    return (await fs.stat(groupDirPath(dir, logGroupName))).isDirectory();
  } catch {
    return false;
  }
}

function decodeName(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null;
  }
}

/** Called once per line of a stream file; `byteLength` is the line's size in UTF-8 without its newline. */
export type LineHandler = (line: string, lineNo: number, byteLength: number) => void;

// 1 MiB reads: large enough that per-chunk overhead vanishes, small enough to keep memory flat.
const READ_CHUNK_BYTES = 1 << 20;

/**
 * Called with text holding whole lines, each ending in `\n` (except a last line without one at the end of the
 * file). `ascii` says the text is pure ASCII, so a line's length is its byte length. Returns how many lines
 * the block held, which numbers the lines of the next block.
 */
export type BlockHandler = (text: string, ascii: boolean, firstLineNo: number) => number;

/**
 * Streams a stream file in blocks of whole lines without loading it whole: chunks are cut after their last
 * `\n` at the byte level (a newline never falls inside a UTF-8 character) and each block is decoded once, as
 * Latin-1 when it is pure ASCII (the cheap case). Hot loops split the block themselves and slice only the
 * lines they keep. Aborting the signal stops the read and rejects with the signal's reason.
 */
export async function forEachStoredBlock(file: string, onBlock: BlockHandler, signal?: AbortSignal): Promise<number> {
  const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  let carry: Buffer | null = null;
  let lineNo = 0;
  const emit = (bytes: Buffer) => {
    if (bytes.length === 0) return;
    const ascii = isAscii(bytes);
    lineNo += onBlock(bytes.toString(ascii ? 'latin1' : 'utf8'), ascii, lineNo);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      const lastNewline = chunk.lastIndexOf(10);
      if (lastNewline === -1) {
        carry = carry === null ? chunk : Buffer.concat([carry, chunk]);
        continue;
      }
      let from = 0;
      if (carry !== null) {
        // The line begun in the previous chunk ends at this chunk's first newline: join just those bytes.
        const firstNewline = chunk.indexOf(10);
        emit(Buffer.concat([carry, chunk.subarray(0, firstNewline + 1)]));
        from = firstNewline + 1;
        carry = null;
      }
      emit(chunk.subarray(from, lastNewline + 1));
      if (lastNewline + 1 < chunk.length) carry = chunk.subarray(lastNewline + 1);
    }
    if (carry !== null) emit(carry);
  } finally {
    stream.destroy();
  }
  return lineNo;
}

/** Splits a block into lines (without `\n` or a `\r` before it) and calls `onLine` for each; returns the count. */
export function forEachLineOf(text: string, onLine: (start: number, end: number) => void): number {
  let count = 0;
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const next = newline === -1 ? text.length : newline;
    const end = next > start && text.charCodeAt(next - 1) === 13 ? next - 1 : next;
    onLine(start, end);
    count++;
    start = next + 1;
  }
  return count;
}

/**
 * Streams a stream file line by line (see `forEachStoredBlock`), calling `onLine` synchronously for each
 * line with its UTF-8 size. Aborting the signal stops the read and rejects with the signal's reason.
 */
export async function forEachStoredLine(file: string, onLine: LineHandler, signal?: AbortSignal): Promise<number> {
  return forEachStoredBlock(
    file,
    (text, ascii, firstLineNo) => {
      let lineNo = firstLineNo;
      return forEachLineOf(text, (start, end) => {
        const line = text.slice(start, end);
        onLine(line, lineNo++, ascii ? line.length : Buffer.byteLength(line, 'utf8'));
      });
    },
    signal,
  );
}

/** Reads a stream file's events (skipping lines that are not events); for tools and tests, not the hot path. */
export async function readStoredEvents(file: string): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  await forEachStoredLine(file, (line) => {
    const event = parseStoredEvent(line);
    if (event) events.push(event);
  });
  return events;
}

const CANONICAL_PREFIX = '{"timestamp":';
const INGESTION_KEY = ',"ingestionTime":';
const MESSAGE_KEY = ',"message":"';

/**
 * A line in the exact layout the emulator and the importer write (`formatStoredEvent`), read without
 * parsing the whole object: only the message string goes through JSON.parse. Null when the layout differs
 * (then the general parser decides).
 */
function parseCanonical(line: string): StoredEvent | null {
  if (!line.startsWith(CANONICAL_PREFIX) || !line.endsWith('"}')) return null;
  let i = CANONICAL_PREFIX.length;
  let timestamp = 0;
  const timestampStart = i;
  for (let c = line.charCodeAt(i); c >= 48 && c <= 57; c = line.charCodeAt(++i)) timestamp = timestamp * 10 + (c - 48);
  if (i === timestampStart || i - timestampStart > 15 || !line.startsWith(INGESTION_KEY, i)) return null;
  i += INGESTION_KEY.length;
  let ingestionTime = 0;
  const ingestionStart = i;
  for (let c = line.charCodeAt(i); c >= 48 && c <= 57; c = line.charCodeAt(++i))
    ingestionTime = ingestionTime * 10 + (c - 48);
  if (i === ingestionStart || i - ingestionStart > 15 || !line.startsWith(MESSAGE_KEY, i)) return null;
  const bodyStart = i + MESSAGE_KEY.length - 1;
  const body = line.slice(bodyStart, line.length - 1);
  // Without a backslash the JSON string is its own text; otherwise let JSON.parse unescape it (and reject
  // a body that is not one string, such as an unescaped quote, which sends the line to the general parser).
  let message: string;
  if (body.indexOf('\\') === -1) {
    if (body.indexOf('"', 1) !== body.length - 1) return null;
    message = body.slice(1, -1);
  } else {
    try {
      message = JSON.parse(body) as string;
    } catch {
      return null;
    }
  }
  return { timestamp, ingestionTime, message };
}

/** One stored line as an event, or null when the line is not one (a torn write, a blank line). */
export function parseStoredEvent(line: string): StoredEvent | null {
  if (line.length === 0) return null;
  const canonical = parseCanonical(line);
  if (canonical !== null) return canonical;
  try {
    const value = JSON.parse(line) as Partial<StoredEvent> | null;
    if (value === null || typeof value !== 'object') return null;
    if (typeof value.timestamp !== 'number' || !Number.isFinite(value.timestamp) || typeof value.message !== 'string')
      return null;
    const ingestionTime =
      typeof value.ingestionTime === 'number' && Number.isFinite(value.ingestionTime)
        ? value.ingestionTime
        : value.timestamp;
    return { timestamp: value.timestamp, ingestionTime, message: value.message };
  } catch {
    return null;
  }
}

/** One stored line, exactly as the emulator writes it (key order matters: readers take a fast path on it). */
export function formatStoredEvent(event: StoredEvent): string {
  return `{"timestamp":${event.timestamp},"ingestionTime":${event.ingestionTime},"message":${JSON.stringify(event.message)}}`;
}

/** Appends events to a stream file (creating its group folder), in the order given. */
export async function appendStoredEvents(
  dir: string,
  logGroupName: string,
  logStreamName: string,
  events: readonly StoredEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const file = streamFilePath(dir, logGroupName, logStreamName);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.appendFile(file, `${events.map(formatStoredEvent).join('\n')}\n`, 'utf8');
}
