import { describe, expect, test } from 'vitest';
import { type Clock, correlate } from '../../../harness/correlate/correlate.js';
import type { LoadResult } from '../../../harness/load/load.js';
import { ErrorKind, Phase, RequestLog } from '../../../harness/load/records.js';
import type { InsightsQuery, InsightsResult } from '../../../harness/target/target.js';
import { handlerLinesInRangeQuery, reportLinesInRangeQuery } from '../../../stack/log-queries.js';

/** A clock that moves only when the test says: sleepers wake in order of their wake-up time. */
class ManualClock implements Clock {
  private nowMs = 1_000_000;
  private sleepers: { wakeMs: number; resolve: () => void }[] = [];

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { wakeMs: this.nowMs + ms, resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal.reason);
      });
    });
  }

  advance(ms: number): void {
    this.nowMs += ms;
    const due = this.sleepers.filter((s) => s.wakeMs <= this.nowMs);
    this.sleepers = this.sleepers.filter((s) => s.wakeMs > this.nowMs);
    for (const sleeper of due) sleeper.resolve();
  }
}

function threeRequests(): LoadResult {
  const log = new RequestLog(3);
  for (let i = 0; i < 3; i++) {
    const at = log.add(Phase.Measured, `id-${i}`, i * 10_000, 0);
    log.complete(at, { latencyUs: 2_000, status: 200, errorKind: ErrorKind.None, echoed: true });
  }
  return { log, t0EpochMs: 1_000_000, endEpochMs: 1_000_100, mix: [] } as unknown as LoadResult;
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('correlation over time slices', () => {
  test('bounds the whole phase: a query still running at the deadline is aborted and the run says it timed out', async () => {
    const clock = new ManualClock();
    const seen: AbortSignal[] = [];
    // A query that never answers (a 125 s scan, a stuck StartQuery) until it is aborted.
    const deployment = {
      logClockSkewMs: 1_000,
      query: (query: InsightsQuery) =>
        new Promise<InsightsResult>((_resolve, reject) => {
          seen.push(query.signal!);
          query.signal!.addEventListener('abort', () => reject(new Error('aborted')));
        }),
    };

    const done = correlate(deployment, threeRequests(), { logsTimeoutMs: 30_000, clock });
    await settle();
    expect(seen).toHaveLength(1);
    clock.advance(30_000);
    const result = await done;

    expect(seen[0]!.aborted).toBe(true);
    expect(result.timedOut).toBe(true);
    expect(result.queryErrors).toBe(0);
    expect(result.matched).toBe(0);
    expect(result.misses['no-log-line']).toEqual(['id-0', 'id-1', 'id-2']);
  });

  test('a short run is read as one slice: its handler lines, then its REPORT lines, over its whole range', async () => {
    const clock = new ManualClock();
    const asked: { queryString: string; startTimeMs: number; endTimeMs: number }[] = [];
    const deployment = {
      logClockSkewMs: 1_000,
      query: async (query: InsightsQuery): Promise<InsightsResult> => {
        asked.push({ queryString: query.queryString, startTimeMs: query.startTimeMs, endTimeMs: query.endTimeMs });
        return { status: 'Complete', fields: [], rows: [], statistics: {} } as unknown as InsightsResult;
      },
    };
    const done = correlate(deployment, threeRequests(), { logsTimeoutMs: 1_000, clock });
    await settle();
    clock.advance(1_000);
    await done;

    // t0 less the skew, floored to a whole second; the last response plus the skew.
    expect(asked.slice(0, 2)).toEqual([
      { queryString: handlerLinesInRangeQuery(), startTimeMs: 999_000, endTimeMs: 1_001_100 },
      { queryString: reportLinesInRangeQuery(), startTimeMs: 999_000, endTimeMs: 1_001_100 },
    ]);
  });
});
