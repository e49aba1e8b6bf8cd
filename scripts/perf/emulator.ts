/**
 * Benchmark of the local emulator (docs/measurement.md#interleaved-rounds, #perf-goals G1, G4, G5): throughput of the emulator
 * running the REAL handler bundle with log capture, as a ratio to a bare `node:http` server returning the
 * same body, measured interleaved (bare, emulator, bare, emulator, ...) with autocannon `-c 10 -p 1`; and the
 * cold-start wall time of a new execution environment against `node -e 0`. Prints numbers; not a test.
 *
 * @example
 * npx tsx scripts/perf/emulator.ts            # 3 rounds of 10 s after a 2 s warm-up
 * npx tsx scripts/perf/emulator.ts --quick    # 3 rounds of 3 s
 * npx tsx scripts/perf/emulator.ts --unpinned # servers and generator share every core (as `npm run bench` does)
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { startEmulator } from '../../harness/emulator/emulator.js';
import { median, type Spread, spreadOf } from '../../harness/stats/spread.js';
import { readAssembly } from '../../harness/emulator/assembly.js';

const THIS_FILE = fileURLToPath(import.meta.url);
// The page autocannon requests: a small JSON body from the real handler (one pino line per request).
const PATH = '/bench/random/uuid';

export interface MeasureEmulatorOptions {
  /** 3 rounds of 3 s after a 1 s warm-up, 5 cold starts. @default false */
  readonly quick?: boolean;
  /** @default 3 */
  readonly rounds?: number;
  /** Length of each measured run. @default 10 (3 when quick) */
  readonly durationSeconds?: number;
  /** @default 2 (1 when quick) */
  readonly warmupSeconds?: number;
  /** @default 10 */
  readonly connections?: number;
  /** @default 15 (5 when quick) */
  readonly coldStarts?: number;
  /** Pin the servers to CPU 0 and the generator to CPU 1 (docs/measurement.md#pinning). @default true with ≥ 2 CPUs and taskset */
  readonly pin?: boolean;
  /** Progress lines. @default no output */
  readonly log?: (line: string) => void;
}

/** One interleaved round. */
export interface RoundResult {
  readonly bareRps: number;
  /** The same handler called in the server process: no isolation, no log capture (the ceiling of any emulator). */
  readonly inProcessRps: number;
  readonly emulatorRps: number;
  /** emulator / bare (G1). */
  readonly ratio: number;
  /** emulator / in-process: what isolation and log capture cost on top of the handler itself. */
  readonly isolationRatio: number;
  /** CPU time of the emulator process and its execution environments per response, µs. */
  readonly emulatorCpuUsPerRequest: number;
  readonly bareCpuUsPerRequest: number;
  readonly inProcessCpuUsPerRequest: number;
  /** Non-2xx responses plus errors in the emulator run (must be 0). */
  readonly emulatorFailures: number;
  /** Generator (this process) CPU during the emulator run, share of one core (≥ 0.9 flags a generator limit, G12). */
  readonly generatorCpuShare: number;
}

export interface EmulatorPerfResult {
  readonly node: string;
  readonly cpus: number;
  readonly pinned: boolean;
  readonly durationSeconds: number;
  readonly rounds: readonly RoundResult[];
  /** G1: median of per-round ratios, and their spread. */
  readonly throughputRatio: Spread;
  /** in-process / bare: how far the handler alone is from a bare server (an upper bound for G1). */
  readonly inProcessRatio: Spread;
  /** emulator / in-process. */
  readonly isolationRatio: Spread;
  /** G4: new execution environment to first response, vs `node -e 0`. */
  readonly coldStart: {
    readonly emulatorMedianMs: number;
    readonly nodeMedianMs: number;
    readonly ratio: number;
    readonly initDurationMedianMs: number;
  };
  /** G5: every response's REPORT and handler line captured. */
  readonly logCapture: { readonly responses: number; readonly reports: number; readonly handlerLines: number; readonly complete: boolean };
}

