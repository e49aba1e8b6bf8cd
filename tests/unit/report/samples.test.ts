import { describe, expect, it } from 'vitest';
import { samplesView } from '../../../harness/report/samples.js';
import { fixtureInput } from './fixture.js';

describe('samplesView', () => {
  it('keeps every measured, answered request: its due time, latency and, when correlated, Lambda and handler times', () => {
    // Prepare: 50 requests 0.1 s apart, the first 10 warm-up; request 44 never answered, 41 answered 503.
    const { load, correlation } = fixtureInput();

    // Act
    const samples = samplesView(load!, correlation);

    // Assess
    expect(samples.atSeconds).toHaveLength(39);
    expect(samples.atSeconds[0]).toBe(1);
    expect(samples.atSeconds).not.toContain(4.4);
    expect(samples.latencyMs[samples.atSeconds.indexOf(3.3)]).toBe(25);
    expect(samples.latencyMs[samples.atSeconds.indexOf(4.1)]).toBe(1.1);
    for (const column of [samples.latencyMs, samples.lambdaMs, samples.handlerMs]) expect(column).toHaveLength(39);
    // What the correlation found, and null where it found nothing.
    const i = (k: number) => samples.atSeconds.indexOf(k / 10);
    expect(samples.lambdaMs[i(15)]).toBe(correlation!.lambdaDurationMs[15]);
    expect(samples.handlerMs[i(15)]).toBe(0.4);
    expect(samples.handlerMs[i(12)]).toBeNaN();
    expect(samples.thinnedFrom).toBeNull();
  });

  it('has no Lambda or handler times without a correlation', () => {
    const { load } = fixtureInput();
    const samples = samplesView(load!, undefined);
    expect(samples.lambdaMs.every(Number.isNaN)).toBe(true);
    expect(samples.handlerMs.every(Number.isNaN)).toBe(true);
  });

  it('keeps every k-th response past the cap, in time order, and says how many there were', () => {
    // Act: 39 responses, at most 10 kept: every 4th.
    const samples = samplesView(fixtureInput().load!, undefined, 10);

    // Assess
    expect(samples.thinnedFrom).toBe(39);
    expect(samples.atSeconds).toEqual([1, 1.4, 1.8, 2.2, 2.6, 3, 3.4, 3.8, 4.2, 4.7]);
  });
});
