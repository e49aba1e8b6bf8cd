import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { UsageError } from '../errors.js';
import { truncateMessage } from '../logstore/event-size.js';
import { writeLogGroupType } from '../logstore/log-type-file.js';
import { appendStoredEvents, groupDirPath, type StoredEvent } from '../logstore/store.js';
import { type LogType, parseLogType } from './log-types.js';

/** What `logs import` does: one export file into one log group of the local store. */
export interface ImportOptions {
  /** Output of `aws logs filter-log-events --output json`; several pages may follow each other. */
  readonly file: string;
  readonly logDir: string;
  /** The group to store the events under. @default the file name without `.json` */
  readonly logGroupName?: string;
  /**
   * The kind of log (`LOG_TYPES`, e.g. `vpc-flow`), stored with the group so queries discover its fields
   * (docs/aws-behaviour.md#log-type-discovery); `auto` clears a stored type. @default keep what the group has
   */
  readonly logType?: string;
  readonly signal?: AbortSignal;
}

/** What an import stored. */
export interface ImportReport {
  readonly logGroupName: string;
  /** JSON documents (pages) read. */
  readonly pages: number;
  readonly events: number;
  /** Events whose eventId had already been seen in this file (overlapping pages). */
  readonly duplicates: number;
  /** Events skipped because an earlier import had stored them in this log group (the same file imported again). */
  readonly alreadyStored: number;
  /** Stream names, sorted. */
  readonly streams: readonly string[];
  /** The log type stored with the group, when `logType` was given and is not `auto`. */
  readonly logType?: LogType;
  /**
   * Events stored with their message cut to the size limit of one CloudWatch event
   * (docs/aws-behaviour.md#log-event-size); present only when at least one was.
   */
  readonly truncated?: number;
}

/**
 * Name of the file, in a log group's folder, that lists the event ids imported into the group, one a line.
 * The store keeps no ids with its events (emulator and importer share its format), so imports keep their own
 * record; it does not end in `.ndjson`, so readers never take it for a stream.
 */
export const IMPORTED_IDS_FILE = '.imported-event-ids';

/**
 * Loads events saved with `aws logs filter-log-events --output json` (`{"events": [{logStreamName, timestamp,
 * message, ingestionTime, eventId}], ...}`, pages possibly concatenated) into the local store, so exported
 * production logs can be queried offline. A message's trailing newline is dropped, as the store keeps them,
 * and a message longer than one CloudWatch event can hold is cut to fit and counted in `truncated`.
 * Idempotent by event id: an event an earlier import stored in the same log group is skipped, so importing
 * a file twice (or two overlapping exports) stores each event once. An event without `eventId` is keyed by
 * its stream, timestamp, message and how many identical events came before it in the file.
 *
 * @example
 * await importFilterLogEvents({ file: 'prod.json', logDir: '.rda/logs', logGroupName: '/aws/lambda/fn' });
 */
export async function importFilterLogEvents(options: ImportOptions): Promise<ImportReport> {
  // Checked first: a bad --log-type must not leave half an import behind.
  const logType = options.logType === undefined ? undefined : parseLogType(options.logType);
  const logGroupName = options.logGroupName ?? path.basename(options.file).replace(/\.json$/i, '');
  if (logGroupName.length === 0) {
    throw new UsageError('InvalidLogGroupName', 'the log group name is empty: pass --log-group NAME');
  }
  try {
    const stat = await fs.stat(options.file);
    if (!stat.isFile())
      throw new UsageError(
        'ImportFileNotFound',
        `'${options.file}' is not a file: give the JSON saved from aws logs filter-log-events`,
      );
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError('ImportFileNotFound', `cannot read '${options.file}': ${(error as Error).message}`, {
      cause: error,
    });
  }

  const idsFile = path.join(groupDirPath(options.logDir, logGroupName), IMPORTED_IDS_FILE);
  const storedIds = await readImportedIds(idsFile);
  const seenIds = new Set<string>();
  const contentSeen = new Map<string, number>();
  const streams = new Set<string>();
  let pages = 0;
  let events = 0;
  let duplicates = 0;
  let alreadyStored = 0;
  let truncated = 0;

  const storePage = async (text: string, startLine: number) => {
    pages++;
    const page = parsePage(text, options.file, pages, startLine);
    const byStream = new Map<string, StoredEvent[]>();
    const newIds: string[] = [];
    page.forEach((raw, index) => {
      const event = checkEvent(raw, options.file, pages, index);
      const id = event.eventId ?? contentKey(event, contentSeen);
      if (seenIds.has(id)) {
        duplicates++;
        return;
      }
      seenIds.add(id);
      if (storedIds.has(id)) {
        alreadyStored++;
        return;
      }
      newIds.push(id);
      let list = byStream.get(event.logStreamName);
      if (!list) byStream.set(event.logStreamName, (list = []));
      const cut = truncateMessage(event.message);
      if (cut.truncated) truncated++;
      list.push({ timestamp: event.timestamp, ingestionTime: event.ingestionTime, message: cut.message });
      events++;
    });
    for (const [stream, list] of byStream) {
      streams.add(stream);
      await appendStoredEvents(options.logDir, logGroupName, stream, list);
    }
    // Ids after their events: a crash in between makes a re-import store a page twice rather than lose it.
    if (newIds.length > 0) await fs.appendFile(idsFile, `${newIds.join('\n')}\n`, 'utf8');
  };

  const splitter = new JsonDocumentSplitter();
  const decoder = new StringDecoder('utf8');
  const input = createReadStream(options.file);
  const split = (text: string) => {
    try {
      return splitter.push(text);
    } catch (error) {
      throw new UsageError(
        'InvalidImportFile',
        `'${options.file}' is not a sequence of JSON documents: ${(error as Error).message}`,
      );
    }
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      options.signal?.throwIfAborted();
      for (const document of split(decoder.write(chunk))) await storePage(document.text, document.line);
    }
    for (const document of split(decoder.end())) await storePage(document.text, document.line);
  } finally {
    input.destroy();
  }
  const leftover = splitter.rest();
  if (leftover !== null) {
    throw new UsageError(
      'InvalidImportFile',
      `'${options.file}' ends inside a JSON document that starts on line ${leftover.line}: the file is cut short or is not JSON`,
    );
  }
  if (pages === 0) {
    throw new UsageError(
      'InvalidImportFile',
      `'${options.file}' holds no JSON: save it with aws logs filter-log-events --output json`,
    );
  }
  if (events === 0 && duplicates === 0 && alreadyStored === 0) {
    await fs.mkdir(groupDirPath(options.logDir, logGroupName), { recursive: true });
  }
  if (logType !== undefined) await writeLogGroupType(options.logDir, logGroupName, logType === 'auto' ? null : logType);
  const report: ImportReport = {
    logGroupName,
    pages,
    events,
    duplicates,
    alreadyStored,
    streams: [...streams].sort(),
    ...(logType !== undefined && logType !== 'auto' ? { logType } : {}),
  };
  return truncated > 0 ? { ...report, truncated } : report;
}

