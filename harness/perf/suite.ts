/**
 * The whole `npm run perf` run: each selected figure group measured in turn, each next to its baseline,
 * into table rows. A group that fails becomes an `error` row and the suite goes on: this is a measurement,
 * never a test. Loads target 127.0.0.1 only and every phase is bounded by its plan.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import type { DestinationStream } from 'pino';
import { median } from '../stats/spread.js';
import type { PerfOptions } from './args.js';
import {
  emulatorRows,
  errorRow,
  handlerRows,
  honestyRows,
  insightsRows,
  latencyRows,
  logCaptureRows,
  overheadRow,
  parseInsightsRounds,
  reportRow,
  startupRows,
} from './figures.js';
import {
  autocannonAtRate,
  harnessOpenLoop,
  harnessPeak,
  type LatencyRun,
  plainAutocannon,
  type ThroughputRun,
} from './loads.js';
import { countCapture } from './log-lines.js';
import { flagBusyRows, othersCores, sampleCpu } from './machine-share.js';
import { FIGURE_IDS, type FigureId, type PerfReport, type PerfRow } from './model.js';
import { planSuite, type SuitePlan } from './plan.js';
import {
  choosePlacement,
  type Placement,
  pinSelf,
  startServer,
  stopAllServers,
  tasksetAvailable,
} from './processes.js';
import { runInterleaved } from './schedule.js';
import { stallPercentileMs } from './stats.js';

// The request every HTTP figure sends: the real handler's uuid route, a ~100-byte JSON body.
const PATH = 'random/uuid';

interface Assembly {
  readonly outdir: string;
  readonly stackArtifactId: string;
}

interface Ctx {
  readonly plan: SuitePlan;
  readonly placement: Placement;
  readonly workDir: string;
  readonly log: (line: string) => void;
  assembly(): Promise<Assembly>;
  /** Median emulator rps of the G1 rounds, when G1 ran: G3 runs at half of it. */
  emulatorPeakRps?: number;
}

// The run's scratch directory (synthesized assembly, log stores), removed at the end or on a signal.
let currentWorkDir: string | undefined;

/** Removes the running suite's scratch directory now; for signal handlers, which skip `finally` blocks. */
export function removeWorkDir(): void {
  if (currentWorkDir) fs.rmSync(currentWorkDir, { recursive: true, force: true });
  currentWorkDir = undefined;
}

/**
 * Runs the selected figures; never throws for a failed measurement (it becomes an `error` row). Once
 * `signal` is aborted no further figure starts.
 */
