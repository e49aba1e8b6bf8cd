import { describe, expect, it, onTestFinished } from 'vitest';
import {
  alive,
  echo,
  FUNCTION_NAME,
  LOG_GROUP,
  type LoggedEvent,
  rawRequest,
  readLogEvents,
  STAGE,
  startFixture,
} from './helpers.js';

// Lambda execution environments behind real HTTP requests: cold and warm starts, concurrency, timeouts,
// crashes, and the platform lines of docs/aws-behaviour.md#lambda-platform-lines.

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
// docs/aws-behaviour.md#lambda-platform-lines, byte for byte (messages are stored without their trailing newline).
const START = new RegExp(`^START RequestId: (${UUID}) Version: \\$LATEST$`);
const END = new RegExp(`^END RequestId: (${UUID})$`);
const REPORT = new RegExp(
  `^REPORT RequestId: (${UUID})\\tDuration: (\\d+\\.\\d{2}) ms\\tBilled Duration: (\\d+) ms\\tMemory Size: (\\d+) MB\\t` +
    `Max Memory Used: (\\d+) MB\\t(?:Init Duration: (\\d+\\.\\d{2}) ms\\t)?(Status: timeout|Status: error\\tError Type: [A-Za-z.]+)?$`,
);
const INIT_START =
  /^INIT_START Runtime Version: nodejs:\d+\.v\d+\tRuntime Version ARN: arn:aws:lambda:[a-z0-9-]+::runtime:[0-9a-f]{64}$/;
// docs/aws-behaviour.md#log-groups-and-streams.
const STREAM = /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/;

interface Report {
  readonly requestId: string;
  readonly durationMs: number;
  readonly billedMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs: number | undefined;
  readonly status: string | undefined;
  readonly stream: string;
  readonly timestamp: number;
}

function reports(events: readonly LoggedEvent[]): Report[] {
  return events.flatMap((event) => {
    const m = REPORT.exec(event.message);
    if (!event.message.startsWith('REPORT')) return [];
    if (!m) throw new Error(`REPORT line does not match the AWS format: ${JSON.stringify(event.message)}`);
    return [
      {
        requestId: m[1]!,
        durationMs: Number(m[2]),
        billedMs: Number(m[3]),
        memorySizeMb: Number(m[4]),
        maxMemoryUsedMb: Number(m[5]),
        initDurationMs: m[6] === undefined ? undefined : Number(m[6]),
        status: m[7],
        stream: event.stream,
        timestamp: event.timestamp,
      },
    ];
  });
}

async function pidOf(emulator: Awaited<ReturnType<typeof startFixture>>, query = ''): Promise<number> {
  const response = await rawRequest(emulator, `/${STAGE}/x${query}`);
  expect(response.status).toBe(200);
  return (JSON.parse(response.text) as { pid: number }).pid;
}

async function started(fn: Parameters<typeof startFixture>[0], api = {}, options = {}) {
  const emulator = await startFixture(fn, api, options);
  onTestFinished(() => emulator.stop());
  return emulator;
}

