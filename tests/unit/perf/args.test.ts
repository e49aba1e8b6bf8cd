import { describe, expect, it } from 'vitest';
import { ExitCode, UsageError } from '../../../harness/errors.js';
import { parseOnly, parsePerfArgs } from '../../../scripts/perf/args.js';
import { FIGURE_IDS } from '../../../scripts/perf/model.js';

function usageError(argv: string[]): UsageError {
  try {
    parsePerfArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`parsePerfArgs accepted ${JSON.stringify(argv)}`);
}

describe('parsePerfArgs', () => {
  it('runs every figure, full length, into reports/ by default', () => {
    expect(parsePerfArgs([])).toEqual({ quick: false, only: [...FIGURE_IDS], rounds: undefined, outDir: 'reports', help: false });
  });

  it('reads --quick, --rounds and --out-dir in both the spaced and the = form', () => {
    expect(parsePerfArgs(['--quick', '--rounds', '5', '--out-dir=/tmp/x'])).toMatchObject({ quick: true, rounds: 5, outDir: '/tmp/x' });
    expect(parsePerfArgs(['--rounds=1']).rounds).toBe(1);
  });

  it('selects figures case-insensitively and keeps the table order', () => {
    expect(parsePerfArgs(['--only', 'g9, G1,handler']).only).toEqual(['G1', 'G9', 'handler']);
    expect(parseOnly('overhead,G7,g7')).toEqual(['G7', 'overhead']);
  });

  it('rejects an unknown flag with exit code 2 and names it', () => {
    const error = usageError(['--quik']);
    expect(error.code).toBe('UnknownFlag');
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain("'--quik'");
  });

  it('rejects a stray positional argument', () => {
    expect(usageError(['G1']).message).toContain("unknown argument 'G1'");
  });

  it('rejects an unknown figure and lists the known ones', () => {
    const error = usageError(['--only', 'G1,G2']);
    expect(error.code).toBe('UnknownFigure');
    expect(error.message).toContain("'G2'");
    expect(error.message).toContain(FIGURE_IDS.join(', '));
  });

  it('rejects rounds that are not a whole number from 1 to 20', () => {
    for (const bad of ['0', '21', '2.5', 'three', '-1']) expect(usageError(['--rounds', bad]).code).toBe('InvalidRounds');
  });

  it('rejects a flag missing its value, an empty --only and a value on --quick', () => {
    expect(usageError(['--only']).code).toBe('MissingFlagValue');
    expect(usageError(['--rounds', '--quick']).code).toBe('MissingFlagValue');
    expect(usageError(['--only', ' , ']).code).toBe('InvalidOnly');
    expect(usageError(['--quick=yes']).code).toBe('UnexpectedFlagValue');
    expect(usageError(['--out-dir', ' ']).code).toBe('InvalidOutDir');
  });

  it('recognises --help and -h', () => {
    expect(parsePerfArgs(['--help']).help).toBe(true);
    expect(parsePerfArgs(['-h']).help).toBe(true);
  });
});
