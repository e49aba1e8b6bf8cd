import { isBinaryMediaType } from './proxy-event.js';

/**
 * Maps a Lambda proxy result back to HTTP as API Gateway REST (v1) does (docs/aws-behaviour.md#proxy-response), and builds
 * API Gateway's own error responses (docs/aws-behaviour.md#gateway-errors). Pure.
 */

/** An HTTP response ready for `res.writeHead(statusCode, headers)`: `headers` is a flat name/value list. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: string[];
  readonly body: Buffer;
}

/** A mapped proxy result, or why API Gateway would call it malformed (and answer 502). */
export type MappedResult =
  | { readonly ok: true; readonly statusCode: number; readonly headers: string[]; readonly body: Buffer }
  | { readonly ok: false; readonly reason: string };

const ALLOWED_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

// Function headers API Gateway answers as `x-amzn-Remapped-<name>` (README, "Headers, payload limits, binary
// responses, response validation"): its own Connection, Content-Length, Date and Server replace the function's,
// as does its x-amzn-RequestId; Transfer-Encoding would break HTTP framing; WWW-Authenticate is the documented example.
const REMAPPED = new Set([
  'connection',
  'content-length',
  'date',
  'server',
  'x-amzn-requestid',
  'transfer-encoding',
  'www-authenticate',
]);

// HTTP/1.1 field names are tokens (RFC 9110 §5.1) and values exclude CR, LF, NUL and other controls
// (§5.5); node's http refuses anything else (and chars above U+00FF). Such a header cannot be sent, so
// the result is malformed (README, "Bad function output").
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const INVALID_HEADER_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * `result` is the function's JSON-decoded return value; `accept` is the request's Accept header: a base64 body
 * is decoded only when its first media type matches a binary media type (docs/aws-behaviour.md#proxy-response).
 */
export function mapProxyResult(
  result: unknown,
  accept: string | undefined,
  binaryMediaTypes: readonly string[],
): MappedResult {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    return { ok: false, reason: `the result is ${describe(result)}, not an object` };
  }
  const record = result as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!ALLOWED_KEYS.has(key)) return { ok: false, reason: `unknown key '${key}' in the result` };
  }

  let statusCode = 200;
  const rawStatus = record.statusCode;
  if (rawStatus !== undefined && rawStatus !== null) {
    const numeric = typeof rawStatus === 'string' && /^\d+$/.test(rawStatus) ? Number(rawStatus) : rawStatus;
    // 1xx are interim responses in HTTP: sent as the final one, the client would wait for another.
    if (typeof numeric !== 'number' || !Number.isInteger(numeric) || numeric < 200 || numeric > 599) {
      return { ok: false, reason: `statusCode ${JSON.stringify(rawStatus)} is not an HTTP status` };
    }
    statusCode = numeric;
  }

  const merged = new Map<string, { name: string; values: string[] }>();
  const multi = record.multiValueHeaders;
  if (multi !== undefined && multi !== null) {
    if (typeof multi !== 'object' || Array.isArray(multi))
      return { ok: false, reason: 'multiValueHeaders is not an object' };
    for (const [name, list] of Object.entries(multi as Record<string, unknown>)) {
      if (!Array.isArray(list)) return { ok: false, reason: `multiValueHeaders '${name}' is not a list` };
      if (!HEADER_NAME.test(name))
        return { ok: false, reason: `header name ${JSON.stringify(name)} is not an HTTP token` };
      const values: string[] = [];
      for (const item of list) {
        if (item === null || item === undefined) continue;
        const text = scalar(item);
        if (text === undefined)
          return { ok: false, reason: `multiValueHeaders '${name}' holds a value that is not a string or boolean` };
        if (INVALID_HEADER_VALUE.test(text))
          return { ok: false, reason: `header '${name}' has a character HTTP cannot carry` };
        values.push(text);
      }
      const lower = name.toLowerCase();
      const entry = merged.get(lower);
      if (entry) entry.values.push(...values);
      else merged.set(lower, { name, values });
    }
  }
  const single = record.headers;
  if (single !== undefined && single !== null) {
    if (typeof single !== 'object' || Array.isArray(single)) return { ok: false, reason: 'headers is not an object' };
    for (const [name, value] of Object.entries(single as Record<string, unknown>)) {
      if (value === null || value === undefined) continue;
      const text = scalar(value);
      if (text === undefined)
        return { ok: false, reason: `header '${name}' holds a value that is not a string or boolean` };
      if (!HEADER_NAME.test(name))
        return { ok: false, reason: `header name ${JSON.stringify(name)} is not an HTTP token` };
      if (INVALID_HEADER_VALUE.test(text))
        return { ok: false, reason: `header '${name}' has a character HTTP cannot carry` };
      const lower = name.toLowerCase();
      const entry = merged.get(lower);
      // Multi values first, then the single value, unless it repeats one of them (docs/aws-behaviour.md#proxy-response).
      if (entry) {
        if (!entry.values.includes(text)) entry.values.push(text);
      } else {
        merged.set(lower, { name, values: [text] });
      }
    }
  }

  const rawBody = record.body;
  if (rawBody !== undefined && rawBody !== null && typeof rawBody !== 'string') {
    return { ok: false, reason: `body is ${describe(rawBody)}, not a string` };
  }
  const isBase64 = record.isBase64Encoded;
  if (isBase64 !== undefined && isBase64 !== null && typeof isBase64 !== 'boolean') {
    return { ok: false, reason: 'isBase64Encoded is not a boolean' };
  }

  const headers: string[] = [];
  let hasContentType = false;
  for (const [lower, { name, values }] of merged) {
    if (values.length === 0) continue;
    if (lower === 'content-type') hasContentType = true;
    if (REMAPPED.has(lower)) {
      headers.push(`x-amzn-Remapped-${name}`, values.join(', '));
    } else if (lower === 'set-cookie') {
      // Cookies cannot be comma-joined without corrupting them: one header line each.
      for (const value of values) headers.push(name, value);
    } else {
      // Multi-value headers travel joined with ", " on the wire (docs/aws-behaviour.md#proxy-response).
      headers.push(name, values.join(', '));
    }
  }
  if (!hasContentType) headers.push('Content-Type', 'application/json');

  const text = rawBody ?? '';
  // For proxy integrations only the client's Accept decides; the response Content-Type does not.
  const decode = isBase64 === true && isBinaryMediaType(firstMediaType(accept), binaryMediaTypes);
  return { ok: true, statusCode, headers, body: decode ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8') };
}

