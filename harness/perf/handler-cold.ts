/**
 * Figure `handler`, cold start: import + first invoke of the real handler bundle against two minimal
 * handlers that log one line each, (b) with the handler's own pino setup (handler/logger.ts) and (c) with
 * the Powertools Logger, all bundled with the stack's esbuild settings and each run in a fresh process
 * on the Node.js major of the function's runtime. The real bundle is the one the stack synthesized.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BuildOptions, Format } from 'esbuild';
import { single, spreadOf } from '../stats/spread.js';
import { GOALS } from './figures.js';
import type { PerfRow } from './model.js';
import { runInterleaved } from './schedule.js';
import { pairwiseRatios } from './stats.js';
import { judge } from './verdict.js';

const PROJECT_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The three handlers compared, in schedule order. */
export const COLD_VARIANTS = ['real', 'pino', 'powertools'] as const;
export type ColdVariant = (typeof COLD_VARIANTS)[number];

/** The NodejsFunction `bundling` settings this module can reproduce with the esbuild API. */
export interface StackBundling {
  readonly minify?: boolean;
  readonly sourceMap?: boolean;
  readonly format?: string;
  readonly banner?: string;
  readonly target?: string;
  readonly externalModules?: readonly string[];
  readonly esbuildArgs?: Readonly<Record<string, string | boolean>>;
  readonly [other: string]: unknown;
}

// Settings that do not change the bundle's bytes.
const IGNORED_BUNDLING_KEYS = new Set(['forceDockerBundling', 'logLevel']);
const KNOWN_BUNDLING_KEYS = new Set([
  'minify',
  'sourceMap',
  'format',
  'banner',
  'target',
  'externalModules',
  'esbuildArgs',
]);

/**
 * The esbuild options CDK's NodejsFunction derives from `bundling` (it runs `esbuild --bundle --platform=node`
 * with them). Throws on a setting it does not translate, so the comparison handlers never silently
 * bundle differently from the function.
 */
export function esbuildOptionsOf(bundling: StackBundling): BuildOptions {
  const unknown = Object.keys(bundling).filter((k) => !KNOWN_BUNDLING_KEYS.has(k) && !IGNORED_BUNDLING_KEYS.has(k));
  if (unknown.length > 0)
    throw new Error(`handler-cold.ts does not translate bundling option(s) ${unknown.join(', ')}`);
  const alias: Record<string, string> = {};
  for (const [key, value] of Object.entries(bundling.esbuildArgs ?? {})) {
    const match = /^--alias:(.+)$/.exec(key);
    if (!match || typeof value !== 'string')
      throw new Error(`handler-cold.ts does not translate esbuild argument '${key}'`);
    alias[match[1]!] = value;
  }
  return {
    bundle: true,
    platform: 'node',
    format: (bundling.format ?? 'cjs') as Format,
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    target: bundling.target,
    external: [...(bundling.externalModules ?? [])],
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    alias,
    logLevel: 'warning',
  };
}

// Both minimal handlers log the same fields the real one does on a 200 (a subset of its line), once per invoke.
const MINIMAL_RESPONSE = "{ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{\"ok\":true}' }";
const MINIMAL_SOURCES: Record<Exclude<ColdVariant, 'real'>, string> = {
  pino: `import { createLogger } from ${JSON.stringify(path.join(PROJECT_ROOT, 'handler', 'logger.ts'))};
const logger = createLogger({ level: process.env.LOG_LEVEL });
let coldStart = true;
export const handler = async (event, context) => {
  logger.info({ awsRequestId: context.awsRequestId, coldStart, method: event.httpMethod, path: event.path, status: 200 }, 'request');
  coldStart = false;
  return ${MINIMAL_RESPONSE};
};
`,
  powertools: `import { Logger } from '@aws-lambda-powertools/logger';
const logger = new Logger({ logLevel: process.env.LOG_LEVEL || 'INFO' });
let coldStart = true;
export const handler = async (event, context) => {
  logger.info('request', { awsRequestId: context.awsRequestId, coldStart, method: event.httpMethod, path: event.path, status: 200 });
  coldStart = false;
  return ${MINIMAL_RESPONSE};
};
`,
};

