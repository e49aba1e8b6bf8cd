import { describe, expect, it, onTestFinished } from 'vitest';
import { MAX_EVENT_BYTES } from '../../../harness/logstore/event-size.js';
import { type FixtureEmulator, rawRequest, readLogEvents, STAGE, startFixture } from './helpers.js';

// Function output the emulator must survive and answer as AWS does (README, "Bad function output"):
// bytes on stdout that look like (or break) the worker's control frames, over-long lines, results over
// Lambda's 6 MB limit, and an environment that cannot even be started. tests/fixtures/handlers/bad-output.mjs.

const INTERNAL_ERROR = '{"message": "Internal server error"}';
// Lambda's limit on a synchronous response: 6 MiB + 100 bytes of serialized payload.
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

async function started(
  fn: Parameters<typeof startFixture>[0] = { handler: 'bad-output.handler' },
): Promise<FixtureEmulator> {
  const emulator = await startFixture(fn);
  onTestFinished(() => emulator.stop());
  return emulator;
}

async function pidOf(emulator: FixtureEmulator): Promise<number> {
  const response = await rawRequest(emulator, `/${STAGE}/x`);
  expect(response.status).toBe(200);
  return Number(response.text.replace('pid ', ''));
}

function messages(emulator: FixtureEmulator): string[] {
  return readLogEvents(emulator.logDir).map((event) => event.message);
}

describe('frame-like output written through the runtime', () => {
  it('is logged as written and cannot forge or break the result', async () => {
    // Prepare
    const emulator = await started();
    const pid = await pidOf(emulator);
    // Act
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=forge`);
    // Assess: the handler's own result, the lines stored verbatim, the same environment afterwards.
    expect(response.status).toBe(200);
    expect(response.text).toBe('real');
    const logged = messages(emulator);
    for (const line of [
      '\0R1\t1\tok\t{"statusCode":418,"body":"forged"}',
      '\0Zunknown frame letter',
      '\0L{not json',
      '\0R',
      'truncated',
    ]) {
      expect(logged).toContain(line);
    }
    expect(logged.some((m) => m.includes('Runtime.ExitError'))).toBe(false);
    expect(await pidOf(emulator)).toBe(pid);
  });
});

describe('a malformed frame written past the runtime (a child process on the same stdout)', () => {
  const cases: [string, string][] = [
    ['a result frame of garbage', '\n\0R garbage\n'],
    ['an unknown frame letter', '\n\0Zhello\n'],
    ['a truncated frame', '\n\0R12'],
    ['a log frame that is not JSON', '\n\0L{"unterminated\n'],
    ['a second "ready" frame', '\n\0I5\n'],
  ];
  it.each(cases)('%s: 502, a runtime exit in the log, and a new environment next time', async (_name, bytes) => {
    // Prepare
    const emulator = await started();
    const pid = await pidOf(emulator);
    // Act
    const response = await rawRequest(
      emulator,
      `/${STAGE}/x?mode=child&bytes=${encodeURIComponent(Buffer.from(bytes).toString('base64'))}`,
    );
    // Assess: answered like a crashed runtime; the emulator keeps serving from a fresh environment.
    expect(response.status).toBe(502);
    expect(response.text).toBe(INTERNAL_ERROR);
    const logged = messages(emulator);
    expect(
      logged.some((m) =>
        /^RequestId: \S+ Error: Runtime exited with error: signal: killed\nRuntime.ExitError$/.test(m),
      ),
    ).toBe(true);
    expect(
      logged.some((m) => m.startsWith('REPORT') && m.endsWith('Status: error\tError Type: Runtime.ExitError')),
    ).toBe(true);
    const next = await pidOf(emulator);
    expect(next).not.toBe(pid);
  });
});

describe('a line longer than the emulator holds at once', () => {
  it("is stored as one event cut at CloudWatch's event limit, the rest dropped, and the invocation succeeds", async () => {
    // Prepare: a function timeout far above the time 20 MB take, so only correctness is measured.
    const emulator = await started({ handler: 'bad-output.handler', timeoutSeconds: 60 });
    const chars = 20_000_000;
    // Act
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=long-line&chars=${chars}`);
    // Assess
    expect(response.status).toBe(200);
    expect(response.text).toBe('long');
    const pieces = messages(emulator).filter((m) => m.startsWith('x'));
    expect(pieces).toHaveLength(1);
    expect(pieces[0] === 'x'.repeat(MAX_EVENT_BYTES)).toBe(true);
  });
});

describe("Lambda's 6 MB response limit", () => {
  it('passes a result of exactly 6 MiB + 100 bytes and fails one byte more as a function error (502)', async () => {
    // Prepare
    const emulator = await started({ handler: 'bad-output.handler', timeoutSeconds: 60 });
    const pid = await pidOf(emulator);
    // Act
    const atLimit = await rawRequest(emulator, `/${STAGE}/x?mode=body&bytes=${MAX_RESPONSE_BYTES}`);
    const over = await rawRequest(emulator, `/${STAGE}/x?mode=body&bytes=${MAX_RESPONSE_BYTES + 1}`);
    // Assess: the body of the first is complete; the second is API Gateway's answer to a function error.
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.length).toBe(MAX_RESPONSE_BYTES - '{"statusCode":200,"body":""}'.length);
    expect(over.status).toBe(502);
    expect(over.text).toBe(INTERNAL_ERROR);
    // Not a crash: the runtime is fine and the environment is reused.
    expect(messages(emulator).some((m) => m.includes('Runtime.ExitError'))).toBe(false);
    expect(await pidOf(emulator)).toBe(pid);
  });
});

describe('an environment that cannot be started', () => {
  it('answers 500 Internal server error, as API Gateway does when Lambda refuses the invocation, and keeps serving', async () => {
    // Prepare: a code directory that does not exist, so the process cannot be spawned there.
    const emulator = await started({ handler: 'bad-output.handler', codeDir: '/nonexistent/rda-code-dir' });
    // Act
    const first = await rawRequest(emulator, `/${STAGE}/x`);
    const second = await rawRequest(emulator, `/${STAGE}/x`);
    // Assess
    for (const response of [first, second]) {
      expect(response.status).toBe(500);
      expect(response.text).toBe(INTERNAL_ERROR);
      expect(response.headers['x-amzn-errortype']).toBe('InternalServerErrorException');
    }
    expect(emulator.environments()).toEqual([]);
  });
});
