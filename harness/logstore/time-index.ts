/**
 * A time index over the stream files of a log store, kept between queries so that a query over a narrow time
 * range reads only the parts of each file that can hold events in it, and each byte of a growing file is
 * indexed once (the first query that reads it). This is what keeps log correlation linear in the run's length:
 * it asks many narrow queries over one store (harness/correlate/correlate.ts).
 *
 * A file is cut into spans of whole lines; a span records where it is, its first line number, its line count
 * and the smallest and largest timestamp among its lines. Files need not be in time order: a span is skipped
 * only when its whole [min, max] lies outside the range. Only lines that end in a newline are indexed (a line
 * still being written is read again next time). A file that shrank or was replaced is indexed afresh.
 */
import fs from 'node:fs/promises';

/** Spans close at the first line end after this many bytes: small enough to skip precisely, few enough to keep. */
export const SPAN_TARGET_BYTES = 64 * 1024;

/** A run of whole lines of one file. */
export interface TimeSpan {
  readonly startByte: number;
  /** Exclusive; just after the span's last newline. */
  readonly endByte: number;
  readonly firstLineNo: number;
  readonly lines: number;
  /** Over the lines with a timestamp; +Infinity/-Infinity when none has one (such a span holds no event). */
  readonly minTimestampMs: number;
  readonly maxTimestampMs: number;
}

/** What is known of one file. */
export interface FileIndex {
  readonly spans: readonly TimeSpan[];
  /** Bytes covered by the spans, from the start of the file: reading resumes here. */
  readonly indexedBytes: number;
  /** Lines covered by the spans. */
  readonly indexedLines: number;
}

interface Entry {
  dev: number;
  ino: number;
  spans: TimeSpan[];
  indexedBytes: number;
  indexedLines: number;
}

/** The index of every file a store's queries have read. One per store; not shared between processes. */
export class StoreTimeIndex {
  private readonly files = new Map<string, Entry>();
  private readonly holds = new Map<string, Promise<void>>();
  /** @param spanTargetBytes span size (small in tests, to get many spans from small files) */
  constructor(private readonly spanTargetBytes = SPAN_TARGET_BYTES) {}

  /** Bytes read from files through this index, indexed parts and new parts alike (for tests and perf). */
  bytesRead = 0;

  /**
   * Holds `file` for one query's scan and says what is indexed of it (nothing when the file is new, shrank or
   * was replaced), with a builder that indexes the rest as it is read. Queries that start together wait for each
   * other here, or each would read the file's unindexed part in full. Call `release` when the scan ends.
   */
  async hold(file: string): Promise<HeldFile> {
    const previous = this.holds.get(file) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const chained = previous.then(() => mine);
    this.holds.set(file, chained);
    await previous;
    try {
      const stat = await fs.stat(file);
      let entry = this.files.get(file);
      if (entry === undefined || stat.dev !== entry.dev || stat.ino !== entry.ino || stat.size < entry.indexedBytes) {
        entry = { dev: stat.dev, ino: stat.ino, spans: [], indexedBytes: 0, indexedLines: 0 };
        this.files.set(file, entry);
      }
      return {
        index: entry,
        spans: new SpanBuilder(entry, this.spanTargetBytes),
        release: () => {
          release();
          if (this.holds.get(file) === chained) this.holds.delete(file);
        },
      };
    } catch (error) {
      release();
      throw error;
    }
  }
}

/** One query's hold on a file: its index so far, the builder for the rest, and the release. */
export interface HeldFile {
  readonly index: FileIndex;
  readonly spans: SpanBuilder;
  release(): void;
}

/**
 * Records spans while new lines of one file are read in order: call {@link line} for each line (with its
 * timestamp, or null), {@link blockEnd} after each block of whole lines, and nothing for a last line without a
 * newline (it is not indexed). Lines must follow each other without gaps, except where the reader skipped a
 * line it could not hold (pass it to {@link skipped}).
 */
export class SpanBuilder {
  private startByte: number;
  private firstLineNo: number;
  private lines = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  /** Where reading resumes: the first byte and line number not yet indexed. */
  readonly resumeAt: { readonly startByte: number; readonly firstLineNo: number };

  constructor(
    private readonly entry: Entry,
    readonly targetBytes: number,
  ) {
    this.startByte = entry.indexedBytes;
    this.firstLineNo = entry.indexedLines;
    this.resumeAt = { startByte: entry.indexedBytes, firstLineNo: entry.indexedLines };
  }

  /** One more complete line, with its timestamp when it has one. */
  line(timestampMs: number | null): void {
    this.lines++;
    if (timestampMs !== null) {
      if (timestampMs < this.min) this.min = timestampMs;
      if (timestampMs > this.max) this.max = timestampMs;
    }
  }

  /**
   * A block of whole lines ended at `endByte` (exclusive), its lines all passed to {@link line}; closes the
   * span when it is large enough (or when the next block does not follow on, `force`).
   */
  blockEnd(endByte: number, force = false): void {
    if (this.lines === 0) {
      this.startByte = endByte;
      this.commit(endByte);
      return;
    }
    if (!force && endByte - this.startByte < this.targetBytes) return;
    this.entry.spans.push({
      startByte: this.startByte,
      endByte,
      firstLineNo: this.firstLineNo,
      lines: this.lines,
      minTimestampMs: this.min,
      maxTimestampMs: this.max,
    });
    this.firstLineNo += this.lines;
    this.startByte = endByte;
    this.lines = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.commit(endByte);
  }

  /** `lines` lines from `startByte` to `endByte` were too long to read: a span of their own with no timestamp. */
  skipped(startByte: number, endByte: number, lines: number): void {
    this.blockEnd(startByte, true);
    for (let i = 0; i < lines; i++) this.line(null);
    this.blockEnd(endByte, true);
  }

  /** Closes the open span (the end of the file's complete lines). */
  finish(endByte: number): void {
    this.blockEnd(endByte, true);
  }

  private commit(endByte: number): void {
    this.entry.indexedBytes = endByte;
    this.entry.indexedLines = this.firstLineNo + this.lines;
  }
}

/**
 * The byte ranges of `index` that may hold events in [startMs, endMs], adjacent spans merged, each with the
 * line number it starts at.
 */
export function rangesToRead(
  index: FileIndex,
  startMs: number,
  endMs: number,
): { startByte: number; endByte: number; firstLineNo: number }[] {
  const ranges: { startByte: number; endByte: number; firstLineNo: number }[] = [];
  for (const span of index.spans) {
    if (span.maxTimestampMs < startMs || span.minTimestampMs > endMs) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.endByte === span.startByte) last.endByte = span.endByte;
    else ranges.push({ startByte: span.startByte, endByte: span.endByte, firstLineNo: span.firstLineNo });
  }
  return ranges;
}
