import { describe, expect, it } from 'vitest';
import {
  buildProxyEvent,
  headerMaps,
  isBinaryMediaType,
  parseQuery,
  parseRequestTarget,
  requestTrace,
  withForwardedHeaders,
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

describe('withForwardedHeaders (docs/aws-behaviour.md#proxy-event)', () => {
  const forwarded = { traceHeader: 'Root=1-5e66d96f-7491f09xmpl79d18acf3d05', port: 8443, proto: 'http' };

  it('adds X-Amzn-Trace-Id and X-Forwarded-For/-Port/-Proto after the client headers', () => {
    expect(withForwardedHeaders(['Host', 'h', 'Accept', '*/*'], '203.0.113.7', forwarded)).toEqual([
      'Host',
      'h',
      'Accept',
      '*/*',
      'X-Amzn-Trace-Id',
      forwarded.traceHeader,
      'X-Forwarded-For',
      '203.0.113.7',
      'X-Forwarded-Port',
      '8443',
      'X-Forwarded-Proto',
      'http',
    ]);
  });

  it('appends the client address to what the client sent as X-Forwarded-For, and replaces its -Port, -Proto and trace', () => {
    // Prepare: a client that claims to be someone else, on another port and scheme.
    const raw = [
      'x-forwarded-for',
      '1.1.1.1',
      'X-Forwarded-Port',
      '4431',
      'X-Forwarded-Proto',
      'https',
      'X-Forwarded-For',
      '2.2.2.2, 3.3.3.3',
      'x-amzn-trace-id',
      'garbage',
    ];
    // Act
    const maps = headerMaps(withForwardedHeaders(raw, '203.0.113.7', forwarded));
    // Assess: one value each, in both maps.
    expect(maps.headers).toEqual({
      'X-Amzn-Trace-Id': forwarded.traceHeader,
      'X-Forwarded-For': '1.1.1.1, 2.2.2.2, 3.3.3.3, 203.0.113.7',
      'X-Forwarded-Port': '8443',
      'X-Forwarded-Proto': 'http',
    });
    expect(maps.multiValueHeaders).toEqual({
      'X-Amzn-Trace-Id': [forwarded.traceHeader],
      'X-Forwarded-For': ['1.1.1.1, 2.2.2.2, 3.3.3.3, 203.0.113.7'],
      'X-Forwarded-Port': ['8443'],
      'X-Forwarded-Proto': ['http'],
    });
  });
});

describe('requestTrace (docs/aws-behaviour.md#response-headers)', () => {
  const fresh = () => 'Root=1-00000000-000000000000000000000000';

  it('keeps a client trace header with a valid Root as sent', () => {
    const full = 'Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1';
    expect(requestTrace(full, fresh)).toEqual({ header: full, root: 'Root=1-3152b799-8954dae64eda91bc9a23a7e8' });
    const later = 'Self=1-abc;Root=1-3152b799-8954dae64eda91bc9a23a7e8';
    expect(requestTrace(later, fresh).root).toBe('Root=1-3152b799-8954dae64eda91bc9a23a7e8');
  });

  it('replaces a missing or invalid one with a new root', () => {
    for (const client of [undefined, '', 'garbage', 'Root=1-zz-zz', 'Root=1-3152b799-8954dae64eda91bc9a23a7e8x']) {
      expect(requestTrace(client, fresh), String(client)).toEqual({ header: fresh(), root: fresh() });
    }
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
