import { randomUUID } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { LocalTarget } from '../../../harness/target/local/local-target.js';
import type { InsightsRow } from '../../../harness/target/target.js';
import {
  CORRELATION_ID_PLACEHOLDER,
  correlationCensusQuery,
  handlerLinesQuery,
  reportLinesQuery,
  savedQueries,
} from '../../../stack/log-queries.js';

const sum = (rows: readonly InsightsRow[], field: string) =>
  rows.reduce((total, row) => total + Number(row[field] ?? 0), 0);

describe('the queries of stack/log-queries.ts on the local Insights engine', () => {
  it('all parse and answer what they claim over a real run of the handler', async () => {
    // Prepare: 10 good requests and 2 with an out-of-range count (400 InvalidParameter).
    const deployment = await new LocalTarget().deploy({ runId: 'queries' });
    onTestFinished(async () => {
      await deployment.destroy();
    });
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const id = randomUUID();
      ids.push(id);
      const response = await fetch(`${deployment.baseUrl}random/int?count=${i < 10 ? 3 : 5000}`, {
        headers: { 'x-correlation-id': id },
      });
      expect(response.status).toBe(i < 10 ? 200 : 400);
      await response.arrayBuffer();
    }
    const range = { startTimeMs: Date.now() - 120_000, endTimeMs: Date.now() + 60_000 };
    const run = async (queryString: string) => (await deployment.query({ queryString, ...range })).rows;
    const saved = (name: string) => savedQueries.find((q) => q.name === name)!.queryString;

    // Act and assess, query by query
    expect(sum(await run(saved('latency-by-minute')), 'invocations')).toBe(12);
    expect(sum(await run(saved('cold-starts')), 'coldStarts')).toBeGreaterThanOrEqual(1);
    const errors = await run(saved('errors-by-code'));
    expect(errors).toEqual([expect.objectContaining({ errorCode: 'InvalidParameter', status: '400', requests: '2' })]);
    expect(sum(await run(saved('status-by-minute')), 'requests')).toBe(12);
    const slowest = await run(saved('slowest-requests'));
    expect(slowest).toHaveLength(12);
    const durations = slowest.map((row) => Number(row.durationMs));
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    const found = await run(saved('find-by-correlation-id').replace(CORRELATION_ID_PLACEHOLDER, ids[3]!));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      correlationId: ids[3],
      status: '200',
      coldStart: expect.stringMatching(/^(true|false)$/),
    });

    const lines = await run(handlerLinesQuery(ids.slice(0, 5)));
    expect(lines.map((row) => row.correlationId).sort()).toEqual(ids.slice(0, 5).sort());
    const reports = await run(reportLinesQuery(lines.map((row) => row.awsRequestId!)));
    expect(reports).toHaveLength(5);
    expect(
      reports.every((row) => Number(row['@duration']) > 0 && row['@message']!.startsWith('REPORT RequestId: ')),
    ).toBe(true);
    const census = await run(correlationCensusQuery());
    expect(new Map(census.map((row) => [row.correlationId, row.lines]))).toEqual(new Map(ids.map((id) => [id, '1'])));
  });
});
