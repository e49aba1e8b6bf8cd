import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderComparisonJson, renderComparisonMarkdown, renderComparisonText } from '../compare/render.js';
import { compareSavedReports, DEFAULT_COMPARE_SEED, parseSavedReport, type SavedReport } from '../compare/saved.js';
import { DEFAULT_MAX_REGRESSION, formatMaxRegression, parseMaxRegression } from '../compare/tolerance.js';
import { verdictExitCode } from '../compare/verdict.js';
import { UsageError } from '../errors.js';
import type { Command } from './command.js';

interface CompareArgs {
  base: string;
  head: string;
  'max-regression'?: string;
  seed?: string;
  format: string;
  out?: string;
}

const FORMATS = ['table', 'markdown', 'json'] as const;
type CompareFormat = (typeof FORMATS)[number];

/**
 * `compare`: the comparison table of two saved bench reports (two sequential runs), labelled as weaker evidence
 * than an interleaved `bench --compare`. Exit 1 on a regression, 4 when inconclusive, else 0.
 *
 * @example
 * npm run harness -- compare reports/20250131T120501Z-local-a.json reports/20250131T121502Z-local-b.json
 */
export const compareCommand: Command<CompareArgs> = {
  builder: (y) =>
    y
      .positional('base', { type: 'string', demandOption: true, desc: 'the earlier (reference) run: a bench .json' })
      .positional('head', { type: 'string', demandOption: true, desc: 'the candidate run: a bench .json' })
      .option('max-regression', {
        type: 'string',
        desc: `slow-down of client latency accepted per statistic (default ${formatMaxRegression(DEFAULT_MAX_REGRESSION)})`,
      })
      // A string, parsed here, so a bad value is quoted back as typed.
      .option('seed', {
        type: 'string',
        desc: `bootstrap seed: the same files and seed give the same intervals (default ${DEFAULT_COMPARE_SEED})`,
      })
      .option('format', { type: 'string', default: 'table', desc: `output: ${FORMATS.join(', ')}` })
      .option('out', { type: 'string', desc: 'also write the markdown (the JSON with --format json) to this file' }),
  async run(args, ctx) {
    const format = parseFormat(args.format);
    const maxRegression =
      args['max-regression'] === undefined ? DEFAULT_MAX_REGRESSION : parseMaxRegression(args['max-regression']);
    const seed = parseSeed(args.seed);
    const base = await readSavedReport(path.resolve(ctx.cwd, args.base), args.base);
    const head = await readSavedReport(path.resolve(ctx.cwd, args.head), args.head);

    const comparison = compareSavedReports(base, head, { maxRegression, seed });

    const saved = format === 'json' ? renderComparisonJson(comparison) : renderComparisonMarkdown(comparison);
    if (args.out !== undefined) await writeOut(path.resolve(ctx.cwd, args.out), args.out, `${saved}\n`);
    ctx.out(format === 'table' ? renderComparisonText(comparison) : saved);
    // JSON on stdout stays parseable; the doubts still reach a person on stderr.
    if (format === 'json') for (const warning of comparison.warnings) ctx.err(`warning: ${warning}`);
    return verdictExitCode(comparison.verdict);
  },
};

function parseFormat(value: string): CompareFormat {
  if ((FORMATS as readonly string[]).includes(value)) return value as CompareFormat;
  throw new UsageError('UnknownFormat', `unknown --format '${value}': use ${FORMATS.join(', ')}`);
}

function parseSeed(text: string | undefined): number {
  if (text === undefined) return DEFAULT_COMPARE_SEED;
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : Number.NaN;
  // mulberry32 keeps 32 bits of seed: a larger one would silently repeat a smaller one's intervals.
  if (!Number.isSafeInteger(value) || value > 0xffff_ffff) {
    throw new UsageError('InvalidNumber', `--seed '${text}' is not a whole number from 0 to 4294967295, e.g. --seed 7`);
  }
  return value;
}

/** Reads and checks one saved report; `shown` is the path as the user typed it, for messages. */
async function readSavedReport(file: string, shown: string): Promise<SavedReport> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message;
    throw new UsageError(
      'ReportFileMissing',
      `cannot read report '${shown}': ${why}; give the .json of a bench report (e.g. reports/latest.json)`,
      { cause: error },
    );
  }
  return parseSavedReport(shown, text);
}

async function writeOut(file: string, shown: string, text: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  } catch (error) {
    throw new UsageError('OutDirNotWritable', `cannot write --out '${shown}': ${(error as Error).message}`, {
      cause: error,
    });
  }
}
