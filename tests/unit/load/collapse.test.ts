import { describe, expect, it } from 'vitest';
import { decideVerdict, evaluateSlos, parseSlo } from '../../../harness/check/slo.js';
import { assessMachine, latencyDoubts } from '../../../harness/check/timing.js';
import { validateMix } from '../../../harness/load/mix.js';
import { runOpenLoop } from '../../../harness/load/open-loop.js';
import { Phase } from '../../../harness/load/records.js';
import { planSchedule, rateFacts } from '../../../harness/load/schedule.js';
import { summarize } from '../../../harness/stats/summary.js';
import { simulatedServer, VirtualClock } from './virtual-clock.js';

const MIX = validateMix([{ name: 'ok', path: 'ok' }], 'test');

/**
 * A generator collapse as issue 17 saw it, on a virtual clock: for the first second each response frees
 * its connection after 1 ms; from then on a connection stays taken 25 ms per request (a generator too busy
 * to read its responses holds its connections, like a server that stalls). Four connections then carry
 * 160 req/s of the 400 offered, so requests queue in the pool while every one is still handed over on time.
 */
async function collapsedRun() {
  const clock = new VirtualClock();
  const server = simulatedServer(clock, {
    connections: 4,
    serviceMs: (_k, startUs) => (startUs < 1_020_000 ? 1 : 25),
  });
  const open = await clock.run(
    runOpenLoop({
      baseUrl: 'http://api.test/',
      plan: planSchedule(400, 0, 2),
      mix: MIX,
      connections: 4,
      requestTimeoutMs: 60_000,
      clock,
      transport: server,
    }),
  );
  return { open, facts: rateFacts(open.log, open.plan) };
}

describe('a collapsed generator', () => {
  it('shows as a connection-pool wait that grows while the send lag stays at zero', async () => {
    // Act
    const { open, facts } = await collapsedRun();

    // Assess: handed over on time (send lag 0), but the second half waited seconds for a connection.
    expect(facts.sendLagP99Us).toBe(0);
    expect(facts.strain!.sendLagP99Us).toEqual([0, 0]);
    expect(facts.strain!.poolWaitHalvesP99Us[0]).toBe(0);
    expect(facts.strain!.poolWaitHalvesP99Us[1] / 1000).toBeGreaterThan(1_000);
    for (let i = 0; i < open.log.count; i++) {
      expect(open.log.wireUs[i]).toBeGreaterThanOrEqual(open.log.sendUs[i]!);
    }
  });

  it('is flagged by the generator itself and makes a missed latency SLO, and so the verdict, inconclusive', async () => {
    // Prepare
    const { open, facts } = await collapsedRun();
    const log = open.log;
    const latencies: number[] = [];
    for (let i = 0; i < log.count; i++) if (log.phase[i] === Phase.Measured) latencies.push(log.latencyUs[i]! / 1000);
    const p99 = summarize(latencies).p99;
    const slos = ['p99<=100ms', 'errors<=1%'].map(parseSlo);
    const metrics = { 'warm.p99': { value: p99, n: latencies.length }, errors: { value: 0, n: latencies.length } };
    const load = {
      responses: latencies.length,
      sentRatio: facts.sentRps / facts.targetRps,
      achievedRatio: facts.achievedRps / facts.targetRps,
    };
    const judge = (machine: ReturnType<typeof assessMachine>) =>
      decideVerdict(
        evaluateSlos(slos, metrics, {
          closedLoop: false,
          doubts: latencyDoubts({ target: 'aws', warmupSettle: undefined, startBacklog: undefined, machine }),
        }),
        load,
      );

    // Act
    const assessment = assessMachine(undefined, facts.sendLagP99Us / 1000, 'aws', facts.strain);
    const blind = assessMachine(undefined, facts.sendLagP99Us / 1000, 'aws');

    // Assess: the generator says it could not carry the rate, so the seconds of queueing are not the API's
    // p99; without the pool-wait signal the same run would have failed the API.
    expect(p99).toBeGreaterThan(1_000);
    expect(assessment.saturated).toBe(true);
    expect(assessment.signals).toEqual([
      expect.stringMatching(/^connection-pool wait growing: p99 0\.0 ms in the first half/),
    ]);
    const verdict = judge(assessment);
    expect(verdict.verdict).toBe('inconclusive');
    expect(verdict.reasons.join(' ')).toMatch(
      /SLO p99<=100ms could not be judged: generator saturated \(connection-pool wait growing/,
    );
    expect(blind.saturated).toBe(false);
    expect(judge(blind).verdict).toBe('fail');
  });
});
