import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echo, type FixtureEmulator, rawRequest, STAGE, startFixture } from './helpers.js';

// Real HTTP requests through the emulator to tests/fixtures/handlers/echo.mjs, which returns the event it
// received. Each test names the docs/aws-behaviour.md fact it checks.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let emulator: FixtureEmulator;

beforeAll(async () => {
  emulator = await startFixture(
    { handler: 'echo.handler' },
    { binaryMediaTypes: ['image/png', 'application/octet-stream'] },
  );
});
afterAll(() => emulator?.stop());

describe('the top-level fields of the proxy event', () => {
  it('has exactly the REST v1 keys', async () => {
    // docs/aws-behaviour.md#proxy-event, #recorded-event: the recorded event's keys.
    const { event } = await echo(emulator, `/${STAGE}/proxy-value`);
    expect(Object.keys(event).sort()).toEqual(
      [
        'body',
        'headers',
        'httpMethod',
        'isBase64Encoded',
        'multiValueHeaders',
        'multiValueQueryStringParameters',
        'path',
        'pathParameters',
        'queryStringParameters',
        'requestContext',
        'resource',
        'stageVariables',
      ].sort(),
    );
  });

  it('gives the {proxy+} template as resource and the path without the stage', async () => {
    // docs/aws-behaviour.md#proxy-event (resource, path) and #recorded-event (`GET /stage/proxy-value?urlparam=test`).
    const { event } = await echo(emulator, `/${STAGE}/proxy-value?urlparam=test`);
    expect(event.resource).toBe('/{proxy+}');
    expect(event.path).toBe('/proxy-value');
    expect(event.pathParameters).toEqual({ proxy: 'proxy-value' });
    expect(event.queryStringParameters).toEqual({ urlparam: 'test' });
    expect(event.multiValueQueryStringParameters).toEqual({ urlparam: ['test'] });
    expect(event.requestContext.resourcePath).toBe('/{proxy+}');
  });

  it('routes the stage root to resource "/" with null pathParameters', async () => {
    // docs/aws-behaviour.md#proxy-event: pathParameters is null on non-templated resources.
    const { event } = await echo(emulator, `/${STAGE}/`);
    expect(event.resource).toBe('/');
    expect(event.path).toBe('/');
    expect(event.pathParameters).toBeNull();
    expect(event.requestContext.path).toBe(`/${STAGE}/`);
  });

  it('gives {proxy+} the matched path without its leading slash', async () => {
    // docs/aws-behaviour.md#proxy-event: `{"proxy":"proxy-value/api"}`.
    const { event } = await echo(emulator, `/${STAGE}/proxy-value/api`);
    expect(event.pathParameters).toEqual({ proxy: 'proxy-value/api' });
  });

  it('keeps a trailing slash and inner double slashes in path', async () => {
    // docs/aws-behaviour.md#proxy-event: `/proxy-value/` and `/proxy-value//double-slash`.
    const trailing = await echo(emulator, `/${STAGE}/proxy-value/`);
    expect(trailing.event.path).toBe('/proxy-value/');
    const double = await echo(emulator, `/${STAGE}/proxy-value//double-slash`);
    expect(double.event.path).toBe('/proxy-value//double-slash');
  });

  it('collapses leading double slashes in path but keeps them in requestContext.path', async () => {
    // docs/aws-behaviour.md#proxy-event (`//hardcoded` becomes `/hardcoded`) and #request-context (`/stage//hardcoded`).
    const { event } = await echo(emulator, `/${STAGE}//hardcoded`);
    expect(event.path).toBe('/hardcoded');
    expect(event.requestContext.path).toBe(`/${STAGE}//hardcoded`);
  });

  it('does not decode the URL path', async () => {
    // docs/aws-behaviour.md#proxy-event, `invocation-payload-with-path-encoded-email`.
    const raw = '/api/user/test%2Balias@gmail.com/plus/test+alias@gmail.com';
    const { event } = await echo(emulator, `/${STAGE}${raw}`);
    expect(event.path).toBe(raw);
    expect(event.requestContext.path).toBe(`/${STAGE}${raw}`);
    expect(event.pathParameters.proxy).toBe(raw.slice(1));
  });

  it('passes the real verb as httpMethod for an ANY method', async () => {
    // docs/aws-behaviour.md#proxy-event: httpMethod is the real verb even when the method is ANY.
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const { event } = await echo(emulator, `/${STAGE}/verbs`, { method });
      expect(event.httpMethod).toBe(method);
      expect(event.requestContext.httpMethod).toBe(method);
    }
  });
});

