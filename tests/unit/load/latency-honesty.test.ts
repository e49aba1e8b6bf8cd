import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runLoad } from '../../../harness/load/load.js';
import { validateMix } from '../../../harness/load/mix.js';
import { Phase } from '../../../harness/load/records.js';
import { summarize } from '../../../harness/load/stats.js';

// performance.md B7: a server that stalls STALL_MS every PERIOD_MS. It holds every request that arrives in a
// stall until the stall ends (a delayed response, as an event-loop block would give) but without burning a
// core, so on a busy 2-core machine the stall stays 100 ms and is not stretched by CPU contention. It runs
// in its own process, so nothing the load generator does moves its clock.
const STALL_MS = 100;
const PERIOD_MS = 1_000;
const STALL_SERVER = `
const http = require('node:http');
const start = performance.now();
const server = http.createServer((req, res) => {
  req.resume();
  const phase = (performance.now() - start) % ${PERIOD_MS};
  const answer = () => res.end('{"ok":true}');
  if (phase < ${STALL_MS}) setTimeout(answer, ${STALL_MS} - phase);
  else answer();
});
server.keepAliveTimeout = 10000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('disconnect', () => process.exit(0));
`;

/**
 * At a constant arrival rate, the share of requests that arrive during a stall is STALL/PERIOD (10 %), and
 * one arriving s ms into a stall waits STALL − s, uniform on (0, STALL). So P(latency > x) =
 * (STALL − x)/PERIOD for x < STALL, and the p-th percentile is STALL − (1 − p)·PERIOD: p99 = 90 ms,
 * p95 = 50 ms. Over a whole number of periods this holds for any phase of the stalls against the run,
 * since each window of one period holds exactly one stall's worth of time.
 */
function analyticPercentileMs(p: number): number {
  return STALL_MS - (1 - p) * PERIOD_MS;
}

async function startStallServer(): Promise<string> {
  const child: ChildProcess = spawn(process.execPath, ['-e', STALL_SERVER], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`stall server exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}/`;
}

describe('latency honesty (performance.md B7)', () => {
  it('reports the p99 of a server that stalls 100 ms every second within 20% of the analytic 90 ms', async () => {
    // Prepare: 200 req/s for 3 s (3 whole periods, 600 measured requests) after a 0.5 s warm-up.
    const baseUrl = await startStallServer();
    const mix = validateMix([{ name: 'ok', path: 'ok' }], 'test');

    // Act
    const load = await runLoad(baseUrl, {
      mode: 'open',
      rateRps: 200,
      durationSeconds: 3,
      warmupSeconds: 0.5,
      connections: 32,
      mix,
      requestTimeoutMs: 5_000,
    });

    // Assess
    const measured = Array.from(load.log.latencyUs.subarray(0, load.log.count)).filter((_, i) => load.log.phase[i] === Phase.Measured);
    const s = summarize(measured, 0.001);
    expect(s.n).toBe(600);
    expect(s.p99).toBeGreaterThanOrEqual(0.8 * analyticPercentileMs(0.99));
    expect(s.p99).toBeLessThanOrEqual(1.2 * analyticPercentileMs(0.99));
    // p95 (analytic 50 ms) is only bounded below: on a busy 2-core machine the backlog after each stall
    // drains slowly and lifts it, while the p99 is set by the stall itself.
    expect(s.p95).toBeGreaterThanOrEqual(0.8 * analyticPercentileMs(0.95));
    console.info(`stall server: p50 ${s.p50.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, p99 ${s.p99.toFixed(2)} ms (analytic 90)`);
    // A closed-loop tool would report p99 ≈ 0.5 ms here (B7); the median really is small.
    expect(s.p50).toBeLessThan(10);
    expect(load.rates!.sentRps / 200).toBeGreaterThan(0.95);
  });
});
