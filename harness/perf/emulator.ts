/**
 * Benchmark of the local emulator (docs/measurement.md#interleaved-rounds, #perf-goals G1, G4, G5): throughput of the emulator
 * running the REAL handler bundle with log capture, as a ratio to a bare `node:http` server returning the
 * same body, measured interleaved (bare, emulator, bare, emulator, ...) with autocannon `-c 10 -p 1`; and the
 * cold-start wall time of a new execution environment against `node -e 0`. Not a test.
 *
 * Run by `harness perf --only G1,G4` (suite.ts); `--no-pin` lets servers and generator share every core.
 * The servers are servers.ts children started through processes.ts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { readAssembly } from '../emulator/assembly.js';
import { startEmulator } from '../emulator/emulator.js';
import { resolveNodeRuntime } from '../emulator/node-runtime.js';
import { median, type Spread, spreadOf } from '../stats/spread.js';
import { type Placement, pinSelf, type ServerHandle, startServer } from './processes.js';

// The page autocannon requests, under each server's base URL: a small JSON body from the real handler (one pino line per request).
const PAGE = 'random/uuid';

export interface MeasureEmulatorOptions {
  /** Where servers and the generator run (docs/measurement.md#pinning): processes.ts choosePlacement. */
  readonly placement: Placement;
  /** @default 3 */
  readonly rounds?: number;
  /** Length of each measured run. @default 10 */
  readonly durationSeconds?: number;
  /** @default 2 */
  readonly warmupSeconds?: number;
  /** @default 10 */
  readonly connections?: number;
  /** @default 15 */
  readonly coldStarts?: number;
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
  /** The emulator process alone (API Gateway, the frame protocol, the log store), µs per response. */
  readonly emulatorParentCpuUsPerRequest: number;
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
  readonly logCapture: {
    readonly responses: number;
    readonly reports: number;
    readonly handlerLines: number;
    readonly complete: boolean;
  };
}

/** Runs the whole measurement; see the module comment. */
export async function measureEmulator(options: MeasureEmulatorOptions): Promise<EmulatorPerfResult> {
  const { placement } = options;
  const rounds = options.rounds ?? 3;
  const durationSeconds = options.durationSeconds ?? 10;
  const warmupSeconds = options.warmupSeconds ?? 2;
  const connections = options.connections ?? 10;
  const coldStarts = options.coldStarts ?? 15;
  const log = options.log ?? (() => {});
  const cpus = os.availableParallelism();

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-perf-emulator-'));
  const servers: ServerHandle[] = [];
  try {
    log('synthesizing the stack');
    const { synthesize } = await import('../../stack/build-app.js');
    const synth = await synthesize({ outdir: path.join(work, 'cdk.out'), context: { runId: 'perf' } });
    const logDir = path.join(work, 'logs');
    fs.mkdirSync(logDir);
    pinSelf(placement, placement.generatorCpus);

    const emulator = await startServer('emulator', [synth.outdir, synth.stackArtifactId, logDir, '{}'], placement);
    servers.push(emulator);
    const probe = await fetch(emulator.baseUrl + PAGE);
    const body = await probe.text();
    const contentType = probe.headers.get('content-type') ?? 'application/json';
    let responses = 1;
    const basePath = new URL(emulator.baseUrl).pathname;
    const bare = await startServer('bare', [basePath, contentType, body], placement);
    servers.push(bare);
    const inProcess = await startServer('inprocess', [synth.outdir, synth.stackArtifactId], placement);
    servers.push(inProcess);

    log(`warming up ${warmupSeconds} s each`);
    await load(bare, connections, warmupSeconds);
    await load(inProcess, connections, warmupSeconds);
    responses += (await load(emulator, connections, warmupSeconds)).responses;

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
        emulatorParentCpuUsPerRequest: e.parentCpuUsPerRequest,
        bareCpuUsPerRequest: b.cpuUsPerRequest,
        inProcessCpuUsPerRequest: i.cpuUsPerRequest,
        emulatorFailures: e.failures,
        generatorCpuShare: e.generatorCpuShare,
      };
      results.push(result);
      log(
        `round ${round}: bare ${Math.round(b.rps)}, in-process ${Math.round(i.rps)}, emulator ${Math.round(e.rps)} rps; ratio ${result.ratio.toFixed(3)}`,
      );
    }

    // Stopped first, so every stream file is complete before it is counted.
    for (const server of servers) await server.stop();
    const capture = countCaptured(logDir);

    log(`measuring ${coldStarts} cold starts`);
    const coldStart = await measureColdStarts(
      synth.outdir,
      synth.stackArtifactId,
      path.join(work, 'cold-logs'),
      coldStarts,
    );

    return {
      node: process.version,
      cpus,
      pinned: placement.pinned,
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
    await Promise.all(servers.map((server) => server.stop()));
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function load(server: ServerHandle, connections: number, seconds: number) {
  const result = await autocannon({ url: server.baseUrl + PAGE, connections, pipelining: 1, duration: seconds });
  return {
    responses: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
    seconds: result.duration,
  };
}

async function measured(server: ServerHandle, connections: number, seconds: number) {
  const cpuBefore = treeCpuTicks(server.pid);
  const parentBefore = processCpuTicks(server.pid);
  const generatorBefore = process.cpuUsage();
  const started = performance.now();
  const result = await load(server, connections, seconds);
  const wallSeconds = (performance.now() - started) / 1000;
  const generator = process.cpuUsage(generatorBefore);
  const cpuTicks = treeCpuTicks(server.pid) - cpuBefore;
  const parentTicks = processCpuTicks(server.pid) - parentBefore;
  const ticksPerSecond = 100;
  return {
    rps: result.responses / result.seconds,
    responses: result.responses,
    failures: result.failures,
    cpuUsPerRequest: (cpuTicks / ticksPerSecond / result.responses) * 1e6,
    parentCpuUsPerRequest: (parentTicks / ticksPerSecond / result.responses) * 1e6,
    generatorCpuShare: (generator.user + generator.system) / 1e6 / wallSeconds,
  };
}

/** utime + stime (clock ticks) of one process (its threads, not its children), from /proc; 0 once it is gone. */
function processCpuTicks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
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

/**
 * New environment → first response, interleaved with `node -e 0` on the binary the function runs on (its
 * runtime's Node.js major, which starts slower or faster than the host's); both on this process's CPU.
 */
async function measureColdStarts(cdkOutDir: string, stackArtifactId: string, logDir: string, count: number) {
  const config = readAssembly({ cdkOutDir, stackArtifactId });
  const { nodePath } = resolveNodeRuntime(config.function.runtime);
  const emulatorMs: number[] = [];
  const nodeMs: number[] = [];
  const initMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    spawnSync(nodePath, ['-e', '0'], { stdio: 'ignore' });
    nodeMs.push(performance.now() - t0);

    const dir = path.join(logDir, String(i));
    const emulator = await startEmulator(config, { logDir: dir, disableThrottling: true });
    try {
      const t1 = performance.now();
      const response = await fetch(emulator.baseUrl + PAGE);
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
  return {
    emulatorMedianMs,
    nodeMedianMs,
    ratio: emulatorMedianMs / nodeMedianMs,
    initDurationMedianMs: median(initMs),
  };
}

function readAll(dir: string): string {
  let text = '';
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) text += fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return text;
}
