import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TYPES } from '../../../handler/generators.js';
import { handleRequest, MAX_RESPONSE_BYTES } from '../../../handler/index.js';
import { apiEvent, testDeps } from '../../unit/handler/fixtures.js';

/**
 * Fuzzes the handler with API Gateway REST proxy events (CONTRIBUTING.md#promises-the-tests-pin): whatever the method,
 * path, query maps, headers and body, the answer is a well-formed proxy result with a 2xx/4xx status,
 * no stack trace, no internal path and a bounded body, and exactly one log line is written.
 */

const NUM_RUNS = 10_000;
const ALLOWED_STATUSES = [200, 400, 404, 405, 413, 415] as const;
const ERROR_CODES: Readonly<Record<number, readonly string[]>> = {
  400: ['InvalidParameter'],
  404: ['UnknownType', 'NotFound'],
  405: ['MethodNotAllowed'],
  413: ['PayloadTooLarge'],
  415: ['UnsupportedMediaType'],
};
const TYPE_NAMES = TYPES.map((type) => type.name);
const PARAM_NAMES = [...new Set(['count', 'seed', 'type', ...TYPES.flatMap((type) => type.params.map((p) => p.name))])];
// Strings that would betray the handler's insides if they showed up without having been sent.
const INTERNAL_MARKERS = ['/work', 'node_modules', 'file://', process.cwd(), dirname(fileURLToPath(import.meta.url))];
// A V8 stack frame: "at fn (/path/file.js:1:2)" or "at /path/file.js:1:2" or "at node:internal/...".
const STACK_FRAME = /\bat (?:[^\s()]+ )?\(?(?:\/|file:|node:)[^\s)]*:\d+:\d+/;

const rawValue = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '1',
      '0',
      '5',
      '1000',
      '1001',
      '-1',
      '1 ',
      '',
      '1e3',
      'abc',
      '0.25',
      '4',
      '7',
      '16',
      '256',
      '257',
      'hex',
      'base64',
      'alpha',
      'iso',
      'epoch',
      'epoch_ms',
      'rgb',
      'hsl',
      'a,b,c',
      '1,2,3',
      '0,0',
      'x,,y',
      '3d6+2',
      '3d6 2',
      'd%',
      '2024-01-01',
      '2024-02-30',
      '2031-01-01T00:00:00Z',
      '😀',
      '"',
      '\ud800',
      '\n',
      '/work/main',
      'node_modules',
      '9007199254740992',
      '-9007199254740991',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.integer({ min: -2000, max: 2000 }).map(String) },
);

