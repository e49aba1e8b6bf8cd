#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { CommandContext } from './commands/command.js';
import { commands } from './commands/index.js';
import { ExitCode, HarnessError, UsageError, signalExitCode } from './errors.js';
import { currentCleanupHint } from './manifest.js';

const HANDLED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Parses `argv`, runs one subcommand, returns its exit code. It installs no process listeners (tests
 * call it directly); `runCli` wires signals to `partial.signal`.
 *
 * @example
 * process.exitCode = await main(['bench', '--duration', '10']);
 */
export async function main(argv: string[], partial: Partial<CommandContext> = {}): Promise<number> {
  const ctx: CommandContext = {
    signal: new AbortController().signal,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTty: Boolean(process.stdout.isTTY),
    env: process.env,
    cwd: process.cwd(),
    ...partial,
  };
  let exitCode: number = ExitCode.Pass;

  let parser = yargs(argv)
    .scriptName('harness')
    .strict()
    .demandCommand(1, 'name a command: see --help')
    .recommendCommands()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      // Throwing stops yargs before it runs the command: a bad flag must never start a deploy.
      throw new UsageError('InvalidArguments', `${msg}; run with --help to see the commands and flags`);
    });
  for (const command of commands) {
    parser = parser.command(command.command, command.describe, command.builder, async (args) => {
      exitCode = await command.run(args, ctx);
    });
  }

  try {
    await parser.parseAsync();
  } catch (error) {
    return reportError(error, ctx);
  }
  return exitCode;
}

function reportError(error: unknown, ctx: CommandContext): number {
  if (error instanceof HarnessError) {
    ctx.err(`error [${error.code}]: ${error.message}`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.err(`error [Unexpected]: ${message}`);
  if (error instanceof Error && error.stack) ctx.err(error.stack);
  return ExitCode.Infrastructure;
}

/** The process entry: wires SIGINT/SIGTERM/SIGHUP to an AbortController and sets process.exitCode. */
export async function runCli(argv: string[]): Promise<void> {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      // Second signal: the user wants out now; the command printed how to finish cleanup.
      process.stderr.write(`received ${signal} again: exiting now without waiting for cleanup\n`);
      const cleanupHint = currentCleanupHint();
      if (cleanupHint) process.stderr.write(`to finish the cleanup, run: ${cleanupHint}\n`);
      process.exit(signalExitCode(signal));
    }
    received = signal;
    process.stderr.write(`received ${signal}: stopping and cleaning up (send it again to exit at once)\n`);
    controller.abort(signal);
  };
  for (const signal of HANDLED_SIGNALS) process.on(signal, onSignal);
  const code = await main(argv, { signal: controller.signal });
  process.exitCode = received && code === ExitCode.Pass ? signalExitCode(received) : code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runCli(hideBin(process.argv));
}
