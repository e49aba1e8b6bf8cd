/**
 * Flags of `npm run perf`. Pure: argv in, options out; a bad flag is a {@link UsageError} (exit 2) that
 * names it and says what to write instead.
 */
import { UsageError } from '../../harness/errors.js';
import { FIGURE_IDS, type FigureId } from './model.js';

/** What `npm run perf` was asked to do. */
export interface PerfOptions {
  /** Short version: fewer rounds, shorter loads, 100k events only; under 60 s. @default false */
  readonly quick: boolean;
  /** Figure groups to run, in suite order. @default all of FIGURE_IDS */
  readonly only: readonly FigureId[];
  /** Interleaved rounds per figure, when given. @default 3 full, 2 quick (see plan.ts) */
  readonly rounds: number | undefined;
  /** Where perf-<utc>.md and .json are written. @default 'reports' */
  readonly outDir: string;
  readonly help: boolean;
}

/** Most rounds a run may ask for: 20 rounds of the full suite already take over an hour. */
export const MAX_ROUNDS = 20;

export const USAGE = `usage: npm run perf -- [--quick] [--only ${FIGURE_IDS.join(',')}] [--rounds N] [--out-dir DIR]

Measures the product against its physical limits, each figure as a ratio to a baseline measured
interleaved in the same run, and writes <out-dir>/perf-<utc>.md and .json. Never fails: exit 0
unless a flag is wrong (exit 2).

  --quick        short version (under 60 s): 2 rounds, shorter loads, 100k events only
  --only LIST    comma-separated figure groups, e.g. --only G1,G9 (default: all)
  --rounds N     interleaved rounds per figure, 1 to ${MAX_ROUNDS} (default 3, quick 2)
  --out-dir DIR  where the report files go (default reports)`;

/** Parses `argv` (after `npm run perf --`); throws UsageError on anything it does not know. */
export function parsePerfArgs(argv: readonly string[]): PerfOptions {
  let quick = false;
  let help = false;
  let only: FigureId[] = [...FIGURE_IDS];
  let rounds: number | undefined;
  let outDir = 'reports';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const takeValue = (): string => {
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError('MissingFlagValue', `${name} needs a value: see --help`);
      i++;
      return next;
    };
    const noValue = () => {
      if (eq !== -1) throw new UsageError('UnexpectedFlagValue', `${name} takes no value; got '${arg}'`);
    };
    switch (name) {
      case '--quick':
        noValue();
        quick = true;
        break;
      case '--help':
      case '-h':
        noValue();
        help = true;
        break;
      case '--only':
        only = parseOnly(takeValue());
        break;
      case '--rounds':
        rounds = parseRounds(takeValue());
        break;
      case '--out-dir': {
        const value = takeValue();
        if (value.trim() === '') throw new UsageError('InvalidOutDir', '--out-dir is empty: give a directory, e.g. --out-dir reports');
        outDir = value;
        break;
      }
      default:
        throw new UsageError(
          'UnknownFlag',
          `unknown ${arg.startsWith('-') ? 'flag' : 'argument'} '${arg}': use --quick, --only, --rounds, --out-dir or --help`,
        );
    }
  }
  return { quick, only, rounds, outDir, help };
}

/** `G1,g9, handler` → ['G9', 'G1', 'handler'] in suite order; unknown or empty names are usage errors. */
export function parseOnly(text: string): FigureId[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError('InvalidOnly', `--only '${text}' names no figure: give e.g. --only G1,G9`);
  const chosen = new Set<FigureId>();
  for (const name of names) {
    const id = FIGURE_IDS.find((known) => known.toLowerCase() === name.toLowerCase());
    if (!id) throw new UsageError('UnknownFigure', `--only names unknown figure '${name}': choose from ${FIGURE_IDS.join(', ')}`);
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
