/**
 * Options of `harness perf`: its flags, as yargs parsed them (commands/perf.ts declares them), turned into
 * what the suite runs. Pure: a bad value is a {@link UsageError} (exit 2) that quotes it and says what to
 * write instead.
 */
import { UsageError } from '../errors.js';
import { FIGURE_IDS, type FigureId } from './model.js';

/** The flags of `harness perf` after yargs (camel-case keys; numbers stay text until parsed here). */
export interface PerfArgs {
  readonly quick?: boolean;
  readonly only?: string;
  readonly rounds?: string;
  readonly reportDir?: string;
  readonly pin?: boolean;
}

/** What `harness perf` was asked to do. */
export interface PerfOptions {
  /** Short version: fewer rounds, shorter loads, 100k events only; under 60 s. @default false */
  readonly quick: boolean;
  /** Figure groups to run, in suite order. @default all of FIGURE_IDS */
  readonly only: readonly FigureId[];
  /** Interleaved rounds per figure, when given. @default 3 full, 2 quick (see plan.ts) */
  readonly rounds: number | undefined;
  /** Where perf-<utc>.md and .json are written. @default 'reports' */
  readonly reportDir: string;
  /** Pin servers and generator to separate CPUs when the machine allows it (docs/measurement.md#pinning). @default true */
  readonly pin: boolean;
}

/** Most rounds a run may ask for: 20 rounds of the full suite already take over an hour. */
export const MAX_ROUNDS = 20;

/** Where the reports go unless `--report-dir` says otherwise (as for `bench`). */
export const DEFAULT_REPORT_DIR = 'reports';

/** Turns parsed flags into options; throws UsageError on a value it cannot use. */
export function parsePerfOptions(args: PerfArgs): PerfOptions {
  const reportDir = args.reportDir ?? DEFAULT_REPORT_DIR;
  if (reportDir.trim() === '')
    throw new UsageError('InvalidOutDir', '--report-dir is empty: give a directory, e.g. --report-dir reports');
  return {
    quick: args.quick ?? false,
    only: args.only === undefined ? [...FIGURE_IDS] : parseOnly(args.only),
    rounds: args.rounds === undefined ? undefined : parseRounds(args.rounds),
    reportDir,
    pin: args.pin ?? true,
  };
}

/** Names for the figures people ask for by what they measure: `--only insights` is G9. */
const FIGURE_ALIASES = { insights: 'G9', report: 'G8' } as const satisfies Record<string, FigureId>;

/** `G1,g9, handler` → ['G9', 'G1', 'handler'] in suite order; unknown or empty names are usage errors. */
export function parseOnly(text: string): FigureId[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0)
    throw new UsageError('InvalidOnly', `--only '${text}' names no figure: give e.g. --only G1,G9`);
  const chosen = new Set<FigureId>();
  for (const name of names) {
    const id =
      FIGURE_IDS.find((known) => known.toLowerCase() === name.toLowerCase()) ??
      FIGURE_ALIASES[name.toLowerCase() as keyof typeof FIGURE_ALIASES];
    if (!id)
      throw new UsageError(
        'UnknownFigure',
        `--only names unknown figure '${name}': choose from ${FIGURE_IDS.join(', ')} (or ${Object.keys(FIGURE_ALIASES).join(', ')})`,
      );
    chosen.add(id);
  }
  return FIGURE_IDS.filter((id) => chosen.has(id));
}

function parseRounds(text: string): number {
  const rounds = Number(text);
  if (!/^\d+$/.test(text.trim()) || rounds < 1 || rounds > MAX_ROUNDS) {
    throw new UsageError('InvalidRounds', `--rounds '${text}' is not a whole number from 1 to ${MAX_ROUNDS}`);
  }
  return rounds;
}