describe('cold and warm starts', () => {
  it('starts an environment on the first request and reuses it for the next', async () => {
    // Prepare
    const emulator = await started({ handler: 'modes.handler' });
    // Act
    const first = await pidOf(emulator);
    const second = await pidOf(emulator);
    // Assess
    expect(second).toBe(first);
    expect(emulator.startedPids()).toEqual([first]);
    const events = readLogEvents(emulator.logDir);
    expect(new Set(events.map((e) => e.stream)).size).toBe(1);
    const [cold, warm] = reports(events);
    // Init Duration only on the first invocation of an environment (docs/aws-behaviour.md#lambda-report-line).
    expect(cold!.initDurationMs).toBeGreaterThan(0);
    expect(warm!.initDurationMs).toBeUndefined();
    // INIT_START once, before the first START (docs/aws-behaviour.md#lambda-platform-lines).
    expect(events[0]!.message).toMatch(INIT_START);
    expect(events.filter((e) => e.message.startsWith('INIT_START'))).toHaveLength(1);
    expect(events[1]!.message).toMatch(START);
  });

  it('measures Init Duration from process start to the handler being loaded', async () => {
    // slow-init.mjs spends ~300 ms at module load.
    const emulator = await started({ handler: 'slow-init.handler' });
    const response = await rawRequest(emulator, `/${STAGE}/x`);
    expect(response.text).toBe('warm');
    const [report] = reports(readLogEvents(emulator.logDir));
    expect(report!.initDurationMs).toBeGreaterThanOrEqual(300);
    expect(report!.durationMs).toBeLessThan(300);
  });

  it('starts one environment per concurrent request, each a cold start in its own stream', async () => {
    const emulator = await started({ handler: 'modes.handler' });
    const pids = await Promise.all([1, 2, 3, 4].map(() => pidOf(emulator, '?mode=sleep&ms=400')));
    expect(new Set(pids).size).toBe(4);
    const all = reports(readLogEvents(emulator.logDir));
    expect(all).toHaveLength(4);
    expect(new Set(all.map((r) => r.stream)).size).toBe(4);
    for (const report of all) expect(report.initDurationMs).toBeGreaterThan(0);
  });

  it('recycles an environment that stayed idle longer than the idle timeout', async () => {
    const emulator = await started({ handler: 'modes.handler' }, {}, { idleTimeoutMs: 150 });
    const first = await pidOf(emulator);
    await expect.poll(() => alive(first), { timeout: 3000, interval: 50 }).toBe(false);
    const second = await pidOf(emulator);
    expect(second).not.toBe(first);
    const [, next] = reports(readLogEvents(emulator.logDir)).sort((a, b) => a.timestamp - b.timestamp);
    expect(next!.initDurationMs).toBeGreaterThan(0);
  });
});

describe('limits', () => {
  it("answers 500 beyond the function's reserved concurrency without starting another environment", async () => {
    // Lambda throttles the invoke; behind a proxy integration API Gateway answers 500 with its internal-error
    // body, not 429 (docs/aws-behaviour.md#lambda-throttling-behind-api-gateway).
    const emulator = await started({ handler: 'modes.handler', reservedConcurrency: 2 });
    const responses = await Promise.all([1, 2, 3].map(() => rawRequest(emulator, `/${STAGE}/x?mode=sleep&ms=500`)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 500]);
    const throttled = responses.find((r) => r.status === 500)!;
    expect(throttled.text).toBe('{"message": "Internal server error"}');
    expect(emulator.startedPids()).toHaveLength(2);
  });

  it('lets the stage token bucket pass its burst, then 429, then refill at the rate', async () => {
    // docs/aws-behaviour.md#throttling: token bucket (rate, burst) → 429.
    // 2 tokens per second: one back every 500 ms, so the five quick requests see at most one refill.
    const emulator = await started({ handler: 'modes.handler' }, { throttle: { rateLimit: 2, burstLimit: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await rawRequest(emulator, `/${STAGE}/x`)).status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toContain(429);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await rawRequest(emulator, `/${STAGE}/x`)).status).toBe(200);
  });
});

