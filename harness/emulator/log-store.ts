import fs from 'node:fs';
import path from 'node:path';
import { streamFilePath } from '../insights/store.js';

/**
 * Writes CloudWatch-like log events to the on-disk store (`harness/insights/store.ts` layout): one NDJSON
 * file per stream, `{"timestamp","ingestionTime","message"}` per line. Writes are synchronous appends,
 * so an event is on disk (in the page cache) before the response it belongs to is sent.
 */
export class LogStreamWriter {
  private readonly fd: number;
  private readonly pending: (number | string)[] = [];
  private closed = false;

  constructor(
    readonly dir: string,
    readonly logGroupName: string,
    readonly logStreamName: string,
  ) {
    const file = streamFilePath(dir, logGroupName, logStreamName);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a');
  }

  /** Queues one event; `message` is stored without a trailing newline. Call `flush()` to write. */
  add(timestampMs: number, message: string): void {
    this.pending.push(timestampMs, message);
  }

  /** True when events are queued and not yet written. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Writes every queued event in one synchronous append, stamped with the same ingestion time. */
  flush(): void {
    if (this.pending.length === 0 || this.closed) return;
    const ingestionTime = Date.now();
    let text = '';
    for (let i = 0; i < this.pending.length; i += 2) {
      text += `{"timestamp":${this.pending[i]},"ingestionTime":${ingestionTime},"message":${JSON.stringify(this.pending[i + 1])}}\n`;
    }
    this.pending.length = 0;
    // Writing the string saves a Buffer copy; a short write (a full disk) falls back to bytes.
    const written = fs.writeSync(this.fd, text);
    const length = Buffer.byteLength(text);
    if (written === length) return;
    const buffer = Buffer.from(text, 'utf8');
    let offset = written;
    while (offset < length) offset += fs.writeSync(this.fd, buffer, offset);
  }

  /** Flushes what is queued and closes the file; later calls do nothing. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
