import type { APIGatewayProxyEvent } from 'aws-lambda';
import { clfTime } from './ids.js';

/**
 * Builds the REST API (v1) Lambda proxy event from a raw HTTP request, fact by fact as docs/aws-behaviour.md#proxy-event
 * records it. Pure: ids and the clock come in as arguments.
 */

/** Where a request lands once the stage is taken off its URL. */
export interface RequestTarget {
  /** `event.path`: no stage, leading slashes collapsed, not decoded (docs/aws-behaviour.md#proxy-event). */
  readonly path: string;
  /** `requestContext.path`: with the stage, leading slashes kept (docs/aws-behaviour.md#request-context). */
  readonly contextPath: string;
  /** The raw query string after `?` (fragment dropped), or null when the URL has no `?`. */
  readonly rawQuery: string | null;
}

/** Splits a request URL into the event's path forms; null when the URL is outside `/<stage>` (a 403 on AWS). */
export function parseRequestTarget(rawUrl: string, stageName: string): RequestTarget | null {
  const hash = rawUrl.indexOf('#');
  const url = hash === -1 ? rawUrl : rawUrl.slice(0, hash);
  const question = url.indexOf('?');
  const rawPath = question === -1 ? url : url.slice(0, question);
  const rawQuery = question === -1 ? null : url.slice(question + 1);
  const prefix = `/${stageName}`;
  // Slashes before the stage collapse: `//stage/x` is `/stage/x` in both paths (recorded,
  // `invocation-payload-with-prepended-slash-to-stage`, docs/aws-behaviour.md#proxy-event).
  let lead = 0;
  while (lead + 1 < rawPath.length && rawPath[lead + 1] === '/') lead++;
  const staged = lead === 0 ? rawPath : rawPath.slice(lead);
  if (!staged.startsWith(prefix)) return null;
  const rest = staged.slice(prefix.length);
  if (rest !== '' && rest[0] !== '/') return null;
  const kept = rest === '' ? '/' : rest;
  // `//hardcoded` becomes `/hardcoded` in `path` but stays in `requestContext.path` (docs/aws-behaviour.md#proxy-event, #request-context).
  let start = 0;
  while (start + 1 < kept.length && kept[start + 1] === '/') start++;
  return { path: kept.slice(start), contextPath: prefix + kept, rawQuery };
}

/** Query maps: last value wins in the single-value map, every value kept in order in the multi-value one. */
export interface QueryMaps {
  readonly single: Record<string, string> | null;
  readonly multi: Record<string, string[]> | null;
}

/** Parses a raw query string: `&` and `;` split, `+` is a space, `%XX` decoded (docs/aws-behaviour.md#proxy-event). */
export function parseQuery(rawQuery: string | null): QueryMaps {
  if (rawQuery === null || rawQuery === '') return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  let any = false;
  for (const part of rawQuery.split(/[&;]/)) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeQueryComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : decodeQueryComponent(part.slice(eq + 1));
    if (key === '') continue;
    any = true;
    single[key] = value;
    const list = multi[key];
    if (list) list.push(value);
    else multi[key] = [value];
  }
  return any ? { single, multi } : { single: null, multi: null };
}

function decodeQueryComponent(text: string): string {
  const spaced = text.includes('+') ? text.replaceAll('+', ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    // A stray `%` that is not an escape stays as it was rather than failing the request.
    return spaced.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
}

/** Header maps from Node's `rawHeaders` (names as the client cased them), minus Content-Length and Connection. */
export function headerMaps(rawHeaders: readonly string[]): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.length === 10 || name.length === 14 ? name.toLowerCase() : '';
    // Not passed to the integration (docs/aws-behaviour.md#proxy-event).
    if (lower === 'connection' || lower === 'content-length') continue;
    const value = rawHeaders[i + 1]!;
    // Which value lands in `headers` for a repeated header is UNCONFIRMED; the last one, as for query strings.
    headers[name] = value;
    const list = multiValueHeaders[name];
    if (list) list.push(value);
    else multiValueHeaders[name] = [value];
  }
  return { headers, multiValueHeaders };
}

/** What API Gateway adds to every request it proxies (docs/aws-behaviour.md#proxy-event). */
export interface ForwardedHeaders {
  /** `X-Amzn-Trace-Id` as the request carries it on (`requestTrace`). */
  readonly traceHeader: string;
  /** `X-Forwarded-Port` and `X-Forwarded-Proto`: the port and scheme the client reached the API on. */
  readonly port: number;
  readonly proto: string;
}

/**
 * `rawHeaders` as the integration receives them: the client's `X-Forwarded-Port`, `X-Forwarded-Proto` and
 * `X-Amzn-Trace-Id` give way to API Gateway's, and `X-Forwarded-For` keeps what the client sent with the
 * client's address appended (docs/aws-behaviour.md#proxy-event).
 */