describe('function errors', () => {
  it('kills a timed-out invocation: 502, a REPORT with Status: timeout, and a new environment next time', async () => {
    const emulator = await started({ handler: 'modes.handler', timeoutSeconds: 1 });
    const startedAt = performance.now();
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=hang`);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(990);
    expect(response.status).toBe(502);
    expect(response.text).toBe('{"message": "Internal server error"}');
    const [hung] = emulator.startedPids();
    expect(alive(hung!)).toBe(false);

    const next = await pidOf(emulator);
    expect(next).not.toBe(hung);
    const all = reports(readLogEvents(emulator.logDir));
    const timedOut = all.find((r) => r.status === 'Status: timeout')!;
    // On a timeout Duration is the timeout and Billed Duration equals it (docs/aws-behaviour.md#lambda-report-line, #billed-duration).
    expect(timedOut.durationMs).toBe(1000);
    expect(timedOut.billedMs).toBe(1000);
    const events = readLogEvents(emulator.logDir);
    const timeoutLine = events.find((e) => e.message.startsWith('REPORT') && e.message.endsWith('Status: timeout'))!;
    expect(timeoutLine.message).toMatch(/\tMax Memory Used: \d+ MB\t(Init Duration: \d+\.\d{2} ms\t)?Status: timeout$/);
    expect(events.some((e) => e.message === `END RequestId: ${timedOut.requestId}`)).toBe(true);
  });

  it('also kills a handler that blocks its event loop', async () => {
    const emulator = await started({ handler: 'modes.handler', timeoutSeconds: 1 });
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=spin`);
    expect(response.status).toBe(502);
    expect(alive(emulator.startedPids()[0]!)).toBe(false);
    expect(reports(readLogEvents(emulator.logDir))[0]!.status).toBe('Status: timeout');
  });

  it('fails an async invocation whose promise can never settle, as the runtime does, and keeps the environment', async () => {
    // RIC `_setDefaultExitListener`: the event loop ran dry with the handler's promise pending.
    const emulator = await started({ handler: 'modes.handler' });
    const startedAt = performance.now();
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=unsettled`);
    expect(performance.now() - startedAt).toBeLessThan(2000);
    expect(response.status).toBe(502);
    const events = readLogEvents(emulator.logDir);
    const line = events.find((e) => e.message.includes('Invoke Error'))!;
    expect(line.message).toContain('"errorType":"Runtime.NodeJsExit"');
    expect(reports(events)[0]!.status).toBeUndefined();
    const [pid] = emulator.startedPids();
    expect(await pidOf(emulator)).toBe(pid);
  });

  it('freezes the environment between invocations: a timer left behind runs during the next one', async () => {
    const emulator = await started({ handler: 'modes.handler' });
    await pidOf(emulator, '?mode=later&id=left-behind');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // 250 ms after its due time the timer still has not run: the environment is frozen.
    expect(readLogEvents(emulator.logDir).some((e) => e.message.includes('late line'))).toBe(false);
    const { requestId } = JSON.parse((await rawRequest(emulator, `/${STAGE}/x?mode=sleep&ms=20`)).text) as {
      requestId: string;
    };
    const messages = readLogEvents(emulator.logDir).map((e) => e.message);
    const late = messages.findIndex((m) => m.includes('late line left-behind'));
    expect(late).toBeGreaterThan(messages.indexOf(`START RequestId: ${requestId} Version: $LATEST`));
    expect(late).toBeLessThan(messages.indexOf(`END RequestId: ${requestId}`));
    // The line carries the id of the invocation it ran in, as the runtime's console does.
    expect(messages[late]).toContain(`\t${requestId}\tINFO\tlate line left-behind`);
  });

  it('turns a crashed runtime into a 502, logs the exit, and serves the next request from a new environment', async () => {
    const emulator = await started({ handler: 'modes.handler' });
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=exit&code=3`);
    expect(response.status).toBe(502);
    const [crashed] = emulator.startedPids();
    const next = await pidOf(emulator);
    expect(next).not.toBe(crashed);
    const all = readLogEvents(emulator.logDir);
    const report = reports(all).find((r) => r.status !== undefined)!;
    const events = all.filter((e) => e.stream === report.stream);
    // OBS cargo-lambda/cargo-lambda#572: the platform's exit line, then END and REPORT with the error type.
    expect(events.map((e) => e.message)).toContain(
      `RequestId: ${report.requestId} Error: Runtime exited with error: exit status 3\nRuntime.ExitError`,
    );
    expect(report.status).toBe('Status: error\tError Type: Runtime.ExitError');
  });

  it('logs an uncaught exception outside the handler and answers 502', async () => {
    // docs/aws-behaviour.md#console-lines: process-level handlers log `Uncaught Exception` as the runtime does.
    const emulator = await started({ handler: 'modes.handler' });
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=uncaught`);
    expect(response.status).toBe(502);
    const line = readLogEvents(emulator.logDir).find((e) => e.message.includes('Uncaught Exception'))!;
    expect(line.message).toMatch(
      new RegExp(`^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\t${UUID}\\tERROR\\tUncaught Exception \\t\\{`),
    );
    expect(JSON.parse(line.message.split('Uncaught Exception \t')[1]!)).toMatchObject({
      errorType: 'Error',
      errorMessage: 'thrown outside the handler',
    });
  });

  it('logs a thrown error as `Invoke Error` with the request id and answers 502', async () => {
    // docs/aws-behaviour.md#console-lines: `ERROR\tInvoke Error \t{JSON}` with a space before the tab.
    const emulator = await started({ handler: 'modes.handler' });
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=throw`);
    expect(response.status).toBe(502);
    const events = readLogEvents(emulator.logDir);
    const report = reports(events)[0];
    const line = events.find((e) => e.message.includes('Invoke Error'))!;
    const prefix = `\t${report!.requestId}\tERROR\tInvoke Error \t`;
    expect(line.message).toContain(prefix);
    const payload = JSON.parse(line.message.slice(line.message.indexOf(prefix) + prefix.length));
    expect(payload.errorType).toBe('Error');
    expect(payload.errorMessage).toBe('boom from the handler');
    expect(payload.stack[0]).toBe('Error: boom from the handler');
    expect(report!.status).toBeUndefined();
  });

  it('fails an invocation whose handler cannot load, logging `Init Error` with request id `-` (nodejs24.x)', async () => {
    const emulator = await started({ handler: 'init-throw.handler' });
    const response = await rawRequest(emulator, `/${STAGE}/x`);
    expect(response.status).toBe(502);
    const events = readLogEvents(emulator.logDir);
    const line = events.find((e) => e.message.includes('Init Error'))!;
    expect(line.message).toMatch(
      /^\S+\t-\tERROR\tInit Error \t\{"errorType":"Error","errorMessage":"cannot initialise"/,
    );
    expect(reports(events)[0]!.status).toBe('Status: error\tError Type: Runtime.ExitError');
    expect(reports(events)[0]!.initDurationMs).toBeGreaterThan(0);
  });

  it('reports a missing handler file as Runtime.ImportModuleError', async () => {
    const emulator = await started({ handler: 'missing-file.handler' });
    expect((await rawRequest(emulator, `/${STAGE}/x`)).status).toBe(502);
    const line = readLogEvents(emulator.logDir).find((e) => e.message.includes('Init Error'))!;
    expect(line.message).toContain('"errorType":"Runtime.ImportModuleError"');
  });
});

