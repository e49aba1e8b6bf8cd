import { describe, expect, it } from 'vitest';
import { gatewayError, mapProxyResult } from '../../../harness/emulator/proxy-response.js';

function headers(result: unknown, accept?: string, binary: string[] = []): string[] {
  const mapped = mapProxyResult(result, accept, binary);
  if (!mapped.ok) throw new Error(mapped.reason);
  return mapped.headers;
}

describe('mapProxyResult (docs/aws-behaviour.md#proxy-response)', () => {
  it('defaults the status to 200 and the content type to application/json', () => {
    const mapped = mapProxyResult({}, undefined, []);
    expect(mapped).toEqual({
      ok: true,
      statusCode: 200,
      headers: ['Content-Type', 'application/json'],
      body: Buffer.alloc(0),
    });
  });

  it('accepts numeric strings as status and rejects anything that is not an HTTP status', () => {
    expect(mapProxyResult({ statusCode: '404' }, undefined, [])).toMatchObject({ ok: true, statusCode: 404 });
    for (const statusCode of ['test', 99, 600, 200.5, true, ' 200']) {
      expect(mapProxyResult({ statusCode }, undefined, []).ok, JSON.stringify(statusCode)).toBe(false);
    }
  });

  it('names what is malformed', () => {
    expect(mapProxyResult({ statusCode: 200, wrongValue: 1 }, undefined, [])).toEqual({
      ok: false,
      reason: "unknown key 'wrongValue' in the result",
    });
    expect(mapProxyResult('justAString', undefined, [])).toEqual({
      ok: false,
      reason: 'the result is a string, not an object',
    });
    expect(mapProxyResult(null, undefined, [])).toEqual({ ok: false, reason: 'the result is null, not an object' });
    expect(mapProxyResult({ body: 5 }, undefined, [])).toEqual({ ok: false, reason: 'body is a number, not a string' });
    expect(mapProxyResult({ headers: { a: { b: 1 } } }, undefined, [])).toEqual({
      ok: false,
      reason: "header 'a' holds a value that is not a string or boolean",
    });
    expect(mapProxyResult({ isBase64Encoded: 'yes' }, undefined, [])).toEqual({
      ok: false,
      reason: 'isBase64Encoded is not a boolean',
    });
  });

  it('merges both header maps case-insensitively, multi values first, without repeating a value', () => {
    expect(
      headers({
        multiValueHeaders: { 'X-Multi': ['a', 'b'] },
        headers: { 'x-multi': 'b', 'X-Solo': 'one', skipped: null },
      }),
    ).toEqual(['X-Multi', 'a, b', 'X-Solo', 'one', 'Content-Type', 'application/json']);
  });

  it('keeps a given content type and sends each cookie on its own line', () => {
    expect(
      headers({ headers: { 'content-type': 'text/plain' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] } }),
    ).toEqual(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'content-type', 'text/plain']);
  });

  it('remaps the headers API Gateway sets itself, and framing headers, to x-amzn-Remapped-*', () => {
    // README, "Headers, payload limits, binary responses, response validation": Date and Server as Connection
    // and Content-Length; the function's own x-amzn-RequestId too, so the gateway's is the only one.
    expect(
      headers({
        headers: {
          'Content-Length': '5',
          Connection: 'close',
          Date: 'Mon, 01 Jan 2024 00:00:00 GMT',
          server: 'fn/1.0',
          'x-amzn-RequestId': 'mine',
          'WWW-Authenticate': 'Basic',
          'X-Kept': 'k',
        },
      }),
    ).toEqual([
      'x-amzn-Remapped-Content-Length',
      '5',
      'x-amzn-Remapped-Connection',
      'close',
      'x-amzn-Remapped-Date',
      'Mon, 01 Jan 2024 00:00:00 GMT',
      'x-amzn-Remapped-server',
      'fn/1.0',
      'x-amzn-Remapped-x-amzn-RequestId',
      'mine',
      'x-amzn-Remapped-WWW-Authenticate',
      'Basic',
      'X-Kept',
      'k',
      'Content-Type',
      'application/json',
    ]);
  });

  it('refuses a header value that is neither a string nor a boolean, e.g. the number 86400', () => {
    // docs/aws-behaviour.md#proxy-response: AWS answers such a result with 502.
    expect(mapProxyResult({ headers: { 'Cache-Control-Max': 86400 } }, undefined, [])).toEqual({
      ok: false,
      reason: "header 'Cache-Control-Max' holds a value that is not a string or boolean",
    });
    expect(mapProxyResult({ multiValueHeaders: { 'X-N': ['a', 1] } }, undefined, [])).toEqual({
      ok: false,
      reason: "multiValueHeaders 'X-N' holds a value that is not a string or boolean",
    });
    expect(headers({ headers: { 'X-Bool': true }, multiValueHeaders: { 'X-Bools': [false] } })).toEqual([
      'X-Bools',
      'false',
      'X-Bool',
      'true',
      'Content-Type',
      'application/json',
    ]);
  });

  it('refuses header names and values HTTP cannot carry, and 1xx statuses (README, "Bad function output")', () => {
    // Prepare: each result would make node's http throw, or (1xx) leave the client waiting for a final answer.
    const malformed: [unknown, string][] = [
      [{ headers: { 'X-Bad': 'a\r\nInjected: yes' } }, "header 'X-Bad' has a character HTTP cannot carry"],
      [{ headers: { 'X-Bad': 'a\nb' } }, "header 'X-Bad' has a character HTTP cannot carry"],
      [{ headers: { 'X-Nul': 'a\u0000b' } }, "header 'X-Nul' has a character HTTP cannot carry"],
      [{ headers: { 'X-Wide': '日本' } }, "header 'X-Wide' has a character HTTP cannot carry"],
      [{ multiValueHeaders: { 'X-Bad': ['ok', 'a\rb'] } }, "header 'X-Bad' has a character HTTP cannot carry"],
      [{ headers: { 'Bad Name': 'v' } }, 'header name "Bad Name" is not an HTTP token'],
      [{ headers: { 'Bad:Name': 'v' } }, 'header name "Bad:Name" is not an HTTP token'],
      [{ headers: { '': 'v' } }, 'header name "" is not an HTTP token'],
      [{ multiValueHeaders: { 'X(y)': ['v'] } }, 'header name "X(y)" is not an HTTP token'],
      [{ statusCode: 100 }, 'statusCode 100 is not an HTTP status'],
      [{ statusCode: '199' }, 'statusCode "199" is not an HTTP status'],
    ];
    // Act / Assess
    for (const [result, reason] of malformed)
      expect(mapProxyResult(result, undefined, [])).toEqual({ ok: false, reason });
    // What HTTP can carry passes: tabs, Latin-1, booleans, token punctuation in names.
    expect(headers({ headers: { "X-Ok!#$%&'*+.^_`|~": 'a\tcafé', 'X-Bool': false }, statusCode: 200 })).toEqual([
      "X-Ok!#$%&'*+.^_`|~",
      'a\tcafé',
      'X-Bool',
      'false',
      'Content-Type',
      'application/json',
    ]);
  });

  it('decodes a base64 body only when the first Accept media type is a binary media type', () => {
    const result = { body: Buffer.from('bytes').toString('base64'), isBase64Encoded: true };
    const body = (accept: string | undefined, binary: string[], extra: object = {}) => {
      const mapped = mapProxyResult({ ...result, ...extra }, accept, binary);
      return mapped.ok ? mapped.body.toString() : mapped.reason;
    };
    expect(body('image/png', [])).toBe('Ynl0ZXM=');
    expect(body('image/png, text/html', ['image/png'])).toBe('bytes');
    // Only the first Accept media type counts.
    expect(body('text/html, image/png', ['image/png'])).toBe('Ynl0ZXM=');
    // curl's and fetch's `*/*` is not image/png: the base64 text, as on AWS.
    expect(body('*/*', ['image/png'])).toBe('Ynl0ZXM=');
    expect(body(undefined, ['image/png'])).toBe('Ynl0ZXM=');
    // The response Content-Type does not decide for a proxy integration.
    expect(body('*/*', ['image/png'], { headers: { 'Content-Type': 'image/png' } })).toBe('Ynl0ZXM=');
    // `*/*` in binaryMediaTypes covers every Accept, browsers' included.
    expect(body('*/*', ['*/*'])).toBe('bytes');
    expect(body('text/html,application/xhtml+xml,*/*;q=0.8', ['*/*'])).toBe('bytes');
    expect(body('image/webp', ['image/*'])).toBe('bytes');
  });
});

