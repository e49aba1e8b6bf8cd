import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError, invalidParameter, quote } from './errors.js';
import { findType, type Generator, TYPES, type TypeDefinition, type Value } from './generators.js';
import { type IntegerSpec, type ParamSource, type ParamSpec, Params, parseParam, type StringSpec } from './params.js';
import { CONTENT_TYPES, negotiate, type Rendered, renderRecords, renderValues } from './render.js';
import { headerValue, isJsonContentType, MAX_BODY_BYTES, readBody, readQuery, singleValues } from './request.js';
import type { RngFactory } from './rng.js';

/**
 * Routing on `event.path` and `event.httpMethod` (API Gateway sends every path and method here through
 * `ANY /` and `ANY /{proxy+}`), and the three route handlers: one type by GET, records by POST, the catalog.
 */

/** `count`: taken by every type. */
export const COUNT_SPEC: IntegerSpec = {
  name: 'count',
  kind: 'integer',
  min: 1,
  max: 1000,
  default: 1,
  description: 'how many values (or records)',
};

/** `seed`: same seed and params give the same data; without it values come from a CSPRNG. */
export const SEED_SPEC: StringSpec = {
  name: 'seed',
  kind: 'string',
  minLength: 1,
  maxLength: 128,
  description: 'makes the response reproducible; any printable text (POST also takes an integer)',
};

/** Upper bound of the data part of a response, by each generator's worst-case value size (512 KiB). */
export const MAX_DATA_BYTES = 512 * 1024;

/**
 * Upper bound of any response body: the data bound plus 16 KiB for the envelope (seed ≤ 512 bytes, CSV
 * header ≤ 1.3 KB) and for the catalog (5.5 KB, the largest non-data body).
 */
export const MAX_RESPONSE_BYTES = MAX_DATA_BYTES + 16 * 1024;

/** Limits of a POST body's `fields`. */
export const MAX_FIELDS = 20;
const FIELD_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** What the route found out, for the log line even when it then fails. */
export interface RouteTrace {
  type: string | null;
  count: number | null;
}

/** A successful response body. */
export type RouteResponse = Rendered;

/** What a route may use besides the event. */
export interface RouteDeps {
  readonly createRng: RngFactory;
  readonly nowMs: number;
}

const TYPE_NAMES = TYPES.map((type) => type.name).join(', ');

function methodNotAllowed(method: string, route: string, allow: readonly string[]): HttpError {
  const allowed = allow.join(', ');
  return new HttpError(
    405,
    'MethodNotAllowed',
    `method ${quote(method)} is not allowed on ${route}; use ${allow.join(' or ')}`,
    undefined,
    { allow: allowed },
  );
}

const NOT_FOUND_MESSAGE =
  'no such route; use GET /random/{type}, GET /random?type={type}, POST /random, GET /types or GET /';

/** Routes one request; throws `HttpError` for every client error. */
export function route(event: APIGatewayProxyEvent, deps: RouteDeps, trace: RouteTrace): RouteResponse {
  const method = typeof event.httpMethod === 'string' ? event.httpMethod : '';
  let path = typeof event.path === 'string' ? event.path : '';
  // One trailing slash is tolerated (`/types/`), as API Gateway keeps it in `path` (docs/aws-behaviour.md#proxy-event).
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);

  if (path === '/' || path === '/types') {
    if (method !== 'GET') throw methodNotAllowed(method, path === '/types' ? '/types' : '/', ['GET']);
    return { contentType: CONTENT_TYPES['application/json'], body: catalogJson(stageOf(event)) };
  }
  if (path === '/random') {
    if (method === 'GET') return getRandom(event, null, deps, trace);
    if (method === 'POST') return postRandom(event, deps, trace);
    throw methodNotAllowed(method, '/random', ['GET', 'POST']);
  }
  if (path.startsWith('/random/')) {
    const typeName = path.slice('/random/'.length);
    if (typeName.length > 0 && !typeName.includes('/')) {
      if (method !== 'GET') throw methodNotAllowed(method, '/random/{type}', ['GET']);
      return getRandom(event, typeName, deps, trace);
    }
  }
  throw new HttpError(404, 'NotFound', NOT_FOUND_MESSAGE);
}

