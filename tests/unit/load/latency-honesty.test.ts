import { describe, expect, it } from 'vitest';
import { validateMix } from '../../../harness/load/mix.js';
import { runOpenLoop } from '../../../harness/load/open-loop.js';
import { Phase } from '../../../harness/load/records.js';
import { planSchedule } from '../../../harness/load/schedule.js';
import { summarize } from '../../../harness/stats/summary.js';
import { simulatedServer, VirtualClock } from './virtual-clock.js';

// A server that stalls STALL_MS every PERIOD_MS: a request arriving s ms into a stall is answered when the
// stall ends, any other at once. Simulated on a virtual clock, so the figures are exact on any machine;
// the same measurement against a real stalling process, on the wall clock, is `npm run perf` (G7).
const STALL_MS = 100;
const PERIOD_MS = 1_000;

/**
 * At a constant arrival rate, the share of requests that arrive during a stall is STALL/PERIOD (10 %), and
 * one arriving s ms into a stall waits STALL − s. So P(latency > x) = (STALL − x)/PERIOD for x < STALL, and
 * the p-th percentile is STALL − (1 − p)·PERIOD: p99 = 90 ms, p95 = 50 ms, over any whole number of periods.
 */
function analyticPercentileMs(p: number): number {
  return STALL_MS - (1 - p) * PERIOD_MS;
}

const MIX = validateMix([{ name: 'ok', path: 'ok' }], 'test');

describe('latency honesty (open model against a stalling server)', () => {
  it('reports the p99 and p95 of a server that stalls 100 ms every second at their analytic values', async () => {
    // Prepare: 200 req/s for 3 s (3 whole periods, 600 measured requests) after a 0.5 s warm-up, with
    // enough connections that nothing queues in the client.
    const clock = new VirtualClock();
    const server = simulatedServer(clock, {
      connections: 32,
      serviceMs: (_k, startUs) => {
        const phase = (startUs / 1000) % PERIOD_MS;
        return phase < STALL_MS ? STALL_MS - phase : 0;
      },
    });

    // Act
    const open = await clock.run(
      runOpenLoop({
        baseUrl: 'http://api.test/bench/',
        plan: planSchedule(200, 0.5, 3),
        mix: MIX,
        connections: 32,
        requestTimeoutMs: 5_000,
        clock,
        transport: server,
      }),
    );

    // Assess: requests arrive every 5 ms, so the 20 of each stall wait 100, 95, … 5 ms: the 7th largest of
    // 600 (the p99) is 90 ms and the 31st (the p95) 50 ms, exactly the analytic values.
    const log = open.log;
    const measured = Array.from(log.latencyUs.subarray(0, log.count)).filter((_, i) => log.phase[i] === Phase.Measured);
    const s = summarize(measured, 0.001);
    expect(s.n).toBe(600);
    expect(s.p99).toBeCloseTo(analyticPercentileMs(0.99), 6);
    expect(s.p95).toBeCloseTo(analyticPercentileMs(0.95), 6);
    // A closed-loop tool would report a p99 near the service time here; the median really is 0.
    expect(s.p50).toBe(0);
  });

  it('charges a request for the time it waited for a busy connection, counted from its due time', async () => {
    // Prepare: one connection, 50 ms per response, 40 requests/s: the server can serve only 20/s.
    const clock = new VirtualClock();
    const server = simulatedServer(clock, { connections: 1, serviceMs: () => 50 });

    // Act
    const { log } = await clock.run(
      runOpenLoop({
        baseUrl: 'http://api.test/',
        plan: planSchedule(40, 0, 0.5),
        mix: MIX,
        connections: 1,
        requestTimeoutMs: 5_000,
        clock,
        transport: server,
      }),
    );

    // Assess: request k is due at 25·k ms and completes at 50·(k+1) ms, so its latency is 25·k + 50 ms,
    // though it was handed over on time: the wait was in the connection queue, not in the generator.
    expect(log.count).toBe(20);
    for (let k = 0; k < 20; k++) {
      expect(log.latencyUs[k]! / 1000).toBeCloseTo(25 * k + 50, 6);
      expect(log.sendUs[k]).toBeCloseTo(log.dueUs[k]!, 6);
    }
  });
});
