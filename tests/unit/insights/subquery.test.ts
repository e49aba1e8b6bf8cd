/**
 * Subqueries (CWL_QuerySyntax-Subqueries, docs/aws-behaviour.md#insights-subqueries) beyond the conformance
 * table: the equality of `in`, what a subquery costs in the statistics, the result cap, and the in-memory path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import { MAX_LIMIT } from '../../../harness/insights/compile.js';
import { appendStoredEvents, QuerySyntaxError, queryEvents, queryLogStore } from '../../../harness/insights/index.js';
import { membership } from '../../../harness/insights/subquery.js';
import { DoubleValue, Timestamp } from '../../../harness/insights/values.js';

const T = Date.UTC(2024, 4, 1, 12, 0, 0);

function store(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rda-subquery-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('membership (the = of in [...], in constant time)', () => {
  test('strings match exactly; numbers, doubles and numeric strings numerically; timestamps by epoch ms', () => {
    const has = membership(['abc', '200', '1.5', '2024-05-01T12:00:00Z']);

    expect(has('abc')).toBe(true);
    expect(has('ABC')).toBe(false);
    expect(has('200')).toBe(true);
    expect(has('200.0')).toBe(false); // two strings compare as text
    expect(has(200)).toBe(true);
    expect(has(new DoubleValue(1.5))).toBe(true);
    expect(has(201)).toBe(false);
    expect(has(new Timestamp(T))).toBe(true);
    expect(has(null)).toBe(false);
  });
});

describe('subqueries over a store', () => {
  test("count the subquery's scan in the statistics", async () => {
    const dir = store();
    const lines = ['{"id":"a","status":500}', '{"id":"b","status":200}', '{"id":"a","step":"retry"}'];
    await appendStoredEvents(
      dir,
      '/app',
      's',
      lines.map((message, i) => ({ timestamp: T + i, ingestionTime: T + i, message })),
    );
    const options = { logDir: dir, logGroupNames: ['/app'], startTimeMs: T, endTimeMs: T + 60_000 };

    const alone = await queryLogStore({ ...options, queryString: 'fields id' });
    const result = await queryLogStore({
      ...options,
      queryString: 'filter id in (filter status = 500 | fields id) | fields id, step | sort @timestamp asc',
    });

    expect(result.rows.map(({ '@ptr': _, ...row }) => row)).toEqual([{ id: 'a' }, { id: 'a', step: 'retry' }]);
    expect(result.statistics.recordsScanned).toBe(2 * alone.statistics.recordsScanned);
    expect(result.statistics.bytesScanned).toBe(2 * alone.statistics.bytesScanned);
  });

  test('refuse a subquery whose result reaches the largest result, instead of cutting its values short', async () => {
    const dir = store();
    const events = Array.from({ length: MAX_LIMIT }, (_, i) => ({
      timestamp: T,
      ingestionTime: T,
      message: `{"n":${i}}`,
    }));
    await appendStoredEvents(dir, '/big', 's', events);

    const query = queryLogStore({
      logDir: dir,
      logGroupNames: ['/big'],
      startTimeMs: T,
      endTimeMs: T + 1,
      queryString: 'filter n in (fields n) | stats count(*)',
    });

    await expect(query).rejects.toThrow(QuerySyntaxError);
    await expect(query).rejects.toThrow(
      /the subquery returned 100000 rows or more, and values past them would be lost/,
    );
  });

  test('say that a subquery needs a store when the query runs over events in memory', () => {
    expect(() =>
      queryEvents({
        queryString: 'filter id in (fields id)',
        events: [],
        startTimeMs: T,
        endTimeMs: T + 1,
      }),
    ).toThrow(/a subquery runs only over a log store/);
  });
});
