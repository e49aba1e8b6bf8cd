import { describe, expect, it, onTestFinished } from 'vitest';
import { correlate, pickSample, slowestMeasured } from '../../../harness/correlate/correlate.js';
import { runLoad } from '../../../harness/load/load.js';
import { validateMix } from '../../../harness/load/mix.js';
import { FakeTarget, type FakeTargetOptions } from '../../helpers/fake-target.js';

const MIX = validateMix([{ name: 'ints', path: 'random/int' }], 'test');

/** Deploys a fake target and sends 30 requests (10 warm-up, 20 measured) at 100 req/s. */
async function loaded(options: FakeTargetOptions = {}) {
  const target = new FakeTarget(options);
  const deployment = await target.deploy({ runId: 'corr' });
  onTestFinished(async () => {
    await deployment.destroy();
  });
  const load = await runLoad(deployment.baseUrl, {
    mode: 'open',
    rateRps: 100,
    durationSeconds: 0.2,
    warmupSeconds: 0.1,
    connections: 4,
    mix: MIX,
    requestTimeoutMs: 5_000,
  });
  return { target, deployment, load };
}

describe('correlate', () => {
  it('matches every request to its handler line and REPORT, with cold starts and Lambda durations', async () => {
    const { deployment, load } = await loaded({ cold: (n) => n === 0 || n === 15 });
    const result = await correlate(deployment, load, { logsTimeoutMs: 2_000 });
    expect(result).toMatchObject({
      sampled: 30,
      expected: 30,
      matched: 30,
      coverage: 1,
      timedOut: false,
      rounds: 1,
      queryErrors: 0,
    });
    expect(result.unexpected).toEqual({ ids: [], lines: 0 });
    expect(Array.from(result.coldState).filter((s) => s === 2)).toHaveLength(2);
    expect(Array.from(result.initDurationMs).filter(Number.isFinite)).toEqual([123.45, 123.45]);
    expect(Array.from(result.lambdaDurationMs).every((d) => d === 0.5)).toBe(true);
    expect(result.slowest).toHaveLength(10);
    expect(result.slowest[0]!.handlerLine).toContain(load.log.correlationId[result.slowest[0]!.index]!);
    expect(result.slowest[0]!.reportLine).toMatch(/^REPORT RequestId: /);
  });

  it('keeps polling with backoff until late lines arrive (ingestion lag)', async () => {
    const { deployment, load } = await loaded({ visibleAfterMs: 700 });
    const result = await correlate(deployment, load, { logsTimeoutMs: 10_000 });
    expect(result.coverage).toBe(1);
    expect(result.rounds).toBeGreaterThan(1);
    expect(result.timedOut).toBe(false);
  });

  it('retries failing queries until the deadline instead of reading them as "no results"', async () => {
    const { deployment, load } = await loaded({ failFirstQueries: 3 });
    const result = await correlate(deployment, load, { logsTimeoutMs: 10_000 });
    expect(result.coverage).toBe(1);
    expect(result.queryErrors).toBe(3);
    expect(result.lastQueryError).toContain('ThrottlingException');
  });

  it('classifies what is still missing at the deadline, and finds logged ids that were never sent', async () => {
    const { deployment, load } = await loaded({
      dropHandlerLine: (n) => n === 3,
      dropReport: (n) => n === 5,
      duplicateHandlerLine: (n) => n === 7,
      foreignIds: ['ghost-a', 'ghost-b'],
    });
    const started = Date.now();
    const result = await correlate(deployment, load, { logsTimeoutMs: 600 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result.timedOut).toBe(true);
    expect(result.matched).toBe(27);
    expect(result.misses['no-log-line']).toEqual([load.log.correlationId[3]]);
    expect(result.misses['no-report']).toEqual([load.log.correlationId[5]]);
    expect(result.misses.duplicate).toEqual([load.log.correlationId[7]]);
    expect(result.unexpected).toEqual({ ids: ['ghost-a', 'ghost-b'], lines: 2 });
  });

  it('does not wait for requests the handler never answered, and says why they are outside coverage', async () => {
    const { deployment, load } = await loaded();
    // As if request 4 had timed out on the client: no status, no echo.
    load.log.status[4] = 0;
    load.log.echoed[4] = 0;
    load.log.errorKind[4] = 2;
    const result = await correlate(deployment, load, { logsTimeoutMs: 5_000 });
    expect(result).toMatchObject({
      expected: 29,
      matched: 29,
      coverage: 1,
      notExpected: { 'no response (timeout)': 1 },
      notExpectedButLogged: 1,
    });
  });

  it('samples evenly when asked and always includes the slowest requests', async () => {
    const { deployment, load } = await loaded({ delayMs: (n) => (n === 17 ? 40 : 0) });
    const slowest = slowestMeasured(load, 10);
    expect(slowest[0]).toBe(17);
    expect(pickSample(load, 5, [17]).map((s) => s.index)).toEqual([0, 6, 12, 17, 18, 24]);
    const result = await correlate(deployment, load, { logsTimeoutMs: 2_000, sample: 5 });
    const union = new Set([...pickSample(load, 5).map((s) => s.index), ...slowest]);
    expect(union.size).toBeLessThan(30);
    expect(result.sampled).toBe(union.size);
    expect(result.matched).toBe(union.size);
    expect(slowest.every((i) => Number.isFinite(result.lambdaDurationMs[i]!))).toBe(true);
  });

  it('stops at once when aborted', async () => {
    const { deployment, load } = await loaded({ visibleAfterMs: 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort('SIGHUP'), 300);
    await expect(correlate(deployment, load, { logsTimeoutMs: 60_000, signal: controller.signal })).rejects.toBe(
      'SIGHUP',
    );
  });
});
