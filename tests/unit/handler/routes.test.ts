import { describe, expect, it } from 'vitest';
import { TYPES } from '../../../handler/generators.js';
import { apiEvent, getType, invoke, postEvent } from './fixtures.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const KNOWN_TYPES = TYPES.map((type) => type.name).join(', ');

describe('routing', () => {
  it('serves a type from the path', () => {
    const { result, json } = getType('int', { min: '5', max: '5', count: '2' });
    expect(result.statusCode).toBe(200);
    expect(json).toEqual({ type: 'int', count: 2, seed: null, data: [5, 5] });
  });

  it('serves a type from ?type= when the path has none', () => {
    const { json } = invoke(apiEvent({ path: '/random', query: { type: 'int', min: '3', max: '3' } }));
    expect(json).toEqual({ type: 'int', count: 1, seed: null, data: [3] });
  });

  it('lets the path win over ?type=', () => {
    const { json } = invoke(apiEvent({ path: '/random/bool', query: { type: 'int', p: '1' } }));
    expect(json).toEqual({ type: 'bool', count: 1, seed: null, data: [true] });
  });

  it('tolerates one trailing slash', () => {
    expect(invoke(apiEvent({ path: '/random/int/' })).result.statusCode).toBe(200);
    expect(invoke(apiEvent({ path: '/types/' })).result.statusCode).toBe(200);
  });

  it('asks for a type on GET /random without one', () => {
    expect(invoke(apiEvent({ path: '/random' })).json).toEqual({
      error: {
        code: 'InvalidParameter',
        message: `type is required: use /random/{type} or /random?type={type}; types: ${KNOWN_TYPES}`,
        param: 'type',
      },
    });
  });

  it.each([['/random/nope'], ['/random/INT']])('answers 404 UnknownType for %s', (path) => {
    const { result, json } = invoke(apiEvent({ path }));
    expect(result.statusCode).toBe(404);
    expect(json).toEqual({
      error: { code: 'UnknownType', message: `unknown type '${path.slice(8)}'; types: ${KNOWN_TYPES}` },
    });
  });

  it('answers 404 UnknownType for ?type= naming no type', () => {
    expect(invoke(apiEvent({ path: '/random', query: { type: 'nope' } })).result.statusCode).toBe(404);
  });

  it.each([['/nope'], ['/random/int/extra'], ['/randomx'], ['/types/int'], ['//random/int'], ['']])(
    'answers 404 NotFound for %j without echoing the path',
    (path) => {
      const { result, json } = invoke(apiEvent({ path }));
      expect(result.statusCode).toBe(404);
      expect(json).toEqual({
        error: {
          code: 'NotFound',
          message: 'no such route; use GET /random/{type}, GET /random?type={type}, POST /random, GET /types or GET /',
        },
      });
    },
  );

  it.each([
    ['PUT', '/random', 'GET, POST'],
    ['DELETE', '/random', 'GET, POST'],
    ['POST', '/random/int', 'GET'],
    ['POST', '/types', 'GET'],
    ['DELETE', '/', 'GET'],
    ['HEAD', '/types', 'GET'],
    ['OPTIONS', '/random/uuid', 'GET'],
    ['get', '/types', 'GET'],
  ])('answers %s %s with 405 and Allow: %s', (method, path, allow) => {
    const { result, json } = invoke(apiEvent({ method, path }));
    expect(result.statusCode).toBe(405);
    expect(result.headers?.allow).toBe(allow);
    expect(json).toMatchObject({ error: { code: 'MethodNotAllowed' } });
    expect(Object.keys((json as { error: object }).error)).toEqual(['code', 'message']);
  });
});

