import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { validateMix } from '../../../harness/load/mix.js';
import { runOpenLoop } from '../../../harness/load/open-loop.js';
import { ErrorKind } from '../../../harness/load/records.js';
import { planSchedule } from '../../../harness/load/schedule.js';

const MIX = validateMix([{ name: 'ints', path: 'random/int?count=2' }], 'test');

/** A server on 127.0.0.1:0 that answers after `delayMs(n)` with `status(n)`, echoing the correlation id. */
async function startServer(options: { delayMs?: (n: number) => number; status?: (n: number) => number } = {}) {
  const seen: { url: string; correlationId: string; atMs: number }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const n = seen.length;
    seen.push({ url: req.url ?? '', correlationId: String(req.headers['x-correlation-id']), atMs: performance.now() });
    req.resume();
    setTimeout(() => {
      res.writeHead(options.status?.(n) ?? 200, {
        'x-correlation-id': String(req.headers['x-correlation-id']),
        'x-amzn-RequestId': `req-${n}`,
      });
      res.end('{"data":[1,2]}');
    }, options.delayMs?.(n) ?? 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.keepAliveTimeout = 1_000;
  const { port } = server.address() as AddressInfo;
  return { seen, baseUrl: `http://127.0.0.1:${port}/bench/` };
}

describe('runOpenLoop', () => {
  it('sends request i at i/rate with a fresh correlation id, and records status, echo and x-amzn-RequestId', async () => {
    // Prepare
    const { seen, baseUrl } = await startServer();
    const plan = planSchedule(100, 0.2, 0.5);

    // Act
    const { log } = await runOpenLoop({ baseUrl, plan, mix: MIX, connections: 4, requestTimeoutMs: 5_000 });

    // Assess
    expect(log.count).toBe(70);
    expect(seen).toHaveLength(70);
    expect(seen[0]!.url).toBe('/bench/random/int?count=2');
    expect(new Set(seen.map((s) => s.correlationId)).size).toBe(70);
    for (let i = 0; i < log.count; i++) {
      const r = log.at(i);
      expect(r.dueUs).toBeCloseTo(i * 10_000, 6);
      expect(r.phase).toBe(i < 20 ? 'warmup' : 'measured');
      expect(r).toMatchObject({ status: 200, errorKind: 'none', echoed: true });
      expect(r.apiRequestId).toMatch(/^req-\d+$/);
      expect(r.sendUs).toBeGreaterThanOrEqual(r.dueUs);
      expect(r.latencyUs).toBeGreaterThan(0);
    }
    expect(seen.map((s) => s.correlationId).sort()).toEqual([...log.correlationId].slice(0, 70).sort());
  });

  it('measures latency from the due time, so waiting for a busy connection counts', async () => {
    // Prepare: one connection, 50 ms per response, 40 requests/s: the server can serve only 20/s.
    const { baseUrl } = await startServer({ delayMs: () => 50 });
    const plan = planSchedule(40, 0, 0.5);

    // Act
    const { log } = await runOpenLoop({ baseUrl, plan, mix: MIX, connections: 1, requestTimeoutMs: 5_000 });

    // Assess: request k completes at ≈ 50·(k+1) ms but was due at 25·k ms, so it waited ≈ 25·k + 50 ms.
    expect(log.count).toBe(20);
    const last = log.latencyUs[19]! / 1000;
    expect(last).toBeGreaterThan(0.8 * (25 * 19 + 50));
    for (let k = 1; k < 20; k++) expect(log.latencyUs[k]!).toBeGreaterThan(log.latencyUs[k - 1]! - 5_000);
    // It was handed to the pool on time: the wait was in the queue, not in the generator.
    expect(log.sendUs[19]! - log.dueUs[19]!).toBeLessThan(100_000);
  });

  it('records latencies at microsecond resolution, not whole milliseconds', async () => {
    const { baseUrl } = await startServer();
    const { log } = await runOpenLoop({ baseUrl, plan: planSchedule(100, 0, 0.3), mix: MIX, connections: 2, requestTimeoutMs: 5_000 });
    const fractional = Array.from(log.latencyUs.subarray(0, log.count)).filter((us) => us % 1000 !== 0);
    expect(fractional.length).toBeGreaterThan(log.count / 2);
  });

  it('classifies unexpected statuses, refused connections and timeouts as errors of their kind', async () => {
    const { baseUrl } = await startServer({ status: (n) => (n % 2 ? 503 : 200), delayMs: (n) => (n === 4 ? 1_000 : 0) });
    const slow = await runOpenLoop({ baseUrl, plan: planSchedule(50, 0, 0.1), mix: MIX, connections: 5, requestTimeoutMs: 300 });
    expect(Array.from(slow.log.status.subarray(0, 5))).toEqual([200, 503, 200, 503, 0]);
    expect(slow.log.at(1).errorKind).toBe('status');
    expect(slow.log.at(4).errorKind).toBe('timeout');

    // Nothing listens on port 1 (tcpmux, long retired).
    const refused = await runOpenLoop({
      baseUrl: 'http://127.0.0.1:1/',
      plan: planSchedule(20, 0, 0.1),
      mix: MIX,
      connections: 1,
      requestTimeoutMs: 1_000,
    });
    expect(refused.log.errorKind[0]).toBe(ErrorKind.Connection);
    expect(refused.log.latencyUs[0]).toBeNaN();
  });

  it('stops at once on abort: no request is sent after it, and it rejects with the abort reason', async () => {
    // Prepare
    const { seen, baseUrl } = await startServer({ delayMs: () => 2_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort('SIGTERM'), 200);
    const started = performance.now();

    // Act
    const outcome = runOpenLoop({ baseUrl, plan: planSchedule(50, 0, 5), mix: MIX, connections: 20, requestTimeoutMs: 10_000, signal: controller.signal });

    // Assess
    await expect(outcome).rejects.toBe('SIGTERM');
    expect(performance.now() - started).toBeLessThan(1_000);
    const sentAtAbort = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.length).toBe(sentAtAbort);
    expect(sentAtAbort).toBeLessThan(30);
  });
});
