import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import yargs from 'yargs';
import { main } from '../../../harness/cli.js';
import { perfBuilder } from '../../../harness/commands/perf.js';
import { ExitCode, UsageError } from '../../../harness/errors.js';
import { type PerfArgs, type PerfOptions, parseOnly, parsePerfOptions } from '../../../harness/perf/args.js';
import { FIGURE_IDS } from '../../../harness/perf/model.js';

/** Parses `harness perf` flags exactly as the CLI does, then into options. */
async function parse(argv: string[]): Promise<PerfOptions> {
  const args = (await perfBuilder(yargs(argv)).exitProcess(false).parseAsync()) as PerfArgs;
  return parsePerfOptions(args);
}

async function usageError(argv: string[]): Promise<UsageError> {
  try {
    await parse(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`perf accepted ${JSON.stringify(argv)}`);
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), isTty: false } };
}

describe('harness perf flags', () => {
  it('runs every figure, full length, pinned, into reports/ by default', async () => {
    expect(await parse([])).toEqual({
      quick: false,
      only: [...FIGURE_IDS],
      rounds: undefined,
      reportDir: 'reports',
      pin: true,
    });
  });

  it('reads --quick, --rounds, --report-dir (alias --out-dir) and --no-pin in both the spaced and the = form', async () => {
    expect(await parse(['--quick', '--rounds', '5', '--report-dir=/tmp/x', '--no-pin'])).toMatchObject({
      quick: true,
      rounds: 5,
      reportDir: '/tmp/x',
      pin: false,
    });
    expect((await parse(['--rounds=1'])).rounds).toBe(1);
    expect((await parse(['--out-dir', 'out'])).reportDir).toBe('out');
  });

  it('selects figures case-insensitively and keeps the table order', async () => {
    expect((await parse(['--only', 'g9, G1,handler'])).only).toEqual(['G1', 'G9', 'handler']);
    expect(parseOnly('overhead,G7,g7')).toEqual(['G7', 'overhead']);
    expect(parseOnly('insights, report')).toEqual(['G8', 'G9']);
  });

  it('rejects an unknown flag or a stray argument with exit code 2, as every harness command does', async () => {
    const error = await usageError(['--quik']);
    expect(error.code).toBe('InvalidArguments');
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.message).toContain('quik');
    expect((await usageError(['G1'])).message).toContain('G1');
  });

  it('rejects an unknown figure and lists the known ones', async () => {
    const error = await usageError(['--only', 'G1,G2']);
    expect(error.code).toBe('UnknownFigure');
    expect(error.message).toContain("'G2'");
    expect(error.message).toContain(FIGURE_IDS.join(', '));
  });

  it('rejects rounds that are not a whole number from 1 to 20', async () => {
    for (const bad of ['0', '21', '2.5', 'three', '-1'])
      expect((await usageError(['--rounds', bad])).code).toBe('InvalidRounds');
  });

  it('rejects an empty --only and an empty --report-dir', async () => {
    expect((await usageError(['--only', ' , '])).code).toBe('InvalidOnly');
    expect((await usageError(['--report-dir', ' '])).code).toBe('InvalidOutDir');
  });
});

describe('harness perf command', () => {
  it('stops on a bad flag with exit 2 before measuring anything', async () => {
    const { err, ctx } = capture();
    const code = await main(['perf', '--rounds', 'three'], ctx);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toEqual(["error [InvalidRounds]: --rounds 'three' is not a whole number from 1 to 20"]);
  });

  it('refuses a report directory it cannot write, before measuring anything', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rda-perf-args-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(path.join(dir, 'file'), '');
    const { err, ctx } = capture();
    const code = await main(['perf', '--only', 'G8', '--report-dir', 'file/sub'], { ...ctx, cwd: dir });
    expect(code).toBe(ExitCode.Usage);
    expect(err[0]).toMatch(/^error \[OutDirNotWritable\]: --report-dir 'file\/sub' cannot be written/);
  });
});