export async function runSuite(
  options: PerfOptions,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<PerfReport> {
  const startedAt = new Date();
  const loadStart = os.loadavg()[0]!;
  const cpus = os.availableParallelism();
  const plan = planSuite(options.quick, options.rounds);
  const placement = choosePlacement(cpus, options.pin && tasksetAvailable(), options.pin);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-perf-'));
  currentWorkDir = workDir;
  let synth: Promise<Assembly> | undefined;
  const ctx: Ctx = {
    plan,
    placement,
    workDir,
    log,
    assembly: () => {
      synth ??= (async () => {
        log('synthesizing the stack (the emulator and the handler figures use its real bundle)');
        const { synthesize } = await import('../../stack/build-app.js');
        return synthesize({ outdir: path.join(workDir, 'cdk.out'), context: { runId: 'perf' } });
      })();
      return synth;
    },
  };
  const selected = new Set(options.only);
  const rows: PerfRow[] = [];
  const phase = async (ids: readonly FigureId[], name: string, run: () => Promise<PerfRow[]>) => {
    if (!ids.some((id) => selected.has(id)) || signal?.aborted) return;
    log(`${ids.join('/')}: ${name}`);
    const started = performance.now();
    const before = sampleCpu();
    try {
      const measured = await run();
      const after = sampleCpu();
      rows.push(...(before && after ? flagBusyRows(measured, othersCores(before, after), cpus) : measured));
    } catch (error) {
      rows.push(errorRow(ids.find((id) => selected.has(id)) ?? ids[0]!, name, error));
      log(`${ids.join('/')} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      await stopAllServers();
    }
    log(`${ids.join('/')}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  };

  log(`${placement.description}; ${options.quick ? 'quick' : 'full'} run, ${plan.rounds} rounds`);
  try {
    // Offline figures first, while this process's heap is still small (G9 samples its memory).
    await phase(['G9'], 'Insights engine vs bare loop', () => insightsPhase(ctx));
    await phase(['G8'], 'report generation', () => reportPhase(ctx));
    await phase(['handler'], 'handler bundle, cold import, warm invocation', () => handlerPhase(ctx));
    await phase(['cli'], 'CLI start-up: harness query and --help vs node -e 0', () => startupPhase(ctx));
    await phase(['G1', 'G4'], 'emulator throughput and cold start', () => emulatorPhase(ctx));
    await phase(['G3'], 'emulator added latency, open loop', () => latencyPhase(ctx));
    await phase(['G5'], 'log capture cost and completeness', () => capturePhase(ctx));
    await phase(['G7'], 'latency honesty and generator cost', () => honestyPhase(ctx));
    await phase(['overhead'], 'harness overhead of a local bench run', () => overheadPhase(ctx));
  } finally {
    pinSelf(placement, placement.allCpus);
    await stopAllServers();
    removeWorkDir();
  }

  const order = (row: PerfRow) => FIGURE_IDS.indexOf(row.id);
  const finishedAt = new Date();
  return {
    meta: {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      quick: options.quick,
      rounds: plan.rounds,
      selected: options.only,
      node: process.version,
      cpus,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
      loadAverage: [loadStart, os.loadavg()[0]!],
      pinning: placement.description,
      commit: gitCommit(),
    },
    // Stable sort: rows of one figure keep the order their builder gave them.
    rows: rows.filter((row) => selected.has(row.id)).sort((a, b) => order(a) - order(b)),
  };
}

function gitCommit(): string | undefined {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

// --- G9 ------------------------------------------------------------------------------------------------
async function insightsPhase(ctx: Ctx): Promise<PerfRow[]> {
  pinSelf(ctx.placement, ctx.placement.allCpus);
  const { runInsightsBenchmark } = await import('./insights.js');
  const lines: string[] = [];
  const report = await runInsightsBenchmark({
    rounds: ctx.plan.rounds,
    sizes: ctx.plan.insights.sizes,
    log: (line) => {
      lines.push(line);
      ctx.log(line);
    },
  });
  return insightsRows(report, parseInsightsRounds(lines));
}

// --- G8 ------------------------------------------------------------------------------------------------
async function reportPhase(ctx: Ctx): Promise<PerfRow[]> {
  pinSelf(ctx.placement, ctx.placement.allCpus);
  const { measureReportGeneration } = await import('./bench.js');
  const figures = await measureReportGeneration({ ...ctx.plan.report, rounds: ctx.plan.rounds });
  return [reportRow(figures)];
}

// --- handler -------------------------------------------------------------------------------------------
async function handlerPhase(ctx: Ctx): Promise<PerfRow[]> {
  pinSelf(ctx.placement, ctx.placement.allCpus);
  const { readAssembly } = await import('../emulator/assembly.js');
  const assembly = await ctx.assembly();
  const fn = readAssembly({ cdkOutDir: assembly.outdir, stackArtifactId: assembly.stackArtifactId }).function;
  const bundleFile = handlerFile(fn.codeDir, fn.handler);
  const bundleBytes = directoryBytes(fn.codeDir);

  const { coldImports, invocations } = ctx.plan.handler;
  ctx.log(`  ${coldImports} cold imports of ${path.basename(bundleFile)} interleaved with node -e 0`);
  const wall = (args: string[]) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, {
      cwd: fn.codeDir,
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '' },
    });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`'node ${args.join(' ')}' exited with ${result.status ?? result.signal}`);
    return ms;
  };
  const cold = await runInterleaved(coldImports, ['node', 'import'] as const, async (variant) =>
    variant === 'node' ? wall(['-e', '0']) : wall([bundleFile]),
  );

  ctx.log(`  ${ctx.plan.rounds} rounds of ${invocations} warm invocations, pino to a file vs to a null destination`);
  const warm = await warmInvocations(ctx, invocations);
  const coldStartRows = await handlerColdStart(ctx, fn.runtime, bundleFile, coldImports);
  const rows = handlerRows({
    bundleBytes,
    bundleFile: path.relative(ctx.workDir, bundleFile),
    importMs: cold.import,
    nodeMs: cold.node,
    realUs: warm.real,
    nullUs: warm.null,
    invocationsPerRound: invocations,
  });
  return [...rows, ...coldStartRows];
}

