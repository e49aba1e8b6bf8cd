import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LogFileSystem, type LogStoreHealth, LogStoreMonitor } from '../logstore/writer.js';
import type { ConcurrencyStats } from './concurrency.js';
import type { EmulatorConfig } from './config.js';
import type { InvocationOutcome } from './execution-environment.js';
import { isUuid, newExtendedRequestId, newRequestId, newTraceRoot, randomHex } from './ids.js';
import { type NodeRuntime, resolveNodeRuntime } from './node-runtime.js';
import { buildProxyEvent, findHeader, parseRequestTarget, type RequestTarget, requestTrace } from './proxy-event.js';
import { type GatewayErrorKind, gatewayError, type HttpResponse, mapProxyResult } from './proxy-response.js';
import { RouteTable } from './routes.js';
import { type EnvironmentInfo, type ProcessCheck, RuntimePool } from './runtime-pool.js';
import { TokenBucket } from './token-bucket.js';

/**
 * The embedded emulator: an API Gateway REST (v1) stage with Lambda proxy integration on 127.0.0.1, in
 * front of a pool of Lambda execution environments whose logs go to the on-disk store.
 */

/** API Gateway's payload limit for REST APIs (docs/aws-behaviour.md#payload-limits: 10 MB). */
const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
/** Lambda's Invoke takes an event JSON "smaller than 6291456 bytes" (docs/aws-behaviour.md#payload-limits). */
const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface EmulatorOptions {
  /** Where the log store lives (`<dir>/<group>/<stream>.ndjson`). */
  readonly logDir: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /**
   * Environments alive at once on this machine; invocations beyond it wait for one (counted in
   * `concurrency()`). Lambda's own limit (reserved concurrency, else the account's) is applied apart. @default 10
   */
  readonly maxEnvironments?: number;
  /** Lambda's account concurrency, the limit of a function that reserves none. @default 1000 */
  readonly accountConcurrency?: number;
  /** @default 300000 */
  readonly idleTimeoutMs?: number;
  /** Overrides the API's integration timeout (29 s on AWS), e.g. to test the 504 quickly. */
  readonly integrationTimeoutMs?: number;
  /** @default 10000 */
  readonly initTimeoutMs?: number;
  /** Turns stage throttling off; for benchmarks of the emulator itself, never for fidelity tests. @default false */
  readonly disableThrottling?: boolean;
  /** The log store's file operations; a seam for disk-failure tests. @default node:fs */
  readonly logFileSystem?: LogFileSystem;
  /** The Node.js the function runs on. @default `resolveNodeRuntime(config.function.runtime)` */
  readonly nodeRuntime?: NodeRuntime;
}

