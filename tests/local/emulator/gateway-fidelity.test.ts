import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureEmulator, type RawResponse, rawRequest, STAGE, startFixture } from './helpers.js';

// Issue 18, items 2, 4, 5 and 6, through the real emulator over HTTP: the headers API Gateway adds to a
// request, the payload limits, binary responses, and how a result is validated and remapped. The AWS facts
// and their sources are in harness/emulator/README.md ("Headers, payload limits, binary responses, response
// validation") and docs/aws-behaviour.md.

const TRACE_ROOT = /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const TOO_LONG = '{"message": "Request Too Long"}';
const INTERNAL_ERROR = '{"message": "Internal server error"}';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);

let echoing: FixtureEmulator;
let responding: FixtureEmulator;

beforeAll(async () => {
  [echoing, responding] = await Promise.all([
    startFixture({ handler: 'echo.handler' }),
    startFixture({ handler: 'respond.handler' }, { binaryMediaTypes: ['image/png'] }),
  ]);
});
afterAll(() => Promise.all([echoing?.stop(), responding?.stop()]));

/** Header values by exact name, as sent on the wire. */
function exact(response: RawResponse, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i] === name) values.push(response.rawHeaders[i + 1]!);
  }
  return values;
}

/** Header values by name, any casing. */
function named(response: RawResponse, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i]!.toLowerCase() === name.toLowerCase()) values.push(response.rawHeaders[i + 1]!);
  }
  return values;
}

/** Has respond.handler return `result`; `headers` go on the request. */
function returning(emulator: FixtureEmulator, result: unknown, headers: string[] = []): Promise<RawResponse> {
  return rawRequest(emulator, `/${STAGE}/respond`, {
    method: 'POST',
    headers: ['Content-Type', 'application/json', ...headers],
    body: JSON.stringify(result),
  });
}

describe('item 2: the headers API Gateway adds to every proxied request', () => {
  it('adds X-Forwarded-For/-Port/-Proto and X-Amzn-Trace-Id in both maps, one trace for event, env and response', async () => {
    // Act
    const response = await rawRequest(echoing, `/${STAGE}/who`);
    const { event, env } = JSON.parse(response.text);
    // Assess: the listener's truth (plain http on the emulator's port) and the client's address.
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.headers['X-Forwarded-For']).toBe(event.requestContext.identity.sourceIp);
    expect(event.headers['X-Forwarded-Port']).toBe(String(echoing.port));
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(TRACE_ROOT);
    for (const name of ['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-Amzn-Trace-Id']) {
      expect(event.multiValueHeaders[name]).toEqual([event.headers[name]]);
    }
    // The function's _X_AMZN_TRACE_ID continues the same root, and the response names it.
    expect(env._X_AMZN_TRACE_ID).toMatch(
      new RegExp(`^${event.headers['X-Amzn-Trace-Id']};Parent=[0-9a-f]{16};Sampled=0$`),
    );
    expect(exact(response, 'X-Amzn-Trace-Id')).toEqual([event.headers['X-Amzn-Trace-Id']]);
  });

  it("appends the client's address to its own X-Forwarded-For and replaces its -Port and -Proto", async () => {
    // Prepare: a client claiming another address, port and scheme.
    const headers = ['X-Forwarded-For', '198.51.100.1', 'X-Forwarded-Port', '4431', 'X-Forwarded-Proto', 'https'];
    // Act
    const { event } = JSON.parse((await rawRequest(echoing, `/${STAGE}/who`, { headers })).text);
    // Assess
    expect(event.headers['X-Forwarded-For']).toBe('198.51.100.1, 127.0.0.1');
    expect(event.multiValueHeaders['X-Forwarded-For']).toEqual(['198.51.100.1, 127.0.0.1']);
    expect(event.headers['X-Forwarded-Port']).toBe(String(echoing.port));
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
  });

  it("keeps a client's trace header with a valid Root for the event, the function and the response", async () => {
    // Prepare: the header LocalStack's AWS-validated test_invocation_trace_id sends.
    const sent = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1';
    // Act
    const response = await rawRequest(echoing, `/${STAGE}/who`, { headers: ['X-Amzn-Trace-Id', sent] });
    const { event, env } = JSON.parse(response.text);
    // Assess
    expect(event.headers['X-Amzn-Trace-Id']).toBe(sent);
    expect(env._X_AMZN_TRACE_ID).toMatch(/^Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=[0-9a-f]{16};Sampled=0$/);
    expect(exact(response, 'X-Amzn-Trace-Id')).toEqual([sent]);
    // An unusable one is replaced.
    const replaced = JSON.parse(
      (await rawRequest(echoing, `/${STAGE}/who`, { headers: ['X-Amzn-Trace-Id', 'garbage'] })).text,
    );
    expect(replaced.event.headers['X-Amzn-Trace-Id']).toMatch(TRACE_ROOT);
  });

  it('gives Express behind serverless-http the req.ip, req.protocol and absolute URL the gateway implies', async () => {
    const express = await startFixture({ handler: 'gw-express.handler', timeoutSeconds: 10 });
    try {
      // Act: one plain request, one with a spoofed X-Forwarded-For.
      const plain = await rawRequest(express, `/${STAGE}/whoami?x=1`);
      const spoofed = await rawRequest(express, `/${STAGE}/whoami`, { headers: ['X-Forwarded-For', '6.6.6.6'] });
      // Assess: trusting one hop, the client's real address wins over what it claims.
      expect(plain.status, plain.text).toBe(200);
      expect(JSON.parse(plain.text)).toEqual({
        ip: '127.0.0.1',
        protocol: 'http',
        // serverless-http builds the URL from event.path, which has no stage (docs/aws-behaviour.md#proxy-event).
        absoluteUrl: `http://127.0.0.1:${express.port}/whoami?x=1`,
      });
      expect(JSON.parse(spoofed.text).ip).toBe('127.0.0.1');
    } finally {
      await express.stop();
    }
  });
});

