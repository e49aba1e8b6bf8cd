import { describe, expect, it } from 'vitest';
import type { MachineSample } from '../../../harness/load/machine.js';
import { validateMix } from '../../../harness/load/mix.js';
import { type LoadTick, liveLatency, runOpenLoop } from '../../../harness/load/open-loop.js';
import { Phase } from '../../../harness/load/records.js';
import { planSchedule } from '../../../harness/load/schedule.js';
import { simulatedServer, VirtualClock } from './virtual-clock.js';

// Over real HTTP, on the machine's clock: tests/local/load/open-loop-http.test.ts.

const MIX = validateMix([{ name: 'ints', path: 'random/int?count=2' }], 'test');

describe('runOpenLoop on a virtual clock', () => {
  const plain = { baseUrl: 'http://api.test/bench/', mix: MIX, requestTimeoutMs: 30_000 } as const;

  it('starts measuring only once the warm-up has drained, so its backlog does not leak into the measured phase', async () => {
    // Prepare: 10 req/s, 1 s warm-up on one connection; the first request is a 3 s cold start, so the other
    // nine queue behind it and the warm-up drains at ≈ 3.01 s instead of 1 s.
    const clock = new VirtualClock();
    const server = simulatedServer(clock, { connections: 1, serviceMs: (k) => (k === 0 ? 3_000 : 1) });

    // Act
    const open = await clock.run(
      runOpenLoop({ ...plain, plan: planSchedule(10, 1, 2), connections: 1, clock, transport: server }),
    );

    // Assess: measuring began when the last warm-up response arrived, with nothing in flight, and the first
    // measured request took its 1 ms service time instead of ≈ 2 s of backlog.
    const { log, warmupSettle, plan } = open;
    let lastWarmupEndUs = 0;
    for (let i = 0; i < 10; i++) lastWarmupEndUs = Math.max(lastWarmupEndUs, log.dueUs[i]! + log.latencyUs[i]!);
    expect(warmupSettle).toMatchObject({ inFlightAtStart: 0 });
    expect(warmupSettle!.waitedMs).toBeCloseTo((lastWarmupEndUs - 1_000_000) / 1000, 6);
    expect(plan.measuredStartUs).toBeCloseTo(lastWarmupEndUs, 6);
    expect(log.phase[10]).toBe(Phase.Measured);
    expect(log.dueUs[10]).toBeCloseTo(lastWarmupEndUs, 6);
    expect(log.latencyUs[10]! / 1000).toBeCloseTo(1, 6);
    expect(log.dueUs[29]! - log.dueUs[10]!).toBeCloseTo(19 * 100_000, 6);
  });

  it('waits for the warm-up only up to its bound, and says how many warm-up requests were still in flight', async () => {
    // Prepare: the same 3 s cold start, but a 500 ms bound.
    const clock = new VirtualClock();
    const server = simulatedServer(clock, { connections: 1, serviceMs: (k) => (k === 0 ? 3_000 : 1) });

    // Act
    const open = await clock.run(
      runOpenLoop({
        ...plain,
        plan: planSchedule(10, 1, 2),
        connections: 1,
        clock,
        transport: server,
        warmupSettleMaxMs: 500,
      }),
    );

    // Assess: all ten warm-up requests were still waiting on the cold start at 1.5 s.
    expect(open.warmupSettle).toEqual({ waitedMs: 500, boundMs: 500, inFlightAtStart: 10 });
    expect(open.plan.measuredStartUs).toBe(1_500_000);
  });

  it('counts requests still in flight at their age in the live p99, so a stall shows before it answers', async () => {
    // Prepare: 20 req/s; request 5 (due at 250 ms) hangs for 2.5 s, every other answers in 2 ms.
    const clock = new VirtualClock();
    const server = simulatedServer(clock, { connections: 10, serviceMs: (k) => (k === 5 ? 2_500 : 2) });
    const ticks: LoadTick[] = [];

    // Act
    await clock.run(
      runOpenLoop({
        ...plain,
        plan: planSchedule(20, 0, 3),
        connections: 10,
        clock,
        transport: server,
        onTick: (t) => ticks.push(t),
      }),
    );

    // Assess: at the 2 s tick request 5 (due at t0 + 250 ms, t0 = 20 ms) has been in flight 1.73 s, and that
    // is the p99, although every response of that second took 2 ms.
    const second = ticks[1]!;
    expect(second.inFlight).toBe(1);
    expect(second.p50Ms).toBeCloseTo(2, 6);
    expect(second.p99Ms).toBeCloseTo(2_000 - (20 + 250), 6);
  });

  it('starts the machine probe with the measured phase and stops it at its last response', async () => {
    // Prepare
    const clock = new VirtualClock();
    const server = simulatedServer(clock, { connections: 4, serviceMs: () => 5 });
    const window: number[] = [];
    const sample: MachineSample = {
      seconds: 1,
      cores: 2,
      hostCpuPercent: 50,
      processCpuPercent: 20,
      loadAverage1m: 1,
      eventLoopDelayP99Ms: 1,
      eventLoopDelayMaxMs: 2,
    };
    const startMachineProbe = () => {
      window.push(clock.nowUs());
      return {
        stop: () => {
          window.push(clock.nowUs());
          return sample;
        },
      };
    };

    // Act
    const open = await clock.run(
      runOpenLoop({
        ...plain,
        plan: planSchedule(10, 1, 1),
        connections: 4,
        clock,
        transport: server,
        startMachineProbe,
      }),
    );

    // Assess: from the first measured request (1 s after t0 at 20 ms) to the last response (due 1.9 s, + 5 ms).
    expect(open.machine).toBe(sample);
    expect(window).toEqual([1_020_000, 1_925_000]);
  });

  it('stops at once on abort: no request is sent after it, and it rejects with the abort reason', async () => {
    // Prepare: 50 req/s for 5 s; every response takes 2 s; abort at 200 ms.
    const clock = new VirtualClock();
    const server = simulatedServer(clock, { connections: 20, serviceMs: () => 2_000 });
    const controller = new AbortController();
    clock.setTimeout(() => controller.abort('SIGTERM'), 200);

    // Act
    const outcome = runOpenLoop({
      ...plain,
      plan: planSchedule(50, 0, 5),
      connections: 20,
      clock,
      transport: server,
      signal: controller.signal,
    });

    // Assess: the requests due at 20, 40, … 180 ms (t0 at 20 ms) were sent; not the one due at the abort.
    await expect(clock.run(outcome)).rejects.toBe('SIGTERM');
    expect(clock.nowUs()).toBe(200_000);
    expect(server.received).toHaveLength(9);
  });

  it('leaves nothing in flight after an abort: the transport dropped every request, and nothing runs after', async () => {
    // Prepare: as above, with the log kept by a ticking observer (the run rejects, so it returns none).
    const clock = new VirtualClock();
    const server = simulatedServer(clock, { connections: 4, serviceMs: () => 2_000 });
    const controller = new AbortController();
    clock.setTimeout(() => controller.abort('SIGTERM'), 200);
    const ticks: LoadTick[] = [];
    const outcome = runOpenLoop({
      ...plain,
      plan: planSchedule(50, 0, 5),
      connections: 4,
      clock,
      transport: server,
      signal: controller.signal,
      onTick: (t) => ticks.push(t),
    });

    // Act
    await expect(clock.run(outcome)).rejects.toBe('SIGTERM');
    const pendingAtAbort = server.pending();
    // Let virtual time run on: no late response, timer or tick may follow the abort.
    let later = 0;
    clock.setTimeout(() => later++, 10_000);
    await clock.run(new Promise((resolve) => clock.setTimeout(() => resolve(undefined), 10_000)));

    // Assess: 4 were being served and 5 queued in the pool; the transport holds none of them now.
    expect(server.received).toHaveLength(9);
    expect(pendingAtAbort).toBe(0);
    expect(ticks).toHaveLength(0);
    expect(later).toBe(1);
  });

  it('registers one abort listener for the whole run, none per request', async () => {
    // Prepare: 400 requests, up to 40 in flight at once, on a signal that counts its listeners.
    const clock = new VirtualClock();
    const server = simulatedServer(clock, { connections: 40, serviceMs: () => 100 });
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof signal.removeEventListener;

    // Act
    const { log } = await clock.run(
      runOpenLoop({ ...plain, plan: planSchedule(400, 0, 1), connections: 40, clock, transport: server, signal }),
    );

    // Assess
    expect(log.count).toBe(400);
    expect(added).toBe(1);
    expect(removed).toBe(1);
  });
});

describe('liveLatency', () => {
  it('takes the percentiles over the last responses and the ages of requests in flight', () => {
    // Prepare: 99 fast responses and one request in flight for 500 ms.
    const fast = Array.from({ length: 99 }, () => 3);

    // Act
    const live = liveLatency(fast, [500]);

    // Assess
    expect(live).toEqual({ responses: 99, p50Ms: 3, p99Ms: 3 });
    expect(liveLatency(fast.slice(0, 9), [500]).p99Ms).toBe(500);
    expect(liveLatency([], [])).toMatchObject({ responses: 0, p50Ms: Number.NaN });
  });
});