describe('query strings', () => {
  it('are null, in both maps, when the URL has none', async () => {
    // docs/aws-behaviour.md#proxy-event: `queryStringParameters: null`, `multiValueQueryStringParameters: null`.
    const { event } = await echo(emulator, `/${STAGE}/no-query`);
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
  });

  it('keep the last value of a repeated key and every value in the multi-value map', async () => {
    // docs/aws-behaviour.md#proxy-event, the recorded example.
    const { event } = await echo(
      emulator,
      `/${STAGE}/q?category=electronics&category=books&price=10&price=20&price=30`,
    );
    expect(event.queryStringParameters).toEqual({ category: 'books', price: '30' });
    expect(event.multiValueQueryStringParameters).toEqual({
      category: ['electronics', 'books'],
      price: ['10', '20', '30'],
    });
  });

  it('decode + as a space and %2B as +, and drop the fragment', async () => {
    // docs/aws-behaviour.md#proxy-event, `invocation-payload-with-params-encoding` (the space is sent encoded: HTTP forbids a raw one).
    const query =
      'dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com&plus=test+alias@gmail.com' +
      '&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/#ignored';
    const { event } = await echo(emulator, `/${STAGE}/q?${query}`);
    expect(event.queryStringParameters).toEqual({
      dateTimeOffset: '2023-06-12T18:05:10.123456 00:00',
      email: 'test+alias@gmail.com',
      plus: 'test alias@gmail.com',
      url: 'https://www.google.com/',
      whitespace: 'foo bar',
      zhash: 'abort/',
    });
  });

  it('split on a semicolon', async () => {
    // docs/aws-behaviour.md#proxy-event known quirks: "A `;` in the query string splits the data".
    const { event } = await echo(emulator, `/${STAGE}/q?a=1;b=2`);
    expect(event.queryStringParameters).toEqual({ a: '1', b: '2' });
  });

  it('are case-sensitive', async () => {
    // docs/aws-behaviour.md#proxy-event known quirks: "Header names and query parameters are case-sensitive".
    const { event } = await echo(emulator, `/${STAGE}/q?Key=upper&key=lower`);
    expect(event.queryStringParameters).toEqual({ Key: 'upper', key: 'lower' });
  });
});

describe('headers', () => {
  it('keep the client casing in both maps', async () => {
    // docs/aws-behaviour.md#proxy-event: `"tEsT-HEADeR": "aValUE"`.
    const { event } = await echo(emulator, `/${STAGE}/h`, { headers: ['tEsT-HEADeR', 'aValUE'] });
    expect(event.headers['tEsT-HEADeR']).toBe('aValUE');
    expect(event.multiValueHeaders['tEsT-HEADeR']).toEqual(['aValUE']);
  });

  it('list every value of a repeated header in multiValueHeaders', async () => {
    // docs/aws-behaviour.md#proxy-event: multiValueHeaders holds both values; which lands in headers is UNCONFIRMED (we keep the last).
    const { event } = await echo(emulator, `/${STAGE}/h`, { headers: ['X-Twice', 'one', 'X-Twice', 'two'] });
    expect(event.multiValueHeaders['X-Twice']).toEqual(['one', 'two']);
    expect(event.headers['X-Twice']).toBe('two');
  });

  it('leave out Content-Length and Connection', async () => {
    // docs/aws-behaviour.md#proxy-event: "`Content-Length` and `Connection` are not passed to the event".
    const { event } = await echo(emulator, `/${STAGE}/h`, {
      method: 'POST',
      headers: ['Connection', 'close', 'Content-Type', 'text/plain'],
      body: 'hello',
    });
    const names = Object.keys(event.headers).map((name) => name.toLowerCase());
    expect(names).not.toContain('content-length');
    expect(names).not.toContain('connection');
    expect(Object.keys(event.multiValueHeaders).map((name) => name.toLowerCase())).not.toContain('content-length');
    expect(event.headers['Content-Type']).toBe('text/plain');
  });
});

