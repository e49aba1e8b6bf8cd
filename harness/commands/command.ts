import type { Argv } from 'yargs';

/** What every command gets from `cli.ts`: where to print, and the signal that SIGINT/SIGTERM/SIGHUP abort. */
export interface CommandContext {
  readonly signal: AbortSignal;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** True when stdout is a terminal (live progress lines); false in CI and tests. */
  readonly isTty: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /**
   * Names the command that finishes the current run's cleanup by hand (undefined once nothing is left to
   * clean): cli.ts prints it when a second Ctrl-C cuts the cleanup short.
   */
  readonly setCleanupHint: (command: string | undefined) => void;
}

/** One subcommand: yargs builder plus a run function that returns the exit code (cli.ts sets it). */
export interface Command<A = Record<string, unknown>> {
  readonly command: string;
  readonly describe: string;
  builder(yargs: Argv): Argv;
  run(args: A, ctx: CommandContext): Promise<number>;
}