describe('platform lines and log streams (docs/aws-behaviour.md#log-groups-and-streams, #lambda-platform-lines, #billed-duration)', () => {
  it('writes START, END and REPORT in the exact AWS format, END and REPORT sharing a timestamp', async () => {
    const emulator = await started({ handler: 'modes.handler', memorySizeMb: 384 });
    for (let i = 0; i < 3; i++) await pidOf(emulator);
    const events = readLogEvents(emulator.logDir);
    const messages = events.map((e) => e.message);
    const starts = messages.filter((m) => m.startsWith('START'));
    const ends = events.filter((e) => e.message.startsWith('END'));
    const all = reports(events);
    expect(starts).toHaveLength(3);
    for (const start of starts) expect(start).toMatch(START);
    for (const end of ends) expect(end.message).toMatch(END);
    for (const [i, report] of all.entries()) {
      expect(report.memorySizeMb).toBe(384);
      expect(report.requestId).toBe(START.exec(starts[i]!)![1]);
      expect(report.timestamp).toBe(ends[i]!.timestamp);
      // The normal REPORT ends in a tab (docs/aws-behaviour.md#lambda-report-line).
    }
    for (const report of events.filter((e) => e.message.startsWith('REPORT')))
      expect(report.message.endsWith('\t')).toBe(true);
    for (const event of events) expect(event.ingestionTime).toBeGreaterThanOrEqual(event.timestamp);
  });

  it('bills ceil(Duration) in whole milliseconds, Init Duration excluded', async () => {
    const emulator = await started({ handler: 'modes.handler' });
    await pidOf(emulator, '?mode=sleep&ms=25');
    await pidOf(emulator, '?mode=sleep&ms=7');
    await pidOf(emulator);
    const all = reports(readLogEvents(emulator.logDir));
    expect(all).toHaveLength(3);
    for (const report of all) expect(report.billedMs).toBe(Math.max(1, Math.ceil(report.durationMs)));
    expect(all[0]!.durationMs).toBeGreaterThanOrEqual(25);
    expect(all[0]!.billedMs).toBeLessThan(all[0]!.durationMs + (all[0]!.initDurationMs ?? 0));
  });

  it('names one stream per environment YYYY/MM/DD/[$LATEST]<32 hex> in the function log group', async () => {
    const emulator = await started({ handler: 'modes.handler' });
    await Promise.all([1, 2].map(() => pidOf(emulator, '?mode=sleep&ms=300')));
    const events = readLogEvents(emulator.logDir, LOG_GROUP);
    const streams = [...new Set(events.map((e) => e.stream))];
    expect(streams).toHaveLength(2);
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    for (const stream of streams) {
      expect(stream).toMatch(STREAM);
      expect(stream.startsWith(today)).toBe(true);
    }
  });

  it('reports Max Memory Used from the measured memory of the environment', async () => {
    const emulator = await started({ handler: 'modes.handler', memorySizeMb: 1024 });
    await pidOf(emulator);
    await pidOf(emulator, '?mode=memory&mb=120');
    const [small, large] = reports(readLogEvents(emulator.logDir));
    expect(small!.maxMemoryUsedMb).toBeGreaterThan(10);
    expect(large!.maxMemoryUsedMb).toBeGreaterThanOrEqual(small!.maxMemoryUsedMb + 100);
  });
});

