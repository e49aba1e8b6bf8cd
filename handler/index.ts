import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Logger } from 'pino';
import { HttpError, INTERNAL_ERROR_BODY } from './errors.js';
import { createLogger } from './logger.js';
import { CONTENT_TYPES } from './render.js';
import { lowercaseHeaders, readCorrelationId } from './request.js';
import { defaultRngFactory, type RngFactory } from './rng.js';
import { type RouteTrace, route } from './routes.js';

/**
 * Lambda entry of the random-data API (REST v1 proxy). `handleRequest` is the whole request cycle with
 * its dependencies injected; `handler` is that cycle wired to pino on fd 1, the kernel CSPRNG and the clock.
 */

export { HttpError } from './errors.js';
export { createLogger, resolveLevel } from './logger.js';
export { createCryptoRng, createSeededRng, type Rng, type RngFactory } from './rng.js';
export { catalogJson, MAX_DATA_BYTES, MAX_RESPONSE_BYTES } from './routes.js';

/** What one request needs from the outside world. */
export interface HandlerDeps {
  /** Receives exactly one line per request. */
  readonly logger: Logger;
  /** @default seeded xoroshiro128+ with a seed, node:crypto without */
  readonly createRng: RngFactory;
  /** Wall clock in epoch ms (uuid v7 timestamps). @default Date.now */
  readonly nowMs: () => number;
  /** Monotonic clock in ms for `durationMs`. @default process.hrtime in ms */
  readonly monotonicMs: () => number;
}

// Header names are lowercase: API Gateway merges them case-insensitively (docs/aws-behaviour.md#proxy-response).
const BASE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;
// Log fields echo client text; caps keep every line small whatever the request.
const LOGGED_PATH_MAX_CHARS = 256;
const LOGGED_METHOD_MAX_CHARS = 16;

function capped(value: unknown, maxChars: number): string | null {
  return typeof value === 'string' ? value.slice(0, maxChars) : null;
}

/**
 * Runs one request: routes it, maps errors to responses (a non-`HttpError` is a bug: generic 500 body,
 * stack only in the log) and writes exactly one log line. Never throws.
 */
export function handleRequest(
  event: APIGatewayProxyEvent,
  context: Pick<Context, 'awsRequestId'>,
  deps: HandlerDeps,
  coldStart = false,
): APIGatewayProxyResult {
  const startMs = deps.monotonicMs();
  const trace: RouteTrace = { type: null, count: null };
  let correlationId: string | null = null;
  let statusCode: number;
  let headers: Record<string, string>;
  let body: string;
  let errorCode: string | undefined;
  let failure: unknown;
  try {
    correlationId = readCorrelationId(event);
    const response = route(event, { createRng: deps.createRng, nowMs: deps.nowMs() }, trace);
    statusCode = 200;
    headers = { 'content-type': response.contentType, ...BASE_HEADERS };
    body = response.body;
  } catch (error) {
    const known = error instanceof HttpError && error.statusCode !== 500;
    const failed = known ? error : new HttpError(500, 'InternalError', INTERNAL_ERROR_BODY.error.message);
    statusCode = failed.statusCode;
    headers = { 'content-type': CONTENT_TYPES['application/json'], ...BASE_HEADERS, ...failed.headers };
    body = JSON.stringify(known ? failed : INTERNAL_ERROR_BODY);
    errorCode = failed.code;
    if (!known) failure = error;
  }
  if (correlationId !== null) headers['x-correlation-id'] = correlationId;

  const line: Record<string, unknown> = {
    awsRequestId: capped(context?.awsRequestId, 128),
    apiRequestId: capped(event?.requestContext?.requestId, 128),
    extendedRequestId: capped(event?.requestContext?.extendedRequestId, 128),
    correlationId,
    coldStart,
    method: capped(event?.httpMethod, LOGGED_METHOD_MAX_CHARS),
    path: capped(event?.path, LOGGED_PATH_MAX_CHARS),
    type: trace.type,
    count: trace.count,
    status: statusCode,
    durationMs: Math.round((deps.monotonicMs() - startMs) * 1000) / 1000,
  };
  if (errorCode !== undefined) line.errorCode = errorCode;
  try {
    if (deps.logger.isLevelEnabled('debug')) line.headers = lowercaseHeaders(event);
    if (failure !== undefined) {
      line.err = failure;
      deps.logger.error(line, 'request');
    } else {
      deps.logger.info(line, 'request');
    }
  } catch {
    // A failing log write must not turn a good response into a 502; Lambda still records the invocation.
  }
  return { statusCode, headers, body };
}

/** A Lambda handler over `deps`; the first invocation it serves is logged with `coldStart: true`. */
export function createHandler(
  deps: HandlerDeps,
): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  let coldStart = true;
  return async (event, context) => {
    const first = coldStart;
    coldStart = false;
    return handleRequest(event, context, deps, first);
  };
}

/** The production dependencies: pino on fd 1 at LOG_LEVEL, CSPRNG or seeded PRNG, real clocks. */
export function defaultDeps(): HandlerDeps {
  return {
    logger: createLogger({ level: process.env.LOG_LEVEL }),
    createRng: defaultRngFactory,
    nowMs: Date.now,
    // Not performance.now(): node:perf_hooks is a dozen modules to load at cold start for one clock.
    monotonicMs: () => {
      const [seconds, nanoseconds] = process.hrtime();
      return seconds * 1000 + nanoseconds / 1e6;
    },
  };
}

/** The Lambda entry point (CDK NodejsFunction `entry: handler/index.ts`, `handler: 'handler'`). */
export const handler = createHandler(defaultDeps());
