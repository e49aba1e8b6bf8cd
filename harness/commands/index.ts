import type { Argv } from 'yargs';
import type { Command, CommandContext, CommandEntry } from './command.js';

/**
 * A list entry whose module is imported on first use: `harness query` must not pay for the AWS SDK, the
 * emulator, the load generator or the charts that other commands import (issue 17: CLI start-up).
 */
function lazy(
  command: string,
  describe: string,
  // biome-ignore lint/suspicious/noExplicitAny: each command types its own arguments
  importCommand: () => Promise<Command<any>>,
): CommandEntry {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  let loading: Promise<Command<any>> | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  let loaded: Command<any> | undefined;
  const load = () =>
    (loading ??= importCommand().then((module) => {
      loaded = module;
      return module;
    }));
  return {
    command,
    describe,
    load: async () => {
      await load();
    },
    // Synchronous once loaded: an async builder takes another path through yargs, where a command's own
    // fail handler no longer sees its validation errors (`bench --config missing.json` would exit 3, not 2).
    builder: (y: Argv) => (loaded ? loaded.builder(y) : load().then((module) => module.builder(y))),
    run: async (args: Record<string, unknown>, ctx: CommandContext) => (await load()).run(args, ctx),
  };
}

/**
 * The entry `argv` runs: the one named by its first word that is not a flag, which is where yargs looks
 * (the harness has no global option that takes a value); undefined for `--help` alone or an unknown name.
 */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const name = argv.find((word) => !word.startsWith('-'));
  return commands.find((entry) => entry.command.split(' ')[0] === name);
}

/** Every subcommand of `npm run harness`, in the order `--help` lists them. */
export const commands: readonly CommandEntry[] = [
  lazy(
    'bench',
    'deploy an ephemeral stack, load it, check latency SLOs, correlate with logs, report, destroy',
    async () => (await import('./bench.js')).benchCommand,
  ),
  lazy(
    'compare <base> <head>',
    'compare two saved bench reports (two sequential runs): per-metric intervals and a verdict, weaker than bench --compare',
    async () => (await import('./compare.js')).compareCommand,
  ),
  lazy(
    'pr-comment',
    'post a report as the one pull request comment this tool owns, updated in place on each push',
    async () => (await import('./pr-comment.js')).prCommentCommand,
  ),
  lazy(
    'pr-run-id',
    'print the run id for a pull request (or branch) and commit: pr-<number>-<sha7>',
    async () => (await import('./pr-run-id.js')).prRunIdCommand,
  ),
  lazy(
    'pr-stacks',
    "list the run ids of a pull request's stacks that still exist (rda-pr-<number>-*)",
    async () => (await import('./pr-stacks.js')).prStacksCommand,
  ),
  lazy(
    'deploy',
    'deploy a stack to AWS and keep it (prints its outputs and the destroy command)',
    async () => (await import('./deploy.js')).deployCommand,
  ),
  lazy(
    'destroy',
    "finish a run's cleanup: its AWS stack, or a killed local run's processes and files; verify nothing is left",
    async () => (await import('./destroy.js')).destroyCommand,
  ),
  lazy(
    'sweep',
    "destroy this tool's expired stacks (dry run unless --yes)",
    async () => (await import('./sweep.js')).sweepCommand,
  ),
  lazy(
    'query [query]',
    'run a Logs Insights query on the local log store or on AWS and print the rows',
    async () => (await import('./query.js')).queryCommand,
  ),
  lazy(
    'logs <action> <file>',
    'import logs saved with aws logs filter-log-events into a local log store (logs import FILE --log-dir DIR)',
    async () => (await import('./logs.js')).logsCommand,
  ),
  lazy(
    'local',
    'run the API locally (emulated API Gateway, Lambda and CloudWatch Logs) until Ctrl-C',
    async () => (await import('./local.js')).localCommand,
  ),
  lazy(
    'perf',
    'measure emulator, load generator, Insights engine and report against interleaved baselines; writes perf-<utc>.md',
    async () => (await import('./perf.js')).perfCommand,
  ),
];
