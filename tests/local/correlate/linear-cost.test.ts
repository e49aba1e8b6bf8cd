import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { correlate } from '../../../harness/correlate/correlate.js';
import { queryLogStore } from '../../../harness/insights/engine.js';
import type { LoadResult } from '../../../harness/load/load.js';
import { ErrorKind, Phase, RequestLog } from '../../../harness/load/records.js';
import { appendStoredEvents, type StoredEvent } from '../../../harness/logstore/store.js';
import { StoreTimeIndex } from '../../../harness/logstore/time-index.js';

const GROUP = '/aws/lambda/rda-linear-fn';
const STREAMS = 4;
const RATE_RPS = 200;
const T0_MS = Date.UTC(2026, 0, 1);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'correlate-linear-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function uuid(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `0000aaaa-bbbb-4ccc-8ddd-${hex}`;
}

/**
 * A run of `count` requests at 200 req/s whose handler and REPORT lines are all in a local store spread over
 * four execution environments, as the emulator writes them, and the load result that sent them.
 */
async function recordedRun(count: number): Promise<{ dir: string; load: LoadResult }> {
  const dir = path.join(root, String(count));
  const log = new RequestLog(count);
  const streams: StoredEvent[][] = Array.from({ length: STREAMS }, () => []);
  for (let i = 0; i < count; i++) {
    const correlationId = `c${i.toString(36).padStart(6, '0')}-linear`;
    const dueUs = (i * 1e6) / RATE_RPS;
    const at = log.add(Phase.Measured, correlationId, dueUs, 0);
    log.complete(at, { latencyUs: 4_000, status: 200, errorKind: ErrorKind.None, echoed: true });
    const sentMs = Math.round(T0_MS + dueUs / 1000);
    const requestId = uuid(i);
    const lines = streams[i % STREAMS]!;
    const handler = { level: 30, msg: 'request', correlationId, awsRequestId: requestId, status: 200, durationMs: 1 };
    lines.push({
      timestamp: sentMs + 1,
      ingestionTime: sentMs + 1,
      message: JSON.stringify(handler),
    });
    lines.push({
      timestamp: sentMs + 3,
      ingestionTime: sentMs + 3,
      message: `REPORT RequestId: ${requestId}\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t`,
    });
  }
  for (const [n, events] of streams.entries()) {
    await appendStoredEvents(dir, GROUP, `2026/01/01/[$LATEST]${String(n).padStart(32, '0')}`, events);
  }
  const load = {
    mode: 'open',
    closedLoop: false,
    log,
    mix: [],
    connections: 10,
    t0EpochMs: T0_MS,
    endEpochMs: T0_MS + (count * 1000) / RATE_RPS + 10,
    warmupSeconds: 0,
    measuredStartUs: 0,
    measuredSeconds: count / RATE_RPS,
    rates: undefined,
  } as unknown as LoadResult;
  return { dir, load };
}

/** Correlates every request of a recorded run against the real engine; returns what it read from disk. */
async function correlateAll(count: number) {
  const { dir, load } = await recordedRun(count);
  const timeIndex = new StoreTimeIndex();
  const deployment = {
    logClockSkewMs: 2_000,
    query: (query: { queryString: string; startTimeMs: number; endTimeMs: number; limit?: number }) =>
      queryLogStore({ logDir: dir, logGroupNames: [GROUP], ...query, timeIndex }),
  };
  const result = await correlate(deployment, load, { logsTimeoutMs: 600_000, requestTimeoutMs: 5_000 });
  let storeBytes = 0;
  for (const file of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (file.isFile()) storeBytes += (await stat(path.join(file.parentPath, file.name))).size;
  return { result, bytesRead: timeIndex.bytesRead, storeBytes };
}

describe('correlation cost', () => {
  test('grows linearly with the run: twice the requests, every one correlated, about twice the bytes read', async () => {
    const small = await correlateAll(6_000);
    const large = await correlateAll(12_000);

    for (const { result } of [small, large]) {
      expect(result.coverage).toBe(1);
      expect(result.timedOut).toBe(false);
      expect(result.rounds).toBe(1);
    }
    expect(large.result.matched).toBe(12_000);
    // Each query reads its own slice of the run; a query per batch of ids over the whole store made this ~4.
    expect(large.bytesRead / small.bytesRead).toBeLessThan(2.6);
    // At most about three passes over the store, whatever its size: indexing it, the handler slices, the REPORT slices.
    for (const run of [small, large]) expect(run.bytesRead / run.storeBytes).toBeLessThan(3.5);
  });
});
