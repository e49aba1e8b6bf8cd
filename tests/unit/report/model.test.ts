/**
 * The chart data of the report (`charts` in the .json), which the HTML page draws: per-second timeline, cold
 * starts by time, and the latency distribution apart by what the logs say of each request.
 */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../harness/report/model.js';
import { fixtureInput, fixtureReport } from './fixture.js';

describe('buildReport charts', () => {
  it('buckets the timeline by second over the measured phase and counts every response once', () => {
    const t = fixtureReport().charts!.timeline;

    expect(t.bucketSeconds).toBe(1);
    expect(t.startSeconds).toEqual([0, 1, 2, 3]);
    expect(t.responses).toEqual([10, 10, 10, 9]); // request 44 never answered
    expect(t.p99Ms[2]).toBe(25); // request 33, at 2.3 s
  });

  it('marks the measured cold start at its due time, and none of the warm-up', () => {
    // Requests 0 and 20 are cold; 0 is warm-up, 20 is due 1.0 s into the measured phase.
    expect(fixtureReport().charts!.coldStartsAtSeconds).toEqual([1]);
  });

  it('splits the distribution into warm, cold and unknown, with every measured response in one bucket', () => {
    const d = fixtureReport().charts!.distribution;
    const sum = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);

    expect(sum(d.warm) + sum(d.cold) + sum(d.unknown)).toBe(39);
    expect(sum(d.cold)).toBe(1);
    expect(d.warm).toHaveLength(d.edgesMs.length - 1);
    // Request 12 has no handler line and 27 two: the logs cannot say whether they were cold.
    expect(sum(d.unknown)).toBe(2);
    // The slow request (25 ms) lies in the bucket whose edges hold it.
    const i = d.edgesMs.findIndex((edge, k) => edge <= 25 && 25 < d.edgesMs[k + 1]!);
    expect(d.warm[i]).toBe(1);
  });

  it('without correlation, every response is unknown and nothing is marked cold', () => {
    const report = buildReport({ ...fixtureInput(), correlation: undefined });
    const d = report.charts!.distribution;

    expect(d.warm.every((c) => c === 0)).toBe(true);
    expect(d.unknown.reduce((a, b) => a + b, 0)).toBe(39);
    expect(report.charts!.coldStartsAtSeconds).toEqual([]);
  });
});
