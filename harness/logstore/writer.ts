import fs from 'node:fs';
import path from 'node:path';
import { truncateMessage } from './event-size.js';
import { nameFilesFor, streamFilePath } from './store.js';

/**
 * Writes CloudWatch-like log events to the on-disk store (`harness/logstore/store.ts` layout): one NDJSON
 * file per stream, `{"timestamp","ingestionTime","message"}` per line. Writes are synchronous appends,
 * so an event is on disk (in the page cache) before the response it belongs to is sent. A message longer
 * than one CloudWatch event can hold is cut to fit (docs/aws-behaviour.md#log-event-size).
 *
 * A failing disk (ENOSPC, EROFS, EACCES, EIO) never throws out of here: the events that could not be
 * written are counted in a {@link LogStoreMonitor}, so the emulator keeps serving and a run can report
 * that its logs are incomplete (README, "When the log disk fails").
 */

/** The file operations the store uses; tests inject failing ones. */
export type LogFileSystem = Pick<typeof fs, 'mkdirSync' | 'openSync' | 'writeSync' | 'closeSync'>;

/** What the store could not persist: events lost and the first error, as `CODE: message`. */
export interface LogStoreHealth {
  readonly lostEvents: number;
  readonly firstError?: string;
}

/** Counts log events that could not be written; one per emulator, shared by all of its streams. */
export class LogStoreMonitor {
  private lostEvents = 0;
  private firstError: string | undefined;

  /** Records `events` lost to `error` (0 events when only a close failed). */
  recordLoss(events: number, error: unknown): void {
    this.lostEvents += events;
    this.firstError ??= describeError(error);
  }

  /** A snapshot of what was lost so far. */
  health(): LogStoreHealth {
    return this.firstError === undefined
      ? { lostEvents: this.lostEvents }
      : { lostEvents: this.lostEvents, firstError: this.firstError };
  }
}

/** Optional seams of a {@link LogStreamWriter}. */
export interface LogStreamWriterOptions {
  /** @default node:fs */
  readonly fileSystem?: LogFileSystem;
  /** @default a monitor of its own */
  readonly monitor?: LogStoreMonitor;
}

const NEWLINE_BYTE = 0x0a;

export class LogStreamWriter {
  private readonly file: string;
  /** Side files naming a hashed (too long for the filesystem) group or stream, written before the first open. */
  private readonly nameFiles: readonly { file: string; name: string }[];
  private readonly fs: LogFileSystem;
  private readonly monitor: LogStoreMonitor;
  private fd: number | undefined;
  private openError: unknown;
  private readonly pending: (number | string)[] = [];
  /** The last append stopped inside a line: the next one starts with a newline so that line stays alone. */
  private torn = false;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly logGroupName: string,
    readonly logStreamName: string,
    options: LogStreamWriterOptions = {},
  ) {
    // Throws a UsageError for a name CloudWatch would refuse (empty group, over 512 characters).
    this.file = streamFilePath(dir, logGroupName, logStreamName);
    this.nameFiles = nameFilesFor(dir, logGroupName, logStreamName);
    this.fs = options.fileSystem ?? fs;
    this.monitor = options.monitor ?? new LogStoreMonitor();
    this.open();
  }

  /**
   * Queues one event; `message` is stored without a trailing newline, cut to the size limit of one
   * CloudWatch event (`truncateMessage`). Call `flush()` to write.
   */
  add(timestampMs: number, message: string): void {
    this.pending.push(timestampMs, truncateMessage(message).message);
  }

  /** True when events are queued and not yet written. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /**
   * Writes every queued event in one synchronous append, stamped with the same ingestion time. Never
   * throws: events that do not reach the file are counted as lost.
   */
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const events = this.pending.length / 2;
    const ingestionTime = Date.now();
    let text = this.torn ? '\n' : '';
    for (let i = 0; i < this.pending.length; i += 2) {
      text += `{"timestamp":${this.pending[i]},"ingestionTime":${ingestionTime},"message":${JSON.stringify(this.pending[i + 1])}}\n`;
    }
    this.pending.length = 0;
    // A directory that could not be created or opened may have come back (space freed): try again.
    if (!this.open()) {
      this.monitor.recordLoss(events, this.openError);
      return;
    }
    const fd = this.fd as number;
    let written = 0;
    try {
      // Writing the string saves a Buffer copy; a short write (a full disk) falls back to bytes.
      written = this.fs.writeSync(fd, text);
      const length = Buffer.byteLength(text);
      if (written === length) {
        this.torn = false;
        return;
      }
      const buffer = Buffer.from(text, 'utf8');
      while (written < length) written += this.fs.writeSync(fd, buffer, written);
      this.torn = false;
    } catch (error) {
      this.recordPartialWrite(text, written, events, error);
    }
  }

  /** Flushes what is queued and closes the file; later calls do nothing. Never throws. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.fd === undefined) return;
    try {
      this.fs.closeSync(this.fd);
    } catch (error) {
      // EIO on close can mean written data never reached the disk: say so, without a count.
      this.monitor.recordLoss(0, error);
    }
    this.fd = undefined;
  }

  /** Opens the stream file once; false (and the reason kept) while that fails. */
  private open(): boolean {
    if (this.fd !== undefined) return true;
    try {
      this.fs.mkdirSync(path.dirname(this.file), { recursive: true });
      for (const side of this.nameFiles) {
        const fd = this.fs.openSync(side.file, 'w');
        try {
          this.fs.writeSync(fd, side.name);
        } finally {
          this.fs.closeSync(fd);
        }
      }
      this.fd = this.fs.openSync(this.file, 'a');
      return true;
    } catch (error) {
      this.openError = error;
      return false;
    }
  }

  /** Counts the events of `text` whose line did not fully reach the file before `error`. */
  private recordPartialWrite(text: string, writtenBytes: number, events: number, error: unknown): void {
    const bytes = Buffer.from(text, 'utf8');
    let complete = 0;
    for (let i = 0; i < writtenBytes; i++) if (bytes[i] === NEWLINE_BYTE) complete++;
    // The leading newline that closed a torn line is not an event.
    if (this.torn && writtenBytes > 0) complete--;
    if (writtenBytes > 0) this.torn = bytes[writtenBytes - 1] !== NEWLINE_BYTE;
    this.monitor.recordLoss(events - complete, error);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