function lookUpType(name: string): TypeDefinition {
  const type = findType(name);
  if (type === undefined) throw new HttpError(404, 'UnknownType', `unknown type ${quote(name)}; types: ${TYPE_NAMES}`);
  return type;
}

function parseSeed(raw: unknown, source: ParamSource, path: string): string | null {
  if (raw === undefined) return null;
  // JSON bodies may give an integer seed; it is the same seed as its decimal text in a query string.
  if (source === 'json' && typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw);
  return parseParam(SEED_SPEC, raw, source, path) as string;
}

function checkBudget(count: number, bytesPerItem: number): void {
  if (count * bytesPerItem <= MAX_DATA_BYTES) return;
  const most = Math.max(1, Math.floor(MAX_DATA_BYTES / bytesPerItem));
  throw invalidParameter(
    'count',
    `count ${count} with these parameters could make up to ${count * bytesPerItem} bytes of data; the limit is ${MAX_DATA_BYTES}: use count ≤ ${most} or shorter values`,
  );
}

function getRandom(
  event: APIGatewayProxyEvent,
  pathType: string | null,
  deps: RouteDeps,
  trace: RouteTrace,
): RouteResponse {
  const query = singleValues(readQuery(event));
  const typeName = pathType ?? query.get('type');
  if (typeName === undefined) {
    throw invalidParameter('type', `type is required: use /random/{type} or /random?type={type}; types: ${TYPE_NAMES}`);
  }
  const type = lookUpType(typeName);
  trace.type = type.name;
  // The path wins when both give a type, so a query `type` is then not an unknown parameter.
  query.delete('type');
  const rawCount = query.get('count');
  const count = rawCount === undefined ? 1 : (parseParam(COUNT_SPEC, rawCount, 'query', 'count') as number);
  trace.count = count;
  const seed = parseSeed(query.get('seed'), 'query', 'seed');
  query.delete('count');
  query.delete('seed');
  const params = Params.parse(type.params, query, 'query', (name) => name, `type ${type.name}`);
  const generator = type.prepare(params);
  checkBudget(count, generator.maxValueBytes);
  const rng = deps.createRng(seed);
  const data = generator.generate({ rng, seeded: seed !== null, nowMs: deps.nowMs }, count);
  return renderValues(negotiate(headerValue(event, 'accept')), { type: type.name, count, seed, data });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface PreparedField {
  readonly name: string;
  readonly generator: Generator;
}

function prepareFields(raw: unknown): PreparedField[] {
  const example = '{"id": {"type": "uuid"}, "age": {"type": "int", "min": 18, "max": 99}}';
  if (!isPlainObject(raw)) {
    throw invalidParameter('fields', `fields must be an object of field name → {"type": ..., params}, e.g. ${example}`);
  }
  const names = Object.keys(raw);
  if (names.length < 1 || names.length > MAX_FIELDS) {
    throw invalidParameter('fields', `fields must hold 1 to ${MAX_FIELDS} fields; got ${names.length}`);
  }
  return names.map((name) => {
    if (!FIELD_NAME_PATTERN.test(name)) {
      throw invalidParameter(
        `fields.${name.slice(0, 64)}`,
        `field name ${quote(name)} must be 1 to 64 letters, digits or _, starting with a letter`,
      );
    }
    const spec = raw[name];
    if (!isPlainObject(spec)) {
      throw invalidParameter(`fields.${name}`, `fields.${name} must be an object like {"type": "int", "min": 1}`);
    }
    const type = typeof spec.type === 'string' ? findType(spec.type) : undefined;
    if (type === undefined) {
      throw invalidParameter(
        `fields.${name}.type`,
        `fields.${name}.type must be one of ${TYPE_NAMES}; got ${quote(spec.type)}`,
      );
    }
    const given = new Map<string, unknown>();
    for (const key of Object.keys(spec)) if (key !== 'type') given.set(key, spec[key]);
    const params = Params.parse(type.params, given, 'json', (param) => `fields.${name}.${param}`, `type ${type.name}`);
    return { name, generator: type.prepare(params) };
  });
}

function postRandom(event: APIGatewayProxyEvent, deps: RouteDeps, trace: RouteTrace): RouteResponse {
  trace.type = 'records';
  const contentType = headerValue(event, 'content-type');
  if (!isJsonContentType(contentType)) {
    throw new HttpError(
      415,
      'UnsupportedMediaType',
      `content-type must be application/json; got ${contentType === undefined ? 'none' : quote(contentType)}`,
    );
  }
  const text = readBody(event);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidParameter(
      'body',
      'body is not valid JSON; send an object like {"count": 2, "fields": {"id": {"type": "uuid"}}}',
    );
  }
  if (!isPlainObject(body)) {
    throw invalidParameter('body', 'body must be a JSON object like {"count": 2, "fields": {"id": {"type": "uuid"}}}');
  }
  for (const key of Object.keys(body)) {
    if (key !== 'count' && key !== 'seed' && key !== 'fields') {
      throw invalidParameter(key, `unknown parameter ${quote(key)} in the body; allowed: count, seed, fields`);
    }
  }
  const count = body.count === undefined ? 1 : (parseParam(COUNT_SPEC, body.count, 'json', 'count') as number);
  trace.count = count;
  const seed = parseSeed(body.seed, 'json', 'seed');
  const fields = prepareFields(body.fields);
  // Per record: each field's name, quotes and colon (name + 4) and value, plus braces and a comma (3).
  const bytesPerRecord = fields.reduce((sum, field) => sum + field.name.length + 4 + field.generator.maxValueBytes, 3);
  checkBudget(count, bytesPerRecord);
  const rng = deps.createRng(seed);
  const context = { rng, seeded: seed !== null, nowMs: deps.nowMs };
  // Column by column, so a uuid v7 column sorts in order like a GET batch does.
  const columns = fields.map((field) => field.generator.generate(context, count));
  const data: Record<string, Value>[] = [];
  for (let row = 0; row < count; row++) {
    const record: Record<string, Value> = {};
    fields.forEach((field, column) => {
      record[field.name] = columns[column]![row]!;
    });
    data.push(record);
  }
  return renderRecords(
    negotiate(headerValue(event, 'accept')),
    fields.map((field) => field.name),
    { type: 'records', count, seed, data },
  );
}

