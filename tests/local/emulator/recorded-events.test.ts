import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echo, type FixtureEmulator, STAGE, startFixture } from './helpers.js';

// The emulator's proxy event, compared key path by key path and format by format with events recorded on AWS.
// The recordings are summarised, with their URLs, in tests/fixtures/aws-events/rest-proxy-event.json.

interface Format {
  readonly pattern?: string;
  readonly type?: string;
  readonly examples?: readonly string[];
}

interface RecordedShape {
  readonly sources: Record<string, { readonly url: string }>;
  readonly formats: Record<string, Format>;
  /** Key path → format name. */
  readonly event: Record<string, string>;
  /** Header name → format name. */
  readonly regionalHeaders: Record<string, string>;
}

const SHAPE = JSON.parse(
  fs.readFileSync(new URL('../../fixtures/aws-events/rest-proxy-event.json', import.meta.url), 'utf8'),
) as RecordedShape;

interface PathCase {
  readonly name: string;
  /** The request target, `{stage}` standing for the stage name. */
  readonly request: string;
  readonly resource: string;
  readonly path: string;
  readonly contextPath: string;
  readonly pathParameters: Record<string, string> | null;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
}

const PATHS = JSON.parse(
  fs.readFileSync(new URL('../../fixtures/aws-events/rest-proxy-paths.json', import.meta.url), 'utf8'),
) as { readonly source: { readonly url: string }; readonly cases: readonly PathCase[] };

const API_ID = 'a1b2c3d4e5';
/** The Host a client of the real API sends. */
const EXECUTE_API_HOST = `${API_ID}.execute-api.eu-west-1.amazonaws.com`;
/** The request of the LocalStack recording (`GET /stage/proxy-value?urlparam=test`, python-requests). */
const RECORDED_REQUEST = {
  path: `/${STAGE}/proxy-value?urlparam=test`,
  headers: ['Host', EXECUTE_API_HOST, 'User-Agent', 'python-requests/testing', 'Accept', '*/*'],
};

// biome-ignore lint/suspicious/noExplicitAny: the event is walked key by key
type Json = any;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every key path of `event`, descending only into what the recording marks `object` (maps hold data, not keys). */
function keyPaths(value: Record<string, unknown>, prefix = ''): string[] {
  const paths: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = prefix + key;
    paths.push(path);
    if (SHAPE.event[path] === 'object' && isPlainObject(child)) paths.push(...keyPaths(child, `${path}.`));
  }
  return paths;
}

function at(event: Json, path: string): unknown {
  return path.split('.').reduce((value: Json, key) => (value === undefined ? undefined : value[key]), event);
}

const stringMap = (value: unknown) => isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string');
const listMap = (value: unknown) =>
  isPlainObject(value) &&
  Object.values(value).every((list) => Array.isArray(list) && list.every((v) => typeof v === 'string'));

/** True when `value`, found at a path of `event`, has the recorded format `name`. */
function hasFormat(name: string, value: unknown, event: Json): boolean {
  const format = SHAPE.formats[name];
  if (format === undefined) throw new Error(`the fixture names an unknown format '${name}'`);
  if (format.pattern !== undefined) return typeof value === 'string' && new RegExp(format.pattern).test(value);
  switch (name) {
    case 'header-map':
      return stringMap(value);
    case 'header-list-map':
      // One list per header, holding the single-value map's value.
      return (
        listMap(value) &&
        Object.keys(value as object)
          .sort()
          .join() === Object.keys(event.headers).sort().join() &&
        Object.entries(event.headers).every(([header, single]) => (value as Json)[header].includes(single))
      );
    case 'string-map-or-null':
      return value === null || stringMap(value);
    case 'string-list-map-or-null':
      return value === null || listMap(value);
    case 'string-or-null':
      return value === null || typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'null':
      return value === null;
    case 'epoch-ms': {
      // The same instant as requestTime, which has whole seconds.
      const clf = /^(\d{2})\/(\w{3})\/(\d{4}):(\S+) \+0000$/.exec(event.requestContext.requestTime);
      if (!Number.isInteger(value) || clf === null) return false;
      const seconds = Date.parse(`${clf[1]} ${clf[2]} ${clf[3]} ${clf[4]} GMT`);
      return (value as number) - seconds >= 0 && (value as number) - seconds < 1000;
    }
    case 'host':
      return typeof value === 'string' && value === event.headers.Host;
    case 'host-label':
      return typeof value === 'string' && value === event.requestContext.domainName.split('.')[0];
    case 'source-ip':
      return typeof value === 'string' && value === event.requestContext.identity.sourceIp;
    case 'string':
    case 'stage':
    case 'deployment-id':
      return typeof value === 'string';
    default:
      throw new Error(`no check for the format '${name}'`);
  }
}

/** The paths of `event` whose value does not have its recorded format, with the value. */
function formatMismatches(event: Json, formats: Record<string, string>, read = at): string[] {
  return Object.entries(formats)
    .filter(([path, name]) => !hasFormat(name, read(event, path), event))
    .map(([path, name]) => `${path} = ${JSON.stringify(read(event, path))} is not ${name}`);
}

let emulator: FixtureEmulator;

beforeAll(async () => {
  // The recording's API: ANY /{proxy+} and ANY /hardcoded (and the root).
  emulator = await startFixture(
    { handler: 'echo.handler' },
    {
      apiId: API_ID,
      routes: [
        { resourcePath: '/', resourceId: 'rootid0000', methods: ['ANY'] },
        { resourcePath: '/hardcoded', resourceId: 'hrd123', methods: ['ANY'] },
        { resourcePath: '/{proxy+}', resourceId: 'prx123', methods: ['ANY'] },
      ],
    },
  );
});
afterAll(() => emulator?.stop());

