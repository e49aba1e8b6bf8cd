import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import fsSync, { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { HarnessError, InfraError, UsageError } from '../errors.js';

/**
 * The on-disk log store shared by the emulator (writer), `logs import` (writer) and the Insights
 * engine (reader): `<dir>/<encodeName(group)>/<encodeName(stream)>.ndjson`, one event per line,
 * `{"timestamp": ms, "ingestionTime": ms, "message": "..."}`, message without its trailing newline.
 *
 * Names are untrusted (`..` and `.` are valid CloudWatch log group names, and stream names may be `..`), so
 * every name goes through {@link encodeName}, which can never yield `.`, `..`, an empty segment or a path
 * separator: a name always maps to exactly one entry strictly inside the store (or its group folder).
 */
export interface StoredEvent {
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/** CloudWatch's limit on log group and log stream names, in characters (both are 1..512). */
export const MAX_LOG_NAME_LENGTH = 512;
/** The longest file name most filesystems accept (ext4, XFS, APFS, tmpfs: 255 bytes). */
const MAX_FILE_NAME_BYTES = 255;
const STREAM_SUFFIX = '.ndjson';
/**
 * Marks an entry whose encoded name was too long for the filesystem: `%sha256-<hex of the name>`. A `%` not
 * followed by two upper-case hex digits is never produced by `encodeURIComponent`, so a hashed entry cannot
 * collide with a plainly encoded one, and distinct names have distinct hashes.
 */
const HASHED_PREFIX = '%sha256-';
/** Inside a hashed group folder, the file holding the group's real name (never a stream: no `.ndjson`). */
const GROUP_NAME_FILE = '.log-group-name';
/** Next to a hashed stream file `X.ndjson`, the file `X.name` holds the stream's real name. */
const STREAM_NAME_SUFFIX = '.name';

/**
 * The file-system name of a log group or stream: `encodeURIComponent` (unchanged from earlier stores, so
 * they stay readable), except that a name made only of dots is written with every dot as `%2E` (`..` ->
 * `%2E%2E`), since `.` and `..` would name the folder itself or its parent. `decodeURIComponent` reverses
 * both. An encoded name too long for the filesystem (255 bytes with the `.ndjson` suffix of a stream) is
 * replaced by {@link HASHED_PREFIX} + the name's SHA-256, collision-free; its real name is kept in a side
 * file ({@link GROUP_NAME_FILE}, or `X.name` beside stream `X.ndjson`) so listing can still report it.
 * Names CloudWatch itself would refuse (empty, over 512 characters) throw a {@link UsageError}.
 */
function encodeName(name: string, kind: 'group' | 'stream'): { entry: string; hashed: boolean } {
  const what = kind === 'group' ? 'log group' : 'log stream';
  // An empty group would be the store folder itself; an empty stream is `.ndjson`, harmless (and readable).
  if (name.length === 0 && kind === 'group') {
    throw new UsageError('InvalidLogGroupName', 'the log group name is empty: name it with 1 to 512 characters');
  }
  if (name.length > MAX_LOG_NAME_LENGTH) {
    const shown = `${name.slice(0, 60)}... (${name.length} characters)`;
    throw new UsageError(
      'LogNameTooLong',
      `the ${what} name '${shown}' is longer than CloudWatch's limit of ${MAX_LOG_NAME_LENGTH} characters: use a shorter name`,
    );
  }
  let encoded = encodeURIComponent(name);
  if (/^\.+$/.test(encoded)) encoded = encoded.replaceAll('.', '%2E');
  const suffixBytes = kind === 'stream' ? STREAM_SUFFIX.length : 0;
  if (encoded.length + suffixBytes <= MAX_FILE_NAME_BYTES) return { entry: encoded, hashed: false };
  return { entry: `${HASHED_PREFIX}${createHash('sha256').update(name, 'utf8').digest('hex')}`, hashed: true };
}

/** `child` is `root` + one path segment, strictly inside `root`; throws otherwise (never expected). */
function assertOneLevelInside(root: string, child: string): string {
  const relative = path.relative(path.resolve(root), path.resolve(child));
  if (
    relative === '' ||
    relative === '.' ||
    relative === '..' ||
    path.isAbsolute(relative) ||
    relative.includes(path.sep)
  ) {
    throw new InfraError('LogPathOutsideStore', `refusing log store path '${child}': it is not inside '${root}'`);
  }
  return child;
}

/** Folder that holds one log group's streams; always a direct child of `dir`. */
export function groupDirPath(dir: string, logGroupName: string): string {
  return assertOneLevelInside(dir, path.join(dir, encodeName(logGroupName, 'group').entry));
}

/** File that holds one log stream's events; always a direct child of the group's folder. */
export function streamFilePath(dir: string, logGroupName: string, logStreamName: string): string {
  const groupDir = groupDirPath(dir, logGroupName);
  return assertOneLevelInside(
    groupDir,
    path.join(groupDir, `${encodeName(logStreamName, 'stream').entry}${STREAM_SUFFIX}`),
  );
}

/**
 * The side files a writer must create with a stream file so that hashed names can be listed again: each
 * `{ file, name }` holds one real name (empty when neither name was hashed).
 */
export function nameFilesFor(
  dir: string,
  logGroupName: string,
  logStreamName: string,
): { file: string; name: string }[] {
  const files: { file: string; name: string }[] = [];
  const groupDir = groupDirPath(dir, logGroupName);
  if (encodeName(logGroupName, 'group').hashed)
    files.push({ file: path.join(groupDir, GROUP_NAME_FILE), name: logGroupName });
  const stream = encodeName(logStreamName, 'stream');
  if (stream.hashed)
    files.push({ file: path.join(groupDir, `${stream.entry}${STREAM_NAME_SUFFIX}`), name: logStreamName });
  return files;
}

/**
 * Removes one log group's folder, and only that: the path is checked to be strictly inside `dir` first
 * (it always is, see {@link encodeName}), so a hostile group name can never remove the store or its parent.
 */
export function removeLogGroupDir(dir: string, logGroupName: string): string {
  const target = groupDirPath(dir, logGroupName);
  fsSync.rmSync(target, { recursive: true, force: true });
  return target;
}

/** Log group names in a store folder, sorted. */
export async function listLogGroups(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map((e) =>
        e.name.startsWith(HASHED_PREFIX) ? readNameFile(path.join(dir, e.name, GROUP_NAME_FILE)) : decodeName(e.name),
      ),
  );
  return names.filter((name): name is string => name !== null).sort();
}

/** Stream names of one group with their files, in file-name order (the scan order of the engine). */
export async function listLogStreams(dir: string, logGroupName: string): Promise<{ name: string; file: string }[]> {
  const groupDir = groupDirPath(dir, logGroupName);
  const entries = await fs.readdir(groupDir, { withFileTypes: true });
  const streams = await Promise.all(
    entries
      .filter((e) => e.isFile() && e.name.endsWith(STREAM_SUFFIX))
      .map((e) => e.name)
      .sort()
      .map(async (fileName) => {
        const entry = fileName.slice(0, -STREAM_SUFFIX.length);
        const name = entry.startsWith(HASHED_PREFIX)
          ? await readNameFile(path.join(groupDir, `${entry}${STREAM_NAME_SUFFIX}`))
          : decodeName(entry);
        return name === null ? [] : [{ name, file: path.join(groupDir, fileName) }];
      }),
  );
  return streams.flat();
}

/** True when the store has a folder for the group. */
export async function logGroupExists(dir: string, logGroupName: string): Promise<boolean> {
  try {
    return (await fs.stat(groupDirPath(dir, logGroupName))).isDirectory();
  } catch (error) {
    if (error instanceof HarnessError) throw error;
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

async function readNameFile(file: string): Promise<string | null> {
  try {
    const name = await fs.readFile(file, 'utf8');
    return name.length > 0 ? name : null;
  } catch {
    return null;
  }
}

/** Called once per line of a stream file; `byteLength` is the line's size in UTF-8 without its newline. */
export type LineHandler = (line: string, lineNo: number, byteLength: number) => void;

// 1 MiB reads: large enough that per-chunk overhead vanishes, small enough to keep memory flat.
const READ_CHUNK_BYTES = 1 << 20;

/**
 * The longest line a reader keeps: the largest event CloudWatch accepts, JSON-escaped at worst (a control
 * character becomes six bytes), plus the timestamps around it, fits well inside. A longer line cannot be an
 * event the store wrote (a foreign or corrupt file, say 3 GB without a newline): it is skipped without ever
 * being held in memory, and still counts as one line so later line numbers do not move.
 */
export const MAX_STORED_LINE_BYTES = 8 << 20;

/**
 * Called with text holding whole lines, each ending in `\n` (except a last line without one at the end of the
 * file). `ascii` says the text is pure ASCII, so a line's length is its byte length. `startByte` is where the
 * block begins in the file and `byteLength` its size, so a caller can index the file by position. Returns how
 * many lines the block held, which numbers the lines of the next block.
 */
export type BlockHandler = (
  text: string,
  ascii: boolean,
  firstLineNo: number,
  startByte: number,
  byteLength: number,
) => number;

/** A part of a stream file to read: it starts at a line's first byte and ends after a newline (or at the end). */
export interface ByteRange {
  readonly startByte: number;
  /** Exclusive. @default the end of the file */
  readonly endByte?: number;
  /** The number of the range's first line in the file. @default 0 */
  readonly firstLineNo?: number;
}

/** What one read of a stream file saw. */
export interface ReadSummary {
  /** Lines read, including skipped ones; the next line's number is `firstLineNo + lines`. */
  readonly lines: number;
  /** Lines longer than {@link MAX_STORED_LINE_BYTES}, skipped. */
  readonly oversizedLines: number;
  /** Just after the last newline read: where the file's complete lines end (within the range). */
  readonly completeEndByte: number;
}

/**
 * Streams a stream file (or a range of it) in blocks of whole lines without loading it whole: chunks are cut
 * after their last `\n` at the byte level (a newline never falls inside a UTF-8 character) and each block is
 * decoded once, as Latin-1 when it is pure ASCII (the cheap case). A line split across chunks is gathered as a
 * list of pieces and joined once, so a long line costs linear time; one longer than
 * {@link MAX_STORED_LINE_BYTES} is dropped as it streams. Aborting the signal stops the read and rejects with
 * the signal's reason.
 */
export async function forEachStoredBlock(
  file: string,
  onBlock: BlockHandler,
  signal?: AbortSignal,
  range: ByteRange = { startByte: 0 },
): Promise<ReadSummary> {
  const stream = createReadStream(file, {
    highWaterMark: READ_CHUNK_BYTES,
    start: range.startByte,
    end: range.endByte === undefined ? undefined : range.endByte - 1,
  });
  const firstLineNo = range.firstLineNo ?? 0;
  let lineNo = firstLineNo;
  let oversizedLines = 0;
  // The line begun in an earlier chunk: its pieces, their total size, and where it starts in the file.
  let pieces: Buffer[] = [];
  let pendingBytes = 0;
  let pendingStart = range.startByte;
  // True while the rest of an oversized line streams past.
  let skipping = false;
  let position = range.startByte;
  let completeEndByte = range.startByte;
  const emit = (bytes: Buffer, startByte: number) => {
    if (bytes.length === 0) return;
    const ascii = isAscii(bytes);
    lineNo += onBlock(bytes.toString(ascii ? 'latin1' : 'utf8'), ascii, lineNo, startByte, bytes.length);
  };
  const hold = (bytes: Buffer, startByte: number) => {
    if (bytes.length === 0) return;
    if (pieces.length === 0) pendingStart = startByte;
    pendingBytes += bytes.length;
    if (pendingBytes > MAX_STORED_LINE_BYTES) {
      pieces = [];
      pendingBytes = 0;
      skipping = true;
    } else {
      pieces.push(bytes);
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      const chunkStart = position;
      position += chunk.length;
      const firstNewline = chunk.indexOf(10);
      if (firstNewline !== -1) completeEndByte = chunkStart + chunk.lastIndexOf(10) + 1;
      if (firstNewline === -1) {
        if (!skipping) hold(chunk, chunkStart);
        continue;
      }
      let from = 0;
      if (skipping) {
        // The oversized line ends here: count it and go on after it.
        skipping = false;
        lineNo++;
        oversizedLines++;
        from = firstNewline + 1;
      } else if (pieces.length > 0) {
        // The line begun earlier ends at this chunk's first newline: join its pieces once.
        pieces.push(chunk.subarray(0, firstNewline + 1));
        const line = Buffer.concat(pieces);
        pieces = [];
        pendingBytes = 0;
        if (line.length - 1 > MAX_STORED_LINE_BYTES) {
          lineNo++;
          oversizedLines++;
        } else {
          emit(line, pendingStart);
        }
        from = firstNewline + 1;
      }
      const lastNewline = chunk.lastIndexOf(10);
      if (lastNewline >= from) emit(chunk.subarray(from, lastNewline + 1), chunkStart + from);
      const rest = Math.max(from, lastNewline + 1);
      if (rest < chunk.length) hold(chunk.subarray(rest), chunkStart + rest);
    }
    if (skipping) {
      lineNo++;
      oversizedLines++;
    } else if (pieces.length > 0) {
      emit(Buffer.concat(pieces), pendingStart);
    }
  } finally {
    stream.destroy();
  }
  return { lines: lineNo - firstLineNo, oversizedLines, completeEndByte };
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
  const summary = await forEachStoredBlock(
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
  return summary.lines;
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
  for (const side of nameFilesFor(dir, logGroupName, logStreamName)) await fs.writeFile(side.file, side.name, 'utf8');
  await fs.appendFile(file, `${events.map(formatStoredEvent).join('\n')}\n`, 'utf8');
}
