import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { queryLogStore } from '../../../harness/insights/engine.js';
import { appendStoredEvents, streamFilePath } from '../../../harness/logstore/store.js';
import { StoreTimeIndex } from '../../../harness/logstore/time-index.js';

const GROUP = '/aws/lambda/fn';
const STREAMS = ['2024/05/01/[$LATEST]aaaa', '2024/05/01/[$LATEST]bbbb', '2024/05/01/[$LATEST]cccc'];
const QUERY = 'fields @timestamp, @message, @logStream, @ptr | sort @timestamp asc | limit 10000';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'time-index-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** One append to one stream: events in any time order, or a foreign line that is not an event. */
const append = fc.record({
  stream: fc.integer({ min: 0, max: STREAMS.length - 1 }),
  events: fc.array(
    fc.record({
      timestamp: fc.integer({ min: 0, max: 1_000 }),
      message: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('ünïcödé ✓ 𝄞')),
    }),
    { minLength: 1, maxLength: 30 },
  ),
  foreign: fc.boolean(),
});

const range = fc
  .tuple(fc.integer({ min: -10, max: 1_010 }), fc.integer({ min: 0, max: 300 }))
  .map(([start, width]) => ({ startTimeMs: start, endTimeMs: start + width }));

describe('the store time index', () => {
  test('a query through the index returns exactly what a full scan returns, as files grow between queries', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(append, range), { minLength: 1, maxLength: 12 }), async (steps) => {
        const dir = path.join(root, String(run++));
        // Tiny spans, so that small files still have many of them.
        const index = new StoreTimeIndex(120);
        for (const [step, window] of steps) {
          const stream = STREAMS[step.stream]!;
          await appendStoredEvents(
            dir,
            GROUP,
            stream,
            step.events.map((event) => ({ ...event, ingestionTime: event.timestamp })),
          );
          if (step.foreign) await appendFile(streamFilePath(dir, GROUP, stream), 'not an event\n');
          const query = { logDir: dir, logGroupNames: [GROUP], queryString: QUERY, ...window };
          const full = await queryLogStore(query);
          // Two at once, as correlation runs them: they share the index while both extend it.
          const [indexed, again] = await Promise.all([
            queryLogStore({ ...query, timeIndex: index }),
            queryLogStore({ ...query, timeIndex: index }),
          ]);
          expect(indexed).toEqual(full);
          expect(again).toEqual(full);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('a narrow query after the first reads only the spans that can hold its range', async () => {
    const dir = path.join(root, 'narrow');
    const events = Array.from({ length: 2_000 }, (_, i) => ({
      timestamp: 1_000 + i,
      ingestionTime: 1_000 + i,
      message: `event ${i} ${'x'.repeat(80)}`,
    }));
    await appendStoredEvents(dir, GROUP, STREAMS[0]!, events);
    const index = new StoreTimeIndex(4_096);
    const query = { logDir: dir, logGroupNames: [GROUP], queryString: QUERY };

    await queryLogStore({ ...query, startTimeMs: 0, endTimeMs: 10_000, timeIndex: index });
    const fileBytes = index.bytesRead;
    const narrow = await queryLogStore({ ...query, startTimeMs: 1_500, endTimeMs: 1_509, timeIndex: index });

    expect(narrow.rows).toHaveLength(10);
    // One or two 4 KiB spans of a ~230 KiB file.
    expect(index.bytesRead - fileBytes).toBeLessThanOrEqual(2 * 4_096 + 400);
    expect(fileBytes).toBeGreaterThan(200_000);
  });
});