const queryMaps = fc
  .tuple(
    fc.dictionary(
      fc.oneof(
        { weight: 9, arbitrary: fc.constantFrom(...PARAM_NAMES) },
        { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
      ),
      fc.oneof(
        { weight: 9, arbitrary: rawValue.map((value) => [value]) },
        { weight: 1, arbitrary: fc.array(rawValue, { minLength: 2, maxLength: 3 }) },
      ),
      { maxKeys: 3 },
    ),
    fc.constantFrom('consistent', 'consistent', 'consistent', 'null', 'single-only', 'multi-only', 'mismatched'),
    fc.dictionary(fc.string({ maxLength: 6 }), rawValue, { maxKeys: 2 }),
  )
  .map(([multi, shape, other]) => {
    const entries = Object.entries(multi);
    const single = entries.length === 0 ? null : Object.fromEntries(entries.map(([k, v]) => [k, v.at(-1) as string]));
    const multiMap = entries.length === 0 ? null : multi;
    switch (shape) {
      case 'null':
        return { queryStringParameters: null, multiValueQueryStringParameters: null };
      case 'single-only':
        return { queryStringParameters: single, multiValueQueryStringParameters: null };
      case 'multi-only':
        return { queryStringParameters: null, multiValueQueryStringParameters: multiMap };
      case 'mismatched':
        return { queryStringParameters: { ...single, ...other }, multiValueQueryStringParameters: multiMap };
      default:
        return { queryStringParameters: single, multiValueQueryStringParameters: multiMap };
    }
  });

const headerName = fc.oneof(
  fc.constantFrom(
    'accept',
    'Accept',
    'ACCEPT',
    'content-type',
    'Content-Type',
    'CoNtEnT-TyPe',
    'x-correlation-id',
    'X-Correlation-Id',
    'X-CORRELATION-ID',
    'Authorization',
    'cookie',
    'Host',
  ),
  fc.string({ maxLength: 12 }),
);
const headerValue = fc.oneof(
  fc.constantFrom(
    'application/json',
    'text/plain',
    'text/csv',
    'text/*;q=0.5, text/csv',
    '*/*',
    'application/xml',
    'application/json; charset=utf-8',
    'application/vnd.api+json',
    'garbage;;q=x',
    'a'.repeat(65),
    'run-1.ok_id',
  ),
  fc.uuid(),
  fc.string({ maxLength: 70 }),
);
const headerMaps = fc
  .tuple(
    fc.dictionary(headerName, headerValue, { maxKeys: 5 }),
    fc.constantFrom('consistent', 'consistent', 'multi-extra', 'single-only', 'null'),
  )
  .map(([headers, shape]) => {
    const multi = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
    if (shape === 'multi-extra') for (const key of Object.keys(multi)) multi[key]!.unshift('first');
    if (shape === 'null') return { headers: null, multiValueHeaders: null };
    if (shape === 'single-only') return { headers, multiValueHeaders: {} };
    return { headers, multiValueHeaders: multi };
  });

const fieldSpec = fc
  .tuple(
    fc.oneof(
      { weight: 5, arbitrary: fc.constantFrom(...TYPE_NAMES) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
    ),
    fc.dictionary(
      fc.constantFrom(...PARAM_NAMES),
      fc.oneof(
        fc.integer({ min: -10, max: 300 }),
        fc.double(),
        rawValue,
        fc.array(rawValue, { maxLength: 4 }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      { maxKeys: 3 },
    ),
  )
  .map(([type, params]) => ({ ...params, type }));
const recordsBody = fc.record(
  {
    count: fc.oneof(fc.integer({ min: -2, max: 1002 }), fc.jsonValue({ maxDepth: 1 })),
    seed: fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.jsonValue({ maxDepth: 1 })),
    fields: fc.oneof(
      {
        weight: 5,
        arbitrary: fc.dictionary(
          fc.oneof(fc.constantFrom('id', 'age', 'name', '__proto__', 'toJSON'), fc.string({ maxLength: 6 })),
          fieldSpec,
          { maxKeys: 4 },
        ),
      },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
    ),
    extra: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);
const bodyText = fc.oneof(
  { weight: 6, arbitrary: recordsBody.map((body) => JSON.stringify(body)) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'x'.repeat(16_385),
      `{"fields":{"n":{"type":"int"}}}${' '.repeat(16_400)}`,
      'é'.repeat(8_193),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]',
      '{"fields":{"a":{"type":"int"}}}',
      '{"count":1000,"fields":{"s":{"type":"string","length":256}}}',
    ),
  },
);
const bodies = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ body: null, isBase64Encoded: false }) },
  { weight: 6, arbitrary: bodyText.map((body) => ({ body, isBase64Encoded: false })) },
  {
    weight: 2,
    arbitrary: bodyText.map((body) => ({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true })),
  },
  { weight: 1, arbitrary: fc.record({ body: fc.string({ maxLength: 60 }), isBase64Encoded: fc.constant(true) }) },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((bytes) => ({ body: Buffer.from(bytes).toString('base64'), isBase64Encoded: true })),
  },
);

