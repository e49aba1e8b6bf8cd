import { describe, expect, it, onTestFinished } from 'vitest';
import { rawRequest, readLogEvents, STAGE, startFixture } from './helpers.js';

// The runtime interface client of each Node.js runtime, seen through the emulator over HTTP
// (harness/emulator/README.md, "The runtime interface of each runtime").

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

async function started(handler: string, runtime: 'nodejs22.x' | 'nodejs24.x') {
  const emulator = await startFixture({ handler, runtime });
  onTestFinished(() => emulator.stop());
  return emulator;
}

async function contextOn(runtime: 'nodejs22.x' | 'nodejs24.x') {
  const emulator = await started('ri-context.handler', runtime);
  const response = await rawRequest(emulator, `/${STAGE}/x`);
  expect(response.status).toBe(200);
  return JSON.parse(response.text);
}

describe('the context object', () => {
  it('on nodejs24.x has xRayTraceId and none of the callback-era members', async () => {
    const seen = await contextOn('nodejs24.x');
    expect(seen.keys).toEqual([
      'clientContext',
      'identity',
      'invokedFunctionArn',
      'awsRequestId',
      'tenantId',
      'xRayTraceId',
      'getRemainingTimeInMillis',
      'functionName',
      'functionVersion',
      'memoryLimitInMB',
      'logGroupName',
      'logStreamName',
    ]);
    expect(seen).toMatchObject({ succeed: null, fail: null, done: null });
    expect(seen.callbackWaitsForEmptyEventLoop).toBeNull();
    expect(seen.xRayTraceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    expect(seen.xRayTraceId).toBe(seen.traceEnv);
  });

  it('on nodejs22.x is built on the callback object and has no xRayTraceId', async () => {
    const seen = await contextOn('nodejs22.x');
    expect(seen.keys).toEqual([
      'callbackWaitsForEmptyEventLoop',
      'succeed',
      'fail',
      'done',
      'functionVersion',
      'functionName',
      'memoryLimitInMB',
      'logGroupName',
      'logStreamName',
      'clientContext',
      'identity',
      'invokedFunctionArn',
      'awsRequestId',
      'tenantId',
      'getRemainingTimeInMillis',
    ]);
    expect(seen).toMatchObject({
      callbackWaitsForEmptyEventLoop: true,
      succeed: 'function',
      fail: 'function',
      done: 'function',
    });
    expect(seen.xRayTraceId).toBeNull();
  });

  it('context.succeed answers on nodejs22.x and does not exist on nodejs24.x', async () => {
    const old = await started('ri-succeed.handler', 'nodejs22.x');
    const answered = await rawRequest(old, `/${STAGE}/x`);
    expect(answered.status).toBe(200);
    expect(answered.text).toBe('via context.succeed');
    // The callback came first (its answer waits for the empty loop); the later succeed does not replace it.
    expect((await rawRequest(old, `/${STAGE}/x?first=callback`)).text).toBe('via callback');

    const current = await started('ri-succeed.handler', 'nodejs24.x');
    expect((await rawRequest(current, `/${STAGE}/x`)).status).toBe(502);
    const line = readLogEvents(current.logDir).find((e) => e.message.includes('Invoke Error'))!;
    expect(line.message).toContain('"errorType":"TypeError"');
  });
});

describe('a non-async two-argument handler that returns its answer', () => {
  it('answers with the returned value on nodejs24.x', async () => {
    const emulator = await started('ri-sync.handler', 'nodejs24.x');
    const response = await rawRequest(emulator, `/${STAGE}/x`);
    expect(response.status).toBe(200);
    expect(response.text).toBe('returned synchronously');
  });

  it('has its return value ignored on nodejs22.x: the answer is null, which API Gateway calls malformed', async () => {
    const emulator = await started('ri-sync.handler', 'nodejs22.x');
    const response = await rawRequest(emulator, `/${STAGE}/x`);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.text)).toEqual({ message: 'Internal server error' });
    // Not a function error: the invocation succeeded with a null payload.
    expect(readLogEvents(emulator.logDir).some((e) => e.message.includes('Invoke Error'))).toBe(false);
  });
});

