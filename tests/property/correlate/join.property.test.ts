import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ColdState,
  groupBy,
  joinLogs,
  type SampledRequest,
  toHandlerLine,
  toReportLine,
} from '../../../harness/correlate/join.js';
import type { InsightsRow } from '../../../harness/target/target.js';

/** What happened to one sent request in the logs: lines written, REPORTs written, and whether the handler answered. */
const fateArb = fc.record({
  handlerLines: fc.constantFrom(0, 1, 1, 1, 2, 3),
  reportLines: fc.constantFrom(0, 1, 1, 1, 2),
  answered: fc.constantFrom(true, true, true, true, false),
  sampled: fc.constantFrom(true, true, true, false),
  cold: fc.boolean(),
});

const scenarioArb = fc.record({
  fates: fc.array(fateArb, { maxLength: 120 }),
  foreign: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 10 }),
  seed: fc.integer(),
});

function handlerRow(correlationId: string, awsRequestId: string, cold: boolean): InsightsRow {
  return { correlationId, awsRequestId, coldStart: String(cold), status: '200', durationMs: '1.5', '@message': '{}' };
}

function reportRow(requestId: string, cold: boolean): InsightsRow {
  const row: InsightsRow = {
    '@requestId': requestId,
    '@duration': '2.25',
    '@billedDuration': '3',
    '@maxMemoryUsed': '7.0E7',
  };
  if (cold) row['@initDuration'] = '150.5';
  return row;
}

/** Fisher–Yates with a seeded LCG, so a failing case shrinks and replays. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  for (let i = items.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

describe('joinLogs (properties, CONTRIBUTING.md#promises-the-tests-pin)', () => {
  it('counts matched, no-log-line, no-report, duplicate, not-expected and unexpected exactly as they happened', () => {
    fc.assert(
      fc.property(scenarioArb, ({ fates, foreign, seed }) => {
        // Prepare: write the logs the fates describe, plus foreign ids, in random order.
        const handlerRows: InsightsRow[] = [];
        const reportRows: InsightsRow[] = [];
        const census = new Map<string, number>();
        const sampled: SampledRequest[] = [];
        const truth = { matched: 0, 'no-log-line': 0, 'no-report': 0, duplicate: 0, notExpected: 0, expected: 0 };
        fates.forEach((fate, i) => {
          const id = `cid-${i}`;
          for (let k = 0; k < fate.handlerLines; k++) handlerRows.push(handlerRow(id, `aws-${i}-${k}`, fate.cold));
          if (fate.handlerLines > 0) census.set(id, fate.handlerLines);
          for (let k = 0; k < fate.reportLines; k++) reportRows.push(reportRow(`aws-${i}-0`, fate.cold));
          if (!fate.sampled) return;
          sampled.push({
            index: i,
            correlationId: id,
            notExpected: fate.answered ? undefined : 'no response (timeout)',
          });
          if (!fate.answered) {
            truth.notExpected++;
            return;
          }
          truth.expected++;
          if (fate.handlerLines === 0) truth['no-log-line']++;
          else if (fate.handlerLines > 1) truth.duplicate++;
          else if (fate.reportLines === 0) truth['no-report']++;
          else if (fate.reportLines > 1) truth.duplicate++;
          else truth.matched++;
        });
        let foreignLines = 0;
        foreign.forEach((lines, k) => {
          for (let j = 0; j < lines; j++) handlerRows.push(handlerRow(`ghost-${k}`, `ghost-aws-${k}`, false));
          census.set(`ghost-${k}`, lines);
          foreignLines += lines;
        });
        const handlerLines = groupBy(
          shuffle(handlerRows, seed).map((r) => toHandlerLine(r)!),
          (l) => l.correlationId,
        );
        const reportLines = groupBy(
          shuffle(reportRows, seed + 1).map((r) => toReportLine(r)!),
          (l) => l.requestId,
        );
        const sentIds = new Set(fates.map((_, i) => `cid-${i}`));

        // Act
        const result = joinLogs({
          sampled: shuffle([...sampled], seed + 2),
          handlerLines,
          reportLines,
          census,
          sentIds,
          requestCount: fates.length,
        });

        // Assess
        expect(result.sampled).toBe(sampled.length);
        expect(result.expected).toBe(truth.expected);
        expect(result.matched).toBe(truth.matched);
        expect(result.misses['no-log-line']).toHaveLength(truth['no-log-line']);
        expect(result.misses['no-report']).toHaveLength(truth['no-report']);
        expect(result.misses.duplicate).toHaveLength(truth.duplicate);
        expect(result.matched + Object.values(result.misses).flat().length).toBe(result.expected);
        expect(Object.values(result.notExpected).reduce((a, b) => a + b, 0)).toBe(truth.notExpected);
        expect(result.unexpected).toEqual({ ids: foreign.map((_, k) => `ghost-${k}`), lines: foreignLines });
        // Every matched request has its Lambda numbers, and a cold one its Init Duration; nothing else has them.
        for (const request of sampled) {
          const fate = fates[request.index]!;
          const isMatched = fate.handlerLines === 1 && fate.reportLines === 1;
          expect(Number.isFinite(result.lambdaDurationMs[request.index]!)).toBe(isMatched);
          expect(result.coldState[request.index]).toBe(
            isMatched ? (fate.cold ? ColdState.Cold : ColdState.Warm) : ColdState.Unknown,
          );
          expect(Number.isFinite(result.initDurationMs[request.index]!)).toBe(isMatched && fate.cold);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('matches each sent id at most once, whatever the order of the rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 }), { minLength: 1, maxLength: 50 }),
        fc.integer(),
        (copies, seed) => {
          const rows = copies.flatMap((n, i) =>
            Array.from({ length: n }, () => handlerRow(`cid-${i}`, `aws-${i}`, false)),
          );
          const reports = copies.map((_, i) => reportRow(`aws-${i}`, false));
          const result = joinLogs({
            sampled: copies.map((_, i) => ({ index: i, correlationId: `cid-${i}`, notExpected: undefined })),
            handlerLines: groupBy(
              shuffle(rows, seed).map((r) => toHandlerLine(r)!),
              (l) => l.correlationId,
            ),
            reportLines: groupBy(
              reports.map((r) => toReportLine(r)!),
              (l) => l.requestId,
            ),
            census: undefined,
            sentIds: new Set(),
            requestCount: copies.length,
          });
          expect(result.matched).toBe(copies.filter((n) => n === 1).length);
          expect(result.awsRequestIds.size).toBe(result.matched);
          expect(result.unexpected).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });
});