describe('bodies', () => {
  it('is null for a request without a body', async () => {
    // docs/aws-behaviour.md#proxy-event: body is null when the request has no body (GET).
    const { event } = await echo(emulator, `/${STAGE}/b`);
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
  });

  it('is the raw text for a text content type', async () => {
    // docs/aws-behaviour.md#proxy-event: the raw body as a string, isBase64Encoded false for text bodies.
    const body = '{"a": 1,\n "b": "ü"}';
    const { event } = await echo(emulator, `/${STAGE}/b`, {
      method: 'POST',
      headers: ['Content-Type', 'application/json'],
      body,
    });
    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);
  });

  it('is base64 only when the content type matches binaryMediaTypes', async () => {
    // docs/aws-behaviour.md#proxy-event, binary payloads.
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10]);
    const binary = await echo(emulator, `/${STAGE}/b`, {
      method: 'PUT',
      headers: ['Content-Type', 'image/png'],
      body: bytes,
    });
    expect(binary.event.isBase64Encoded).toBe(true);
    expect(binary.event.body).toBe(bytes.toString('base64'));
    const text = await echo(emulator, `/${STAGE}/b`, {
      method: 'PUT',
      headers: ['Content-Type', 'text/plain'],
      body: 'plain',
    });
    expect(text.event.isBase64Encoded).toBe(false);
    expect(text.event.body).toBe('plain');
  });
});