const paths = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TYPE_NAMES).map((type) => `/random/${type}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '/',
      '/types',
      '/random',
      '/random/',
      '/types/',
      '/random/int/x',
      '//random/int',
      '/work/main',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((rest) => `/random/${rest}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((rest) => `/${rest}`) },
);
const methods = fc.oneof(
  { weight: 12, arbitrary: fc.constant('GET') },
  { weight: 3, arbitrary: fc.constant('POST') },
  { weight: 3, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get') },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
);

function toEvent(parts: {
  method: string;
  path: string;
  query: object;
  headers: { headers: Record<string, string> | null };
  body: object;
  forceJson: boolean;
}): APIGatewayProxyEvent {
  const event = apiEvent({ method: parts.method, path: parts.path });
  Object.assign(event, parts.query, parts.headers, parts.body);
  // Half the events say JSON, so the body checks behind the 415 are reached often.
  if (parts.forceJson && event.headers !== null) event.headers['Content-Type'] = 'application/json';
  return event;
}

const anyEvents = fc
  .record({
    method: methods,
    path: paths,
    query: queryMaps,
    headers: headerMaps,
    body: bodies,
    forceJson: fc.boolean(),
  })
  .map(toEvent);
// POST /random is one route of many, but most of the body handling lives behind it.
const postEvents = fc
  .record({
    method: fc.constant('POST'),
    path: fc.constantFrom('/random', '/random/'),
    query: queryMaps,
    headers: headerMaps,
    body: bodies,
    forceJson: fc.boolean(),
  })
  .map(toEvent);
const events = fc.oneof({ weight: 3, arbitrary: anyEvents }, { weight: 1, arbitrary: postEvents });

/** Everything the client sent, as text, to tell echoed input apart from leaked internals. */
function sentText(event: APIGatewayProxyEvent): string {
  const decoded =
    event.isBase64Encoded && typeof event.body === 'string' ? Buffer.from(event.body, 'base64').toString('utf8') : '';
  return JSON.stringify(event) + decoded + String(event.body);
}

describe('handler under generated API Gateway events', () => {
  it(`answers ${NUM_RUNS} random events with well-formed, bounded, clean proxy results`, () => {
    const { deps, sink } = testDeps();
    const statuses = new Map<number, number>();
    fc.assert(
      fc.property(events, (event) => {
        // Act
        sink.lines.length = 0;
        const result = handleRequest(event, { awsRequestId: 'fuzz' }, deps);
        // Assess: the proxy result shape API Gateway accepts (docs/aws-behaviour.md#proxy-response).
        expect(Number.isInteger(result.statusCode)).toBe(true);
        expect(ALLOWED_STATUSES).toContain(result.statusCode);
        statuses.set(result.statusCode, (statuses.get(result.statusCode) ?? 0) + 1);
        expect(typeof result.body).toBe('string');
        const headers = result.headers ?? {};
        expect(Object.values(headers).every((value) => typeof value === 'string')).toBe(true);
        expect(headers['cache-control']).toBe('no-store');
        expect(headers['x-content-type-options']).toBe('nosniff');
        expect(String(headers['content-type'])).toMatch(/; charset=utf-8$/);
        expect(Buffer.byteLength(result.body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
        // Nothing internal leaks.
        const sent = sentText(event);
        expect(STACK_FRAME.test(result.body) && !STACK_FRAME.test(sent)).toBe(false);
        for (const marker of INTERNAL_MARKERS) {
          if (!sent.includes(marker)) expect(result.body).not.toContain(marker);
        }
        // Errors have the documented body.
        if (result.statusCode !== 200) {
          const body = JSON.parse(result.body);
          expect(ERROR_CODES[result.statusCode]).toContain(body.error.code);
          expect(typeof body.error.message).toBe('string');
          expect(Object.keys(body)).toEqual(['error']);
        }
        if (result.statusCode === 405) expect(headers.allow).toMatch(/^GET(, POST)?$/);
        if (String(headers['content-type']).startsWith('application/json')) JSON.parse(result.body);
        // One line per request, always.
        expect(sink.lines).toHaveLength(1);
      }),
      { numRuns: NUM_RUNS },
    );
    console.info(`statuses over ${NUM_RUNS} events: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    // The generators must reach every status, or the property proves less than it claims.
    for (const status of ALLOWED_STATUSES) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(20);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(NUM_RUNS / 20);
  });
});
