import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorConfig } from './config.js';
import type { InvocationOutcome } from './execution-environment.js';
import { isUuid, newExtendedRequestId, newRequestId, newTraceRoot, randomHex } from './ids.js';
import { buildProxyEvent, findHeader, parseRequestTarget, type RequestTarget } from './proxy-event.js';
import { type GatewayErrorKind, gatewayError, mapProxyResult } from './proxy-response.js';
import { type EnvironmentInfo, type ProcessCheck, RuntimePool } from './runtime-pool.js';
import { RouteTable } from './routes.js';
import { TokenBucket } from './token-bucket.js';

/**
 * The embedded emulator: an API Gateway REST (v1) stage with Lambda proxy integration on 127.0.0.1, in
 * front of a pool of Lambda execution environments whose logs go to the on-disk store.
 */

/** API Gateway's payload limit for REST APIs (aws-fidelity §2.2, `limits.md`: 10 MB). */
const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

export interface EmulatorOptions {
  /** Where the log store lives (`<dir>/<group>/<stream>.ndjson`). */
  readonly logDir: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default the function's reserved concurrency, else 10 */
  readonly maxConcurrency?: number;
  /** @default 300000 */
  readonly idleTimeoutMs?: number;
  /** Overrides the API's integration timeout (29 s on AWS), e.g. to test the 504 quickly. */
  readonly integrationTimeoutMs?: number;
  /** @default 10000 */
  readonly initTimeoutMs?: number;
  /** Turns stage throttling off; for benchmarks of the emulator itself, never for fidelity tests. @default false */
  readonly disableThrottling?: boolean;
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
  /** Environments alive now. */
  environments(): EnvironmentInfo[];
  /** Pids of every environment started so far. */
  startedPids(): number[];
  /** Stops listening, ends every environment and checks their pids. Idempotent. */
  close(): Promise<EmulatorStopReport>;
}

/** Starts the server and the (empty) pool; environments start on demand, as cold starts. */
export async function startEmulator(config: EmulatorConfig, options: EmulatorOptions): Promise<Emulator> {
  const { api } = config;
  const routes = new RouteTable(api.routes);
  const bucket = options.disableThrottling || !api.throttle ? undefined : new TokenBucket(api.throttle.rateLimit, api.throttle.burstLimit);
  const integrationTimeoutMs = options.integrationTimeoutMs ?? api.integrationTimeoutMs;
  const pool = new RuntimePool({
    fn: config.function,
    region: config.region,
    accountId: config.accountId,
    logDir: options.logDir,
    maxConcurrency: options.maxConcurrency,
    idleTimeoutMs: options.idleTimeoutMs,
    initTimeoutMs: options.initTimeoutMs,
  });
  const sourceIps = new WeakMap<object, string>();

  const server = http.createServer((req, res) => {
    const receivedAtMs = Date.now();
    const rawHeaders = req.rawHeaders;
    const override = findHeader(rawHeaders, 'x-amzn-requestid');
    // A client may set the request id with a UUID (aws-fidelity §1.2); anything else is replaced.
    const requestId = override !== undefined && isUuid(override) ? override : newRequestId();
    const extendedRequestId = newExtendedRequestId();
    const fail = (kind: GatewayErrorKind) => {
      const response = gatewayError(kind, requestId, extendedRequestId);
      send(res, response.statusCode, response.headers, response.body);
    };

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
      });
      const traceRoot = newTraceRoot(receivedAtMs);
      const outcome = pool.invoke({
        awsRequestId: newRequestId(),
        traceHeader: `${traceRoot};Parent=${randomHex(8)};Sampled=0`,
        eventJson: JSON.stringify(event),
      });
      if (outcome === 'throttled') return fail('Throttled');
      let answered = false;
      const timer = setTimeout(
        () => {
          answered = true;
          fail('IntegrationTimeout');
        },
        Math.max(0, integrationTimeoutMs - (Date.now() - receivedAtMs)),
      );
      outcome.then((result) => {
        if (answered) return;
        clearTimeout(timer);
        respond(result, findHeader(rawHeaders, 'accept'), traceRoot);
      });
    };

    const respond = (outcome: InvocationOutcome, accept: string | undefined, traceRoot: string) => {
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
        // Returned for Lambda proxy integrations, not on gateway errors (aws-fidelity §2.3).
        'X-Amzn-Trace-Id',
        traceRoot,
      );
      send(res, mapped.statusCode, headers, mapped.body);
    };

    if (!hasBody(rawHeaders)) return proceed(null);
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
      if (!tooLarge) proceed(size === 0 ? null : Buffer.concat(chunks, size));
    });
  });

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
    environments: () => pool.environments,
    startedPids: () => pool.startedPids,
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
    const name = rawHeaders[i];
    if (name.length === 14 && name.toLowerCase() === 'content-length') return rawHeaders[i + 1] !== '0';
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true;
  }
  return false;
}

function send(res: http.ServerResponse, statusCode: number, headers: string[], body: Buffer): void {
  if (res.headersSent || res.destroyed) return;
  headers.push('Content-Length', String(body.length));
  res.writeHead(statusCode, headers);
  res.end(body);
}