describe('the fixture', () => {
  it('names a public source for each recording and a known format for each path', () => {
    for (const source of [...Object.values(SHAPE.sources), PATHS.source]) {
      expect(source.url).toMatch(/^https:\/\/github\.com\//);
    }
    for (const name of [...Object.values(SHAPE.event), ...Object.values(SHAPE.regionalHeaders)]) {
      expect(SHAPE.formats, name).toHaveProperty(name);
    }
  });
});

describe('the proxy event against the recorded ones', () => {
  it('has the recorded keys at every level, and no other', async () => {
    const { event } = await echo(emulator, RECORDED_REQUEST.path, { headers: RECORDED_REQUEST.headers });
    expect(keyPaths(event).sort()).toEqual(Object.keys(SHAPE.event).sort());
  });

  it('gives every key a value of the recorded format', async () => {
    const { event } = await echo(emulator, RECORDED_REQUEST.path, { headers: RECORDED_REQUEST.headers });
    expect(formatMismatches(event, SHAPE.event)).toEqual([]);
    // On an execute-api host the first label is the API id (lambda-apig: domainPrefix = apiId = 7j7spdmk5j).
    expect(event.requestContext.domainPrefix).toBe(event.requestContext.apiId);
  });

  it('keeps the recorded formats, nulls included, for a body, no query string and a resource without parameters', async () => {
    // lambda-apig recorded null query maps and path parameters; an event with a body has it as a string.
    const { event } = await echo(emulator, `/${STAGE}/`, {
      method: 'POST',
      headers: ['Host', EXECUTE_API_HOST, 'User-Agent', 'curl/8.5.0', 'Content-Type', 'application/json'],
      body: '{"a":1}',
    });
    expect(keyPaths(event).sort()).toEqual(Object.keys(SHAPE.event).sort());
    // The recordings are of child resources (6-character ids); the root's id here is the test config's.
    const { 'requestContext.resourceId': _rootId, ...formats } = SHAPE.event;
    expect(formatMismatches(event, formats)).toEqual([]);
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
    expect(event.pathParameters).toBeNull();
    expect(event.body).toBe('{"a":1}');
  });

  it('gives each request its own requestId and extendedRequestId', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const { event } = await echo(emulator, RECORDED_REQUEST.path, { headers: RECORDED_REQUEST.headers });
      seen.add(event.requestContext.requestId);
      seen.add(event.requestContext.extendedRequestId);
    }
    expect(seen.size).toBe(10);
  });
});

describe('request targets against the recorded ones', () => {
  it.each(PATHS.cases.map((c) => [c.name, c] as const))('%s', async (_name, recorded) => {
    const stage = (text: string) => text.replaceAll('{stage}', STAGE);
    const { event } = await echo(emulator, stage(recorded.request), { headers: RECORDED_REQUEST.headers });
    expect({
      resource: event.resource,
      path: event.path,
      contextPath: event.requestContext.path,
      resourcePath: event.requestContext.resourcePath,
      pathParameters: event.pathParameters,
      queryStringParameters: event.queryStringParameters,
      multiValueQueryStringParameters: event.multiValueQueryStringParameters,
    }).toEqual({
      resource: recorded.resource,
      path: recorded.path,
      contextPath: stage(recorded.contextPath),
      resourcePath: recorded.resource,
      pathParameters: recorded.pathParameters,
      queryStringParameters: recorded.queryStringParameters,
      multiValueQueryStringParameters: recorded.multiValueQueryStringParameters,
    });
  });
});

describe('the request headers a regional API adds', () => {
  it('adds X-Amzn-Trace-Id and X-Forwarded-For/Port/Proto, named as recorded, in both header maps', async () => {
    // lambda-apig (regional, us-east-1): these four beside the client's own headers. Waits for the
    // X-Forwarded-* and X-Amzn-Trace-Id request headers in proxy-event.ts (issue 18).
    const beforeSeconds = Math.floor(Date.now() / 1000);
    const { event } = await echo(emulator, RECORDED_REQUEST.path, { headers: RECORDED_REQUEST.headers });
    const afterSeconds = Math.floor(Date.now() / 1000);
    const names = Object.keys(SHAPE.regionalHeaders);
    expect(Object.keys(event.headers)).toEqual(expect.arrayContaining(names));
    expect(formatMismatches(event, SHAPE.regionalHeaders, (e, name) => e.headers[name])).toEqual([]);
    for (const name of names) expect(event.multiValueHeaders[name]).toEqual([event.headers[name]]);
    // The trace id's first part is the request's epoch seconds in 8 hex digits (docs/aws-behaviour.md#response-headers).
    const seconds = Number.parseInt(event.headers['X-Amzn-Trace-Id'].slice('Root=1-'.length, 'Root=1-'.length + 8), 16);
    expect(seconds).toBeGreaterThanOrEqual(beforeSeconds);
    expect(seconds).toBeLessThanOrEqual(afterSeconds);
  });

  it('adds no CloudFront headers, as a regional API does not', async () => {
    // The stack's API is REGIONAL (stack/random-data-stack.ts); lambda-apig's regional event has none of them.
    const { event } = await echo(emulator, RECORDED_REQUEST.path, { headers: RECORDED_REQUEST.headers });
    const added = Object.keys(event.headers).filter((name) => /^(cloudfront-|via$|x-amz-cf-)/i.test(name));
    expect(added).toEqual([]);
  });
});