/** Runs the whole measurement; see the module comment. */
export async function measureEmulator(options: MeasureEmulatorOptions = {}): Promise<EmulatorPerfResult> {
  const quick = options.quick ?? false;
  const rounds = options.rounds ?? 3;
  const durationSeconds = options.durationSeconds ?? (quick ? 3 : 10);
  const warmupSeconds = options.warmupSeconds ?? (quick ? 1 : 2);
  const connections = options.connections ?? 10;
  const coldStarts = options.coldStarts ?? (quick ? 5 : 15);
  const log = options.log ?? (() => {});
  const cpus = os.availableParallelism();
  const pinned = options.pin ?? (cpus >= 2 && hasTaskset());

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-perf-emulator-'));
  const children: ChildProcess[] = [];
  try {
    log('synthesizing the stack');
    const { synthesize } = await import('../../stack/build-app.js');
    const synth = await synthesize({ outdir: path.join(work, 'cdk.out'), context: { runId: 'perf' } });
    const logDir = path.join(work, 'logs');
    fs.mkdirSync(logDir);
    if (pinned) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });

    const emulator = await startServer(['--serve-emulator', synth.outdir, synth.stackArtifactId, logDir], pinned);
    children.push(emulator.child);
    const probe = await fetch(`http://127.0.0.1:${emulator.port}${PATH}`);
    const body = await probe.text();
    const contentType = probe.headers.get('content-type') ?? 'application/json';
    let responses = 1;
    const bare = await startServer(['--serve-bare', body, contentType], pinned);
    children.push(bare.child);
    const inProcess = await startServer(['--serve-inprocess', synth.outdir, synth.stackArtifactId], pinned);
    children.push(inProcess.child);

    log(`warming up ${warmupSeconds} s each`);
    await load(bare.port, connections, warmupSeconds);
    await load(inProcess.port, connections, warmupSeconds);
    responses += (await load(emulator.port, connections, warmupSeconds)).responses;

    const results: RoundResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      const b = await measured(bare, connections, durationSeconds);
      const i = await measured(inProcess, connections, durationSeconds);
      const e = await measured(emulator, connections, durationSeconds);
      responses += e.responses;
      const result: RoundResult = {
        bareRps: b.rps,
        inProcessRps: i.rps,
        emulatorRps: e.rps,
        ratio: e.rps / b.rps,
        isolationRatio: e.rps / i.rps,
        emulatorCpuUsPerRequest: e.cpuUsPerRequest,
        bareCpuUsPerRequest: b.cpuUsPerRequest,
        inProcessCpuUsPerRequest: i.cpuUsPerRequest,
        emulatorFailures: e.failures,
        generatorCpuShare: e.generatorCpuShare,
      };
      results.push(result);
      log(`round ${round}: bare ${Math.round(b.rps)}, in-process ${Math.round(i.rps)}, emulator ${Math.round(e.rps)} rps; ratio ${result.ratio.toFixed(3)}`);
    }

    await stopServer(emulator.child);
    await stopServer(bare.child);
    await stopServer(inProcess.child);
    const capture = countCaptured(logDir);

    log(`measuring ${coldStarts} cold starts`);
    const coldStart = await measureColdStarts(synth.outdir, synth.stackArtifactId, path.join(work, 'cold-logs'), coldStarts);

    return {
      node: process.version,
      cpus,
      pinned,
      durationSeconds,
      rounds: results,
      throughputRatio: spreadOf(results.map((r) => r.ratio)),
      inProcessRatio: spreadOf(results.map((r) => r.inProcessRps / r.bareRps)),
      isolationRatio: spreadOf(results.map((r) => r.isolationRatio)),
      coldStart,
      logCapture: {
        responses,
        reports: capture.reports,
        handlerLines: capture.handlerLines,
        // In-flight requests at the end of a timed run are served and logged but not counted as responses.
        complete: capture.reports >= responses && capture.handlerLines === capture.reports,
      },
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
}