/** Import + first invoke of the real bundle vs minimal pino and Powertools handlers, on the runtime's Node.js (handler-cold.ts). */
async function handlerColdStart(ctx: Ctx, runtime: string, bundleFile: string, rounds: number): Promise<PerfRow[]> {
  const { resolveNodeRuntime } = await import('../emulator/node-runtime.js');
  const { HANDLER_BUNDLING } = await import('../../stack/random-data-stack.js');
  const cold = await import('./handler-cold.js');
  const node = resolveNodeRuntime(runtime);
  if (node.problem) ctx.log(`  ${node.problem}`);
  const minimal = await cold.buildMinimalHandlers(HANDLER_BUNDLING, path.join(ctx.workDir, 'handler-cold'));
  const bundles = { real: bundleFile, ...minimal };
  ctx.log(
    `  ${rounds} interleaved rounds of import + first invoke: real, minimal pino, Powertools (Node.js ${node.nodeVersion})`,
  );
  const runs = await cold.measureColdStarts({
    nodePath: node.nodePath,
    bundles,
    event: await uuidProxyEvent(),
    rounds,
    workDir: ctx.workDir,
  });
  const sizes = {
    real: cold.bundleSize(bundles.real),
    pino: cold.bundleSize(bundles.pino),
    powertools: cold.bundleSize(bundles.powertools),
  };
  return cold.handlerColdRows({
    runs,
    sizes,
    node: node.matches ? node.nodeVersion : `${node.nodeVersion} (NOT ${runtime})`,
  });
}

/** `index.handler` → the file Lambda would load from the code directory (.mjs, .js or .cjs). */
function handlerFile(codeDir: string, handler: string): string {
  const base = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of ['.mjs', '.js', '.cjs']) {
    const file = path.join(codeDir, base + ext);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`no file for handler '${handler}' in '${codeDir}'`);
}

function directoryBytes(dir: string): number {
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}

/** The API Gateway event of `GET /bench/random/uuid?count=1` that the handler figures invoke with. */
async function uuidProxyEvent() {
  const { buildProxyEvent, parseRequestTarget } = await import('../emulator/proxy-event.js');
  return buildProxyEvent({
    method: 'GET',
    target: parseRequestTarget(`/bench/${PATH}?count=1`, 'bench')!,
    rawHeaders: [
      'Host',
      '127.0.0.1',
      'User-Agent',
      'perf',
      'Accept',
      'application/json',
      'x-correlation-id',
      '6f1c2c1e-7a7e-4d57-9d2b-0c9f5c8a1b2c',
    ],
    body: null,
    sourceIp: '127.0.0.1',
    resourcePath: '/{proxy+}',
    resourceId: 'abc123',
    pathParameters: { proxy: PATH },
    requestId: 'c0ffee00-0000-4000-8000-000000000001',
    extendedRequestId: 'Abc=',
    requestTimeEpochMs: Date.now(),
    accountId: '123456789012',
    apiId: 'abcdefghij',
    deploymentId: 'dep123',
    stageName: 'bench',
    stageVariables: null,
    binaryMediaTypes: [],
  });
}