describe('what the function sees', () => {
  it("sets Lambda's environment variables, the function's own, and nothing from the host", async () => {
    const emulator = await started({ handler: 'echo.handler', environment: { LOG_LEVEL: 'debug' } });
    const { env, envKeys, context, now } = await echo(emulator, `/${STAGE}/env`);
    const events = readLogEvents(emulator.logDir);
    expect(env).toMatchObject({
      AWS_LAMBDA_FUNCTION_NAME: FUNCTION_NAME,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: LOG_GROUP,
      AWS_LAMBDA_LOG_STREAM_NAME: events[0]!.stream,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      _HANDLER: 'echo.handler',
      TZ: ':UTC',
      LOG_LEVEL: 'debug',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    });
    expect(env._X_AMZN_TRACE_ID).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(now).toContain('GMT+0000');
    for (const key of envKeys) {
      expect(key, `unexpected variable ${key}`).toMatch(
        /^(AWS_|LAMBDA_|_HANDLER$|_X_AMZN_TRACE_ID$|TZ$|LANG$|PATH$|NODE_PATH$|LD_LIBRARY_PATH$|TMPDIR$|PWD$|LOG_LEVEL$)/,
      );
    }
    expect(context).toMatchObject({
      functionName: FUNCTION_NAME,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION_NAME}`,
      memoryLimitInMB: '256',
      logGroupName: LOG_GROUP,
      logStreamName: events[0]!.stream,
    });
    expect(context.remainingMs).toBeGreaterThan(2000);
    expect(context.remainingMs).toBeLessThanOrEqual(3000);
    expect(context.awsRequestId).toBe(reports(events)[0]!.requestId);
  });

  it('formats console lines as the Node.js runtime does and keeps raw stdout lines as written', async () => {
    // docs/aws-behaviour.md#console-lines: `<ISO>\t<requestId>\tINFO\t<util.format(...)>`, one event per call, newlines kept;
    // init lines carry request id `-` on nodejs24.x (tests/local/emulator/runtime-interface.test.ts has both runtimes).
    const emulator = await started({ handler: 'init-log.handler' });
    await rawRequest(emulator, `/${STAGE}/x`);
    const logModes = await started({ handler: 'modes.handler' });
    await rawRequest(logModes, `/${STAGE}/x?mode=log&multi=1&streams=1&id=abc`);

    const init = readLogEvents(emulator.logDir).map((e) => e.message);
    expect(init[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\t-\tINFO\tLoading function$/);
    expect(init[2]).toMatch(START);
    expect(init[3]).toMatch(new RegExp(`^\\S+\\t${UUID}\\tINFO\\tinside the handler$`));

    const events = readLogEvents(logModes.logDir);
    const requestId = reports(events)[0]!.requestId;
    const messages = events.map((e) => e.message);
    const start = messages.findIndex((m) => m.startsWith('START'));
    expect(messages.slice(start + 1, -2)).toEqual([
      expect.stringMatching(new RegExp(`^\\S+\\t${requestId}\\tINFO\\tplain line 0 \\{ id: 'abc' \\}$`)),
      `{"level":30,"msg":"pino-style","i":0,"id":"abc","awsRequestId":"${requestId}"}`,
      expect.stringMatching(new RegExp(`^\\S+\\t${requestId}\\tERROR\\tfirst\\nsecond$`)),
      'from process.stdout',
      'from process.stderr',
    ]);
  });
});

describe('callback-style handlers', () => {
  it('work on nodejs22.x and wait for the event loop to empty unless told not to', async () => {
    const emulator = await started({ handler: 'callback.handler', runtime: 'nodejs22.x' });
    const t0 = performance.now();
    const waited = await rawRequest(emulator, `/${STAGE}/x?wait=400`);
    const waitedMs = performance.now() - t0;
    expect(waited.status).toBe(200);
    expect(waitedMs).toBeGreaterThanOrEqual(390);
    const t1 = performance.now();
    const quick = await rawRequest(emulator, `/${STAGE}/x?wait=400&nowait=1`);
    expect(quick.status).toBe(200);
    expect(performance.now() - t1).toBeLessThan(390);
    expect((await rawRequest(emulator, `/${STAGE}/x?error=1&nowait=1`)).status).toBe(502);
  });

  it('are refused at init on nodejs24.x, as that runtime does', async () => {
    const emulator = await started({ handler: 'callback.handler', runtime: 'nodejs24.x' });
    expect((await rawRequest(emulator, `/${STAGE}/x`)).status).toBe(502);
    const line = readLogEvents(emulator.logDir).find((e) => e.message.includes('Init Error'))!;
    expect(line.message).toContain('"errorType":"Runtime.CallbackHandlerDeprecated"');
  });

  it('load a CommonJS .cjs handler', async () => {
    const emulator = await started({ handler: 'legacy.handler' });
    expect((await rawRequest(emulator, `/${STAGE}/x`)).text).toBe('cjs');
  });
});

describe('shutdown', () => {
  it('leaves no process behind, even with hung and spinning invocations in flight', async () => {
    // Prepare: two invocations that never finish by themselves, plus an idle environment.
    const emulator = await startFixture(
      { handler: 'modes.handler', timeoutSeconds: 60 },
      {},
      { integrationTimeoutMs: 60_000 },
    );
    onTestFinished(() => emulator.stop());
    const inFlight = [
      rawRequest(emulator, `/${STAGE}/x?mode=hang`).catch(() => undefined),
      rawRequest(emulator, `/${STAGE}/x?mode=spin`).catch(() => undefined),
    ];
    await expect
      .poll(() => emulator.environments().filter((e) => e.state === 'busy').length, { timeout: 5000 })
      .toBe(2);
    await pidOf(emulator);
    const pids = emulator.startedPids();
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    // Act
    const report = await emulator.close();
    await emulator.stop();
    await Promise.all(inFlight);
    // Assess
    expect(report.processes.map((p) => p.pid).sort()).toEqual([...pids].sort());
    expect(report.processes.every((p) => p.gone)).toBe(true);
    for (const pid of pids) expect(alive(pid)).toBe(false);
  });
});