function specJson(spec: ParamSpec): Record<string, unknown> {
  const { name, kind, description, ...rest } = spec;
  return { name, type: kind, ...rest, description };
}

// API Gateway stage names: letters, digits, hyphens and underscores, at most 128 characters.
const STAGE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The stage the request came through (`requestContext.stage`, e.g. `bench`), or null when the event has none
 * or an implausible one. The API is served under `/<stage>/`, but `event.path` carries no stage, so this is
 * the only place the handler learns it.
 */
export function stageOf(event: APIGatewayProxyEvent): string | null {
  const stage: unknown = event?.requestContext?.stage;
  return typeof stage === 'string' && STAGE_NAME_PATTERN.test(stage) ? stage : null;
}

// One body per stage; a deployment has one stage, the bound only guards against events that vary it.
const catalogCache = new Map<string | null, string>();
const CATALOG_CACHE_MAX = 8;

/**
 * The `/types` body: routes, the common params, every type with its params, bounds and defaults, the limits.
 * Examples are URL paths that work against the API's host as they are: `/bench/random/int?...` for stage
 * `bench` (the stage is part of an invoke URL), `/random/int?...` without a stage.
 */
export function catalogJson(stage: string | null = null): string {
  const cached = catalogCache.get(stage);
  if (cached !== undefined) return cached;
  const prefix = stage === null ? '' : `/${stage}`;
  const body = JSON.stringify({
    routes: ['GET /random/{type}', 'GET /random?type={type}', 'POST /random', 'GET /types', 'GET /'],
    common: [specJson(COUNT_SPEC), specJson(SEED_SPEC)],
    types: TYPES.map((type) => ({
      name: type.name,
      description: type.description,
      params: type.params.map(specJson),
      example: `${prefix}/random/${type.name}?${type.example}`,
    })),
    limits: {
      maxBodyBytes: MAX_BODY_BYTES,
      maxFields: MAX_FIELDS,
      maxDataBytes: MAX_DATA_BYTES,
      maxResponseBytes: MAX_RESPONSE_BYTES,
    },
  });
  if (catalogCache.size >= CATALOG_CACHE_MAX) catalogCache.clear();
  catalogCache.set(stage, body);
  return body;
}