describe('item 4: payload limits', () => {
  let sized: FixtureEmulator;
  beforeAll(async () => {
    sized = await startFixture(
      { handler: 'gw-payload.handler', timeoutSeconds: 20 },
      { binaryMediaTypes: ['image/png'] },
    );
  });
  afterAll(() => sized?.stop());

  it('answers 413 Request Too Long to a 7 MB body, which Lambda would refuse, without invoking the function', async () => {
    // Act
    const response = await rawRequest(sized, `/${STAGE}/up`, {
      method: 'POST',
      headers: ['Content-Type', 'text/plain'],
      body: Buffer.alloc(7 * 1024 * 1024, 0x61),
    });
    // Assess: the recorded answer, 31 bytes, and no environment started for it.
    expect(response.status).toBe(413);
    expect(response.text).toBe(TOO_LONG);
    expect(exact(response, 'x-amzn-ErrorType')).toEqual(['BadRequestException']);
    expect(response.headers['x-amzn-trace-id']).toBeUndefined();
    expect(sized.startedPids()).toEqual([]);
  });

  it('counts the event as Lambda does: a 5 MB binary body is over 6 MB once base64-encoded, a 4 MB one is not', async () => {
    // Act
    const over = await rawRequest(sized, `/${STAGE}/up`, {
      method: 'POST',
      headers: ['Content-Type', 'image/png'],
      body: Buffer.alloc(5 * 1024 * 1024, 0xff),
    });
    const under = await rawRequest(sized, `/${STAGE}/up`, {
      method: 'POST',
      headers: ['Content-Type', 'image/png'],
      body: Buffer.alloc(4 * 1024 * 1024, 0xff),
    });
    // Assess: the function reports the size of the event it received.
    expect(over.status).toBe(413);
    expect(over.text).toBe(TOO_LONG);
    expect(under.status).toBe(200);
    expect(Number(under.text)).toBeGreaterThan(4 * 1024 * 1024 * (4 / 3));
    expect(Number(under.text)).toBeLessThan(6 * 1024 * 1024);
  });

  it('answers 413 to a body over 10 MB, with the same body', async () => {
    const response = await rawRequest(sized, `/${STAGE}/up`, {
      method: 'POST',
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61),
    });
    expect(response.status).toBe(413);
    expect(response.text).toBe(TOO_LONG);
  });

  it('answers 502 to a result over 6 MB in every shape, a 10 MB one included', async () => {
    // The worker's 6 MiB + 100 bytes bound on the serialized result (README, "Bad function output").
    for (const shape of ['text', 'base64', 'multi', 'utf8']) {
      for (const bytes of [7_000_000, 10_000_000]) {
        const response = await rawRequest(sized, `/${STAGE}/down?shape=${shape}&bytes=${bytes}`, {
          headers: ['Accept', 'image/png'],
        });
        expect(response.status, `${shape} ${bytes}`).toBe(502);
        expect(response.text).toBe(INTERNAL_ERROR);
      }
    }
    const fits = await rawRequest(sized, `/${STAGE}/down?shape=text&bytes=6000000`);
    expect(fits.status).toBe(200);
    expect(fits.body.length).toBe(6_000_000);
  });
});

