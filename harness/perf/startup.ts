/**
 * `npm run perf -- --only cli` (issue 17: CLI start-up ≤ 0.3 s over `node -e 0`): how long the harness takes
 * to start and answer, as a user runs it. Each round spawns, interleaved (schedule.ts):
 * - `node -e 0`, the floor of any Node process;
 * - `node --import tsx -e 0`, the floor of any command run from TypeScript without a build step (the
 *   README's quick start), which every `npm run harness` pays before its first line runs;
 * - `harness query 'stats count(*)'` on an empty local log store;
 * - `harness --help`.
 * For each: the wall time of the whole process, and its CPU time (user + system, all threads: tsx transforms
 * in a loader thread), read from this process's reaped-children counters in /proc/self/stat (Linux).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { groupDirPath } from '../logstore/store.js';
import { runInterleaved } from './schedule.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'harness/cli.ts');

/** The processes measured in each round. */
export const STARTUP_VARIANTS = ['node', 'tsx', 'query', 'help'] as const;
export type StartupVariant = (typeof STARTUP_VARIANTS)[number];

/** The log group the empty store holds: a folder without streams, which `query` reads as no events. */
const EMPTY_GROUP = '/aws/lambda/empty';
/** The query asked of the empty store: it parses, compiles and scans, and finds nothing. */
export const STARTUP_QUERY = 'stats count(*)';

/** One spawned process. */
export interface StartupRun {
  readonly wallMs: number;
  /** User + system CPU of the process and its threads; NaN where /proc/self/stat does not exist. */
  readonly cpuMs: number;
}

/** Per variant, one run per round (index = round). */
export type StartupRounds = Record<StartupVariant, StartupRun[]>;

/** The argv after `node` of each variant; `logDir` is the empty store. */
export function startupArgs(variant: StartupVariant, logDir: string): string[] {
  switch (variant) {
    case 'node':
      return ['-e', '0'];
    case 'tsx':
      return ['--import', 'tsx', '-e', '0'];
    case 'query':
      return ['--import', 'tsx', CLI, 'query', '--log-dir', logDir, STARTUP_QUERY];
    case 'help':
      return ['--import', 'tsx', CLI, '--help'];
  }
}

/**
 * CPU ticks this process's reaped children have used, from the text of /proc/self/stat (fields 16 cutime
 * and 17 cstime, counted after the command name, which may hold spaces). Pure.
 */
export function childCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  return Number(fields[13]) + Number(fields[14]);
}

function readChildCpuTicks(): number {
  try {
    return childCpuTicks(fs.readFileSync('/proc/self/stat', 'utf8'));
  } catch {
    return Number.NaN;
  }
}

/** Clock ticks per second of the /proc counters (USER_HZ, 100 on Linux). */
function ticksPerSecond(): number {
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return result.status === 0 && value > 0 ? value : 100;
}

/**
 * Spawns `node ...args` from the project folder (where `--import tsx` resolves) and waits for it. spawnSync
 * blocks this event loop, so no other child is reaped between the two counter readings.
 */
function runOnce(args: readonly string[], hz: number): StartupRun {
  const ticksBefore = readChildCpuTicks();
  const started = performance.now();
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: process.env,
  });
  const wallMs = performance.now() - started;
  const cpuMs = ((readChildCpuTicks() - ticksBefore) * 1000) / hz;
  if (result.status !== 0) {
    const stderr = result.stderr?.toString().trim().split('\n').slice(-3).join(' | ') ?? '';
    throw new Error(`'node ${args.join(' ')}' exited with ${result.status ?? result.signal}: ${stderr}`);
  }
  return { wallMs, cpuMs };
}

/**
 * Measures every variant `rounds` times, interleaved, after one unmeasured run of each (it fills tsx's
 * transform cache and the page cache: a first run after editing a file pays the compile). `workDir` gets
 * the empty log store.
 */
export async function measureStartup(options: {
  readonly rounds: number;
  readonly workDir: string;
  readonly log?: (line: string) => void;
}): Promise<StartupRounds> {
  const logDir = path.join(options.workDir, 'logs-cli-empty');
  fs.mkdirSync(groupDirPath(logDir, EMPTY_GROUP), { recursive: true });
  const hz = ticksPerSecond();
  for (const variant of STARTUP_VARIANTS) runOnce(startupArgs(variant, logDir), hz);
  return runInterleaved(options.rounds, STARTUP_VARIANTS, async (variant, round) => {
    const run = runOnce(startupArgs(variant, logDir), hz);
    options.log?.(
      `round ${round + 1} ${variant}: wall ${run.wallMs.toFixed(0)} ms, CPU ${Number.isFinite(run.cpuMs) ? `${run.cpuMs.toFixed(0)} ms` : 'unknown'}`,
    );
    return run;
  });
}