describe('catalog', () => {
  it('lists every type with its params, bounds and defaults on GET /types and GET /', () => {
    // Act
    const types = invoke(apiEvent({ path: '/types' }));
    const root = invoke(apiEvent({ path: '/' }));
    // Assess
    expect(types.result.statusCode).toBe(200);
    expect(root.result.body).toBe(types.result.body);
    const catalog = types.json as {
      common: { name: string }[];
      types: { name: string; params: Record<string, unknown>[]; example: string }[];
      limits: Record<string, number>;
    };
    expect(catalog.types.map((type) => type.name)).toEqual([
      'int',
      'float',
      'bool',
      'uuid',
      'string',
      'bytes',
      'choice',
      'date',
      'gaussian',
      'dice',
      'color',
      'ipv4',
      'ipv6',
      'word',
      'lorem',
    ]);
    expect(catalog.common).toEqual([
      { name: 'count', type: 'integer', min: 1, max: 1000, default: 1, description: 'how many values (or records)' },
      expect.objectContaining({ name: 'seed', type: 'string', minLength: 1, maxLength: 128 }),
    ]);
    expect(catalog.types.find((type) => type.name === 'string')?.params).toEqual([
      { name: 'length', type: 'integer', min: 1, max: 256, default: 16, description: 'characters per string' },
      expect.objectContaining({
        name: 'charset',
        type: 'enum',
        values: ['alpha', 'alnum', 'numeric', 'hex', 'base64url'],
        default: 'alnum',
      }),
      expect.objectContaining({ name: 'chars', type: 'string', minLength: 1, maxLength: 256 }),
    ]);
    expect(catalog.limits).toMatchObject({ maxBodyBytes: 16384, maxFields: 20 });
  });

  it('gives examples under the stage the request came through, and they all work', () => {
    // Act: the fixture's stage is `bench`, as API Gateway puts it in requestContext.stage
    const catalog = invoke(apiEvent({ path: '/types' })).json as { types: { example: string }[] };

    // Assess: each example, resolved against the API's host, is a request API Gateway routes to the handler
    for (const { example } of catalog.types) {
      expect(example).toMatch(/^\/bench\/random\//);
      const url = new URL(example, 'https://gy415nuibc.execute-api.eu-west-1.amazonaws.com');
      const path = url.pathname.slice('/bench'.length);
      const { result } = invoke(apiEvent({ path, query: Object.fromEntries(url.searchParams) }));
      expect(result.statusCode, example).toBe(200);
    }
  });

  it('takes the stage from each request, and leaves it out when the event carries none or an odd one', () => {
    // Prepare
    const withStage = (stage: unknown) => {
      const event = apiEvent({ path: '/types' });
      return { ...event, requestContext: { ...event.requestContext, stage } } as typeof event;
    };
    const firstExample = (event: ReturnType<typeof apiEvent>) =>
      (invoke(event).json as { types: { example: string }[] }).types[0]?.example;

    // Act and assess
    expect(firstExample(withStage('prod'))).toBe('/prod/random/int?min=1&max=6&count=5');
    expect(firstExample(withStage('bench'))).toBe('/bench/random/int?min=1&max=6&count=5');
    expect(firstExample(withStage(undefined))).toBe('/random/int?min=1&max=6&count=5');
    expect(firstExample(withStage('../x'))).toBe('/random/int?min=1&max=6&count=5');
  });
});

describe('POST /random errors', () => {
  it.each([[undefined], ['text/plain'], ['application/x-www-form-urlencoded'], ['application/jsonx']])(
    'answers 415 for content-type %j',
    (contentType) => {
      const headers: Record<string, string> = contentType === undefined ? {} : { 'Content-Type': contentType };
      const { result, json } = invoke(apiEvent({ method: 'POST', path: '/random', headers, body: '{}' }));
      expect(result.statusCode).toBe(415);
      expect(json).toEqual({
        error: {
          code: 'UnsupportedMediaType',
          message: `content-type must be application/json; got ${contentType === undefined ? 'none' : `'${contentType}'`}`,
        },
      });
    },
  );

  it.each([['application/json; charset=utf-8'], ['Application/JSON'], ['application/vnd.api+json']])(
    'accepts content-type %j',
    (contentType) => {
      const body = JSON.stringify({ fields: { n: { type: 'int' } } });
      const event = apiEvent({ method: 'POST', path: '/random', headers: { 'content-type': contentType }, body });
      expect(invoke(event).result.statusCode).toBe(200);
    },
  );

  it('answers 413 over 16 KiB, counting UTF-8 bytes rather than characters', () => {
    // Prepare: 'é' is 2 bytes, so 8,200 of them make a body of 16,4xx bytes but 8,2xx characters.
    const padded = (filler: string, bytes: number) => {
      const base = JSON.stringify({ fields: { n: { type: 'int' } }, count: 1 });
      return `${base.slice(0, -1)}${' '.repeat(bytes - Buffer.byteLength(base) - Buffer.byteLength(filler))}${filler}}`;
    };
    // Act
    const atLimit = invoke(postEvent(padded('', 16384)));
    const overLimit = invoke(postEvent(padded('', 16385)));
    const multiByte = invoke(
      postEvent(JSON.stringify({ fields: { n: { type: 'choice', items: ['é'.repeat(8200)] } } })),
    );
    // Assess
    expect(atLimit.result.statusCode).toBe(200);
    expect(overLimit.result.statusCode).toBe(413);
    expect(overLimit.json).toEqual({
      error: {
        code: 'PayloadTooLarge',
        message: 'body is 16385 bytes; the limit is 16384 bytes (16 KiB): ask for fewer fields or items',
      },
    });
    expect(multiByte.result.statusCode).toBe(413);
  });

  it('decodes a base64 body before parsing and before counting its size', () => {
    const body = JSON.stringify({ count: 2, fields: { n: { type: 'int', min: 4, max: 4 } } });
    const ok = apiEvent({
      method: 'POST',
      path: '/random',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    });
    expect(invoke(ok).json).toEqual({ type: 'records', count: 2, seed: null, data: [{ n: 4 }, { n: 4 }] });
    // 16,385 decoded bytes: 21,848 base64 characters, but the decoded size is what counts.
    const big = { ...ok, body: Buffer.from(`${' '.repeat(16385 - body.length)}${body}`).toString('base64') };
    expect(invoke(big).result.statusCode).toBe(413);
    const small = { ...ok, body: Buffer.from(`${' '.repeat(16384 - body.length)}${body}`).toString('base64') };
    expect(invoke(small).result.statusCode).toBe(200);
  });

  it.each([
    ['a missing body', null, 'body'],
    ['garbage', '{"count": 2,', 'body'],
    ['a JSON array', '[1, 2]', 'body'],
    ['a JSON string', '"fields"', 'body'],
    ['an unknown top-level key', '{"fields": {"n": {"type": "int"}}, "extra": 1}', 'extra'],
    ['no fields', '{"count": 2}', 'fields'],
    ['empty fields', '{"fields": {}}', 'fields'],
    ['a field that is not an object', '{"fields": {"n": "int"}}', 'fields.n'],
    ['a bad field name', '{"fields": {"1n": {"type": "int"}}}', 'fields.1n'],
    ['a __proto__ field name', '{"fields": {"__proto__": {"type": "int"}}}', 'fields.__proto__'],
    ['a field without type', '{"fields": {"n": {"min": 1}}}', 'fields.n.type'],
    ['a field of unknown type', '{"fields": {"n": {"type": "nope"}}}', 'fields.n.type'],
    ['a bad field param', '{"fields": {"age": {"type": "int", "min": 10, "max": 5}}}', 'fields.age.max'],
    ['a string where a number belongs', '{"fields": {"age": {"type": "int", "max": "5"}}}', 'fields.age.max'],
    ['count inside a field', '{"fields": {"age": {"type": "int", "count": 5}}}', 'fields.age.count'],
    ['a bad seed', '{"seed": 1.5, "fields": {"n": {"type": "int"}}}', 'seed'],
  ])('answers 400 for %s, naming %s', (_label, body, param) => {
    const { result, json } = invoke(postEvent(body));
    expect(result.statusCode).toBe(400);
    expect(json).toMatchObject({ error: { code: 'InvalidParameter', param } });
    expect(Object.keys((json as { error: object }).error)).toEqual(['code', 'message', 'param']);
  });

  it('says which param of which field is wrong, with its range', () => {
    expect(invoke(postEvent({ fields: { name: { type: 'string', length: 300 } } })).json).toEqual({
      error: {
        code: 'InvalidParameter',
        message: "fields.name.length must be an integer from 1 to 256; got '300'",
        param: 'fields.name.length',
      },
    });
  });

  it('refuses more than 20 fields', () => {
    const fields = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`f${i}`, { type: 'int' }]));
    expect(invoke(postEvent({ fields })).json).toEqual({
      error: { code: 'InvalidParameter', message: 'fields must hold 1 to 20 fields; got 21', param: 'fields' },
    });
  });
});

