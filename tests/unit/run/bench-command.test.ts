import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../../harness/cli.js';
import { benchBuilder, createBenchCommand } from '../../../harness/commands/bench.js';
import type { CommandContext } from '../../../harness/commands/command.js';
import { ExitCode } from '../../../harness/errors.js';
import { type BenchArgs, parseBenchOptions } from '../../../harness/options.js';
import { FakeTarget } from '../../helpers/fake-target.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, ctx: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), isTty: false } };
}

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rda-bench-cmd-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Parses bench flags exactly as the CLI does. */
async function parseFlags(argv: string[]): Promise<BenchArgs> {
  return (await benchBuilder(yargs(argv)).exitProcess(false).fail((msg, error) => {
    throw error ?? new Error(msg);
  }).parseAsync()) as BenchArgs;
}

describe('bench flags', () => {
  it('reads every flag with its type, and repeated --slo as a list', async () => {
    const args = await parseFlags(['--rate', '50', '--duration', '3', '--slo', 'p50<=5ms', '--slo', 'errors<=1%', '--keep', '--run-id', 'abc']);
    expect(args).toMatchObject({ rate: 50, duration: 3, slo: ['p50<=5ms', 'errors<=1%'], keep: true, runId: 'abc', target: 'local' });
  });

  it('takes flag values from --config and lets flags override them', async () => {
    const dir = workspace();
    const file = path.join(dir, 'harness.config.json');
    writeFileSync(file, JSON.stringify({ rate: 12, slo: ['p99<=80ms'], 'report-dir': 'out' }));
    const args = await parseFlags(['--config', file, '--rate', '15']);
    const options = parseBenchOptions(args, { now: new Date(), env: {} });
    expect(options.load.rateRps).toBe(15);
    expect(options.slos.map((s) => s.text)).toEqual(['p99<=80ms']);
    expect(options.reportDir).toBe('out');
  });

  it('refuses an unknown flag (strict) with exit 2 before anything is deployed', async () => {
    const { err, ctx } = capture();
    expect(await main(['bench', '--rat', '5'], ctx)).toBe(ExitCode.Usage);
    expect(err.join('\n')).toMatch(/Unknown argument: rat/);
  });

  it('refuses an unknown SLO metric with exit 2 and the list of valid metrics', async () => {
    const { err, ctx } = capture();
    expect(await main(['bench', '--slo', 'p98<=5ms'], ctx)).toBe(ExitCode.Usage);
    expect(err.join('\n')).toMatch(/error \[UnknownSloMetric\]: slo 'p98<=5ms' names unknown metric 'p98': valid metrics are p50, p90/);
  });

  it('refuses an unreadable --config with exit 2', async () => {
    const { err, ctx } = capture();
    expect(await main(['bench', '--config', '/nonexistent/harness.config.json'], ctx)).toBe(ExitCode.Usage);
    expect(err.join('\n')).toMatch(/InvalidConfig|harness\.config\.json/);
  });
});

describe('bench command', () => {
  it('runs the pipeline on the target it is given and returns the exit code of the verdict', async () => {
    // Prepare
    const cwd = workspace();
    const target = new FakeTarget();
    const command = createBenchCommand(async () => target);
    const { out, ctx } = capture();
    const context: CommandContext = { ...ctx, signal: new AbortController().signal, env: {}, cwd };
    const args = await parseFlags(['--rate', '40', '--duration', '1', '--warmup', '0.2', '--run-id', 'cmd', '--logs-timeout', '2s']);

    // Act
    const code = await command.run(args, context);

    // Assess
    expect(code).toBe(ExitCode.Pass);
    expect(target.calls[0]).toBe('deploy');
    expect(target.calls.at(-1)).toBe('destroy');
    expect(out).toContain('phase deploy: started');
    expect(out.some((l) => /^phase load: done in \d+\.\d{3} s$/.test(l))).toBe(true);
    expect(out).toContain('verdict: PASS (exit 0)');
    const reportLine = out.find((l) => l.startsWith('report: '))!;
    expect(readFileSync(reportLine.slice('report: '.length), 'utf8')).toContain('**Verdict: PASS (exit 0)**');
  });
});
