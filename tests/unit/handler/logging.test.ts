import { describe, expect, it, onTestFinished } from 'vitest';
import { createHandler, createLogger, defaultDeps, handleRequest, resolveLevel } from '../../../handler/index.js';
import { apiEvent, invoke, logSink, postEvent, testDeps } from './fixtures.js';

const AWS_REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e812345678';
const API_REQUEST_ID = 'deef4878-7910-11e6-8f14-25afc3e9ae33';
const CORRELATION_ID = '0b2b4ad1-3f5e-4c36-9a8e-1f2d3c4b5a69';

/** The single log line of a sink as an object, without the volatile fields (pino test/helper.js style). */
function onlyLine(lines: readonly string[]): Record<string, unknown> {
  expect(lines).toHaveLength(1);
  expect(lines[0]!.endsWith('\n')).toBe(true);
  expect(lines[0]!.trimEnd()).not.toContain('\n');
  const line = JSON.parse(lines[0]!);
  expect(typeof line.time).toBe('number');
  expect(typeof line.durationMs).toBe('number');
  delete line.time;
  delete line.durationMs;
  return line;
}

describe('the request log line', () => {
  it('has every explicit field for a 200', () => {
    // Act
    const { sink } = invoke(
      apiEvent({ path: '/random/int', query: { count: '3' }, headers: { 'X-Correlation-Id': CORRELATION_ID } }),
    );
    // Assess
    expect(onlyLine(sink.lines)).toEqual({
      level: 'info',
      awsRequestId: AWS_REQUEST_ID,
      apiRequestId: API_REQUEST_ID,
      extendedRequestId: 'TWegAcC4EowCHnA=',
      correlationId: CORRELATION_ID,
      coldStart: false,
      method: 'GET',
      path: '/random/int',
      type: 'int',
      count: 3,
      status: 200,
      msg: 'request',
    });
  });

  it.each([
    ['a 400', apiEvent({ path: '/random/int', query: { count: '0' } }), 400, 'InvalidParameter', 'int', null],
    [
      'a 400 after count parsed',
      apiEvent({ path: '/random/int', query: { count: '5', min: 'x' } }),
      400,
      'InvalidParameter',
      'int',
      5,
    ],
    ['a 404 type', apiEvent({ path: '/random/nope' }), 404, 'UnknownType', null, null],
    ['a 404 route', apiEvent({ path: '/nope' }), 404, 'NotFound', null, null],
    ['a 405', apiEvent({ method: 'PUT', path: '/random' }), 405, 'MethodNotAllowed', null, null],
    ['a 413', postEvent(' '.repeat(16385)), 413, 'PayloadTooLarge', 'records', null],
    ['a 415', apiEvent({ method: 'POST', path: '/random', body: '{}' }), 415, 'UnsupportedMediaType', 'records', null],
  ])('adds errorCode for %s', (_label, event, status, errorCode, type, count) => {
    const line = onlyLine(invoke(event).sink.lines);
    expect(line).toMatchObject({ level: 'info', status, errorCode, type, count, correlationId: null });
  });

  it('has no errorCode on success', () => {
    expect(onlyLine(invoke(apiEvent({ path: '/types' })).sink.lines)).not.toHaveProperty('errorCode');
  });

  it('logs POST records with type records and the body count', () => {
    const line = onlyLine(invoke(postEvent({ count: 4, fields: { n: { type: 'int' } } })).sink.lines);
    expect(line).toMatchObject({ method: 'POST', path: '/random', type: 'records', count: 4, status: 200 });
  });

  it('measures durationMs from the monotonic clock, in ms with µs precision', () => {
    // Prepare: the clock reads 1.0001234 ms at the start and 3.5 ms at the end.
    const { deps, sink } = testDeps();
    const readings = [1.0001234, 3.5];
    // Act
    handleRequest(
      apiEvent({ path: '/types' }),
      { awsRequestId: 'a' },
      { ...deps, monotonicMs: () => readings.shift() ?? 0 },
    );
    // Assess
    expect(JSON.parse(sink.lines[0]!).durationMs).toBe(2.5);
  });

  it('reads null ids from an event without a requestContext instead of failing', () => {
    const event = apiEvent({ path: '/types' });
    (event as { requestContext?: unknown }).requestContext = undefined;
    const { result, sink } = invoke(event);
    expect(result.statusCode).toBe(200);
    expect(onlyLine(sink.lines)).toMatchObject({ apiRequestId: null, extendedRequestId: null });
  });
});