/** Bundles the two minimal handlers into `outDir` with `bundling`; returns their files. */
export async function buildMinimalHandlers(
  bundling: StackBundling,
  outDir: string,
): Promise<Record<Exclude<ColdVariant, 'real'>, string>> {
  const { build } = await import('esbuild');
  const files = {} as Record<Exclude<ColdVariant, 'real'>, string>;
  for (const [name, contents] of Object.entries(MINIMAL_SOURCES) as [Exclude<ColdVariant, 'real'>, string][]) {
    const outfile = path.join(outDir, name, bundling.format === 'esm' ? 'index.mjs' : 'index.js');
    await build({
      ...esbuildOptionsOf(bundling),
      stdin: { contents, resolveDir: PROJECT_ROOT, sourcefile: `${name}-handler.ts`, loader: 'ts' },
      outfile,
    });
    files[name] = outfile;
  }
  return files;
}

/** Size of one bundle file. */
export interface BundleSize {
  readonly bytes: number;
  readonly gzipBytes: number;
}

export function bundleSize(file: string): BundleSize {
  const content = fs.readFileSync(file);
  return { bytes: content.length, gzipBytes: gzipSync(content).length };
}

// The child: nothing loaded before the clock starts but what the bundle needs (no ESM import of a builtin,
// whose namespace would load lazy parts: process.getBuiltinModule after the clock stops).
const DRIVER = `const [url, eventJson] = process.argv.slice(2);
const event = JSON.parse(eventJson);
const startNs = process.hrtime.bigint();
const startCpu = process.cpuUsage();
const { handler } = await import(url);
const result = await handler(event, { awsRequestId: 'cold-start', functionName: 'perf' });
const ms = Number(process.hrtime.bigint() - startNs) / 1e6;
const cpu = process.cpuUsage(startCpu);
process.getBuiltinModule('node:fs').writeSync(2, JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, status: result.statusCode }));
`;

/** One fresh-process measurement. */
export interface ColdRun {
  /** Wall time of import + first invoke, inside the child. */
  readonly ms: number;
  /** CPU time (user + system, all threads) of the same span. */
  readonly cpuMs: number;
}

/** Runs each bundle `rounds` times, interleaved, each in a fresh `nodePath` process. */
export async function measureColdStarts(options: {
  readonly nodePath: string;
  readonly bundles: Record<ColdVariant, string>;
  readonly event: unknown;
  readonly rounds: number;
  readonly workDir: string;
}): Promise<Record<ColdVariant, ColdRun[]>> {
  const driver = path.join(options.workDir, 'cold-driver.mjs');
  fs.writeFileSync(driver, DRIVER);
  const eventJson = JSON.stringify(options.event);
  return runInterleaved(options.rounds, COLD_VARIANTS, async (variant) => {
    const bundle = options.bundles[variant];
    const child = spawnSync(options.nodePath, [driver, pathToFileURL(bundle).href, eventJson], {
      cwd: path.dirname(bundle),
      encoding: 'utf8',
      // stdout is a pipe, as in Lambda; LOG_LEVEL unset: info, as deployed by default.
      env: { PATH: process.env.PATH ?? '' },
      timeout: 60_000,
    });
    const lines = child.stdout.split('\n').filter((line) => line.includes('"request"'));
    if (child.status !== 0 || lines.length !== 1) {
      throw new Error(
        `${variant} handler cold start exited ${child.status ?? child.signal} with ${lines.length} log lines: ${child.stderr.slice(0, 300)}`,
      );
    }
    const run = JSON.parse(child.stderr) as ColdRun & { status: number };
    if (run.status !== 200) throw new Error(`${variant} handler answered ${run.status} to its first invoke`);
    return { ms: run.ms, cpuMs: run.cpuMs };
  });
}

