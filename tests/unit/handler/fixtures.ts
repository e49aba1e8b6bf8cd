import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createLogger, type HandlerDeps, handleRequest } from '../../../handler/index.js';
import { defaultRngFactory, type RngFactory } from '../../../handler/rng.js';

/** Options of `apiEvent`: what a client controls in a REST v1 proxy event. */
export interface EventOptions {
  /** @default 'GET' */
  readonly method?: string;
  /** Path without the stage. @default '/' */
  readonly path?: string;
  /** A string array means the name was repeated in the URL. @default no query string */
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  /** Header names keep the casing given here, as API Gateway keeps the client's. @default none */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default null */
  readonly body?: string | null;
  /** @default false */
  readonly isBase64Encoded?: boolean;
}

/**
 * A REST v1 Lambda proxy event shaped like the AWS recording (docs/aws-behaviour.md#recorded-event): `null` query maps
 * without a query string, the last repeated value in `queryStringParameters`, every value in the
 * multi-value maps, a `{proxy+}` resource and the stage only in `requestContext.path`.
 */
export function apiEvent(options: EventOptions = {}): APIGatewayProxyEvent {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/';
  const entries = Object.entries(options.query ?? {}).map(
    ([name, value]) => [name, typeof value === 'string' ? [value] : [...value]] as const,
  );
  const headers = options.headers ?? {};
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers: { ...headers },
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters:
      entries.length === 0 ? null : Object.fromEntries(entries.map(([n, v]) => [n, v.at(-1) ?? ''])),
    multiValueQueryStringParameters: entries.length === 0 ? null : Object.fromEntries(entries),
    pathParameters: path === '/' ? null : { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: '123456789012',
      apiId: 'gy415nuibc',
      authorizer: undefined,
      domainName: 'gy415nuibc.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'gy415nuibc',
      extendedRequestId: 'TWegAcC4EowCHnA=',
      httpMethod: method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: null,
        userAgent: 'vitest',
        userArn: null,
      },
      path: `/bench${path}`,
      protocol: 'HTTP/1.1',
      requestId: 'deef4878-7910-11e6-8f14-25afc3e9ae33',
      requestTime: '15/May/2020:06:01:09 +0000',
      requestTimeEpoch: 1589522469693,
      resourceId: 'roq9wj',
      resourcePath: '/{proxy+}',
      stage: 'bench',
    },
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
}

/** A POST /random event with a JSON body. */
export function postEvent(body: unknown, headers: Record<string, string> = {}): APIGatewayProxyEvent {
  return apiEvent({
    method: 'POST',
    path: '/random',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Fixed wall clock of the test deps: 2023-11-14T22:13:20.000Z. */
export const TEST_NOW_MS = 1_700_000_000_000;

/** A log destination that keeps every line it is given (pino's test `sink()`). */
export interface LogSink {
  readonly lines: string[];
  write(chunk: string): void;
}

export function logSink(): LogSink {
  const lines: string[] = [];
  return { lines, write: (chunk) => void lines.push(chunk) };
}

/** Options of `testDeps`. */
export interface TestDepsOptions {
  /** @default 'info' */
  readonly level?: string;
  /** @default the production factory (seeded or CSPRNG) */
  readonly createRng?: RngFactory;
}

/** Handler deps with a capturing log sink, a fixed wall clock and a monotonic clock stepping 0.25 ms per read. */
export function testDeps(options: TestDepsOptions = {}): { deps: HandlerDeps; sink: LogSink } {
  const sink = logSink();
  let monotonic = 0;
  return {
    sink,
    deps: {
      logger: createLogger({ destination: sink, level: options.level ?? 'info' }),
      createRng: options.createRng ?? defaultRngFactory,
      nowMs: () => TEST_NOW_MS,
      monotonicMs: () => (monotonic += 0.25),
    },
  };
}

/** A response with its body parsed when it is JSON. */
export interface Invocation {
  readonly result: APIGatewayProxyResult;
  readonly json: unknown;
  readonly sink: LogSink;
}

/** Runs one event through `handleRequest` with fresh test deps. */
export function invoke(event: APIGatewayProxyEvent, options: TestDepsOptions = {}): Invocation {
  const { deps, sink } = testDeps(options);
  const result = handleRequest(event, { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678' }, deps);
  const isJson = String(result.headers?.['content-type']).startsWith('application/json');
  return { result, json: isJson ? JSON.parse(result.body) : undefined, sink };
}

/** GET /random/{type} with a query; returns the parsed response. */
export function getType(type: string, query: Record<string, string> = {}, options: TestDepsOptions = {}): Invocation {
  return invoke(apiEvent({ path: `/random/${type}`, query }), options);
}

/** The `data` array of a 200 JSON response, failing loudly on anything else. */
export function dataOf(invocation: Invocation): unknown[] {
  if (invocation.result.statusCode !== 200) {
    throw new Error(`expected 200, got ${invocation.result.statusCode}: ${invocation.result.body}`);
  }
  return (invocation.json as { data: unknown[] }).data;
}
