import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureEmulator, type RawResponse, rawRequest, STAGE, startFixture } from './helpers.js';

// Real HTTP through the emulator. tests/fixtures/handlers/respond.mjs returns the JSON it is sent as its
// proxy result, so each row of docs/aws-behaviour.md#proxy-response is one request.

const INTERNAL_ERROR = '{"message": "Internal server error"}';

let emulator: FixtureEmulator;

beforeAll(async () => {
  emulator = await startFixture({ handler: 'respond.handler' }, { binaryMediaTypes: ['image/png'] });
});
afterAll(() => emulator?.stop());

/** Sends `result` for the function to return; `headers` go on the request. */
function returning(result: string, headers: string[] = []): Promise<RawResponse> {
  return rawRequest(emulator, `/${STAGE}/respond`, {
    method: 'POST',
    headers: ['Content-Type', 'application/json', ...headers],
    body: result,
  });
}

/** Header values by exact name (as sent on the wire). */
function exact(response: RawResponse, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < response.rawHeaders.length; i += 2) {
    if (response.rawHeaders[i] === name) values.push(response.rawHeaders[i + 1]!);
  }
  return values;
}

describe('proxy result rows recorded against AWS (docs/aws-behaviour.md#proxy-response)', () => {
  it('{"statusCode": 200} gives 200 with an empty body', async () => {
    const response = await returning('{"statusCode": 200}');
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
  });

  it('a result without statusCode gives 200 and keeps its headers', async () => {
    const response = await returning('{"headers": {"test-header": "value"}}');
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(exact(response, 'test-header')).toEqual(['value']);
  });

  it('a numeric string statusCode is accepted', async () => {
    const response = await returning('{"statusCode": "201"}');
    expect(response.status).toBe(201);
  });

  it('a non-numeric statusCode gives 502 Internal server error', async () => {
    const response = await returning('{"statusCode": "test"}');
    expect(response.status).toBe(502);
    expect(response.text).toBe(INTERNAL_ERROR);
  });

  it('an unknown top-level key gives 502', async () => {
    const response = await returning('{"statusCode": 200, "wrongValue": "value"}');
    expect(response.status).toBe(502);
    expect(response.text).toBe(INTERNAL_ERROR);
  });

  it('a result that is not an object gives 502', async () => {
    expect((await returning('"justAString"')).status).toBe(502);
    expect((await returning('[1, 2]')).status).toBe(502);
    // The runtime turns `undefined` into null, which is not an object either.
    expect((await returning('undefined')).status).toBe(502);
  });

  it('a multiValueHeaders value that is not a list gives 502', async () => {
    const response = await returning('{"statusCode":200,"multiValueHeaders":{"test-multi-invalid":"value1"}}');
    expect(response.status).toBe(502);
  });

  it('boolean header values become strings', async () => {
    const response = await returning('{"statusCode":200,"headers":{"test-header":"value","header-bool":true}}');
    expect(exact(response, 'test-header')).toEqual(['value']);
    expect(exact(response, 'header-bool')).toEqual(['true']);
  });

  it('headers: null is accepted', async () => {
    const response = await returning('{"statusCode":200,"headers":null}');
    expect(response.status).toBe(200);
  });

  it('a multi-value header is joined with ", " on the wire', async () => {
    const response = await returning('{"statusCode":200,"multiValueHeaders":{"test-multi":["value1","value2"]}}');
    expect(exact(response, 'test-multi')).toEqual(['value1, value2']);
  });

  it('the same header in both maps keeps both values, multi values first', async () => {
    const response = await returning(
      '{"statusCode":200,"multiValueHeaders":{"test-multi":["value-multi"]},"headers":{"test-multi":"value-solo"}}',
    );
    expect(exact(response, 'test-multi')).toEqual(['value-multi, value-solo']);
  });

  it('the maps merge case-insensitively and the multiValueHeaders casing wins', async () => {
    const response = await returning(
      '{"statusCode":200,"multiValueHeaders":{"tesT-Multi":["value-multi"]},"headers":{"test-multi":"value-solo"}}',
    );
    expect(exact(response, 'tesT-Multi')).toEqual(['value-multi, value-solo']);
    expect(exact(response, 'test-multi')).toEqual([]);
  });

  it('a base64 body is returned as base64 text when no binary media type matches', async () => {
    const response = await returning('{"statusCode":200,"body":"dGVzdC1kYXRh","isBase64Encoded":true}');
    expect(response.text).toBe('dGVzdC1kYXRh');
  });

  it('a response without Content-Type gets application/json', async () => {
    const response = await returning('{"statusCode":200,"body":"x"}');
    expect(exact(response, 'Content-Type')).toEqual(['application/json']);
  });
});