/** Starts this file in a server mode in its own process (pinned to CPU 0), resolves with its port. */
function startServer(args: string[], pinned: boolean): Promise<Server> {
  const command = [process.execPath, ...process.execArgv, THIS_FILE, ...args];
  const child = pinned
    ? spawn('taskset', ['-c', '0', ...command], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.setEncoding('utf8');
    const onData = (chunk: string) => {
      text += chunk;
      const match = /PORT (\d+)/.exec(text);
      if (!match) return;
      // From here on only the in-process handler's own log lines come: read and drop them.
      child.stdout!.off('data', onData);
      child.stdout!.on('data', () => {});
      resolve({ child, port: Number(match[1]) });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server ${args[0]} exited with ${code} before listening`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function load(port: number, connections: number, seconds: number) {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${PATH}`, connections, pipelining: 1, duration: seconds });
  return { responses: result.requests.total, failures: result.non2xx + result.errors + result.timeouts, seconds: result.duration };
}

async function measured(server: Server, connections: number, seconds: number) {
  const cpuBefore = treeCpuTicks(server.child.pid!);
  const generatorBefore = process.cpuUsage();
  const started = performance.now();
  const result = await load(server.port, connections, seconds);
  const wallSeconds = (performance.now() - started) / 1000;
  const generator = process.cpuUsage(generatorBefore);
  const cpuTicks = treeCpuTicks(server.child.pid!) - cpuBefore;
  const ticksPerSecond = 100;
  return {
    rps: result.responses / result.seconds,
    responses: result.responses,
    failures: result.failures,
    cpuUsPerRequest: (cpuTicks / ticksPerSecond / result.responses) * 1e6,
    generatorCpuShare: (generator.user + generator.system) / 1e6 / wallSeconds,
  };
}

/** utime + stime (clock ticks) of a process and all its descendants, from /proc. */
function treeCpuTicks(rootPid: number): number {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  for (const [pid, value] of ticks) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parents.get(p)) {
      if (p === rootPid) {
        total += value;
        break;
      }
    }
  }
  return total;
}

function countCaptured(logDir: string): { reports: number; handlerLines: number } {
  let reports = 0;
  let handlerLines = 0;
  for (const group of fs.readdirSync(logDir)) {
    for (const file of fs.readdirSync(path.join(logDir, group))) {
      for (const line of fs.readFileSync(path.join(logDir, group, file), 'utf8').split('\n')) {
        if (line.includes('"message":"REPORT RequestId:')) reports++;
        else if (line.includes('\\"msg\\":\\"request\\"')) handlerLines++;
      }
    }
  }
  return { reports, handlerLines };
}

/** New environment → first response, interleaved with `node -e 0`; both on this process's CPU. */
async function measureColdStarts(cdkOutDir: string, stackArtifactId: string, logDir: string, count: number) {
  const config = readAssembly({ cdkOutDir, stackArtifactId });
  const emulatorMs: number[] = [];
  const nodeMs: number[] = [];
  const initMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    nodeMs.push(performance.now() - t0);

    const dir = path.join(logDir, String(i));
    const emulator = await startEmulator(config, { logDir: dir, disableThrottling: true });
    try {
      const t1 = performance.now();
      const response = await fetch(`${emulator.baseUrl}random/uuid`);
      await response.text();
      emulatorMs.push(performance.now() - t1);
    } finally {
      await emulator.close();
    }
    const init = /Init Duration: (\d+\.\d+) ms/.exec(readAll(dir));
    if (init) initMs.push(Number(init[1]));
  }
  const emulatorMedianMs = median(emulatorMs);
  const nodeMedianMs = median(nodeMs);
  return { emulatorMedianMs, nodeMedianMs, ratio: emulatorMedianMs / nodeMedianMs, initDurationMedianMs: median(initMs) };
}

