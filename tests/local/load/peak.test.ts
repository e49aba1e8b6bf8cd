import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runLoad } from '../../../harness/load/load.js';
import { validateMix } from '../../../harness/load/mix.js';

describe('runLoad in peak mode (autocannon, closed loop)', () => {
  it('sends as fast as the connections allow, each request with a fresh correlation id, and labels it closed-loop', async () => {
    // Prepare
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const id = String(req.headers['x-correlation-id']);
      seen.push(id);
      req.resume();
      res.writeHead(seen.length % 50 === 0 ? 500 : 200, {
        'x-correlation-id': id,
        'x-amzn-RequestId': `r-${seen.length}`,
      });
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const mix = validateMix(
      [
        { name: 'a', path: 'random/int' },
        { name: 'b', path: 'types' },
      ],
      'test',
    );

    // Act
    const load = await runLoad(`http://127.0.0.1:${port}/bench/`, {
      mode: 'peak',
      rateRps: 1,
      durationSeconds: 1,
      warmupSeconds: 0,
      connections: 2,
      mix,
      requestTimeoutMs: 5_000,
    });

    // Assess
    expect(load).toMatchObject({ mode: 'peak', closedLoop: true, rates: undefined });
    const n = load.log.count;
    expect(n).toBeGreaterThan(50);
    const ids = load.log.correlationId.slice(0, n);
    expect(new Set(ids).size).toBe(n);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(n);
    for (let i = 0; i < n; i++) {
      const r = load.log.at(i);
      expect(r.echoed).toBe(true);
      expect(r.latencyUs).toBeGreaterThan(0);
      expect(r.errorKind).toBe(r.status === 200 ? 'none' : 'status');
      expect(r.apiRequestId).toMatch(/^r-\d+$/);
    }
    expect(Array.from(load.log.status.subarray(0, n))).toContain(500);
  });
});