describe('response headers', () => {
  it.each([
    ['a 200', apiEvent({ path: '/random/int' })],
    ['the catalog', apiEvent({ path: '/types' })],
    ['a 400', apiEvent({ path: '/random/int', query: { count: '0' } })],
    ['a 404', apiEvent({ path: '/nope' })],
    ['a 405', apiEvent({ method: 'PUT', path: '/random' })],
    ['a 415', apiEvent({ method: 'POST', path: '/random', body: '{}' })],
  ])('%s carries content-type with charset, no-store and nosniff', (_label, event) => {
    const { result } = invoke(event);
    expect(result.headers).toMatchObject({
      'content-type': JSON_TYPE,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(Object.values(result.headers ?? {}).every((value) => typeof value === 'string')).toBe(true);
  });
});

describe('correlation id', () => {
  const uuid = '0b2b4ad1-3f5e-4c36-9a8e-1f2d3c4b5a69';

  it.each([
    ['a UUID', { 'x-correlation-id': uuid }, uuid],
    ['a safe token', { 'x-correlation-id': 'run-7.req_42' }, 'run-7.req_42'],
    ['a 64-character token', { 'x-correlation-id': 'a'.repeat(64) }, 'a'.repeat(64)],
    ['any header casing', { 'X-CoRReLaTiOn-Id': uuid }, uuid],
  ])('echoes %s', (_label, headers, echoed) => {
    const { result } = invoke(apiEvent({ path: '/random/int', headers }));
    expect(result.headers?.['x-correlation-id']).toBe(echoed);
  });

  it('echoes an id found only in multiValueHeaders', () => {
    const event = apiEvent({ path: '/random/int' });
    event.multiValueHeaders = { 'X-Correlation-Id': [uuid] };
    expect(invoke(event).result.headers?.['x-correlation-id']).toBe(uuid);
  });

  it('echoes it on errors too', () => {
    const { result } = invoke(apiEvent({ path: '/nope', headers: { 'x-correlation-id': uuid } }));
    expect(result.statusCode).toBe(404);
    expect(result.headers?.['x-correlation-id']).toBe(uuid);
  });

  it.each([
    ['a 65-character token', 'a'.repeat(65)],
    ['spaces', 'a b'],
    ['a newline', 'abc\ndef'],
    ['a quote', 'abc"def'],
    ['an empty value', ''],
    ['a slash', '../etc'],
  ])('ignores an id with %s', (_label, value) => {
    const { result, sink } = invoke(apiEvent({ path: '/random/int', headers: { 'x-correlation-id': value } }));
    expect(result.statusCode).toBe(200);
    expect(result.headers).not.toHaveProperty('x-correlation-id');
    expect(JSON.parse(sink.lines[0]!).correlationId).toBeNull();
  });
});