async function warmInvocations(ctx: Ctx, invocations: number): Promise<{ real: number[]; null: number[] }> {
  const { createHandler, createLogger, defaultDeps } = await import('../../handler/index.js');
  const { default: pino } = await import('pino');
  const logFile = path.join(ctx.workDir, 'handler-warm.log');
  const real = pino.destination({ dest: logFile, sync: true });
  const nothing: DestinationStream = { write: () => undefined };
  const handlers = {
    real: createHandler({ ...defaultDeps(), logger: createLogger({ destination: real, level: 'info' }) }),
    null: createHandler({ ...defaultDeps(), logger: createLogger({ destination: nothing, level: 'info' }) }),
  };
  const event = await uuidProxyEvent();
  const context = { awsRequestId: 'c0ffee00-0000-4000-8000-000000000002' } as Context;
  // Warm both up first so JIT compilation is out of every measured round.
  for (const h of Object.values(handlers))
    for (let i = 0; i < Math.min(5000, invocations); i++) await h(event, context);
  try {
    return await runInterleaved(ctx.plan.rounds, ['null', 'real'] as const, async (variant) => {
      const h = handlers[variant];
      const started = performance.now();
      for (let i = 0; i < invocations; i++) {
        const result = await h(event, context);
        if (result.statusCode !== 200)
          throw new Error(`handler answered ${result.statusCode}: ${result.body.slice(0, 200)}`);
      }
      return ((performance.now() - started) * 1000) / invocations;
    });
  } finally {
    real.destroy();
  }
}

// --- G1, G4 --------------------------------------------------------------------------------------------
async function emulatorPhase(ctx: Ctx): Promise<PerfRow[]> {
  pinSelf(ctx.placement, ctx.placement.generatorCpus);
  const { measureEmulator } = await import('./emulator.js');
  const result = await measureEmulator({
    rounds: ctx.plan.rounds,
    durationSeconds: ctx.plan.emulator.durationSeconds,
    warmupSeconds: ctx.plan.emulator.warmupSeconds,
    coldStarts: ctx.plan.emulator.coldStarts,
    connections: ctx.plan.connections,
    placement: ctx.placement,
    log: (line) => ctx.log(`  ${line}`),
  });
  ctx.emulatorPeakRps = median(result.rounds.map((r) => r.emulatorRps));
  return emulatorRows(result);
}

// --- G3 ------------------------------------------------------------------------------------------------
async function startEmulatorServer(ctx: Ctx, name: string, env: Record<string, string>) {
  const assembly = await ctx.assembly();
  const logDir = path.join(ctx.workDir, `logs-${name}`);
  fs.mkdirSync(logDir, { recursive: true });
  const server = await startServer(
    'emulator',
    [assembly.outdir, assembly.stackArtifactId, logDir, JSON.stringify(env)],
    ctx.placement,
  );
  return { server, logDir };
}

async function latencyPhase(ctx: Ctx): Promise<PerfRow[]> {
  const { plan } = ctx;
  const { server: emulator } = await startEmulatorServer(ctx, 'g3', {});
  pinSelf(ctx.placement, ctx.placement.generatorCpus);
  const probe = await fetch(emulator.baseUrl + PATH);
  const body = await probe.text();
  if (probe.status !== 200)
    throw new Error(`the emulator answered ${probe.status} to GET ${PATH}: ${body.slice(0, 200)}`);
  const bare = await startServer(
    'bare',
    [new URL(emulator.baseUrl).pathname, probe.headers.get('content-type') ?? 'application/json', body],
    ctx.placement,
  );

  // Closed loop first: starts the execution environments, so no cold start lands in a measured round
  // (or in the peak probe, which runs only when G1 did not measure the peak).
  await plainAutocannon(emulator.baseUrl + PATH, plan.connections, plan.latency.probeSeconds);
  const peakRps =
    ctx.emulatorPeakRps ??
    (await plainAutocannon(emulator.baseUrl + PATH, plan.connections, plan.latency.probeSeconds)).rps;
  const rateRps = Math.max(1, Math.round(peakRps / 2));
  const source =
    ctx.emulatorPeakRps === undefined ? `a ${plan.latency.probeSeconds}-s closed-loop probe` : 'the G1 rounds';
  ctx.log(`  emulator peak ${Math.round(peakRps)} rps (from ${source}); open loop at ${rateRps} rps`);
  const runs = await runInterleaved(plan.rounds, ['bare', 'emulator'] as const, async (variant) => {
    const run = await harnessOpenLoop((variant === 'bare' ? bare : emulator).baseUrl, PATH, {
      rateRps,
      warmupSeconds: plan.latency.warmupSeconds,
      durationSeconds: plan.latency.durationSeconds,
      connections: plan.connections,
    });
    ctx.log(
      `  ${variant}: p50 ${run.p50Ms.toFixed(3)} ms, p99 ${run.p99Ms.toFixed(3)} ms, generator ${Math.round(run.generatorCpuShare * 100)} %`,
    );
    return run;
  });
  const note =
    `open loop at ${rateRps} rps = half the emulator's peak of ${Math.round(peakRps)} rps (from ${source}), ` +
    `${plan.latency.durationSeconds} s after ${plan.latency.warmupSeconds} s warm-up, latency from each request's due time`;
  return latencyRows(runs.emulator, runs.bare, plan.latency.durationSeconds, note);
}