describe('item 5: binary responses follow the first Accept media type only', () => {
  const pngResult = {
    statusCode: 200,
    headers: { 'Content-Type': 'image/png' },
    body: PNG.toString('base64'),
    isBase64Encoded: true,
  };

  it('returns the base64 text to curl and fetch (Accept */*) even when the response is image/png', async () => {
    const response = await returning(responding, pngResult, ['Accept', '*/*']);
    expect(response.status).toBe(200);
    expect(response.text).toBe(PNG.toString('base64'));
  });

  it('decodes when the first Accept media type is a binary media type', async () => {
    const response = await returning(responding, pngResult, ['Accept', 'image/png,*/*;q=0.8']);
    expect(response.body.equals(PNG)).toBe(true);
  });

  it('decodes for any Accept, a browser one included, when binaryMediaTypes holds */*', async () => {
    const everything = await startFixture({ handler: 'respond.handler' }, { binaryMediaTypes: ['*/*'] });
    try {
      const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
      const response = await returning(everything, pngResult, ['Accept', browser]);
      expect(response.body.equals(PNG)).toBe(true);
    } finally {
      await everything.stop();
    }
  });
});

describe('item 6: response validation and remapping', () => {
  it('answers 502 to a header value that is a number', async () => {
    const response = await returning(responding, { statusCode: 200, headers: { 'Access-Control-Max-Age': 86400 } });
    expect(response.status).toBe(502);
    expect(response.text).toBe(INTERNAL_ERROR);
    expect(exact(response, 'x-amzn-ErrorType')).toEqual(['InternalServerErrorException']);
  });

  it("remaps the function's Date and Server, and its own x-amzn-RequestId, so each goes out once", async () => {
    // Act
    const response = await returning(responding, {
      statusCode: 200,
      headers: { Date: 'Mon, 01 Jan 2024 00:00:00 GMT', Server: 'fn/1.0', 'x-amzn-RequestId': 'from-the-function' },
      body: 'ok',
    });
    // Assess
    expect(response.status).toBe(200);
    expect(exact(response, 'x-amzn-Remapped-Date')).toEqual(['Mon, 01 Jan 2024 00:00:00 GMT']);
    expect(exact(response, 'x-amzn-Remapped-Server')).toEqual(['fn/1.0']);
    expect(exact(response, 'x-amzn-Remapped-x-amzn-RequestId')).toEqual(['from-the-function']);
    expect(named(response, 'date')).toHaveLength(1);
    expect(named(response, 'date')[0]).not.toBe('Mon, 01 Jan 2024 00:00:00 GMT');
    expect(named(response, 'server')).toEqual([]);
    expect(named(response, 'x-amzn-RequestId')).toHaveLength(1);
    expect(named(response, 'x-amzn-RequestId')[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives {proxy+} the path without its trailing slash, as recorded for /test-path/', async () => {
    const { event } = JSON.parse((await rawRequest(echoing, `/${STAGE}/test-path/`)).text);
    expect(event.path).toBe('/test-path/');
    expect(event.pathParameters).toEqual({ proxy: 'test-path' });
  });
});
