import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { validateMix } from '../../../harness/load/mix.js';
import { runOpenLoop } from '../../../harness/load/open-loop.js';
import { ErrorKind } from '../../../harness/load/records.js';
import { planSchedule } from '../../../harness/load/schedule.js';

// The open loop over real HTTP on 127.0.0.1, on the machine's clock; its scheduling and abort rules are
// unit-tested on a virtual clock in tests/unit/load/open-loop.test.ts.

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

describe('runOpenLoop over HTTP (undici pool)', () => {
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
    // Warm-up on the plan; the measured phase on its own schedule from its start (later if the warm-up
    // had not drained by then, which a busy machine may cause: not asserted here).
    const measuredStart = log.dueUs[20]!;
    expect(measuredStart).toBeGreaterThanOrEqual(200_000);
    for (let i = 0; i < log.count; i++) {
      const r = log.at(i);
      expect(r.dueUs).toBeCloseTo(i < 20 ? i * 10_000 : measuredStart + (i - 20) * 10_000, 6);
      expect(r.phase).toBe(i < 20 ? 'warmup' : 'measured');
      expect(r).toMatchObject({ status: 200, errorKind: 'none', echoed: true });
      expect(r.apiRequestId).toMatch(/^req-\d+$/);
      expect(r.latencyUs).toBeGreaterThan(0);
    }
    expect(seen.map((s) => s.correlationId).sort()).toEqual([...log.correlationId].slice(0, 70).sort());
  });

  it('adds no event listener per request: one abort listener on the caller signal for the whole run', async () => {
    // Prepare: every addEventListener of this process is counted while 100 requests go through undici.
    const { baseUrl } = await startServer();
    const controller = new AbortController();
    const add = vi.spyOn(EventTarget.prototype, 'addEventListener');
    onTestFinished(() => add.mockRestore());

    // Act
    const { log } = await runOpenLoop({
      baseUrl,
      plan: planSchedule(200, 0, 0.5),
      mix: MIX,
      connections: 4,
      requestTimeoutMs: 5_000,
      signal: controller.signal,
    });
    const listened = add.mock.calls.map((call) => call[0]);
    add.mockRestore();

    // Assess: each request was timed to a connection, and the only listener is the run's own.
    expect(log.count).toBe(100);
    for (let i = 0; i < log.count; i++) {
      expect(log.at(i)).toMatchObject({ status: 200, echoed: true });
      expect(log.wireUs[i]).toBeGreaterThanOrEqual(log.sendUs[i]!);
    }
    expect(listened).toEqual(['abort']);
  });

  it('stops at once on abort over HTTP: the run rejects and no request is left recorded as pending', async () => {
    // Prepare: responses take 5 s; abort 150 ms in.
    const { baseUrl } = await startServer({ delayMs: () => 5_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 150);
    const started = performance.now();

    // Act
    const outcome = runOpenLoop({
      baseUrl,
      plan: planSchedule(100, 0, 5),
      mix: MIX,
      connections: 4,
      requestTimeoutMs: 10_000,
      signal: controller.signal,
    });

    // Assess: well before any response could arrive (a loose bound: only a hang fails it).
    await expect(outcome).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  it('records latencies at microsecond resolution, not whole milliseconds', async () => {
    const { baseUrl } = await startServer();
    const { log } = await runOpenLoop({
      baseUrl,
      plan: planSchedule(100, 0, 0.3),
      mix: MIX,
      connections: 2,
      requestTimeoutMs: 5_000,
    });
    const fractional = Array.from(log.latencyUs.subarray(0, log.count)).filter((us) => us % 1000 !== 0);
    expect(fractional.length).toBeGreaterThan(log.count / 2);
  });

  it('classifies unexpected statuses, refused connections and timeouts as errors of their kind', async () => {
    // Request 4 answers after 10 s, far past its 1 s timeout; the others at once (a second is ample margin
    // on a busy machine).
    const { baseUrl } = await startServer({
      status: (n) => (n % 2 ? 503 : 200),
      delayMs: (n) => (n === 4 ? 10_000 : 0),
    });
    const slow = await runOpenLoop({
      baseUrl,
      plan: planSchedule(50, 0, 0.1),
      mix: MIX,
      connections: 5,
      requestTimeoutMs: 1_000,
    });
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
});