// --- G5 ------------------------------------------------------------------------------------------------
async function capturePhase(ctx: Ctx): Promise<PerfRow[]> {
  const { plan } = ctx;
  const logging = await startEmulatorServer(ctx, 'g5-logging', {});
  const silent = await startEmulatorServer(ctx, 'g5-silent', { LOG_LEVEL: 'silent' });
  pinSelf(ctx.placement, ctx.placement.generatorCpus);
  const url = (server: typeof logging) => server.server.baseUrl + PATH;
  let responses = (await plainAutocannon(url(logging), plan.connections, plan.capture.warmupSeconds)).responses;
  await plainAutocannon(url(silent), plan.connections, plan.capture.warmupSeconds);
  const runs = await runInterleaved(plan.rounds, ['silent', 'logging'] as const, async (variant) => {
    const run = await plainAutocannon(
      url(variant === 'logging' ? logging : silent),
      plan.connections,
      plan.capture.durationSeconds,
    );
    if (variant === 'logging') responses += run.responses;
    ctx.log(`  ${variant}: ${Math.round(run.rps)} rps, generator ${Math.round(run.generatorCpuShare * 100)} %`);
    return run;
  });
  // Stopped first, so every stream file is complete before it is counted.
  await logging.server.stop();
  await silent.server.stop();
  const capture = countCapture(readStreams(logging.logDir));
  const silentLines = countCapture(readStreams(silent.logDir)).handlerLines;
  const rows = logCaptureRows(runs.logging, runs.silent, capture, responses);
  if (silentLines > 0) {
    rows[0] = {
      ...rows[0]!,
      status: 'error',
      note: `LOG_LEVEL=silent did not silence the handler (${silentLines} lines): the baseline is wrong`,
    };
  }
  return rows;
}