function firstMediaType(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  const comma = accept.indexOf(',');
  return comma === -1 ? accept : accept.slice(0, comma);
}

// A header value is a string or a boolean; a number (e.g. `86400`) is a malformed result (docs/aws-behaviour.md#proxy-response).
function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** API Gateway's own answers, with the bodies and error types of docs/aws-behaviour.md#gateway-errors. */
export type GatewayErrorKind =
  | 'MissingAuthenticationToken'
  | 'Throttled'
  | 'MalformedResponse'
  | 'FunctionError'
  | 'IntegrationTimeout'
  | 'RequestTooLarge'
  | 'InvokeRejected'
  | 'LambdaThrottled';

const GATEWAY_ERRORS: Record<GatewayErrorKind, { status: number; body: string; errorType?: string }> = {
  // Seen without a space after the colon (docs/aws-behaviour.md#gateway-errors, reported).
  MissingAuthenticationToken: {
    status: 403,
    body: '{"message":"Missing Authentication Token"}',
    errorType: 'MissingAuthenticationTokenException',
  },
  Throttled: { status: 429, body: '{"message":"Too Many Requests"}', errorType: 'TooManyRequestsException' },
  // 36 bytes with a space after the colon, as recorded (docs/aws-behaviour.md#gateway-errors, recorded).
  MalformedResponse: {
    status: 502,
    body: '{"message": "Internal server error"}',
    errorType: 'InternalServerErrorException',
  },
  FunctionError: { status: 502, body: '{"message": "Internal server error"}' },
  IntegrationTimeout: {
    status: 504,
    body: '{"message": "Endpoint request timed out"}',
    errorType: 'InternalServerErrorException',
  },
  // REQUEST_TOO_LARGE: a body over 10 MB, or an event Lambda's Invoke refuses as over 6 MB; the bytes and
  // the error type as recorded for the second (docs/aws-behaviour.md#payload-limits).
  RequestTooLarge: { status: 413, body: '{"message": "Request Too Long"}', errorType: 'BadRequestException' },
  // Lambda refused the invocation (here: the environment could not be started): API Gateway answers 500
  // with the same body as a function error (README, "Bad function output").
  InvokeRejected: {
    status: 500,
    body: '{"message": "Internal server error"}',
    errorType: 'InternalServerErrorException',
  },
  // Lambda refused a synchronous invoke for lack of concurrency (its TooManyRequestsException): behind a proxy
  // integration that is an invocation error, 500, not API Gateway's own 429
  // (docs/aws-behaviour.md#lambda-throttling-behind-api-gateway). The error type is as for InvokeRejected (UNCONFIRMED).
  LambdaThrottled: {
    status: 500,
    body: '{"message": "Internal server error"}',
    errorType: 'InternalServerErrorException',
  },
};

/** A gateway error response. Such responses carry `x-amzn-ErrorType` and no `X-Amzn-Trace-Id` (docs/aws-behaviour.md#response-headers). */
export function gatewayError(kind: GatewayErrorKind, requestId: string, extendedRequestId: string): HttpResponse {
  const spec = GATEWAY_ERRORS[kind];
  const headers = ['Content-Type', 'application/json', 'x-amzn-RequestId', requestId];
  if (spec.errorType) headers.push('x-amzn-ErrorType', spec.errorType);
  headers.push('x-amz-apigw-id', extendedRequestId);
  return { statusCode: spec.status, headers, body: Buffer.from(spec.body) };
}
