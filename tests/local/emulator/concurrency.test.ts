import { describe, expect, it, onTestFinished } from 'vitest';
import { rawRequest, readLogEvents, STAGE, startFixture } from './helpers.js';

// Lambda's concurrency limit (throttles answer 500, as behind API Gateway on AWS) and this machine's cap on
// environments (a queue, counted): harness/emulator/README.md, "Concurrency, throttling, and the settings
// `cdk synth` uses"; docs/aws-behaviour.md#lambda-throttling-behind-api-gateway.

async function started(fn: Parameters<typeof startFixture>[0], api = {}, options = {}) {
  const emulator = await startFixture(fn, api, options);
  onTestFinished(() => emulator.stop());
  return emulator;
}

const sleepFor = (ms: number) => `/${STAGE}/x?mode=sleep&ms=${ms}`;

describe("Lambda's concurrency limit", () => {
  it("answers a request over reserved concurrency with API Gateway's 500 and counts the throttle", async () => {
    // Prepare: 2 reserved, a local cap far above it.
    const emulator = await started({ handler: 'modes.handler', reservedConcurrency: 2 }, {}, { maxEnvironments: 10 });
    // Act
    const responses = await Promise.all([1, 2, 3].map(() => rawRequest(emulator, sleepFor(400))));
    // Assess
    const throttled = responses.filter((r) => r.status === 500);
    expect(throttled).toHaveLength(1);
    expect(throttled[0]!.text).toBe('{"message": "Internal server error"}');
    expect(throttled[0]!.headers['x-amzn-errortype']).toBe('InternalServerErrorException');
    expect(emulator.concurrency()).toMatchObject({
      concurrencyLimit: 2,
      limitSource: 'reserved',
      throttled: 1,
      queued: 0,
    });
  });

  it("counts waiting invocations towards Lambda's limit: past it, 500 even while the local cap queues", async () => {
    // Prepare: an account limit of 3 (tests cannot start 1,000), one environment on this machine.
    const emulator = await started({ handler: 'modes.handler' }, {}, { maxEnvironments: 1, accountConcurrency: 3 });
    // Act: one runs, two wait for the cap, the fourth is over Lambda's limit.
    const responses = await Promise.all([1, 2, 3, 4].map(() => rawRequest(emulator, sleepFor(150))));
    // Assess
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 500]);
    expect(emulator.concurrency()).toMatchObject({ limitSource: 'account', throttled: 1, queued: 2 });
    expect(emulator.startedPids()).toHaveLength(1);
  });
});

describe("this machine's cap on environments", () => {
  it('queues requests over the cap instead of refusing them, and counts them and their longest wait', async () => {
    // Prepare: no reservation (Lambda would allow 1,000), a cap of 2 here.
    const emulator = await started({ handler: 'modes.handler' }, {}, { maxEnvironments: 2 });
    // Act
    const responses = await Promise.all([1, 2, 3, 4].map(() => rawRequest(emulator, sleepFor(300))));
    // Assess: every request answered as AWS would, two of them after a local wait.
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(emulator.startedPids()).toHaveLength(2);
    const stats = emulator.concurrency();
    expect(stats).toMatchObject({
      concurrencyLimit: 1_000,
      limitSource: 'account',
      environmentCap: 2,
      throttled: 0,
      queued: 2,
      expiredInQueue: 0,
      peakEnvironments: 2,
    });
    // They waited for a 300 ms invocation to end.
    expect(stats.maxQueueWaitMs).toBeGreaterThan(200);
  });

  it('gives a waiting request a new environment when the busy one dies', async () => {
    // Prepare: one environment, whose invocation makes the runtime exit (the second request arrives during its
    // cold start, so it waits).
    const emulator = await started({ handler: 'modes.handler' }, {}, { maxEnvironments: 1 });
    // Act
    const [crashed, queued] = await Promise.all([
      rawRequest(emulator, `/${STAGE}/x?mode=exit`),
      rawRequest(emulator, sleepFor(10)),
    ]);
    // Assess: the crash is the function's (502); the waiting request ran on a second environment.
    expect(crashed.status).toBe(502);
    expect(queued.status).toBe(200);
    expect(emulator.startedPids()).toHaveLength(2);
    expect(emulator.concurrency().queued).toBe(1);
  });

  it('answers a queued request 504 at the integration timeout and never starts it afterwards', async () => {
    // Prepare: one environment, busy for 800 ms; the integration timeout is 300 ms.
    const emulator = await started({ handler: 'modes.handler' }, {}, { maxEnvironments: 1, integrationTimeoutMs: 300 });
    // Act
    const [first, queued] = await Promise.all([
      rawRequest(emulator, sleepFor(800)),
      rawRequest(emulator, sleepFor(10)),
    ]);
    // Assess: both answered 504 by API Gateway's timer; the queued one is dropped once the environment frees.
    expect(queued.status).toBe(504);
    expect(queued.text).toBe('{"message": "Endpoint request timed out"}');
    expect(first.status).toBe(504);
    await expect.poll(() => emulator.concurrency().expiredInQueue, { timeout: 3_000, interval: 50 }).toBe(1);
    const starts = readLogEvents(emulator.logDir).filter((e) => e.message.startsWith('START '));
    expect(starts).toHaveLength(1);
  });
});
