import { describe, expect, it } from 'vitest';
import {
  buildProxyEvent,
  headerMaps,
  isBinaryMediaType,
  parseQuery,
  parseRequestTarget,
} from '../../../harness/emulator/proxy-event.js';

describe('parseRequestTarget', () => {
  it('takes the stage off the path and keeps it in the context path (docs/aws-behaviour.md#proxy-event, #request-context)', () => {
    expect(parseRequestTarget('/bench/items/1?x=1', 'bench')).toEqual({
      path: '/items/1',
      contextPath: '/bench/items/1',
      rawQuery: 'x=1',
    });
  });

  it('maps the bare stage to the root resource', () => {
    expect(parseRequestTarget('/bench', 'bench')).toEqual({ path: '/', contextPath: '/bench/', rawQuery: null });
    expect(parseRequestTarget('/bench/', 'bench')).toEqual({ path: '/', contextPath: '/bench/', rawQuery: null });
  });

  it('returns null outside the stage, including a longer first segment', () => {
    expect(parseRequestTarget('/', 'bench')).toBeNull();
    expect(parseRequestTarget('/prod/x', 'bench')).toBeNull();
    expect(parseRequestTarget('/benchmark/x', 'bench')).toBeNull();
  });

  it('collapses only leading slashes in path and drops the fragment (docs/aws-behaviour.md#proxy-event)', () => {
    expect(parseRequestTarget('/bench///a//b/#frag', 'bench')).toEqual({
      path: '/a//b/',
      contextPath: '/bench///a//b/',
      rawQuery: null,
    });
    expect(parseRequestTarget('/bench/a?q=1#frag', 'bench')?.rawQuery).toBe('q=1');
  });

  it('gives an empty query string when the URL ends in ?', () => {
    expect(parseRequestTarget('/bench/a?', 'bench')?.rawQuery).toBe('');
  });
});

describe('parseQuery (docs/aws-behaviour.md#proxy-event)', () => {
  it('gives null maps for no query or an empty one', () => {
    expect(parseQuery(null)).toEqual({ single: null, multi: null });
    expect(parseQuery('')).toEqual({ single: null, multi: null });
    expect(parseQuery('&&')).toEqual({ single: null, multi: null });
  });

  it('keeps the last value in the single map and all values in order in the multi map', () => {
    expect(parseQuery('a=1&b=2&a=3')).toEqual({ single: { a: '3', b: '2' }, multi: { a: ['1', '3'], b: ['2'] } });
  });

  it('decodes + as a space and %XX escapes, and gives "" to a key without =', () => {
    expect(parseQuery('p=a+b&e=a%2Bb&flag&u=%E2%82%AC').single).toEqual({ p: 'a b', e: 'a+b', flag: '', u: '€' });
  });

  it('keeps a stray % that is not an escape rather than failing', () => {
    expect(parseQuery('a=100%&b=%zz&c=%41').single).toEqual({ a: '100%', b: '%zz', c: 'A' });
  });

  it('splits on semicolons too', () => {
    expect(parseQuery('a=1;b=2').single).toEqual({ a: '1', b: '2' });
  });
});

describe('headerMaps (docs/aws-behaviour.md#proxy-event)', () => {
  it('keeps casing, lists repeats, and leaves out Content-Length and Connection', () => {
    const maps = headerMaps(['Host', 'h', 'X-A', '1', 'content-length', '3', 'CONNECTION', 'keep-alive', 'X-A', '2']);
    expect(maps.headers).toEqual({ Host: 'h', 'X-A': '2' });
    expect(maps.multiValueHeaders).toEqual({ Host: ['h'], 'X-A': ['1', '2'] });
  });
});

describe('isBinaryMediaType', () => {
  it('matches exact types, type wildcards and */*, ignoring parameters and case', () => {
    expect(isBinaryMediaType('image/png', ['image/png'])).toBe(true);
    expect(isBinaryMediaType('Image/PNG; q=1', ['image/png'])).toBe(true);
    expect(isBinaryMediaType('image/jpeg', ['image/*'])).toBe(true);
    expect(isBinaryMediaType('text/plain', ['*/*'])).toBe(true);
    expect(isBinaryMediaType('text/plain', ['image/*'])).toBe(false);
    expect(isBinaryMediaType(undefined, ['*/*'])).toBe(false);
    expect(isBinaryMediaType('image/png', [])).toBe(false);
  });
});

describe('buildProxyEvent', () => {
  it('builds the recorded event shape from a request (docs/aws-behaviour.md#recorded-event)', () => {
    const event = buildProxyEvent({
      method: 'GET',
      target: { path: '/proxy-value', contextPath: '/stage/proxy-value', rawQuery: 'urlparam=test' },
      rawHeaders: [
        'Host',
        'abc.execute-api.eu-west-1.amazonaws.com',
        'User-Agent',
        'python-requests/testing',
        'tEsT-HEADeR',
        'aValUE',
      ],
      body: null,
      sourceIp: '10.0.0.1',
      resourcePath: '/{proxy+}',
      resourceId: 'roq9wj',
      pathParameters: { proxy: 'proxy-value' },
      requestId: 'deef4878-7910-11e6-8f14-25afc3e9ae33',
      extendedRequestId: 'TWegAcC4EowCHnA=',
      requestTimeEpochMs: 1589522469693,
      accountId: '111111111111',
      apiId: 'gy415nuibc',
      deploymentId: 'dep1',
      stageName: 'stage',
      stageVariables: null,
      binaryMediaTypes: [],
    });
    expect(event).toEqual({
      resource: '/{proxy+}',
      path: '/proxy-value',
      httpMethod: 'GET',
      headers: {
        Host: 'abc.execute-api.eu-west-1.amazonaws.com',
        'User-Agent': 'python-requests/testing',
        'tEsT-HEADeR': 'aValUE',
      },
      multiValueHeaders: {
        Host: ['abc.execute-api.eu-west-1.amazonaws.com'],
        'User-Agent': ['python-requests/testing'],
        'tEsT-HEADeR': ['aValUE'],
      },
      queryStringParameters: { urlparam: 'test' },
      multiValueQueryStringParameters: { urlparam: ['test'] },
      pathParameters: { proxy: 'proxy-value' },
      stageVariables: null,
      requestContext: {
        accountId: '111111111111',
        apiId: 'gy415nuibc',
        deploymentId: 'dep1',
        domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
        domainPrefix: 'abc',
        extendedRequestId: 'TWegAcC4EowCHnA=',
        httpMethod: 'GET',
        identity: {
          accessKey: null,
          accountId: null,
          caller: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: '10.0.0.1',
          user: null,
          userAgent: 'python-requests/testing',
          userArn: null,
        },
        path: '/stage/proxy-value',
        protocol: 'HTTP/1.1',
        requestId: 'deef4878-7910-11e6-8f14-25afc3e9ae33',
        // aws-lambda-go testdata: 1589522469693 is "15/May/2020:06:01:09 +0000".
        requestTime: '15/May/2020:06:01:09 +0000',
        requestTimeEpoch: 1589522469693,
        resourceId: 'roq9wj',
        resourcePath: '/{proxy+}',
        stage: 'stage',
      },
      body: null,
      isBase64Encoded: false,
    });
  });
});