describe('the awslambda global and streaming handlers behind a REST API (buffered Invoke)', () => {
  for (const runtime of ['nodejs22.x', 'nodejs24.x'] as const) {
    it(`defines streamifyResponse and HttpResponseStream on ${runtime}`, async () => {
      const seen = await contextOn(runtime);
      expect(seen).toMatchObject({ streamifyResponse: 'function', httpResponseStreamFrom: 'function' });
    });

    it(`answers a streamed prelude + body with the malformed-response 502 on ${runtime}`, async () => {
      const emulator = await started('ri-stream.handler', runtime);
      const response = await rawRequest(emulator, `/${STAGE}/x?mode=prelude`);
      expect(response.status).toBe(502);
      expect(JSON.parse(response.text)).toEqual({ message: 'Internal server error' });
      expect(response.headers['x-amzn-errortype']).toBe('InternalServerErrorException');
      // Loaded at init even on nodejs24.x, although the streaming handler takes three arguments.
      expect(readLogEvents(emulator.logDir).some((e) => e.message.includes('CallbackHandlerDeprecated'))).toBe(false);
    });
  }

  it('returns streamed bytes that form a proxy result as the buffered payload', async () => {
    const emulator = await started('ri-stream.handler', 'nodejs24.x');
    const response = await rawRequest(emulator, `/${STAGE}/x?mode=json`);
    expect(response.status).toBe(200);
    expect(response.text).toBe('streamed json');
  });

  it('fails a non-async streaming handler and one that never ends its stream, with the messages of the runtime', async () => {
    const emulator = await started('ri-stream.handler', 'nodejs24.x');
    expect((await rawRequest(emulator, `/${STAGE}/x?mode=sync`)).status).toBe(502);
    expect((await rawRequest(emulator, `/${STAGE}/x?mode=unended`)).status).toBe(502);
    const errors = readLogEvents(emulator.logDir)
      .filter((e) => e.message.includes('Invoke Error'))
      .map((e) => JSON.parse(e.message.split('Invoke Error \t')[1]!).errorMessage);
    expect(errors).toEqual(['Streaming does not support non-async handlers.', 'Response stream is not finished.']);
  });
});

describe('console lines outside an invocation', () => {
  it('carry request id `-` on nodejs24.x, during init and after the result is posted', async () => {
    const emulator = await started('init-log.handler', 'nodejs24.x');
    await rawRequest(emulator, `/${STAGE}/x`);
    const init = readLogEvents(emulator.logDir).find((e) => e.message.endsWith('Loading function'))!;
    expect(init.message).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\t-\tINFO\tLoading function$/);

    const after = await started('ri-context.handler', 'nodejs24.x');
    await rawRequest(after, `/${STAGE}/x?after=1`);
    await rawRequest(after, `/${STAGE}/x`);
    const line = readLogEvents(after.logDir).find((e) => e.message.endsWith('after the result'))!;
    expect(line.message).toMatch(/^\S+\t-\tINFO\tafter the result$/);
  });

  it('carry request id `undefined` during init and the last request id after it on nodejs22.x', async () => {
    const emulator = await started('init-log.handler', 'nodejs22.x');
    await rawRequest(emulator, `/${STAGE}/x`);
    const init = readLogEvents(emulator.logDir).find((e) => e.message.endsWith('Loading function'))!;
    expect(init.message).toMatch(/^\S+\tundefined\tINFO\tLoading function$/);

    const after = await started('ri-context.handler', 'nodejs22.x');
    const first = JSON.parse((await rawRequest(after, `/${STAGE}/x?after=1`)).text);
    await rawRequest(after, `/${STAGE}/x`);
    const line = readLogEvents(after.logDir).find((e) => e.message.endsWith('after the result'))!;
    expect(line.message).toMatch(new RegExp(`^\\S+\\t${first.awsRequestId}\\tINFO\\tafter the result$`));
    expect(first.awsRequestId).toMatch(new RegExp(`^${UUID}$`));
  });

  it('log a handler that cannot load as `Init Error` on nodejs24.x and `Uncaught Exception` on nodejs22.x', async () => {
    const current = await started('init-throw.handler', 'nodejs24.x');
    expect((await rawRequest(current, `/${STAGE}/x`)).status).toBe(502);
    const currentLine = readLogEvents(current.logDir).find((e) => e.message.includes('cannot initialise'))!;
    expect(currentLine.message).toMatch(/^\S+\t-\tERROR\tInit Error \t\{"errorType":"Error"/);

    const old = await started('init-throw.handler', 'nodejs22.x');
    expect((await rawRequest(old, `/${STAGE}/x`)).status).toBe(502);
    const oldLine = readLogEvents(old.logDir).find((e) => e.message.includes('cannot initialise'))!;
    expect(oldLine.message).toMatch(/^\S+\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Error"/);
  });
});