describe('internal errors', () => {
  it('answers a generic 500 and logs the error with its stack only in the log line', () => {
    // Prepare: a bug inside the request cycle (the Rng factory throws).
    const createRng = () => {
      throw new Error('boom in the rng factory');
    };
    // Act
    const { result, json, sink } = invoke(apiEvent({ path: '/random/int', headers: { 'x-correlation-id': 'abc' } }), {
      createRng,
    });
    // Assess
    expect(result.statusCode).toBe(500);
    expect(json).toEqual({ error: { code: 'InternalError', message: 'internal error' } });
    expect(result.body).not.toContain('boom');
    expect(result.headers).toMatchObject({ 'cache-control': 'no-store', 'x-correlation-id': 'abc' });
    const line = onlyLine(sink.lines) as { err: { message: string; stack: string } };
    expect(line).toMatchObject({ level: 'error', status: 500, errorCode: 'InternalError', type: 'int', count: 1 });
    expect(line.err.message).toBe('boom in the rng factory');
    expect(line.err.stack).toMatch(/\n\s+at /);
  });

  it('still answers when the log destination throws', () => {
    const { deps } = testDeps();
    const broken = createLogger({
      destination: {
        write: () => {
          throw new Error('disk full');
        },
      },
    });
    const result = handleRequest(apiEvent({ path: '/types' }), { awsRequestId: 'a' }, { ...deps, logger: broken });
    expect(result.statusCode).toBe(200);
  });
});

describe('coldStart', () => {
  it('is true on the first invocation of a handler and false afterwards', async () => {
    // Prepare
    const { deps, sink } = testDeps();
    const handler = createHandler(deps);
    const context = { awsRequestId: AWS_REQUEST_ID } as Parameters<typeof handler>[1];
    // Act
    await handler(apiEvent({ path: '/types' }), context);
    await handler(apiEvent({ path: '/nope' }), context);
    await handler(apiEvent({ path: '/types' }), context);
    // Assess
    expect(sink.lines.map((line) => JSON.parse(line).coldStart)).toEqual([true, false, false]);
  });
});

describe('log level', () => {
  it.each([
    [undefined, 'info'],
    ['', 'info'],
    ['debug', 'debug'],
    ['WARN', 'warn'],
    [' error ', 'error'],
    ['silent', 'silent'],
    ['verbose', 'info'],
    ['__proto__', 'info'],
    ['toString', 'info'],
  ])('LOG_LEVEL=%j gives %s', (raw, level) => {
    expect(resolveLevel(raw)).toBe(level);
    expect(createLogger({ level: raw, destination: logSink() }).level).toBe(level);
  });

  it('reads LOG_LEVEL from the environment at init, and an invalid one does not break the init', () => {
    const saved = process.env.LOG_LEVEL;
    onTestFinished(() => {
      if (saved === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = saved;
    });
    process.env.LOG_LEVEL = 'nonsense';
    expect(defaultDeps().logger.level).toBe('info');
    process.env.LOG_LEVEL = 'debug';
    expect(defaultDeps().logger.level).toBe('debug');
    delete process.env.LOG_LEVEL;
    expect(defaultDeps().logger.level).toBe('info');
  });

  it('writes no request line at warn level, and the 500 line still at error level', () => {
    const quiet = invoke(apiEvent({ path: '/types' }), { level: 'warn' });
    expect(quiet.sink.lines).toHaveLength(0);
    const failing = invoke(apiEvent({ path: '/random/int' }), {
      level: 'warn',
      createRng: () => {
        throw new Error('bug');
      },
    });
    expect(failing.sink.lines).toHaveLength(1);
  });

  it('adds lowercase headers at debug level, with authorization and cookie redacted', () => {
    // Act
    const { sink } = invoke(
      apiEvent({
        path: '/types',
        headers: {
          Authorization: 'Bearer secret-token',
          Cookie: 'session=secret',
          'User-Agent': 'vitest',
          'X-Api-Key': 'k',
        },
      }),
      { level: 'debug' },
    );
    // Assess
    const line = onlyLine(sink.lines);
    expect(line.headers).toEqual({
      authorization: '[REDACTED]',
      cookie: '[REDACTED]',
      'user-agent': 'vitest',
      'x-api-key': '[REDACTED]',
    });
    expect(sink.lines[0]).not.toContain('secret');
  });

  it('leaves headers out at info level', () => {
    const { sink } = invoke(apiEvent({ path: '/types', headers: { Authorization: 'Bearer secret' } }));
    expect(onlyLine(sink.lines)).not.toHaveProperty('headers');
  });
});