export function withForwardedHeaders(
  rawHeaders: readonly string[],
  sourceIp: string,
  forwarded: ForwardedHeaders,
): string[] {
  const kept: string[] = [];
  const forwardedFor: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // x-amzn-trace-id and x-forwarded-for are 15 characters, -port 16, -proto 17.
    const lower = name.length >= 15 && name.length <= 17 ? name.toLowerCase() : '';
    if (lower === 'x-forwarded-for') {
      const value = rawHeaders[i + 1]!.trim();
      if (value !== '') forwardedFor.push(value);
    } else if (lower !== 'x-forwarded-port' && lower !== 'x-forwarded-proto' && lower !== 'x-amzn-trace-id') {
      kept.push(name, rawHeaders[i + 1]!);
    }
  }
  forwardedFor.push(sourceIp);
  kept.push(
    'X-Amzn-Trace-Id',
    forwarded.traceHeader,
    'X-Forwarded-For',
    forwardedFor.join(', '),
    'X-Forwarded-Port',
    String(forwarded.port),
    'X-Forwarded-Proto',
    forwarded.proto,
  );
  return kept;
}

const TRACE_ROOT = /(?:^|;)\s*(Root=1-[0-9a-f]{8}-[0-9a-f]{24})\s*(?=;|$)/;

/**
 * The trace a request carries on: a client's `X-Amzn-Trace-Id` with a valid `Root` is kept as sent, any
 * other is replaced by a new `Root=1-...` from `newRoot` (docs/aws-behaviour.md#response-headers). `root` is
 * the `Root=...` part the function's `_X_AMZN_TRACE_ID` starts with.
 */
export function requestTrace(
  clientHeader: string | undefined,
  newRoot: () => string,
): { readonly header: string; readonly root: string } {
  const root = clientHeader === undefined ? undefined : TRACE_ROOT.exec(clientHeader)?.[1];
  if (clientHeader !== undefined && root !== undefined) return { header: clientHeader, root };
  const fresh = newRoot();
  return { header: fresh, root: fresh };
}

/** True when `contentType` (parameters ignored) matches one of the API's binary media types. */
export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!contentType || binaryMediaTypes.length === 0) return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  const slash = type.indexOf('/');
  for (const pattern of binaryMediaTypes) {
    const p = pattern.toLowerCase();
    if (p === '*/*' || p === type) return true;
    if (p.endsWith('/*') && slash !== -1 && p.slice(0, -1) === type.slice(0, slash + 1)) return true;
  }
  return false;
}

/** What `buildProxyEvent` needs besides the request: the matched resource, the ids and the clock. */
export interface ProxyEventInput {
  readonly method: string;
  readonly target: RequestTarget;
  readonly rawHeaders: readonly string[];
  /** Null when the request has no body. */
  readonly body: Buffer | null;
  readonly sourceIp: string;
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly pathParameters: Record<string, string> | null;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpochMs: number;
  readonly accountId: string;
  readonly apiId: string;
  readonly deploymentId: string;
  readonly stageName: string;
  readonly stageVariables: Readonly<Record<string, string>> | null;
  readonly binaryMediaTypes: readonly string[];
  /** The headers API Gateway adds; left out only where the event builder is measured alone (harness/perf). */
  readonly forwarded?: ForwardedHeaders;
}

/** The proxy event, with keys in the order AWS sends them. */
export function buildProxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = headerMaps(
    input.forwarded ? withForwardedHeaders(input.rawHeaders, input.sourceIp, input.forwarded) : input.rawHeaders,
  );
  const query = parseQuery(input.target.rawQuery);
  const contentType = findHeader(input.rawHeaders, 'content-type');
  const userAgent = findHeader(input.rawHeaders, 'user-agent');
  const host = findHeader(input.rawHeaders, 'host') ?? '';
  let body: string | null = null;
  let isBase64Encoded = false;
  if (input.body !== null && input.body.length > 0) {
    isBase64Encoded = isBinaryMediaType(contentType, input.binaryMediaTypes);
    body = input.body.toString(isBase64Encoded ? 'base64' : 'utf8');
  }
  // `domainPrefix` is the first label of the host name (docs/aws-behaviour.md#request-context); a local Host carries a port.
  const hostname = host.replace(/:\d+$/, '');
  const dot = hostname.indexOf('.');
  return {
    resource: input.resourcePath,
    path: input.target.path,
    httpMethod: input.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: input.pathParameters,
    stageVariables: input.stageVariables === null ? null : { ...input.stageVariables },
    requestContext: {
      accountId: input.accountId,
      apiId: input.apiId,
      // `authorizer` is absent when the method's authorization is NONE (docs/aws-behaviour.md#request-context).
      deploymentId: input.deploymentId,
      domainName: host,
      domainPrefix: dot === -1 ? hostname : hostname.slice(0, dot),
      extendedRequestId: input.extendedRequestId,
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: input.sourceIp,
        user: null,
        userAgent: userAgent ?? null,
        userArn: null,
      },
      path: input.target.contextPath,
      protocol: 'HTTP/1.1',
      requestId: input.requestId,
      requestTime: clfTime(input.requestTimeEpochMs),
      requestTimeEpoch: input.requestTimeEpochMs,
      resourceId: input.resourceId,
      resourcePath: input.resourcePath,
      stage: input.stageName,
    },
    body,
    isBase64Encoded,
    // @types/aws-lambda requires `requestContext.authorizer`, which AWS omits without an authorizer.
  } as unknown as APIGatewayProxyEvent;
}

/** The last value of a header, matched case-insensitively in `rawHeaders`. */
export function findHeader(rawHeaders: readonly string[], lowerName: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === lowerName.length && name.toLowerCase() === lowerName) found = rawHeaders[i + 1];
  }
  return found;
}
