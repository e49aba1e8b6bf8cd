#!/usr/bin/env node
import { pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { CommandContext } from './commands/command.js';
import { commandNamed, commands } from './commands/index.js';
import { ExitCode, HarnessError, InfraError, signalExitCode, UsageError } from './errors.js';
import { installStopHandlers } from './signals.js';

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
    setCleanupHint: () => {},
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
    // Only the command being run is imported, before parsing, so that yargs calls its builder synchronously.
    await commandNamed(argv)?.load();
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

/**
 * The process entry. Signals and a vanished parent abort the command through {@link installStopHandlers};
 * an error that escapes every handler aborts it too (exit 3), so cleanup runs on every path; a reader that
 * went away (`| head`, a closed terminal) silences the output instead of killing the run.
 */
export async function runCli(argv: string[]): Promise<void> {
  const controller = new AbortController();
  let cleanupHint: string | undefined;
  const out = guardedWriter(process.stdout);
  const err = guardedWriter(process.stderr);
  let crashed = false;
  const stop = installStopHandlers({
    controller,
    say: err,
    cleanupHint: () => cleanupHint,
    exitCode: signalExitCode,
  });
  const onCrash = (error: unknown) => {
    crashed = true;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && error.stack) err(error.stack);
    stop.crash(new InfraError('Unexpected', `unexpected error: ${message}`, { cause: error }));
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  let code: number;
  try {
    code = await main(argv, {
      signal: controller.signal,
      out,
      err,
      setCleanupHint: (command) => {
        cleanupHint = command;
      },
    });
  } finally {
    stop.dispose();
  }
  const received = stop.received();
  if (received && code !== signalExitCode(received) && code === ExitCode.Pass) code = signalExitCode(received);
  if (crashed && (code === ExitCode.Pass || code === ExitCode.Fail || code === ExitCode.Inconclusive)) {
    code = ExitCode.Infrastructure;
  }
  process.exitCode = code;
}

/**
 * A line writer that never throws and never lets an `error` event go unhandled: EPIPE from a reader that
 * left and EIO from a closed terminal must not end a run before it has cleaned up. Once the stream has
 * failed, further lines are dropped.
 */
export function guardedWriter(stream: NodeJS.WritableStream): (line: string) => void {
  let broken = false;
  stream.on('error', () => {
    broken = true;
  });
  return (line) => {
    if (broken) return;
    try {
      stream.write(`${line}\n`);
    } catch {
      broken = true;
    }
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runCli(hideBin(process.argv));
}