describe('other response rules (docs/aws-behaviour.md#proxy-response)', () => {
  it('a base64 body is decoded only when the first Accept media type matches binaryMediaTypes', async () => {
    // docs/aws-behaviour.md#proxy-response: for a proxy integration the response Content-Type does not decide.
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]);
    const result = JSON.stringify({ statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true });
    const byAccept = await returning(result, ['Accept', 'image/png, */*']);
    expect(byAccept.body.equals(bytes)).toBe(true);
    const byContentType = await returning(
      JSON.stringify({
        statusCode: 200,
        headers: { 'Content-Type': 'image/png' },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      }),
      ['Accept', '*/*'],
    );
    expect(byContentType.text).toBe(bytes.toString('base64'));
  });

  it('a non-string body gives 502', async () => {
    // docs/aws-behaviour.md#proxy-response: body must be a string; an object body is widely reported as 502 (UNCONFIRMED).
    const response = await returning('{"statusCode":200,"body":{"a":1}}');
    expect(response.status).toBe(502);
  });

  it('a v2 cookies field is a malformed REST response', async () => {
    // docs/aws-behaviour.md#proxy-response: `cookies` in a REST response gives "Malformed Lambda proxy response".
    const response = await returning('{"statusCode":200,"cookies":["a=b"]}');
    expect(response.status).toBe(502);
  });
});

