import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiConfig, EmulatorConfig, FunctionConfig } from '../../../harness/emulator/config.js';
import { type Emulator, type EmulatorOptions, startEmulator } from '../../../harness/emulator/emulator.js';

/** Test handlers, one module per behaviour (`echo.mjs`, `modes.mjs`, ...). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/handlers/', import.meta.url));

export const FUNCTION_NAME = 'rda-test-fn';
export const LOG_GROUP = `/aws/lambda/${FUNCTION_NAME}`;
export const STAGE = 'bench';

/** A config in the shape of the real stack (ANY / and ANY /{proxy+}), running a fixture handler. */
export function fixtureConfig(
  fn: Partial<FunctionConfig> & { handler: string },
  api: Partial<ApiConfig> = {},
): EmulatorConfig {
  return {
    stackName: 'rda-test',
    region: 'eu-west-1',
    accountId: '123456789012',
    api: {
      apiId: 'a1b2c3d4e5',
      stageName: STAGE,
      deploymentId: 'dep123',
      stageVariables: null,
      binaryMediaTypes: [],
      throttle: { rateLimit: 10_000, burstLimit: 5_000 },
      integrationTimeoutMs: 29_000,
      routes: [
        { resourcePath: '/', resourceId: 'rootid0000', methods: ['ANY'] },
        { resourcePath: '/{proxy+}', resourceId: 'prx123', methods: ['ANY'] },
      ],
      ...api,
    },
    function: {
      functionName: FUNCTION_NAME,
      runtime: 'nodejs24.x',
      memorySizeMb: 256,
      timeoutSeconds: 3,
      environment: { LOG_LEVEL: 'info' },
      codeDir: FIXTURES_DIR,
      logGroupName: LOG_GROUP,
      ...fn,
    },
  };
}

/** A started emulator on a fresh log directory; `close()` stops it and removes the directory. */
export interface FixtureEmulator extends Emulator {
  stop(): Promise<void>;
}

export async function startFixture(
  fn: Partial<FunctionConfig> & { handler: string },
  api: Partial<ApiConfig> = {},
  options: Partial<EmulatorOptions> = {},
): Promise<FixtureEmulator> {
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-emulator-test-'));
  const emulator = await startEmulator(fixtureConfig(fn, api), { logDir, ...options });
  return Object.assign(emulator, {
    async stop() {
      await emulator.close();
      fs.rmSync(logDir, { recursive: true, force: true });
    },
  });
}

/** One stored log event with the stream it is in. */
export interface LoggedEvent {
  readonly stream: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
}

/** Every event of a log group in the store, stream by stream in file order. */
export function readLogEvents(logDir: string, group = LOG_GROUP): LoggedEvent[] {
  const dir = path.join(logDir, encodeURIComponent(group));
  if (!fs.existsSync(dir)) return [];
  const events: LoggedEvent[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    const stream = decodeURIComponent(file.replace(/\.ndjson$/, ''));
    for (const line of fs.readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      events.push({ stream, ...(JSON.parse(line) as Omit<LoggedEvent, 'stream'>) });
    }
  }
  return events;
}

/** A response with header names as the server cased them. */
export interface RawResponse {
  readonly status: number;
  /** Flat `[name, value, name, value, ...]` as received. */
  readonly rawHeaders: string[];
  /** Lower-cased name → value (last one wins). */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  /** Flat `[name, value, ...]`: repeated names and exact casing are sent as given. */
  readonly headers?: string[];
  readonly body?: string | Buffer;
}

const agent = new http.Agent({ keepAlive: false });

/** Sends `path` byte for byte (no normalisation) to the emulator's host. */
export function rawRequest(emulator: Emulator, requestPath: string, request: RawRequest = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const given = request.headers ?? [];
    // With a raw header list node sends no Host of its own; HTTP/1.1 requires one.
    const hasHost = given.some((value, i) => i % 2 === 0 && value.toLowerCase() === 'host');
    const headers = hasHost ? given : ['Host', `127.0.0.1:${emulator.port}`, ...given];
    const req = http.request(
      { host: '127.0.0.1', port: emulator.port, method: request.method ?? 'GET', path: requestPath, headers, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const lower: Record<string, string> = {};
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            lower[res.rawHeaders[i]!.toLowerCase()] = res.rawHeaders[i + 1]!;
          resolve({
            status: res.statusCode ?? 0,
            rawHeaders: res.rawHeaders,
            headers: lower,
            body,
            text: body.toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}

/** The echo handler's view of one request (see tests/fixtures/handlers/echo.mjs). */
export interface Echo {
  // biome-ignore lint/suspicious/noExplicitAny: the event is asserted field by field
  readonly event: any;
  readonly context: Record<string, unknown>;
  readonly env: Record<string, string | null>;
  readonly envKeys: string[];
  readonly pid: number;
  readonly now: string;
}

export async function echo(emulator: Emulator, requestPath: string, request: RawRequest = {}): Promise<Echo> {
  const response = await rawRequest(emulator, requestPath, request);
  if (response.status !== 200) throw new Error(`echo answered ${response.status}: ${response.text}`);
  return JSON.parse(response.text) as Echo;
}

/** True when a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