function readAll(dir: string): string {
  let text = '';
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) text += fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** Prints a result as the lines `npm run perf` shows. */
export function formatEmulatorResult(result: EmulatorPerfResult): string[] {
  const range = (r: Spread) => `${r.median.toFixed(3)} (spread ${r.min.toFixed(3)}–${r.max.toFixed(3)})`;
  const cold = result.coldStart;
  const capture = result.logCapture;
  const lines = [
    `emulator vs bare node:http, real handler bundle, autocannon -c 10 -p 1, ${result.rounds.length} interleaved rounds of ${result.durationSeconds} s` +
      ` (${result.pinned ? 'servers on CPU 0, generator on CPU 1' : 'unpinned'}, node ${result.node}, ${result.cpus} CPUs)`,
  ];
  for (const [i, round] of result.rounds.entries()) {
    lines.push(
      `  round ${i + 1}: bare ${Math.round(round.bareRps)} rps (${round.bareCpuUsPerRequest.toFixed(0)} µs CPU/req), ` +
        `in-process ${Math.round(round.inProcessRps)} rps (${round.inProcessCpuUsPerRequest.toFixed(0)} µs), ` +
        `emulator ${Math.round(round.emulatorRps)} rps (${round.emulatorCpuUsPerRequest.toFixed(0)} µs, ${round.emulatorFailures} failures); ` +
        `ratio ${round.ratio.toFixed(3)}, generator ${(round.generatorCpuShare * 100).toFixed(0)} % of a core`,
    );
  }
  lines.push(
    `G1 throughput emulator/bare: median ${range(result.throughputRatio)}; goal ≥ 0.25 must, ≥ 0.35 stretch`,
    `   ceiling in-process/bare (same handler, no isolation, no capture): ${range(result.inProcessRatio)}`,
    `   isolation + capture emulator/in-process: ${range(result.isolationRatio)}`,
    `G4 cold start: new environment → first response ${cold.emulatorMedianMs.toFixed(1)} ms vs node -e 0 ${cold.nodeMedianMs.toFixed(1)} ms` +
      ` = ${cold.ratio.toFixed(2)}× (goal ≤ 1.5× for process isolation); reported Init Duration median ${cold.initDurationMedianMs.toFixed(1)} ms`,
    `G5 log capture: ${capture.reports} REPORT lines and ${capture.handlerLines} handler lines for ${capture.responses} responses: ` +
      (capture.complete ? 'complete' : 'INCOMPLETE'),
  );
  return lines;
}

// --- server modes (run in child processes) -------------------------------------------------------------
async function serveEmulator(cdkOutDir: string, stackArtifactId: string, logDir: string): Promise<void> {
  const config = readAssembly({ cdkOutDir, stackArtifactId });
  // Throttling off: the stage's 100 rps default would measure the token bucket, not the emulator.
  const emulator = await startEmulator(config, { logDir, disableThrottling: true });
  process.stdout.write(`PORT ${emulator.port}\n`);
  process.once('SIGTERM', async () => {
    await emulator.close();
    process.exit(0);
  });
}

/** The handler bundle called in this process behind node:http, with the emulator's event and response mapping. */
async function serveInProcess(cdkOutDir: string, stackArtifactId: string): Promise<void> {
  const http = await import('node:http');
  const { buildProxyEvent, parseRequestTarget } = await import('../../harness/emulator/proxy-event.js');
  const { mapProxyResult } = await import('../../harness/emulator/proxy-response.js');
  const { newRequestId } = await import('../../harness/emulator/ids.js');
  const config = readAssembly({ cdkOutDir, stackArtifactId });
  const fn = config.function;
  Object.assign(process.env, fn.environment);
  const dot = fn.handler.lastIndexOf('.');
  const file = ['.mjs', '.js', '.cjs'].map((ext) => path.join(fn.codeDir, fn.handler.slice(0, dot) + ext)).find((f) => fs.existsSync(f))!;
  const handler = (await import(pathToFileURL(file).href))[fn.handler.slice(dot + 1)] as (event: unknown, context: unknown) => Promise<unknown>;
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
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

async function serveBare(body: string, contentType: string): Promise<void> {
  const http = await import('node:http');
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

if (process.argv[1] === THIS_FILE) {
  const args = process.argv.slice(2);
  if (args[0] === '--serve-emulator') await serveEmulator(args[1], args[2], args[3]);
  else if (args[0] === '--serve-bare') await serveBare(args[1], args[2]);
  else if (args[0] === '--serve-inprocess') await serveInProcess(args[1], args[2]);
  else {
    const result = await measureEmulator({
      quick: args.includes('--quick'),
      pin: args.includes('--unpinned') ? false : undefined,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else for (const line of formatEmulatorResult(result)) process.stdout.write(`${line}\n`);
  }
}
