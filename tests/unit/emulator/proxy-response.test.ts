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
      reason: "header 'a' holds a non-scalar value",
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
        headers: { 'x-multi': 'b', 'X-Solo': 1, skipped: null },
      }),
    ).toEqual(['X-Multi', 'a, b', 'X-Solo', '1', 'Content-Type', 'application/json']);
  });

  it('keeps a given content type and sends each cookie on its own line', () => {
    expect(
      headers({ headers: { 'content-type': 'text/plain' }, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] } }),
    ).toEqual(['Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'content-type', 'text/plain']);
  });

  it('remaps headers that would break HTTP framing to X-Amzn-Remapped-*', () => {
    expect(headers({ headers: { 'Content-Length': '5', Connection: 'close', 'WWW-Authenticate': 'Basic' } })).toEqual([
      'X-Amzn-Remapped-Content-Length',
      '5',
      'X-Amzn-Remapped-Connection',
      'close',
      'X-Amzn-Remapped-WWW-Authenticate',
      'Basic',
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
    // What HTTP can carry passes: tabs, Latin-1, numbers and booleans, token punctuation in names.
    expect(
      headers({ headers: { "X-Ok!#$%&'*+.^_`|~": 'a\tcafé', 'X-Num': 5, 'X-Bool': false }, statusCode: 200 }),
    ).toEqual(["X-Ok!#$%&'*+.^_`|~", 'a\tcafé', 'X-Num', '5', 'X-Bool', 'false', 'Content-Type', 'application/json']);
  });

  it('decodes a base64 body only when Accept or the response type is a binary media type', () => {
    const result = { body: Buffer.from('bytes').toString('base64'), isBase64Encoded: true };
    const plain = mapProxyResult(result, 'image/png', []);
    expect(plain.ok && plain.body.toString()).toBe('Ynl0ZXM=');
    const byAccept = mapProxyResult(result, 'image/png, text/html', ['image/png']);
    expect(byAccept.ok && byAccept.body.toString()).toBe('bytes');
    // Only the first Accept media type counts.
    const second = mapProxyResult(result, 'text/html, image/png', ['image/png']);
    expect(second.ok && second.body.toString()).toBe('Ynl0ZXM=');
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
