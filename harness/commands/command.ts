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

/**
 * What one subcommand does: its yargs builder, and a run function that returns the exit code (cli.ts sets it).
 * Its name and one-line description live in the command list (index.ts), which loads this only when it runs.
 */
export interface Command<A = Record<string, unknown>> {
  builder(yargs: Argv): Argv;
  run(args: A, ctx: CommandContext): Promise<number>;
}

/**
 * A subcommand as `--help` lists it. Its module is imported by `load`, or by `builder` and `run` on first
 * use, so a command loads its dependencies (AWS SDK, emulator, load generator, charts) only when it runs.
 */
export interface CommandEntry {
  /** yargs command string, e.g. `query [query]`. */
  readonly command: string;
  readonly describe: string;
  /** Imports the command's module (once). */
  load(): Promise<void>;
  /** Synchronous once `load` has resolved, as yargs expects; before that, it loads first. */
  builder(yargs: Argv): Argv | Promise<Argv>;
  run(args: Record<string, unknown>, ctx: CommandContext): Promise<number>;
}
