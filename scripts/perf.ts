/**
 * `npm run perf`: measures the whole product against its physical limits, each figure as a ratio to a
 * baseline measured interleaved in the same run (docs/measurement.md#npm-run-perf), prints a table and writes
 * `reports/perf-<utc>.md` + `.json`. A measurement, not a test: exit 0 whatever the figures say; 2 for a
 * bad flag or an unwritable `--out-dir`; 130/143/129 after SIGINT/SIGTERM/SIGHUP.
 *
 * @example
 * npm run perf -- --quick            # under 60 s: proves the command works, numbers are indicative
 * npm run perf -- --only G1,G9       # a subset
 * npm run perf                       # the full suite (several minutes)
 */
import fs from 'node:fs';
import path from 'node:path';
import { ExitCode, HarnessError, signalExitCode, UsageError } from '../harness/errors.js';
import { type PerfOptions, parsePerfArgs, USAGE } from './perf/args.js';
import { killDescendants, stopAllServers } from './perf/processes.js';
import { renderJson, renderMarkdown, renderTable, reportStem } from './perf/render.js';
import { removeWorkDir, runSuite } from './perf/suite.js';

const err = (line: string) => process.stderr.write(`${line}\n`);

function usageFailure(error: HarnessError): never {
  err(`error [${error.code}]: ${error.message}`);
  err('run with --help to see the flags');
  process.exit(ExitCode.Usage);
}

let options: PerfOptions;
try {
  options = parsePerfArgs(process.argv.slice(2));
} catch (error) {
  if (error instanceof HarnessError) usageFailure(error);
  throw error;
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(ExitCode.Pass);
}

/** Creates `dir` one level at a time: `mkdirSync(dir, { recursive: true })` never returned for `/proc/x` on Node 20.20. */
function makeDirectory(dir: string): void {
  if (fs.existsSync(dir)) return;
  makeDirectory(path.dirname(dir));
  fs.mkdirSync(dir);
}

// Checked before minutes of measuring, not after.
const outDir = path.resolve(options.outDir);
try {
  makeDirectory(outDir);
  fs.accessSync(outDir, fs.constants.W_OK);
  if (!fs.statSync(outDir).isDirectory()) throw new Error('not a directory');
} catch (error) {
  usageFailure(
    new UsageError('OutDirNotWritable', `--out-dir '${options.outDir}' cannot be written (${(error as Error).message}): give a writable directory`),
  );
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    err(`received ${signal}: stopping every server and load this run started`);
    // Servers first (a clean SIGTERM), then anything left below this process, by pid.
    const finish = () => {
      killDescendants();
      removeWorkDir();
      process.exit(signalExitCode(signal));
    };
    const force = setTimeout(finish, 3000);
    stopAllServers().finally(() => {
      clearTimeout(force);
      finish();
    });
  });
}

let report: Awaited<ReturnType<typeof runSuite>>;
try {
  report = await runSuite(options, (line) => err(`[perf] ${line}`));
} catch (error) {
  // Each figure already turns its own failure into a row; this is the suite itself failing (e.g. no temp
  // directory). Still exit 0: perf is a measurement and never fails CI, but say so loudly.
  err(`error [PerfSuiteFailed]: the perf suite could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopAllServers();
  killDescendants();
  removeWorkDir();
  process.exit(ExitCode.Pass);
}
process.stdout.write(`\n${renderTable(report.rows)}\n\n`);
const stem = path.join(outDir, reportStem(report.meta.startedAt));
fs.writeFileSync(`${stem}.md`, renderMarkdown(report));
fs.writeFileSync(`${stem}.json`, renderJson(report));
process.stdout.write(
  `${report.meta.pinning}\nwrote ${path.relative(process.cwd(), `${stem}.md`)} and .json (${report.meta.wallSeconds.toFixed(1)} s)\n`,
);
// Measurements never fail the command; autocannon and undici may leave sockets that would delay the exit.
process.exit(ExitCode.Pass);
