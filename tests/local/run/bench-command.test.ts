import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import yargs from 'yargs';
import { main } from '../../../harness/cli.js';
import { benchBuilder, createBenchCommand, verdictDetails } from '../../../harness/commands/bench.js';
import type { CommandContext } from '../../../harness/commands/command.js';
import { ExitCode } from '../../../harness/errors.js';
import { type BenchArgs, parseBenchOptions } from '../../../harness/options.js';
import type { SloView } from '../../../harness/report/model.js';
import { FakeTarget } from '../../helpers/fake-target.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const hints: (string | undefined)[] = [];
  const ctx = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    isTty: false,
    setCleanupHint: (h: string | undefined) => hints.push(h),
  };
  return { out, err, hints, ctx };
}

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rda-bench-cmd-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Parses bench flags exactly as the CLI does. */
async function parseFlags(argv: string[]): Promise<BenchArgs> {
  return (await benchBuilder(yargs(argv))
    .exitProcess(false)
    .fail((msg, error) => {
      throw error ?? new Error(msg);
    })
    .parseAsync()) as BenchArgs;
}

describe('bench flags', () => {
  it('reads every flag with its type, and repeated --slo as a list', async () => {
    const args = await parseFlags([
      '--rate',
      '50',
      '--duration',
      '3',
      '--slo',
      'p50<=5ms',
      '--slo',
      'errors<=1%',
      '--keep',
      '--run-id',
      'abc',
    ]);
    // Numbers stay text until options.ts parses them, so its messages can quote them as typed.
    expect(args).toMatchObject({
      rate: '50',
      duration: '3',
      slo: ['p50<=5ms', 'errors<=1%'],
      keep: true,
      runId: 'abc',
      target: 'local',
    });
    expect(args.defaultSlos).toBe(true);
    expect((await parseFlags(['--no-default-slos', '--slo', 'p99<=1s'])).defaultSlos).toBe(false);
  });

  it.each([
    [['--rate', 'abc'], "error [InvalidNumber]: --rate 'abc' is not a number: give digits, e.g. --rate 50"],
    [['--ttl', '5s'], "error [OutOfRange]: --ttl '5s' is out of range: give a duration from 1m to 7d, e.g. 2h"],
    [
      ['--mix', 'int=abc'],
      "error [InvalidMix]: --mix 'int=abc': weight 'abc' of 'int' is not a whole number from 1 to 1000: write e.g. int=3",
    ],
    [['--connections', '2.5'], "error [OutOfRange]: --connections '2.5' must be a whole number"],
  ])('quotes %j back as typed, with exit 2', async (flags, message) => {
    // Prepare
    const { err, ctx } = capture();

    // Act
    const code = await main(['bench', ...flags], { ...ctx, cwd: workspace() });

    // Assess
    expect(code).toBe(ExitCode.Usage);
    expect(err).toEqual([message]);
  });

  it('takes flag values from --config and lets flags override them', async () => {
    const dir = workspace();
    const file = path.join(dir, 'harness.config.json');
    writeFileSync(file, JSON.stringify({ rate: 12, slo: ['p99<=80ms'], 'report-dir': 'out' }));
    const args = await parseFlags(['--config', file, '--rate', '15']);
    const options = parseBenchOptions(args, { now: new Date(), env: {} });
    expect(options.load.rateRps).toBe(15);
    expect(options.slos.map((s) => s.text)).toEqual(['p50<=50ms', 'p99<=80ms', 'errors<=0.1%', 'coverage>=100%']);
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
    expect(err.join('\n')).toMatch(
      /error \[UnknownSloMetric\]: slo 'p98<=5ms' names unknown metric 'p98': valid metrics are p50, p90/,
    );
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
    // Only SLOs that do not depend on this machine's speed: a busy machine makes latency ones inconclusive.
    const args = await parseFlags([
      '--rate',
      '40',
      '--duration',
      '1',
      '--warmup',
      '0.2',
      '--run-id',
      'cmd',
      '--logs-timeout',
      '2s',
      '--no-default-slos',
      '--slo',
      'errors<=0%',
      '--slo',
      'coverage>=100%',
    ]);

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

describe('bench context', () => {
  it("synthesizes with the cwd's cdk.json context and -c over it, and reports each setting's source", async () => {
    // Prepare: the project's cdk.json sets 128 MB and a log level; -c sets reserved concurrency.
    const cwd = workspace();
    writeFileSync(path.join(cwd, 'cdk.json'), JSON.stringify({ context: { memorySizeMb: 128, logLevel: 'warn' } }));
    const target = new FakeTarget();
    const command = createBenchCommand(async () => target);
    const { out, ctx } = capture();
    const context: CommandContext = { ...ctx, signal: new AbortController().signal, env: {}, cwd };
    const args = await parseFlags([
      ...['--rate', '40', '--duration', '1', '--warmup', '0.2', '--run-id', 'ctx', '--logs-timeout', '2s'],
      ...['--no-default-slos', '--slo', 'errors<=0%', '-c', 'logLevel=debug', '--context', 'reservedConcurrency=5'],
    ]);
    // Act
    await command.run(args, context);
    // Assess: the deploy got the resolved context, and the JSON report says where each value came from.
    expect(target.deployOptions?.context).toMatchObject({
      memorySizeMb: 128,
      logLevel: 'debug',
      reservedConcurrency: '5',
    });
    const reportPath = out.find((l) => l.startsWith('report: '))!.slice('report: '.length);
    const json = JSON.parse(readFileSync(reportPath.replace(/\.md$/, '.json'), 'utf8'));
    expect(json.run.settings).toEqual(
      expect.arrayContaining([
        { key: 'memorySizeMb', value: 128, source: 'cdk.json' },
        { key: 'logLevel', value: 'debug', source: '-c' },
        { key: 'reservedConcurrency', value: '5', source: '-c' },
        { key: 'timeoutSeconds', value: 10, source: 'default' },
      ]),
    );
  });

  it('stops with exit 2 before deploying when cdk.json is not JSON, naming the file', async () => {
    const cwd = workspace();
    writeFileSync(path.join(cwd, 'cdk.json'), '{"context": ');
    const { err, ctx } = capture();
    const code = await main(['bench', '--run-id', 'bad'], { ...ctx, cwd, env: {} });
    expect(code).toBe(ExitCode.Usage);
    expect(err.join('\n')).toContain(`error [ContextFileInvalid]: ${path.join(cwd, 'cdk.json')} is not valid JSON`);
  });
});

describe('bench verdict lines', () => {
  it('prints each failed SLO with its measured value and threshold under a FAIL', async () => {
    // Prepare: every response is a 500, so the errors SLO fails whatever the machine's speed
    const cwd = workspace();
    const command = createBenchCommand(async () => new FakeTarget({ status: () => 500 }));
    const { out, ctx } = capture();
    const context: CommandContext = { ...ctx, signal: new AbortController().signal, env: {}, cwd };
    const args = await parseFlags([
      '--rate',
      '40',
      '--duration',
      '1',
      '--warmup',
      '0.2',
      '--run-id',
      'fail',
      '--logs-timeout',
      '2s',
    ]);

    // Act
    const code = await command.run(args, context);

    // Assess
    expect(code).toBe(ExitCode.Fail);
    const verdict = out.indexOf('verdict: FAIL (exit 1)');
    expect(verdict).toBeGreaterThanOrEqual(0);
    expect(out[verdict + 1]).toMatch(
      /^ {2}SLO 'errors<=0\.1%' failed: errors was 100%, threshold <= 0\.1%, missed by 99\.9% \(\d+ samples\)$/,
    );
  });

  const view = (overrides: Partial<SloView>): SloView => ({
    slo: 'p99<=100ms',
    metric: 'warm.p99',
    comparator: '<=',
    threshold: 100,
    unit: 'ms',
    value: 143.2,
    margin: -43.2,
    n: 380,
    status: 'fail',
    ...overrides,
  });

  it('formats latency, share and count SLOs in their units and skips the ones that passed', () => {
    // Prepare
    const slos = [
      view({}),
      view({ slo: 'p50<=50ms', metric: 'warm.p50', threshold: 50, value: 4, margin: 46, status: 'pass' }),
      view({
        slo: 'coverage>=100%',
        metric: 'coverage',
        comparator: '>=',
        threshold: 100,
        unit: '%',
        value: 97.5,
        margin: -2.5,
      }),
      view({ slo: 'cold_starts<=1', metric: 'cold_starts', threshold: 1, unit: '', value: 3, margin: -2, n: 400 }),
    ];

    // Act
    const lines = verdictDetails({ outcome: { kind: 'verdict', verdict: 'fail', reasons: [] }, slos });

    // Assess
    expect(lines).toEqual([
      "SLO 'p99<=100ms' failed: warm.p99 was 143.2 ms, threshold <= 100.0 ms, missed by 43.20 ms (380 samples)",
      "SLO 'coverage>=100%' failed: coverage was 97.5%, threshold >= 100%, missed by 2.5% (380 samples)",
      "SLO 'cold_starts<=1' failed: cold_starts was 3, threshold <= 1, missed by 2 (400 samples)",
    ]);
  });

  it('gives the reasons of an inconclusive verdict, and nothing for a pass or an interruption', () => {
    const reasons = ['only 5 measured responses (at least 20 are needed)'];
    expect(
      verdictDetails({
        outcome: { kind: 'verdict', verdict: 'inconclusive', reasons },
        slos: [view({ status: 'inconclusive' })],
      }),
    ).toEqual(reasons);
    expect(
      verdictDetails({ outcome: { kind: 'verdict', verdict: 'pass', reasons: [] }, slos: [view({ status: 'pass' })] }),
    ).toEqual([]);
    expect(
      verdictDetails({ outcome: { kind: 'interrupted', signal: 'SIGINT', phase: 'load' }, slos: [view({})] }),
    ).toEqual([]);
  });
});