/** What `close()` did. */
export interface EmulatorStopReport {
  /** One entry per execution environment ever started. */
  readonly processes: readonly ProcessCheck[];
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:<port>/<stage>/`, like an execute-api invoke URL. */
  readonly baseUrl: string;
  readonly port: number;
  readonly logDir: string;
  readonly logGroupName: string;
  readonly config: EmulatorConfig;
  /** The Node.js binary the function runs on; `matches` false means not the runtime's major (reports mark it). */
  readonly nodeRuntime: NodeRuntime;
  /** Environments alive now. */
  environments(): EnvironmentInfo[];
  /** Pids of every environment started so far. */
  startedPids(): number[];
  /** Lambda's limit, the local cap, and what each did so far (throttles, queued invocations, waits). */
  concurrency(): ConcurrencyStats;
  /**
   * Log events the store could not write (a full, read-only or failing disk) and the first error: when
   * `lostEvents` > 0 the logs are incomplete and no verdict drawn from them can be confident.
   */
  logStoreHealth(): LogStoreHealth;
  /** Stops listening, ends every environment and checks their pids. Idempotent. */
  close(): Promise<EmulatorStopReport>;
}

/** Starts the server and the (empty) pool; environments start on demand, as cold starts. */
export async function startEmulator(config: EmulatorConfig, options: EmulatorOptions): Promise<Emulator> {
  const { api } = config;
  const routes = new RouteTable(api.routes);
  const bucket =
    options.disableThrottling || !api.throttle
      ? undefined
      : new TokenBucket(api.throttle.rateLimit, api.throttle.burstLimit);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? api.integrationTimeoutMs;
  const logMonitor = new LogStoreMonitor();
  const nodeRuntime = options.nodeRuntime ?? resolveNodeRuntime(config.function.runtime);
  const pool = new RuntimePool({
    fn: config.function,
    region: config.region,
    accountId: config.accountId,
    logDir: options.logDir,
    logMonitor,
    logFileSystem: options.logFileSystem,
    maxEnvironments: options.maxEnvironments,
    accountConcurrency: options.accountConcurrency,
    // A queued invocation is still under the integration timeout: past it the client has had its 504.
    maxQueueWaitMs: integrationTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
    initTimeoutMs: options.initTimeoutMs,
    nodePath: nodeRuntime.nodePath,
  });
  const sourceIps = new WeakMap<object, string>();

  // Nothing a request or a function does may throw out of the handler (it would end the process): an
  // emulator fault answers 500, as API Gateway does when Lambda refuses an invocation.
  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      answerError(res, 'InvokeRejected', newRequestId(), newExtendedRequestId());
    }
  });

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const receivedAtMs = Date.now();
    const rawHeaders = req.rawHeaders;
    const override = findHeader(rawHeaders, 'x-amzn-requestid');
    // A client may set the request id with a UUID (docs/aws-behaviour.md#request-context); anything else is replaced.
    const requestId = override !== undefined && isUuid(override) ? override : newRequestId();
    const extendedRequestId = newExtendedRequestId();
    const fail = (kind: GatewayErrorKind) => answerError(res, kind, requestId, extendedRequestId);

    const method = req.method ?? 'GET';
    const target = parseRequestTarget(req.url ?? '/', api.stageName);
    if (!target) return fail('MissingAuthenticationToken');
    const routed = routes.match(method, target.path);
    if (routed.kind !== 'match') return fail('MissingAuthenticationToken');
    if (bucket && !bucket.take(receivedAtMs)) return fail('Throttled');

    let sourceIp = sourceIps.get(req.socket);
    if (sourceIp === undefined) {
      sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
      sourceIps.set(req.socket, sourceIp);
    }
    const ip = sourceIp;

    const proceed = (body: Buffer | null) => {
      // One trace for the event's header, the function's _X_AMZN_TRACE_ID and the response (docs/aws-behaviour.md#response-headers).
      const trace = requestTrace(findHeader(rawHeaders, 'x-amzn-trace-id'), () => newTraceRoot(receivedAtMs));
      const event = buildProxyEvent({
        method,
        target: target as RequestTarget,
        rawHeaders,
        body,
        sourceIp: ip,
        resourcePath: routed.match.route.resourcePath,
        resourceId: routed.match.route.resourceId,
        pathParameters: routed.match.pathParameters,
        requestId,
        extendedRequestId,
        requestTimeEpochMs: receivedAtMs,
        accountId: config.accountId,
        apiId: api.apiId,
        deploymentId: api.deploymentId,
        stageName: api.stageName,
        stageVariables: api.stageVariables,
        binaryMediaTypes: api.binaryMediaTypes,
        // The client reached this listener over plain HTTP on this port (README, "Headers, payload limits, ...").
        forwarded: { traceHeader: trace.header, port: req.socket.localPort ?? 0, proto: 'http' },
      });
      const eventJson = JSON.stringify(event);
      // A UTF-16 unit is at most 3 UTF-8 bytes: only a long event needs counting.
      if (
        eventJson.length * 3 >= MAX_INVOKE_PAYLOAD_BYTES &&
        Buffer.byteLength(eventJson) >= MAX_INVOKE_PAYLOAD_BYTES
      ) {
        return fail('RequestTooLarge');
      }
      let outcome: ReturnType<typeof pool.invoke>;
      try {
        outcome = pool.invoke({
          awsRequestId: newRequestId(),
          traceHeader: `${trace.root};Parent=${randomHex(8)};Sampled=0`,
          eventJson,
        });
      } catch {
        // No environment could be started (e.g. the process table or the log disk refused it).
        return fail('InvokeRejected');
      }
      // Lambda refused the invoke for lack of concurrency: a 500, not API Gateway's own 429.
      if (outcome === 'throttled') return fail('LambdaThrottled');
      let answered = false;
      const timer = setTimeout(
        () => {
          answered = true;
          fail('IntegrationTimeout');
        },
        Math.max(0, integrationTimeoutMs - (Date.now() - receivedAtMs)),
      );
      outcome
        .then((result) => {
          if (answered) return;
          clearTimeout(timer);
          respond(result, findHeader(rawHeaders, 'accept'), trace.header);
        })
        .catch(() => {
          clearTimeout(timer);
          if (!answered) fail('MalformedResponse');
        });
    };

    const respond = (outcome: InvocationOutcome, accept: string | undefined, traceHeader: string) => {
      if (outcome.kind !== 'ok') return fail('FunctionError');
      let result: unknown;
      try {
        result = JSON.parse(outcome.payload);
      } catch {
        return fail('MalformedResponse');
      }
      const mapped = mapProxyResult(result, accept, api.binaryMediaTypes);
      if (!mapped.ok) return fail('MalformedResponse');
      const headers = mapped.headers;
      headers.push(
        'x-amzn-RequestId',
        requestId,
        'x-amz-apigw-id',
        extendedRequestId,
        // Returned for Lambda proxy integrations, not on gateway errors (docs/aws-behaviour.md#response-headers).
        'X-Amzn-Trace-Id',
        traceHeader,
      );
      // mapProxyResult already refuses what HTTP cannot carry; should node still refuse a header, the
      // answer is the malformed-response 502 rather than an exception.
      if (!send(res, mapped.statusCode, headers, mapped.body)) fail('MalformedResponse');
    };

    if (!hasBody(rawHeaders)) return proceed(null);
    // A client that goes away mid-body must not become an unhandled 'error' event.
    req.on('error', () => {});
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        tooLarge = true;
        fail('RequestTooLarge');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return;
      try {
        proceed(size === 0 ? null : Buffer.concat(chunks, size));
      } catch {
        fail('InvokeRejected');
      }
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<EmulatorStopReport> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}/${api.stageName}/`,
    port,
    logDir: options.logDir,
    logGroupName: config.function.logGroupName,
    config,
    nodeRuntime,
    environments: () => pool.environments,
    startedPids: () => pool.startedPids,
    concurrency: () => pool.concurrency,
    logStoreHealth: () => logMonitor.health(),
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        const processes = await pool.shutdown();
        await closed;
        return { processes };
      })();
      return closing;
    },
  };
}

function hasBody(rawHeaders: readonly string[]): boolean {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 14 && name.toLowerCase() === 'content-length') return rawHeaders[i + 1] !== '0';
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true;
  }
  return false;
}

/** Sends a gateway error (never throws: its headers are the emulator's own). */
function answerError(
  res: http.ServerResponse,
  kind: GatewayErrorKind,
  requestId: string,
  extendedRequestId: string,
): void {
  const response: HttpResponse = gatewayError(kind, requestId, extendedRequestId);
  send(res, response.statusCode, response.headers, response.body);
}

/** Writes the response; false when node refused its status or headers (nothing was sent then). */
function send(res: http.ServerResponse, statusCode: number, headers: string[], body: Buffer): boolean {
  if (res.headersSent || res.destroyed) return true;
  headers.push('Content-Length', String(body.length));
  try {
    res.writeHead(statusCode, headers);
  } catch {
    // writeHead may have stored some of the headers before refusing one.
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    return false;
  }
  res.end(body);
  return true;
}
