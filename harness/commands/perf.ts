/**
 * `harness perf` (`npm run perf`): measures the whole product against its physical limits, each figure as a
 * ratio to a baseline measured interleaved in the same run (docs/measurement.md#npm-run-perf), prints a table
 * and writes `reports/perf-<utc>.md` + `.json`. A measurement, not a test: exit 0 whatever the figures say;
 * 2 for a bad flag or an unwritable `--report-dir`; 130/143/129 after SIGINT/SIGTERM/SIGHUP.
 *
 * @example
 * npm run perf -- --quick            # under 60 s: proves the command works, numbers are indicative
 * npm run perf -- --only G1,G9       # a subset
 * npm run perf                       # the full suite (several minutes)
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv, Options } from 'yargs';
import { abortError, ExitCode, HarnessError, UsageError } from '../errors.js';
import { DEFAULT_REPORT_DIR, MAX_ROUNDS, type PerfArgs, parsePerfOptions } from '../perf/args.js';
import { FIGURE_IDS } from '../perf/model.js';
import { DEFAULT_ROUNDS } from '../perf/plan.js';
import { killDescendants, stopAllServers } from '../perf/processes.js';
import { renderJson, renderMarkdown, renderTable, reportStem } from '../perf/render.js';
import { removeWorkDir, runSuite } from '../perf/suite.js';
import type { Command, CommandContext } from './command.js';

/** The flags of `perf`, each with its type, default and one sentence. */
export const PERF_FLAGS = {
  quick: {
    type: 'boolean',
    default: false,
    desc: `short version (under 60 s): ${DEFAULT_ROUNDS.quick} rounds, shorter loads, 100k events only; proves the suite works, the numbers are indicative`,
  },
  only: {
    type: 'string',
    defaultDescription: 'every figure',
    desc: `comma-separated figure groups to run, in any case, e.g. G1,G9; from ${FIGURE_IDS.join(', ')}`,
  },
  // A number declared as a string and parsed in perf/args.ts, so `--rounds abc` is quoted back as typed.
  rounds: {
    type: 'string',
    defaultDescription: `${DEFAULT_ROUNDS.full}, ${DEFAULT_ROUNDS.quick} with --quick`,
    desc: `interleaved rounds per figure, 1 to ${MAX_ROUNDS}`,
  },
  'report-dir': {
    type: 'string',
    alias: 'out-dir',
    default: DEFAULT_REPORT_DIR,
    desc: 'folder for perf-<utc>.md and .json (checked for writing before anything is measured)',
  },
  pin: {
    type: 'boolean',
    default: true,
    desc: 'with 2 or more CPUs and taskset, servers run on CPU 0 and the load generator on CPU 1; --no-pin lets them share every CPU',
  },
} as const satisfies Record<string, Options>;

/** Adds the perf flags to a yargs parser; its fail handler throws a UsageError (exit 2) before anything runs. */
export function perfBuilder(y: Argv): Argv {
  return y
    .options(PERF_FLAGS)
    .strict()
    .fail((message, error) => {
      if (error instanceof HarnessError) throw error;
      throw new UsageError('InvalidArguments', error?.message ?? message, { cause: error });
    });
}

/** Creates `dir` one level at a time: `mkdirSync(dir, { recursive: true })` never returned for `/proc/x` on Node 20.20. */
function makeDirectory(dir: string): void {
  if (fs.existsSync(dir)) return;
  makeDirectory(path.dirname(dir));
  fs.mkdirSync(dir);
}

/** Checked before minutes of measuring, not after. */
function writableDirectory(dir: string, asTyped: string): void {
  try {
    makeDirectory(dir);
    fs.accessSync(dir, fs.constants.W_OK);
    if (!fs.statSync(dir).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new UsageError(
      'OutDirNotWritable',
      `--report-dir '${asTyped}' cannot be written (${(error as Error).message}): give a writable directory`,
      { cause: error },
    );
  }
}

/** Stops every server and load this run started: servers first (a clean SIGTERM), then anything left, by pid. */
async function stopEverything(): Promise<void> {
  await Promise.race([stopAllServers(), sleep(3000)]);
  killDescendants();
  removeWorkDir();
}

async function runPerf(args: PerfArgs, ctx: CommandContext): Promise<number> {
  const options = parsePerfOptions(args);
  const reportDir = path.resolve(ctx.cwd, options.reportDir);
  writableDirectory(reportDir, options.reportDir);

  const suite = runSuite(options, (line) => ctx.err(`[perf] ${line}`), ctx.signal);
  const stopped = new Promise<'stopped'>((resolve) => {
    if (ctx.signal.aborted) resolve('stopped');
    ctx.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  let report: Awaited<typeof suite>;
  try {
    const first = await Promise.race([suite, stopped]);
    if (first === 'stopped') {
      ctx.err('stopping every server and load this run started');
      await stopEverything();
      // The figure under way fails fast once its servers are gone, and no other one starts.
      await Promise.race([suite.catch(() => undefined), sleep(3000)]);
      return abortError(ctx.signal).exitCode;
    }
    report = first;
  } catch (error) {
    // Each figure already turns its own failure into a row; this is the suite itself failing (e.g. no temp
    // directory). Still exit 0: perf is a measurement and never fails CI, but say so loudly.
    ctx.err(
      `error [PerfSuiteFailed]: the perf suite could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    await stopEverything();
    return ExitCode.Pass;
  }
  ctx.out('');
  ctx.out(renderTable(report.rows, report.meta.selected));
  ctx.out('');
  const stem = path.join(reportDir, reportStem(report.meta.startedAt));
  fs.writeFileSync(`${stem}.md`, renderMarkdown(report));
  fs.writeFileSync(`${stem}.json`, renderJson(report));
  ctx.out(report.meta.pinning);
  ctx.out(`wrote ${path.relative(ctx.cwd, `${stem}.md`)} and .json (${report.meta.wallSeconds.toFixed(1)} s)`);
  // Measurements never fail the command.
  return ExitCode.Pass;
}

/** `perf`: the benchmark suite, each figure next to its baseline, into a table and a report. */
export const perfCommand: Command<PerfArgs> = {
  builder: perfBuilder,
  run: runPerf,
};
