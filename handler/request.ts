import type { APIGatewayProxyEvent } from 'aws-lambda';
import { HttpError, invalidParameter } from './errors.js';

/**
 * Reading an API Gateway REST (v1) proxy event defensively: header names in any casing, `null` maps,
 * single- and multi-value views (docs/aws-behaviour.md#proxy-event).
 */

/** Largest accepted request body, counted in decoded bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

// A UUID also matches this; 64 characters keeps a logged id short and free of quotes or spaces.
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A request header by case-insensitive name: the single-value map first, then the last value of the
 * multi-value map (API Gateway keeps the client's casing, docs/aws-behaviour.md#proxy-event).
 */
export function headerValue(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const headers: unknown = event.headers;
  if (isRecord(headers)) {
    for (const key of Object.keys(headers)) {
      const value = headers[key];
      if (key.toLowerCase() === wanted && typeof value === 'string') return value;
    }
  }
  const multi: unknown = event.multiValueHeaders;
  if (isRecord(multi)) {
    for (const key of Object.keys(multi)) {
      const values = multi[key];
      if (key.toLowerCase() !== wanted) continue;
      if (typeof values === 'string') return values;
      if (Array.isArray(values)) {
        const last = values.at(-1);
        if (typeof last === 'string') return last;
      }
    }
  }
  return undefined;
}

/** All request headers with lowercase names (single-value view), for the debug log line. */
export function lowercaseHeaders(event: APIGatewayProxyEvent): Record<string, string> {
  const out: Record<string, string> = {};
  const headers: unknown = event.headers;
  if (isRecord(headers)) {
    for (const key of Object.keys(headers)) {
      const value = headers[key];
      if (typeof value === 'string') out[key.toLowerCase()] = value;
    }
  }
  return out;
}

/** The client's `x-correlation-id` when it is a UUID or a short safe token, else null (it is then ignored). */
export function readCorrelationId(event: APIGatewayProxyEvent): string | null {
  const value = headerValue(event, 'x-correlation-id');
  return value !== undefined && CORRELATION_ID_PATTERN.test(value) ? value : null;
}

/**
 * The query string as name → values. The multi-value map is authoritative (it keeps repeats, so a
 * repeated param can be refused); names only in the single-value map are added.
 */
export function readQuery(event: APIGatewayProxyEvent): Map<string, string[]> {
  const query = new Map<string, string[]>();
  const multi: unknown = event.multiValueQueryStringParameters;
  if (isRecord(multi)) {
    for (const key of Object.keys(multi)) {
      const values = multi[key];
      if (typeof values === 'string') query.set(key, [values]);
      else if (Array.isArray(values))
        query.set(
          key,
          values.filter((value) => typeof value === 'string'),
        );
    }
  }
  const single: unknown = event.queryStringParameters;
  if (isRecord(single)) {
    for (const key of Object.keys(single)) {
      const value = single[key];
      if (!query.has(key) && typeof value === 'string') query.set(key, [value]);
    }
  }
  return query;
}

/** Reduces the query to one value per name; a name given twice (`?count=1&count=2`) is a 400. */
export function singleValues(query: ReadonlyMap<string, readonly string[]>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, values] of query) {
    if (values.length > 1) {
      throw invalidParameter(name, `${name} is given ${values.length} times; give it once`);
    }
    if (values.length === 1) out.set(name, values[0]!);
  }
  return out;
}

// application/json, or any structured-syntax `+json` type, with optional parameters (RFC 6839 §3.1).
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.!#$&^_-]+\+)?json\s*(;.*)?$/i;

/** True when the Content-Type header names JSON. */
export function isJsonContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_MEDIA_TYPE.test(contentType.trim());
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as text, after checking its decoded size (base64 bodies are decoded first, since
 * API Gateway base64-encodes binary media types, docs/aws-behaviour.md#proxy-event). Throws 413 over 16 KiB and 400
 * for a missing body or bytes that are not UTF-8.
 */
export function readBody(event: APIGatewayProxyEvent): string {
  const body: unknown = event.body;
  if (typeof body !== 'string' || body.length === 0) {
    throw invalidParameter(
      'body',
      'body is required: a JSON object like {"count": 2, "fields": {"id": {"type": "uuid"}}}',
    );
  }
  if (event.isBase64Encoded === true) {
    const bytes = Buffer.from(body, 'base64');
    assertBodySize(bytes.length);
    try {
      return utf8.decode(bytes);
    } catch {
      throw invalidParameter('body', 'body is not valid UTF-8 once base64-decoded; send UTF-8 JSON');
    }
  }
  assertBodySize(Buffer.byteLength(body, 'utf8'));
  return body;
}

function assertBodySize(bytes: number): void {
  if (bytes > MAX_BODY_BYTES) {
    throw new HttpError(
      413,
      'PayloadTooLarge',
      `body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES} bytes (16 KiB): ask for fewer fields or items`,
    );
  }
}