describe('results HTTP cannot carry (README, "Bad function output")', () => {
  it('a header with CR/LF, an invalid header name or a 1xx status gives 502, and the next request is served', async () => {
    // Prepare: each of these made node's http throw (or hang the client) before.
    const results = [
      { statusCode: 200, headers: { 'X-Injected': 'a\r\nSet-Cookie: stolen=1' } },
      { statusCode: 200, headers: { 'X-Bad': 'line\nbreak' } },
      { statusCode: 200, multiValueHeaders: { 'X-Bad': ['ok', 'carriage\rreturn'] } },
      { statusCode: 200, headers: { 'Bad Name': 'v' } },
      { statusCode: 200, headers: { 'Bad:Name': 'v' } },
      { statusCode: 200, headers: { '': 'v' } },
      { statusCode: 200, headers: { 'X-Wide': '日本' } },
      { statusCode: 100 },
    ];
    for (const result of results) {
      // Act
      const response = await returning(JSON.stringify(result));
      // Assess: API Gateway's malformed-response answer, nothing of the function's headers.
      expect(response.status, JSON.stringify(result)).toBe(502);
      expect(response.text).toBe(INTERNAL_ERROR);
      expect(exact(response, 'x-amzn-ErrorType')).toEqual(['InternalServerErrorException']);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
    expect((await returning('{"statusCode":200,"body":"still here"}')).text).toBe('still here');
  });
});

describe('headers API Gateway adds (docs/aws-behaviour.md#response-headers)', () => {
  it('a proxy response carries x-amzn-RequestId, x-amz-apigw-id and X-Amzn-Trace-Id, cased as AWS sends them', async () => {
    const response = await returning('{"statusCode":200,"body":"ok"}');
    expect(exact(response, 'x-amzn-RequestId')[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(exact(response, 'x-amz-apigw-id')[0]).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(exact(response, 'X-Amzn-Trace-Id')[0]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(response.headers['content-length']).toBe('2');
    expect(response.headers.date).toBeDefined();
    expect(response.headers['x-amzn-errortype']).toBeUndefined();
  });

  it('a gateway error carries x-amzn-ErrorType and no X-Amzn-Trace-Id', async () => {
    const response = await returning('{"statusCode": "test"}');
    expect(exact(response, 'x-amzn-ErrorType')).toEqual(['InternalServerErrorException']);
    expect(response.headers['x-amzn-trace-id']).toBeUndefined();
    expect(exact(response, 'x-amzn-RequestId')).toHaveLength(1);
    expect(exact(response, 'x-amz-apigw-id')).toHaveLength(1);
    expect(exact(response, 'Content-Type')).toEqual(['application/json']);
    // 36 bytes, a space after the colon (docs/aws-behaviour.md#gateway-errors).
    expect(response.headers['content-length']).toBe('36');
  });
});

describe('API Gateway errors (docs/aws-behaviour.md#gateway-errors)', () => {
  it('answers 403 Missing Authentication Token outside the stage', async () => {
    for (const path of ['/', '/other-stage/x', `/${STAGE}x/y`]) {
      const response = await rawRequest(emulator, path);
      expect(response.status).toBe(403);
      expect(response.text).toBe('{"message":"Missing Authentication Token"}');
      expect(exact(response, 'x-amzn-ErrorType')).toEqual(['MissingAuthenticationTokenException']);
    }
  });

  it('answers 403 for an unknown resource and for an unsupported method on a known one', async () => {
    // "including the cases when the client attempts to invoke an unsupported API method or resource".
    const narrow = await startFixture(
      { handler: 'respond.handler' },
      { routes: [{ resourcePath: '/items', resourceId: 'itm001', methods: ['GET'] }] },
    );
    try {
      const unknown = await rawRequest(narrow, `/${STAGE}/nothing-here`);
      expect(unknown.status).toBe(403);
      expect(JSON.parse(unknown.text)).toEqual({ message: 'Missing Authentication Token' });
      const wrongMethod = await rawRequest(narrow, `/${STAGE}/items`, { method: 'DELETE' });
      expect(wrongMethod.status).toBe(403);
      expect(exact(wrongMethod, 'x-amzn-ErrorType')).toEqual(['MissingAuthenticationTokenException']);
      // Not invoked: no execution environment was started for either request.
      expect(narrow.startedPids()).toEqual([]);
    } finally {
      await narrow.stop();
    }
  });

  it('answers 502 Internal server error when the function throws', async () => {
    const failing = await startFixture({ handler: 'modes.handler' });
    try {
      const response = await rawRequest(failing, `/${STAGE}/x?mode=throw`);
      expect(response.status).toBe(502);
      expect(response.text).toBe(INTERNAL_ERROR);
      expect(response.headers['x-amzn-trace-id']).toBeUndefined();
    } finally {
      await failing.stop();
    }
  });

  it('answers 504 Endpoint request timed out when the integration timeout passes first', async () => {
    // The 29 s limit is shortened for the test; the function's own timeout (3 s) is longer.
    const slow = await startFixture({ handler: 'modes.handler' }, {}, { integrationTimeoutMs: 300 });
    try {
      const started = performance.now();
      const response = await rawRequest(slow, `/${STAGE}/x?mode=sleep&ms=1500`);
      expect(performance.now() - started).toBeLessThan(1400);
      expect(response.status).toBe(504);
      expect(JSON.parse(response.text)).toEqual({ message: 'Endpoint request timed out' });
      expect(exact(response, 'x-amzn-ErrorType')).toEqual(['InternalServerErrorException']);
    } finally {
      await slow.stop();
    }
  });

  it('answers 429 Too Many Requests when the stage bucket is empty', async () => {
    const throttled = await startFixture({ handler: 'respond.handler' }, { throttle: { rateLimit: 1, burstLimit: 1 } });
    try {
      const first = await rawRequest(throttled, `/${STAGE}/x`, { method: 'POST', body: '{"statusCode":200}' });
      const second = await rawRequest(throttled, `/${STAGE}/x`, { method: 'POST', body: '{"statusCode":200}' });
      expect(first.status).toBe(200);
      expect(second.status).toBe(429);
      expect(second.text).toBe('{"message":"Too Many Requests"}');
      expect(exact(second, 'x-amzn-ErrorType')).toEqual(['TooManyRequestsException']);
    } finally {
      await throttled.stop();
    }
  });

  it('answers 413 to a body over 10 MB without invoking the function', async () => {
    // docs/aws-behaviour.md#payload-limits: REQUEST_TOO_LARGE 413, payload limit 10 MB.
    const response = await rawRequest(emulator, `/${STAGE}/x`, {
      method: 'POST',
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61),
    });
    expect(response.status).toBe(413);
    expect(response.text).toBe('{"message": "Request Too Long"}');
    expect(exact(response, 'x-amzn-ErrorType')).toEqual(['BadRequestException']);
  });
});