/** Rows of the cold-start comparison; the judged ones are real / Powertools (issue 17: ≤ 1.3×). */
export function handlerColdRows(input: {
  readonly runs: Record<ColdVariant, readonly ColdRun[]>;
  readonly sizes: Record<ColdVariant, BundleSize>;
  readonly node: string;
}): PerfRow[] {
  const { runs, sizes } = input;
  const ms = (v: ColdVariant) => runs[v].map((r) => r.ms);
  const cpu = (v: ColdVariant) => runs[v].map((r) => r.cpuMs);
  const timeRatio = spreadOf(pairwiseRatios(ms('real'), ms('powertools')));
  const cpuRatio = spreadOf(pairwiseRatios(cpu('real'), cpu('powertools')));
  const pinoRatio = spreadOf(pairwiseRatios(ms('pino'), ms('powertools')));
  const method = `${runs.real.length} interleaved rounds, each a fresh process on Node.js ${input.node}: time from before \`import\` of the bundle to the end of its first invoke (GET /random/uuid for the real handler; one log line each)`;
  const kib = (s: BundleSize) => `${s.bytes.toLocaleString('en-US')} B (gzip ${s.gzipBytes.toLocaleString('en-US')} B)`;
  const sizeRatio = single(sizes.real.bytes / sizes.powertools.bytes);
  return [
    {
      id: 'handler',
      name: 'handler import + first invoke / Powertools Logger handler',
      candidate: { label: 'real handler', unit: 'ms', spread: spreadOf(ms('real')) },
      baseline: { label: 'Powertools', unit: 'ms', spread: spreadOf(ms('powertools')) },
      comparison: { unit: '×', spread: timeRatio },
      goal: GOALS.handlerColdStart,
      status: judge({ comparison: timeRatio, goal: GOALS.handlerColdStart }),
      peer: { part: 'handler import + first invoke', peer: 'a Powertools Logger handler' },
      note: `${method}; wall time, sensitive to a busy machine (the CPU row below is steadier)`,
    },
    {
      id: 'handler',
      name: 'handler import + first invoke CPU / Powertools Logger handler',
      candidate: { label: 'real handler', unit: 'ms CPU', spread: spreadOf(cpu('real')) },
      baseline: { label: 'Powertools', unit: 'ms CPU', spread: spreadOf(cpu('powertools')) },
      comparison: { unit: '×', spread: cpuRatio },
      goal: GOALS.handlerColdStart,
      status: judge({ comparison: cpuRatio, goal: GOALS.handlerColdStart }),
      note: `same runs; user + system CPU of all the process's threads over the same span`,
    },
    {
      id: 'handler',
      name: 'minimal pino handler import + first invoke / Powertools',
      candidate: { label: 'pino, handler/logger.ts', unit: 'ms', spread: spreadOf(ms('pino')) },
      baseline: { label: 'Powertools', unit: 'ms', spread: spreadOf(ms('powertools')) },
      comparison: { unit: '×', spread: pinoRatio },
      status: judge({ comparison: pinoRatio }),
      note: `same runs; the logger's share of the real handler's cold start; CPU median ${spreadOf(cpu('pino')).median.toFixed(1)} ms vs ${spreadOf(cpu('powertools')).median.toFixed(1)} ms`,
    },
    {
      id: 'handler',
      name: 'handler bundle bytes / Powertools Logger handler',
      candidate: { label: 'real bundle', unit: 'bytes', spread: single(sizes.real.bytes) },
      baseline: { label: 'Powertools', unit: 'bytes', spread: single(sizes.powertools.bytes) },
      comparison: { unit: '×', spread: sizeRatio },
      status: 'info',
      note: `stack esbuild settings (minified ESM); real ${kib(sizes.real)}, minimal pino ${kib(sizes.pino)}, Powertools ${kib(sizes.powertools)}`,
    },
  ];
}