describe('requestContext', () => {
  it('has the recorded keys and no authorizer when the method has no authorization', async () => {
    // docs/aws-behaviour.md#request-context (authorizer absent for NONE) and #recorded-event.
    const { event } = await echo(emulator, `/${STAGE}/ctx`);
    expect(Object.keys(event.requestContext).sort()).toEqual([
      'accountId',
      'apiId',
      'deploymentId',
      'domainName',
      'domainPrefix',
      'extendedRequestId',
      'httpMethod',
      'identity',
      'path',
      'protocol',
      'requestId',
      'requestTime',
      'requestTimeEpoch',
      'resourceId',
      'resourcePath',
      'stage',
    ]);
  });

  it('carries the stage, the account, the API and its resource', async () => {
    // docs/aws-behaviour.md#request-context: accountId 12 digits, apiId, stage, resourceId, protocol HTTP/1.1.
    const { event } = await echo(emulator, `/${STAGE}/ctx`);
    const ctx = event.requestContext;
    expect(ctx.accountId).toMatch(/^\d{12}$/);
    expect(ctx.apiId).toBe('a1b2c3d4e5');
    expect(ctx.stage).toBe(STAGE);
    expect(ctx.deploymentId).toBe('dep123');
    expect(ctx.resourceId).toBe('prx123');
    expect(ctx.protocol).toBe('HTTP/1.1');
  });

  it('takes domainName from the Host header and domainPrefix from its first label', async () => {
    // docs/aws-behaviour.md#request-context: domainName = Host header; domainPrefix = first label of domainName.
    const { event } = await echo(emulator, `/${STAGE}/ctx`, {
      headers: ['Host', 'abc123.execute-api.eu-west-1.amazonaws.com'],
    });
    expect(event.requestContext.domainName).toBe('abc123.execute-api.eu-west-1.amazonaws.com');
    expect(event.requestContext.domainPrefix).toBe('abc123');
  });

  it('gives identity every key, null except sourceIp and userAgent', async () => {
    // docs/aws-behaviour.md#request-context identity, #recorded-event.
    const { event } = await echo(emulator, `/${STAGE}/ctx`, { headers: ['User-Agent', 'python-requests/testing'] });
    expect(event.requestContext.identity).toEqual({
      accessKey: null,
      accountId: null,
      caller: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: '127.0.0.1',
      user: null,
      userAgent: 'python-requests/testing',
      userArn: null,
    });
  });

  it('uses a UUID requestId returned as x-amzn-RequestId, distinct from the Lambda request id', async () => {
    // docs/aws-behaviour.md#request-context: requestId is a UUID, returned as x-amzn-RequestId, not context.awsRequestId.
    const response = await rawRequest(emulator, `/${STAGE}/ids`);
    const body = JSON.parse(response.text);
    expect(body.event.requestContext.requestId).toMatch(UUID);
    expect(response.headers['x-amzn-requestid']).toBe(body.event.requestContext.requestId);
    expect(body.context.awsRequestId).toMatch(UUID);
    expect(body.context.awsRequestId).not.toBe(body.event.requestContext.requestId);
  });

  it('lets the client set requestId with an x-amzn-RequestId UUID header, and ignores other values', async () => {
    // docs/aws-behaviour.md#request-context: "The client can override it with an x-amzn-RequestId request header".
    const chosen = '68c4fad4-ca27-49cb-a46d-9603999d8ea2';
    const overridden = await echo(emulator, `/${STAGE}/ids`, { headers: ['x-amzn-RequestId', chosen] });
    expect(overridden.event.requestContext.requestId).toBe(chosen);
    const invalid = await echo(emulator, `/${STAGE}/ids`, { headers: ['x-amzn-RequestId', 'not-a-uuid'] });
    expect(invalid.event.requestContext.requestId).toMatch(UUID);
  });

  it('uses a 16-character extendedRequestId ending in = that is returned as x-amz-apigw-id', async () => {
    // docs/aws-behaviour.md#request-context: `TWegAcC4EowCHnA=`; returned as the x-amz-apigw-id response header.
    const response = await rawRequest(emulator, `/${STAGE}/ids`);
    const { event } = JSON.parse(response.text);
    expect(event.requestContext.extendedRequestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(response.headers['x-amz-apigw-id']).toBe(event.requestContext.extendedRequestId);
  });

  it('gives requestTime in CLF and requestTimeEpoch as integer milliseconds of the same instant', async () => {
    // docs/aws-behaviour.md#request-context: `15/May/2020:06:01:09 +0000` and `1589522469693`.
    const before = Date.now();
    const { event } = await echo(emulator, `/${STAGE}/time`);
    const after = Date.now();
    const { requestTime, requestTimeEpoch } = event.requestContext;
    expect(Number.isInteger(requestTimeEpoch)).toBe(true);
    expect(requestTimeEpoch).toBeGreaterThanOrEqual(before);
    expect(requestTimeEpoch).toBeLessThanOrEqual(after);
    expect(requestTime).toMatch(
      /^\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
    );
    const [, day, month, year, time] = /^(\d{2})\/(\w{3})\/(\d{4}):(\S+) \+0000$/.exec(requestTime)!;
    expect(Date.parse(`${day} ${month} ${year} ${time} GMT`)).toBe(Math.floor(requestTimeEpoch / 1000) * 1000);
  });
});

describe('stage variables', () => {
  it('are null when the stage has none and an object when it has some', async () => {
    // docs/aws-behaviour.md#proxy-event: stageVariables is null when the stage has no variables.
    const { event } = await echo(emulator, `/${STAGE}/vars`);
    expect(event.stageVariables).toBeNull();
    const withVars = await startFixture({ handler: 'echo.handler' }, { stageVariables: { color: 'blue' } });
    try {
      const echoed = await echo(withVars, `/${STAGE}/vars`);
      expect(echoed.event.stageVariables).toEqual({ color: 'blue' });
    } finally {
      await withVars.stop();
    }
  });
});