function* readStreams(logDir: string): Generator<string> {
  for (const entry of fs.readdirSync(logDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ndjson'))
      yield fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
  }
}

// --- G7 ------------------------------------------------------------------------------------------------
async function honestyPhase(ctx: Ctx): Promise<PerfRow[]> {
  const { honesty, rounds, connections } = ctx.plan;
  const stall = await startServer('stall', [String(honesty.stallMs), String(honesty.periodMs)], ctx.placement);
  pinSelf(ctx.placement, ctx.placement.generatorCpus);
  const reference = stallPercentileMs(honesty.stallMs, honesty.periodMs, 0.99);
  const stallRuns = [];
  for (let round = 0; round < rounds; round++) {
    const run = await harnessOpenLoop(stall.baseUrl, '', {
      rateRps: honesty.rateRps,
      warmupSeconds: honesty.warmupSeconds,
      durationSeconds: honesty.durationSeconds,
      connections,
    });
    ctx.log(
      `  stalling server: p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms (analytic ${reference.toFixed(1)} ms), ` +
        `${Math.round(run.achievedRps)} of ${honesty.rateRps} req/s`,
    );
    stallRuns.push(run);
  }
  await stall.stop();

  const body = JSON.stringify({ id: '6f1c2c1e-7a7e-4d57-9d2b-0c9f5c8a1b2c', value: 0.123456789, path: `/${PATH}` });
  const bare = await startServer('bare', ['/bench/', 'application/json', body], ctx.placement);
  // One throw-away run so neither generator pays the server's first-connection costs.
  await plainAutocannon(bare.baseUrl + PATH, connections, Math.min(1, honesty.generatorSeconds));
  const generators = await runInterleaved(rounds, ['autocannon', 'harness'] as const, async (variant) => {
    const run =
      variant === 'autocannon'
        ? await plainAutocannon(bare.baseUrl + PATH, connections, honesty.generatorSeconds)
        : await harnessPeak(bare.baseUrl, PATH, connections, honesty.generatorSeconds);
    ctx.log(`  ${variant}: ${Math.round(run.rps)} rps, ${run.generatorCpuUsPerResponse.toFixed(1)} µs CPU/req`);
    return run;
  });
  // Issue 17: the open loop's CPU per request against autocannon -R at the same rate, then the rates it
  // should sustain on one core, each round saying whether the generator doubted its own timing.
  const openLoopAt = async (rateRps: number) => {
    const run = await harnessOpenLoop(bare.baseUrl, PATH, {
      rateRps,
      warmupSeconds: honesty.warmupSeconds,
      durationSeconds: honesty.generatorSeconds,
      connections,
    });
    const flags = run.generatorSignals.length > 0 ? `; flagged: ${run.generatorSignals.join('; ')}` : '';
    ctx.log(
      `  open loop ${rateRps}/s: ${Math.round(run.achievedRps)} achieved, p99 ${run.p99Ms.toFixed(2)} ms, ` +
        `${run.generatorCpuUsPerResponse.toFixed(1)} µs CPU/req${flags}`,
    );
    return run;
  };
  const openLoopCpu = await runInterleaved(rounds, ['autocannon -R', 'open loop'] as const, async (variant) => {
    if (variant === 'open loop') return openLoopAt(honesty.generatorRateRps);
    const run = await autocannonAtRate(
      bare.baseUrl + PATH,
      connections,
      honesty.generatorRateRps,
      honesty.generatorSeconds,
    );
    ctx.log(
      `  autocannon -R ${honesty.generatorRateRps}: ${Math.round(run.rps)} rps, ${run.generatorCpuUsPerResponse.toFixed(1)} µs CPU/req`,
    );
    return run;
  });
  const sustain = [];
  for (let round = 0; round < rounds; round++) {
    for (const rateRps of honesty.sustainRps) sustain.push(await openLoopAt(rateRps));
  }
  const stallNote =
    `${honesty.rateRps} req/s for ${honesty.durationSeconds} s after ${honesty.warmupSeconds} s warm-up, ${rounds} rounds, ` +
    `${connections} connections; analytic p99 = stall − 1 % × period = ${reference.toFixed(1)} ms (docs/measurement.md#coordinated-omission measured 96.7 ms)`;
  return honestyRows({
    stall: stallRuns,
    referenceP99Ms: reference,
    durationSeconds: honesty.durationSeconds,
    stallMs: honesty.stallMs,
    stallNote,
    harness: generators.harness,
    plain: generators.autocannon,
    openLoop: openLoopCpu['open loop'] as LatencyRun[],
    openLoopReference: openLoopCpu['autocannon -R'] as ThroughputRun[],
    sustain,
  });
}

// --- cli -----------------------------------------------------------------------------------------------
async function startupPhase(ctx: Ctx): Promise<PerfRow[]> {
  // Unpinned, as a user runs the CLI: tsx transforms in a second thread.
  pinSelf(ctx.placement, ctx.placement.allCpus);
  const { measureStartup, STARTUP_QUERY } = await import('./startup.js');
  const { rounds } = ctx.plan.startup;
  ctx.log(`  ${rounds} interleaved rounds of node -e 0, node --import tsx -e 0, harness query, harness --help`);
  const runs = await measureStartup({ rounds, workDir: ctx.workDir, log: (line) => ctx.log(`  ${line}`) });
  return startupRows(runs, STARTUP_QUERY);
}

// --- overhead ------------------------------------------------------------------------------------------
async function overheadPhase(ctx: Ctx): Promise<PerfRow[]> {
  // Unpinned: a bench run on one core would charge the emulator and the generator to each other.
  pinSelf(ctx.placement, ctx.placement.allCpus);
  const { measureBenchOverhead } = await import('./bench.js');
  const { durationSeconds, extraArgs } = ctx.plan.overhead;
  const figures = await measureBenchOverhead({ durationSeconds, extraArgs: [...extraArgs] });
  return [overheadRow(figures, extraArgs.length > 0 ? `quick run adds ${extraArgs.join(' ')}` : '')];
}
