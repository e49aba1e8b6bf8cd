import { describe, expect, it } from 'vitest';
import { parseStoredEvent } from '../../../harness/logstore/store.js';
import { type LogFileSystem, LogStoreMonitor, LogStreamWriter } from '../../../harness/logstore/writer.js';

// The log store on a failing disk (README, "When the log disk fails"): it never throws, it counts what it
// could not write, and what it did write stays readable. The disk is an in-memory fake with injected faults.

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure`), { code });
}

/** One file in memory; `fail` decides, per call, whether (and after how many bytes) a write fails. */
class FakeDisk {
  bytes = Buffer.alloc(0);
  openFailure: NodeJS.ErrnoException | undefined;
  closeFailure: NodeJS.ErrnoException | undefined;
  /** Bytes the next write call may still store before it throws `writeFailure` (undefined: no limit). */
  budget: number | undefined;
  writeFailure: NodeJS.ErrnoException = errno('ENOSPC');

  readonly fs = {
    mkdirSync: () => undefined,
    openSync: () => {
      if (this.openFailure) throw this.openFailure;
      return 7;
    },
    writeSync: (_fd: number, data: string | Buffer, offset?: number) => {
      const all = typeof data === 'string' ? Buffer.from(data) : data.subarray(offset ?? 0);
      if (this.budget === undefined) {
        this.bytes = Buffer.concat([this.bytes, all]);
        return all.length;
      }
      if (this.budget === 0) throw this.writeFailure;
      // A short write, as on a disk that fills up: the caller has to come back for the rest.
      const part = all.subarray(0, Math.min(this.budget, all.length));
      this.budget -= part.length;
      this.bytes = Buffer.concat([this.bytes, part]);
      return part.length;
    },
    closeSync: () => {
      if (this.closeFailure) throw this.closeFailure;
    },
  } as unknown as LogFileSystem;

  /** Messages of the lines a reader of the store would accept. */
  messages(): string[] {
    return this.bytes
      .toString('utf8')
      .split('\n')
      .flatMap((line) => {
        const event = parseStoredEvent(line);
        return event ? [event.message] : [];
      });
  }
}

function writer(disk: FakeDisk, monitor = new LogStoreMonitor()): LogStreamWriter {
  return new LogStreamWriter('/logs', '/aws/lambda/fn', '2024/01/01/[$LATEST]abc', { fileSystem: disk.fs, monitor });
}

describe('LogStreamWriter on a failing disk', () => {
  it('counts every event of a flush that fails outright, and writes again once the disk recovers', () => {
    // Prepare
    const disk = new FakeDisk();
    const monitor = new LogStoreMonitor();
    const stream = writer(disk, monitor);
    disk.budget = 0;
    // Act
    stream.add(1, 'a');
    stream.add(2, 'b');
    expect(() => stream.flush()).not.toThrow();
    disk.budget = undefined;
    stream.add(3, 'c');
    stream.flush();
    // Assess
    expect(monitor.health()).toEqual({ lostEvents: 2, firstError: 'ENOSPC: simulated failure' });
    expect(disk.messages()).toEqual(['c']);
  });

  it('counts only the events whose line did not fully reach the file, and keeps the torn line apart', () => {
    // Prepare: room for the first line and a few bytes of the second.
    const disk = new FakeDisk();
    const monitor = new LogStoreMonitor();
    const stream = writer(disk, monitor);
    const firstLine = `{"timestamp":1,"ingestionTime":${Date.now()},"message":"one"}\n`;
    disk.budget = firstLine.length + 5;
    // Act
    stream.add(1, 'one');
    stream.add(2, 'two');
    stream.add(3, 'three');
    stream.flush();
    disk.budget = undefined;
    stream.add(4, 'four');
    stream.flush();
    // Assess: two lost; the fragment of "two" does not swallow "four".
    expect(monitor.health().lostEvents).toBe(2);
    expect(disk.messages()).toEqual(['one', 'four']);
  });

  it('counts events while the stream file cannot be opened (read-only or missing directory), then opens it later', () => {
    // Prepare
    const disk = new FakeDisk();
    disk.openFailure = errno('EROFS');
    const monitor = new LogStoreMonitor();
    // Act
    const stream = writer(disk, monitor);
    stream.add(1, 'lost');
    stream.flush();
    disk.openFailure = undefined;
    stream.add(2, 'kept');
    stream.flush();
    // Assess
    expect(monitor.health()).toEqual({ lostEvents: 1, firstError: 'EROFS: simulated failure' });
    expect(disk.messages()).toEqual(['kept']);
  });

  it('reports a failed close without throwing, and keeps the first error of all streams', () => {
    // Prepare: two streams share one monitor.
    const disk = new FakeDisk();
    const monitor = new LogStoreMonitor();
    const first = writer(disk, monitor);
    const second = writer(disk, monitor);
    disk.budget = 0;
    disk.writeFailure = errno('EIO');
    second.add(1, 'x');
    second.flush();
    disk.closeFailure = errno('ENOSPC');
    // Act / Assess
    expect(() => first.close()).not.toThrow();
    expect(monitor.health()).toEqual({ lostEvents: 1, firstError: 'EIO: simulated failure' });
  });
});
