import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { InterruptedError } from '../../../harness/errors.js';
import { queryLogStore } from '../../../harness/insights/engine.js';
import { appendStoredEvents } from '../../../harness/logstore/store.js';

const GROUP = '/aws/lambda/fn';
const STREAM = '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/**
 * A signal that turns aborted the moment the engine has looked at it `checksBeforeAbort` times: a Ctrl-C that
 * arrives while the query runs, at a point fixed by the engine's progress rather than by a clock.
 */
function abortsAfter(checksBeforeAbort: number): { signal: AbortSignal; checks: () => number } {
  let checks = 0;
  let aborted = false;
  const signal = {
    get aborted() {
      return aborted;
    },
    reason: 'SIGINT',
    throwIfAborted() {
      checks++;
      if (checks > checksBeforeAbort) aborted = true;
      if (aborted) throw 'SIGINT';
    },
    addEventListener() {},
    removeEventListener() {},
  } as unknown as AbortSignal;
  return { signal, checks: () => checks };
}

describe('a running query', () => {
  test('stops at the next 1 MiB block once aborted, without reading the rest of the store', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'engine-abort-'));
    dirs.push(dir);
    // About 8 MiB: eight blocks.
    const events = Array.from({ length: 40_000 }, (_, i) => ({
      timestamp: 1_000 + i,
      ingestionTime: 1_000 + i,
      message: `event ${i} ${'y'.repeat(160)}`,
    }));
    await appendStoredEvents(dir, GROUP, STREAM, events);
    const { signal, checks } = abortsAfter(2);

    const error = await queryLogStore({
      logDir: dir,
      logGroupNames: [GROUP],
      queryString: 'filter @message like /event 1/ | stats count(*)',
      startTimeMs: 0,
      endTimeMs: 1e13,
      signal,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InterruptedError);
    expect(checks()).toBe(3);
  });
});
