import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FixtureEmulator,
  FUNCTION_NAME,
  type LoggedEvent,
  type RawResponse,
  rawRequest,
  readLogEvents,
  STAGE,
  startFixture,
} from './helpers.js';

// Real frameworks, unmodified, run by the emulator: the fixtures tests/fixtures/handlers/fw-*.mjs import
// express + serverless-http, hono, @middy/core and @aws-lambda-powertools/logger from node_modules. Each test
// asserts something a user of that framework relies on, over HTTP through the emulator.

/** The 1x1 PNG of tests/fixtures/handlers/fw-png.mjs. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** API Gateway's answer to a function error (docs/aws-behaviour.md#gateway-errors). */
const FUNCTION_ERROR_BODY = { message: 'Internal server error' };

/** Every value of a response header, in order, as separate header lines. */
function headerValues(response: RawResponse, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i]!.toLowerCase() === name) values.push(response.rawHeaders[i + 1]!);
  }
  return values;
}

/** Starts the emulator on a fixture as the stack would: binary media types include image/png. */
function startFramework(handler: string): Promise<FixtureEmulator> {
  return startFixture({ handler }, { binaryMediaTypes: ['image/png'] });
}

describe('express 5 with serverless-http', () => {
  let emulator: FixtureEmulator;
  beforeAll(async () => {
    emulator = await startFramework('fw-express.handler');
  });
  afterAll(() => emulator?.stop());

  it('parses a JSON body and answers with the route status and JSON', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/json`, {
      method: 'POST',
      headers: ['Content-Type', 'application/json'],
      body: '{"n":1,"tags":["a","b"]}',
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.text)).toEqual({ received: { n: 1, tags: ['a', 'b'] } });
  });

  it('sends each res.cookie() as its own Set-Cookie header', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/cookies`);
    expect(response.status).toBe(201);
    expect(response.text).toBe('cookies set');
    expect(headerValues(response, 'set-cookie')).toEqual(['session=abc123; Path=/; HttpOnly', 'theme=dark; Path=/']);
  });

  it('gives req.query an array for a repeated key', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/request?a=1&a=2&b=x`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).query).toEqual({ a: ['1', '2'], b: 'x' });
  });

  it('sees the source ip, https and an absolute URL without the stage, trusting no proxy', async () => {
    // serverless-http builds the request from identity.sourceIp on a TLS socket, as API Gateway is HTTPS only.
    const response = await rawRequest(emulator, `/${STAGE}/request?x=1`);
    const seen = JSON.parse(response.text);
    expect(seen.ip).toBe('127.0.0.1');
    expect(seen.protocol).toBe('https');
    expect(seen.secure).toBe(true);
    expect(seen.path).toBe('/request');
    expect(seen.url).toBe(`https://127.0.0.1:${emulator.port}/request?x=1`);
  });

  it("with trust proxy 1, takes req.ip and req.protocol from API Gateway's X-Forwarded-* and not the client's", async () => {
    // API Gateway appends the caller's address to a client's X-Forwarded-For and replaces its
    // X-Forwarded-Proto (docs/aws-behaviour.md#proxy-event), so one trusted hop gives the real caller.
    const response = await rawRequest(emulator, `/${STAGE}/trusted/request`, {
      headers: ['X-Forwarded-For', '203.0.113.9', 'X-Forwarded-Proto', 'gopher'],
    });
    const seen = JSON.parse(response.text);
    expect(seen.ip).toBe('127.0.0.1');
    expect(seen.protocol).toMatch(/^https?$/);
    expect(seen.protocol).toBe(seen.forwardedProto);
  });

  it('returns the PNG bytes for Accept: image/png', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/image.png`, { headers: ['Accept', 'image/png'] });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.body.equals(PNG)).toBe(true);
  });

  it("answers a route that throws with Express's own 500 page", async () => {
    const response = await rawRequest(emulator, `/${STAGE}/boom`);
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    // NODE_ENV is unset on Lambda, so finalhandler shows the error in development form.
    expect(response.text).toContain('Error: boom from a route');
  });
});

describe('hono with hono/aws-lambda', () => {
  let emulator: FixtureEmulator;
  beforeAll(async () => {
    emulator = await startFramework('fw-hono.handler');
  });
  afterAll(() => emulator?.stop());

  it('parses a JSON body and answers with the route status and JSON', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/json`, {
      method: 'POST',
      headers: ['Content-Type', 'application/json'],
      body: '{"n":1}',
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.text)).toEqual({ received: { n: 1 } });
  });

  it('sends each setCookie() as its own Set-Cookie header and reads the request cookie', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/cookies`);
    expect(response.status).toBe(201);
    expect(response.text).toBe('cookies set');
    expect(headerValues(response, 'set-cookie')).toEqual(['session=abc123; Path=/; HttpOnly', 'theme=dark; Path=/']);
    const read = await rawRequest(emulator, `/${STAGE}/request`, { headers: ['Cookie', 'theme=dark; session=xyz'] });
    expect(JSON.parse(read.text).cookie).toBe('xyz');
  });

  it('gives every value of a repeated query key to c.req.queries()', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/request?a=1&a=2`);
    const seen = JSON.parse(response.text);
    expect(seen.as).toEqual(['1', '2']);
    expect(seen.a).toBe('1');
  });

  it('builds an https URL on the API host without the stage, and getConnInfo gives the source ip', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/request?a=1`);
    const seen = JSON.parse(response.text);
    expect(seen.url).toBe(`https://127.0.0.1:${emulator.port}/request?a=1`);
    expect(seen.path).toBe('/request');
    expect(seen.ip).toBe('127.0.0.1');
    // c.env is the proxy event, plus the Lambda context: two different ids.
    expect(seen.requestId).toBe(response.headers['x-amzn-requestid']);
    expect(seen.awsRequestId).toMatch(UUID);
    expect(seen.awsRequestId).not.toBe(seen.requestId);
  });

  it('returns the PNG bytes for Accept: image/png', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/image.png`, { headers: ['Accept', 'image/png'] });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('image/png');
    expect(response.body.equals(PNG)).toBe(true);
  });

  it("answers a route that throws with Hono's 500", async () => {
    const response = await rawRequest(emulator, `/${STAGE}/boom`);
    expect(response.status).toBe(500);
    expect(response.text).toBe('Internal Server Error');
  });
});

describe('@middy/core', () => {
  let emulator: FixtureEmulator;
  beforeAll(async () => {
    emulator = await startFramework('fw-middy.handler');
  });
  afterAll(() => emulator?.stop());

  /** The log lines of the invocation whose START line names `awsRequestId`. */
  function invocationLines(awsRequestId: string): string[] {
    const events = readLogEvents(emulator.logDir);
    const start = events.findIndex((e) => e.message.startsWith(`START RequestId: ${awsRequestId} `));
    const report = events.findIndex((e) => e.message.startsWith(`REPORT RequestId: ${awsRequestId}\t`));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(report).toBeGreaterThan(start);
    return events.slice(start, report + 1).map((e) => e.message);
  }

  it('runs before and after middlewares around the handler', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/items`, {
      method: 'POST',
      headers: ['Content-Type', 'application/json'],
      body: '{"n":1}',
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-powered-by']).toBe('middy');
    expect(JSON.parse(response.text).body).toEqual({ n: 1 });
  });

  it('answers with the response an onError middleware sets', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/teapot`);
    expect(response.status).toBe(418);
    expect(JSON.parse(response.text)).toEqual({ error: 'short and stout' });
    // middy runs the after middlewares only on success.
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it("gives API Gateway's 502 for an error no middleware handles, and logs it in that invocation", async () => {
    const response = await rawRequest(emulator, `/${STAGE}/boom`);
    expect(response.status).toBe(502);
    expect(JSON.parse(response.text)).toEqual(FUNCTION_ERROR_BODY);
    // The failed invocation is the last START of the group.
    const starts = readLogEvents(emulator.logDir).filter((e) => e.message.startsWith('START RequestId: '));
    const awsRequestId = /^START RequestId: (\S+) /.exec(starts.at(-1)!.message)![1]!;
    // The runtime's `Invoke Error` line (aws-lambda-nodejs-runtime-interface-client, docs/aws-behaviour.md#console-lines).
    const error = invocationLines(awsRequestId).find((line) => line.includes('\tERROR\tInvoke Error \t'));
    expect(error).toBeDefined();
    expect(error!.split('\t')[1]).toBe(awsRequestId);
    expect(JSON.parse(error!.slice(error!.indexOf('{')))).toMatchObject({
      errorType: 'Error',
      errorMessage: 'boom from the handler',
    });
  });
});

describe('@aws-lambda-powertools/logger', () => {
  let emulator: FixtureEmulator;
  beforeAll(async () => {
    emulator = await startFramework('fw-powertools.handler');
  });
  afterAll(() => emulator?.stop());

  /** The Powertools JSON lines of the log group, with the stream and position they were stored at. */
  function powertoolsLines(events: LoggedEvent[]): { index: number; stream: string; line: Record<string, unknown> }[] {
    const lines: { index: number; stream: string; line: Record<string, unknown> }[] = [];
    events.forEach((event, index) => {
      if (!event.message.startsWith('{')) return;
      const line = JSON.parse(event.message) as Record<string, unknown>;
      if (line.service === 'fw-powertools') lines.push({ index, stream: event.stream, line });
    });
    return lines;
  }

  /** The one Powertools line logged by the invocation `awsRequestId`. */
  function lineOf(logDir: string, awsRequestId: string): Record<string, unknown> {
    const lines = powertoolsLines(readLogEvents(logDir)).filter(
      ({ line }) => line.function_request_id === awsRequestId,
    );
    expect(lines).toHaveLength(1);
    return lines[0]!.line;
  }

  it("writes one JSON line per log call into the function's log group, inside its invocation", async () => {
    const response = await rawRequest(emulator, `/${STAGE}/orders/7`);
    expect(response.status).toBe(200);
    const { awsRequestId } = JSON.parse(response.text);
    const events = readLogEvents(emulator.logDir);
    const lines = powertoolsLines(events).filter(({ line }) => line.function_request_id === awsRequestId);
    expect(lines).toHaveLength(1);
    const { index, stream, line } = lines[0]!;
    // Between this invocation's START and its REPORT, in the same stream.
    const start = events.findIndex((e) => e.message.startsWith(`START RequestId: ${awsRequestId} `));
    const report = events.findIndex((e) => e.message.startsWith(`REPORT RequestId: ${awsRequestId}\t`));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(index).toBeGreaterThan(start);
    expect(report).toBeGreaterThan(index);
    expect(events[start]!.stream).toBe(stream);
    expect(line).toMatchObject({
      level: 'INFO',
      message: 'handled a request',
      service: 'fw-powertools',
      path: '/orders/7',
      apiRequestId: response.headers['x-amzn-requestid'],
    });
    expect(Date.parse(line.timestamp as string)).not.toBeNaN();
  });

  it('fills the Lambda context fields from the invocation', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/ctx`);
    const { awsRequestId } = JSON.parse(response.text);
    const line = lineOf(emulator.logDir, awsRequestId);
    expect(awsRequestId).toMatch(UUID);
    expect(line.function_name).toBe(FUNCTION_NAME);
    expect(line.function_arn).toBe(`arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION_NAME}`);
    // context.memoryLimitInMB is a string in the Node.js runtime, and Powertools logs it as given.
    expect(line.function_memory_size).toBe('256');
    expect(typeof line.cold_start).toBe('boolean');
  });

  it('marks only the first invocation of an environment as a cold start', async () => {
    const fresh = await startFramework('fw-powertools.handler');
    try {
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) ids.push(JSON.parse((await rawRequest(fresh, `/${STAGE}/cold`)).text).awsRequestId);
      const coldStarts = ids.map((id) => lineOf(fresh.logDir, id).cold_start);
      expect(coldStarts).toEqual([true, false]);
    } finally {
      await fresh.stop();
    }
  });

  it('gives xray_trace_id the Root of _X_AMZN_TRACE_ID', async () => {
    const response = await rawRequest(emulator, `/${STAGE}/trace`);
    const { awsRequestId, traceEnv } = JSON.parse(response.text);
    const root = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});/.exec(traceEnv)?.[1];
    expect(root).toBeDefined();
    expect(lineOf(emulator.logDir, awsRequestId).xray_trace_id).toBe(root);
  });
});
