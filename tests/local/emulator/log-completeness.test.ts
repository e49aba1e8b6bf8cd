import autocannon from 'autocannon';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readLogEvents, STAGE, startFixture } from './helpers.js';

// The log store under load: at the rate a closed loop of 10 connections drives (the highest the emulator
// sustains here), every invocation's START/END/REPORT and every line the handler wrote are in the store
// exactly once, in the invocation they belong to, before the client has its response (docs/aws-behaviour.md#lambda-platform-lines,
// docs/aws-behaviour.md#console-lines; issue: "Appends are flushed before the HTTP response").

const REQUESTS = 2000;
const LINES_PER_REQUEST = 2;

describe('log completeness', () => {
  it('stores every platform and handler line exactly once under sustained load', async () => {
    // Prepare: 2 console lines and 2 raw (pino-style) lines per request, tagged with a unique id.
    const emulator = await startFixture({ handler: 'modes.handler' }, {}, { disableThrottling: true });
    onTestFinished(() => emulator.stop());
    let next = 0;

    // Act
    const result = await autocannon({
      url: `http://127.0.0.1:${emulator.port}`,
      connections: 10,
      amount: REQUESTS,
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            path: `/${STAGE}/x?mode=log&n=${LINES_PER_REQUEST}&id=r${next++}`,
          }),
        },
      ],
    });

    // Assess: every request answered 200, then the store holds exactly what those invocations wrote.
    expect(result.errors).toBe(0);
    expect(result.non2xx).toBe(0);
    expect(result['2xx']).toBe(REQUESTS);
    const events = readLogEvents(emulator.logDir);
    const count = (prefix: string) => events.filter((e) => e.message.startsWith(prefix)).length;
    expect(count('START RequestId:')).toBe(REQUESTS);
    expect(count('END RequestId:')).toBe(REQUESTS);
    expect(count('REPORT RequestId:')).toBe(REQUESTS);

    const rawById = new Map<string, number>();
    const consoleById = new Map<string, number>();
    for (const event of events) {
      const raw = /^\{"level":30,"msg":"pino-style","i":\d,"id":"(r\d+)"/.exec(event.message);
      if (raw) rawById.set(raw[1]!, (rawById.get(raw[1]!) ?? 0) + 1);
      const line = /\tINFO\tplain line \d \{ id: '(r\d+)' \}$/.exec(event.message);
      if (line) consoleById.set(line[1]!, (consoleById.get(line[1]!) ?? 0) + 1);
    }
    expect(rawById.size).toBe(REQUESTS);
    expect(consoleById.size).toBe(REQUESTS);
    for (let i = 0; i < REQUESTS; i++) {
      expect(rawById.get(`r${i}`), `raw lines of r${i}`).toBe(LINES_PER_REQUEST);
      expect(consoleById.get(`r${i}`), `console lines of r${i}`).toBe(LINES_PER_REQUEST);
    }

    // Every handler line sits between the START and END of the invocation that wrote it, in its stream.
    const current = new Map<string, string | undefined>();
    for (const event of events) {
      const start = /^START RequestId: (\S+) /.exec(event.message);
      if (start) {
        expect(current.get(event.stream)).toBeUndefined();
        current.set(event.stream, start[1]);
        continue;
      }
      const end = /^END RequestId: (\S+)$/.exec(event.message);
      if (end) {
        expect(current.get(event.stream)).toBe(end[1]);
        current.set(event.stream, undefined);
        continue;
      }
      if (event.message.startsWith('REPORT') || event.message.startsWith('INIT_START')) continue;
      const owner = /"awsRequestId":"([^"]+)"/.exec(event.message)?.[1] ?? event.message.split('\t')[1];
      expect(owner).toBe(current.get(event.stream));
    }
  });

  it('has an invocation in the store by the time its client has the response', async () => {
    const emulator = await startFixture({ handler: 'modes.handler' });
    onTestFinished(() => emulator.stop());
    for (let i = 0; i < 50; i++) {
      const response = await fetch(`${emulator.baseUrl}x?mode=log&id=seq${i}`);
      const { requestId } = (await response.json()) as { requestId: string };
      // Read synchronously, right after the response: no waiting, no polling.
      const messages = readLogEvents(emulator.logDir).map((e) => e.message);
      expect(messages).toContain(`END RequestId: ${requestId}`);
      expect(messages.some((m) => m.startsWith(`REPORT RequestId: ${requestId}\t`))).toBe(true);
      expect(messages.some((m) => m.includes(`"id":"seq${i}"`))).toBe(true);
    }
  });
});