/** The ids earlier imports stored in a group; none when nothing was imported there yet. */
async function readImportedIds(file: string): Promise<Set<string>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
    throw error;
  }
  return new Set(text.split('\n').filter((line) => line.length > 0));
}

/**
 * A stable id for an event that has no `eventId`: its content, and its rank among identical events of the
 * file, so genuinely repeated lines are all kept once and a re-import of the file matches each of them.
 */
function contentKey(event: RawEvent, seen: Map<string, number>): string {
  const digest = createHash('sha256')
    .update(`${event.logStreamName}\0${event.timestamp}\0${event.message}`)
    .digest('hex')
    .slice(0, 32);
  const rank = seen.get(digest) ?? 0;
  seen.set(digest, rank + 1);
  return `content:${digest}:${rank}`;
}

interface RawEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  readonly eventId?: string;
}

function parsePage(text: string, file: string, page: number, line: number): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      'InvalidImportFile',
      `'${file}' page ${page} (line ${line}) is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (value === null || typeof value !== 'object' || !Array.isArray((value as { events?: unknown }).events)) {
    throw new UsageError(
      'InvalidImportFile',
      `'${file}' page ${page} (line ${line}) has no "events" array: expected the output of aws logs filter-log-events --output json`,
    );
  }
  return (value as { events: unknown[] }).events;
}

function checkEvent(raw: unknown, file: string, page: number, index: number): RawEvent {
  const event = (raw ?? {}) as Record<string, unknown>;
  const where = `'${file}' page ${page}, event ${index}`;
  if (typeof event.logStreamName !== 'string' || event.logStreamName === '') {
    throw new UsageError('InvalidImportFile', `${where} has no logStreamName`);
  }
  if (typeof event.timestamp !== 'number' || !Number.isFinite(event.timestamp)) {
    throw new UsageError('InvalidImportFile', `${where} has no numeric timestamp (epoch ms)`);
  }
  if (typeof event.message !== 'string') throw new UsageError('InvalidImportFile', `${where} has no message string`);
  const ingestionTime =
    typeof event.ingestionTime === 'number' && Number.isFinite(event.ingestionTime)
      ? event.ingestionTime
      : event.timestamp;
  return {
    logStreamName: event.logStreamName,
    timestamp: event.timestamp,
    ingestionTime,
    message: event.message.endsWith('\n') ? event.message.slice(0, -1) : event.message,
    eventId: typeof event.eventId === 'string' ? event.eventId : undefined,
  };
}

/**
 * Splits text into top-level JSON documents (`{...}{...}` or one per line, any whitespace between), fed in
 * chunks. It tracks strings and escapes, so braces inside messages do not confuse it.
 */
export class JsonDocumentSplitter {
  private buffer = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private line = 1;
  private docLine = 1;

  /** Adds text; returns the documents it completed, each with the line it started on. */
  push(text: string): { text: string; line: number }[] {
    const done: { text: string; line: number }[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.line++;
      if (this.depth === 0 && this.buffer === '' && start === i) {
        if (c === 32 || c === 9 || c === 10 || c === 13) {
          start = i + 1;
          continue;
        }
        this.docLine = this.line;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 92) this.escaped = true;
        else if (c === 34) this.inString = false;
        continue;
      }
      if (c === 34) this.inString = true;
      else if (c === 123 || c === 91) this.depth++;
      else if (c === 125 || c === 93) {
        this.depth--;
        if (this.depth === 0) {
          done.push({ text: this.buffer + text.slice(start, i + 1), line: this.docLine });
          this.buffer = '';
          start = i + 1;
        }
      } else if (this.depth === 0) {
        throw new SyntaxError(`line ${this.line}: expected '{' to start a JSON document, found '${text[i]}'`);
      }
    }
    this.buffer += text.slice(start);
    return done;
  }

  /** What is left after the last complete document (null when only whitespace). */
  rest(): { text: string; line: number } | null {
    return this.buffer.trim() === '' ? null : { text: this.buffer, line: this.docLine };
  }
}