describe('gatewayError (docs/aws-behaviour.md#gateway-errors, #response-headers)', () => {
  it('has the bodies and error types of API Gateway, and no trace header', () => {
    const cases = [
      [
        'MissingAuthenticationToken',
        403,
        '{"message":"Missing Authentication Token"}',
        'MissingAuthenticationTokenException',
      ],
      ['Throttled', 429, '{"message":"Too Many Requests"}', 'TooManyRequestsException'],
      ['MalformedResponse', 502, '{"message": "Internal server error"}', 'InternalServerErrorException'],
      ['FunctionError', 502, '{"message": "Internal server error"}', undefined],
      ['IntegrationTimeout', 504, '{"message": "Endpoint request timed out"}', 'InternalServerErrorException'],
      ['InvokeRejected', 500, '{"message": "Internal server error"}', 'InternalServerErrorException'],
      // docs/aws-behaviour.md#lambda-throttling-behind-api-gateway: a Lambda throttle behind a proxy integration is a 500.
      ['LambdaThrottled', 500, '{"message": "Internal server error"}', 'InternalServerErrorException'],
      // docs/aws-behaviour.md#payload-limits: recorded 413, 31 bytes.
      ['RequestTooLarge', 413, '{"message": "Request Too Long"}', 'BadRequestException'],
    ] as const;
    for (const [kind, status, body, errorType] of cases) {
      const response = gatewayError(kind, 'req-id', 'ext=');
      expect(response.statusCode).toBe(status);
      expect(response.body.toString()).toBe(body);
      const names = response.headers.filter((_, i) => i % 2 === 0);
      expect(names).not.toContain('X-Amzn-Trace-Id');
      expect(names).toContain('x-amzn-RequestId');
      expect(names).toContain('x-amz-apigw-id');
      const index = response.headers.indexOf('x-amzn-ErrorType');
      expect(index === -1 ? undefined : response.headers[index + 1]).toBe(errorType);
    }
    expect(gatewayError('MalformedResponse', 'r', 'e').body).toHaveLength(36);
  });
});
