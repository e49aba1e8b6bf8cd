/**
 * Server processes of `npm run perf`, started by processes.ts (one process each, pinned to the server CPU).
 * Each prints `PORT <port> <basePath>` on stdout once it listens on 127.0.0.1 and exits on SIGTERM.
 *
 *   servers.ts bare <basePath> <contentType> <body>       bare node:http returning a fixed body (the baseline)
 *   servers.ts stall <stallMs> <periodMs>                 node:http whose event loop stalls stallMs every periodMs (docs/measurement.md#coordinated-omission)
 *   servers.ts emulator <cdkOut> <stackId> <logDir> <env>  the emulator over the synthesized assembly; <env> is a
 *                                                         JSON object merged into the function's environment
 *   servers.ts inprocess <cdkOut> <stackId>               the handler bundle called in this process behind node:http
 *                                                         (no isolation, no log capture: the ceiling of any emulator)
 *
 * These modes are the child side of processes.ts startServer, not a command: `harness perf` is the entry point.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

function announce(server: http.Server, basePath: string): void {
  process.stdout.write(`PORT ${(server.address() as AddressInfo).port} ${basePath}\n`);
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

function listen(server: http.Server, basePath: string): void {
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => announce(server, basePath));
}

/** The baseline: the cheapest possible server for the same response body. */
function serveBare(basePath: string, contentType: string, body: string): void {
  const payload = Buffer.from(body);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'content-length': payload.length });
    res.end(payload);
  });
  listen(server, basePath);
}

/**
 * Stalls are placed on a fixed grid (start + k·period, for stallMs each) rather than with setInterval,
 * whose period would stretch by the stall itself and by timer lateness: the analytic reference
 * (stats.ts stallPercentileMs) assumes exactly stallMs out of every periodMs.
 */
function serveStalling(stallMs: number, periodMs: number): void {
  const payload = Buffer.from('{"ok":true}');
  const startMs = performance.now();
  let k = 1;
  const next = () => setTimeout(stall, Math.max(0, startMs + k * periodMs - performance.now()));
  const stall = () => {
    const endMs = startMs + k * periodMs + stallMs;
    while (performance.now() < endMs) {
      // Busy wait: the event loop is blocked, as by a synchronous handler or a long GC pause.
    }
    k++;
    next();
  };
  next();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': payload.length });
    res.end(payload);
  });
  listen(server, '/');
}

async function serveEmulator(
  cdkOutDir: string,
  stackArtifactId: string,
  logDir: string,
  envJson: string,
): Promise<void> {
  const { readAssembly } = await import('../emulator/assembly.js');
  const { startEmulator } = await import('../emulator/emulator.js');
  const config = readAssembly({ cdkOutDir, stackArtifactId });
  const environment = { ...config.function.environment, ...(JSON.parse(envJson) as Record<string, string>) };
  // Throttling off: the stage's default 100 rps bucket would measure the token bucket, not the emulator.
  const emulator = await startEmulator(
    { ...config, function: { ...config.function, environment } },
    { logDir, disableThrottling: true },
  );
  process.stdout.write(`PORT ${emulator.port} ${new URL(emulator.baseUrl).pathname}\n`);
  process.once('SIGTERM', () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

async function serveInProcess(cdkOutDir: string, stackArtifactId: string): Promise<void> {
  const { buildProxyEvent, parseRequestTarget } = await import('../emulator/proxy-event.js');
  const { mapProxyResult } = await import('../emulator/proxy-response.js');
  const { newRequestId } = await import('../emulator/ids.js');
  const { readAssembly } = await import('../emulator/assembly.js');
  const config = readAssembly({ cdkOutDir, stackArtifactId });
  const fn = config.function;
  Object.assign(process.env, fn.environment);
  const dot = fn.handler.lastIndexOf('.');
  const file = ['.mjs', '.js', '.cjs']
    .map((ext) => path.join(fn.codeDir, fn.handler.slice(0, dot) + ext))
    .find((f) => fs.existsSync(f))!;
  const handler = (await import(pathToFileURL(file).href))[fn.handler.slice(dot + 1)] as (
    event: unknown,
    context: unknown,
  ) => Promise<unknown>;
  const route = config.api.routes.find((r) => r.resourcePath === '/{proxy+}')!;
  const server = http.createServer((req, res) => {
    const target = parseRequestTarget(req.url ?? '/', config.api.stageName)!;
    const now = Date.now();
    const event = buildProxyEvent({
      method: req.method ?? 'GET',
      target,
      rawHeaders: req.rawHeaders,
      body: null,
      sourceIp: '127.0.0.1',
      resourcePath: route.resourcePath,
      resourceId: route.resourceId,
      pathParameters: { proxy: target.path.slice(1) },
      requestId: newRequestId(),
      extendedRequestId: 'AAAAAAAAAAAAAAA=',
      requestTimeEpochMs: now,
      accountId: config.accountId,
      apiId: config.api.apiId,
      deploymentId: config.api.deploymentId,
      stageName: config.api.stageName,
      stageVariables: config.api.stageVariables,
      binaryMediaTypes: config.api.binaryMediaTypes,
    });
    const context = { awsRequestId: newRequestId(), getRemainingTimeInMillis: () => 10_000 };
    handler(event, context).then((result) => {
      const mapped = mapProxyResult(result, undefined, config.api.binaryMediaTypes);
      if (!mapped.ok) throw new Error(mapped.reason);
      mapped.headers.push('Content-Length', String(mapped.body.length));
      res.writeHead(mapped.statusCode, mapped.headers);
      res.end(mapped.body);
    });
  });
  listen(server, `/${config.api.stageName}/`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'bare') serveBare(args[0]!, args[1]!, args[2]!);
  else if (mode === 'stall') serveStalling(Number(args[0]), Number(args[1]));
  else if (mode === 'emulator') await serveEmulator(args[0]!, args[1]!, args[2]!, args[3]!);
  else if (mode === 'inprocess') await serveInProcess(args[0]!, args[1]!);
  else {
    process.stderr.write(`servers.ts: unknown mode '${mode}': use bare, stall, emulator or inprocess\n`);
    process.exit(2);
  }
}
