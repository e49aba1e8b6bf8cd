import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ExitCode, InfraError } from '../../../harness/errors.js';
import { manifestPath, type RunManifest } from '../../../harness/manifest.js';
import { type BenchArgs, parseBenchOptions } from '../../../harness/options.js';
import type { Progress } from '../../../harness/report/progress.js';
import { run } from '../../../harness/run.js';
import { FakeTarget, type FakeTargetOptions } from '../../helpers/fake-target.js';

function workspace(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rda-run-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function optionsFor(args: BenchArgs = {}) {
  return parseBenchOptions(
    { runId: 'unit-run', rate: 50, duration: 1, warmup: 0.2, logsTimeout: '2s', ...args },
    { now: new Date('2030-01-01T00:00:00Z'), env: { USER: 'tester' } },
  );
}

/** Progress that keeps its lines, to assert the phase order. */
function recordingProgress(): Progress & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    phaseStarted: (phase) => lines.push(`start ${phase}`),
    phaseEnded: (phase, outcome) => lines.push(`end ${phase} ${outcome}`),
    info: () => {},
    warn: (line) => lines.push(`warn ${line}`),
    live: () => {},
  };
}

/**
 * Runs the pipeline on a fake target. Unless a test names its SLOs, only those that do not depend on this
 * machine's speed are judged: on a busy machine a missed latency SLO is (rightly) inconclusive.
 */
async function runWith(fake: FakeTargetOptions, args: BenchArgs = {}, signal = new AbortController().signal) {
  if (args.slo === undefined && args.defaultSlos === undefined)
    args = { ...args, defaultSlos: false, slo: ['errors<=0%', 'coverage>=100%'] };
  const cwd = workspace();
  const target = new FakeTarget({ expectFileAtDeploy: manifestPath(cwd, 'unit-run'), ...fake });
  const progress = recordingProgress();
  const result = await run(optionsFor(args), {
    target,
    signal,
    cwd,
    progress,
    cleanupCommand: 'cleanup-by-hand',
    commit: async () => 'abc123',
  });
  const manifest = JSON.parse(readFileSync(result.manifestPath, 'utf8')) as RunManifest;
  return { cwd, target, result, progress, manifest };
}

describe('run', () => {
  it('writes the manifest before deploying, then loads, correlates, destroys and reports in that order', async () => {
    // Act
    const { target, result, progress, manifest } = await runWith({});

    // Assess
    expect(target.fileExistedAtDeploy).toBe(true);
    expect(target.calls[0]).toBe('deploy');
    expect(target.calls.at(-1)).toBe('destroy');
    // A short run is one time slice: its handler lines, then its REPORT lines.
    expect(target.calls.filter((c) => c === 'query').length).toBe(2);
    expect(progress.lines.filter((l) => l.startsWith('start'))).toEqual([
      'start deploy',
      'start load',
      'start correlate',
      'start destroy',
      'start report',
    ]);
    expect(result.outcome).toMatchObject({ kind: 'verdict', verdict: 'pass' });
    expect(result.exitCode).toBe(ExitCode.Pass);
    expect(manifest).toMatchObject({
      runId: 'unit-run',
      stackName: 'rda-unit-run',
      status: 'destroyed',
      cleanupCommand: 'cleanup-by-hand',
    });
    // Every step is a span: the manifest records destroy and report as it records the phases.
    expect(manifest.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['deploy', 'done'],
      ['load', 'done'],
      ['correlate', 'done'],
      ['destroy', 'done'],
      ['report', 'done'],
    ]);
    expect(manifest.phases.every((p) => p.endedAt !== undefined)).toBe(true);
    expect(result.report.coverage).toMatchObject({ coveragePercent: 100, queryErrors: 0, unexpected: { count: 0 } });
    expect(result.report.run.commit).toBe('abc123');
  });

  it('passes tags and expiry to the deploy as CDK context', async () => {
    const { target } = await runWith({}, { ttl: '90m' });
    expect(target.deployOptions?.context).toMatchObject({
      runId: 'unit-run',
      expiresAt: '2030-01-01T01:30:00.000Z',
      creator: 'tester',
    });
  });

  it('writes the markdown report, its json twin and latest.md', async () => {
    const { result } = await runWith({});
    const markdown = readFileSync(result.paths.markdown, 'utf8');
    expect(path.basename(result.paths.markdown)).toMatch(/^\d{8}T\d{6}Z-local-unit-run\.md$/);
    expect(readFileSync(result.paths.latest, 'utf8')).toBe(markdown);
    const json = JSON.parse(readFileSync(result.paths.json, 'utf8'));
    expect(json).toEqual(JSON.parse(JSON.stringify(result.report)));
    expect(markdown).toContain('**Verdict: PASS (exit 0)**');
  });

  it('fails the run (exit 1) when the server is slower than the p99 SLO, and still destroys', async () => {
    // Lambda's own Duration on AWS: a busy test machine cannot make this miss inconclusive.
    const { target, result } = await runWith({ delayMs: () => 30 }, { slo: ['lambda.p99<=10ms'], target: 'aws' });
    expect(result.outcome).toMatchObject({ kind: 'verdict', verdict: 'fail' });
    expect(result.exitCode).toBe(ExitCode.Fail);
    expect(target.calls.at(-1)).toBe('destroy');
  });

  it('is inconclusive (exit 4) when log lines are still missing at the logs deadline', async () => {
    const { result } = await runWith({ dropHandlerLine: (n) => n === 3 }, { logsTimeout: '1s' });
    expect(result.outcome).toMatchObject({ kind: 'verdict', verdict: 'inconclusive' });
    expect(result.exitCode).toBe(ExitCode.Inconclusive);
    expect(result.report.coverage?.misses['no-log-line']?.count).toBe(1);
    expect(result.report.coverage?.timedOut).toBe(true);
  });

  it('records a failed deploy as an infrastructure error with a report and nothing to destroy', async () => {
    const { target, result, manifest } = await runWith({ deployError: new Error('synth exploded') });
    expect(result.outcome).toMatchObject({ kind: 'error', phase: 'deploy', code: 'PhaseFailed' });
    expect(result.exitCode).toBe(ExitCode.Infrastructure);
    expect(target.calls).toEqual(['deploy']);
    expect(manifest.status).toBe('nothing-deployed');
    expect(readFileSync(result.paths.markdown, 'utf8')).toContain(
      'ERROR during deploy: [PhaseFailed] deploy failed: synth exploded',
    );
  });

  it('skips destroy with --keep and warns in the output, the report and the manifest', async () => {
    const { target, result, progress, manifest } = await runWith({}, { keep: true, target: 'aws' });
    expect(target.calls).not.toContain('destroy');
    expect(progress.lines.some((l) => l.startsWith('warn --keep'))).toBe(true);
    expect(manifest.status).toBe('kept');
    const markdown = readFileSync(result.paths.markdown, 'utf8');
    expect(markdown).toContain('`--keep` was given: rda-unit-run was NOT destroyed');
    onTestFinished(async () => {
      await target.deployment?.destroy();
    });
  });

  it('turns leftovers after destroy into an infrastructure error (exit 3)', async () => {
    const { result } = await runWith({ destroyLeftovers: ['log group /aws/lambda/fake-fn'] });
    expect(result.outcome).toMatchObject({ kind: 'error', code: 'DestroyFailed', phase: 'destroy' });
    expect(result.exitCode).toBe(ExitCode.Infrastructure);
  });

  it('stops the load at once on a signal, destroys, and reports the interrupted phase (exit 130)', async () => {
    // Prepare: the signal arrives with the 6th request of a 150-request load
    const controller = new AbortController();
    const signalAt = (n: number) => {
      if (n === 5) controller.abort('SIGINT');
      return 200;
    };

    // Act
    const { target, result, manifest } = await runWith(
      { status: signalAt },
      { duration: 3, warmup: 0 },
      controller.signal,
    );

    // Assess: the load stopped (no further request was sent after the abort settled), then destroy ran
    expect(target.deployment!.requests).toBeLessThan(150);
    expect(result.outcome).toEqual({ kind: 'interrupted', signal: 'SIGINT', phase: 'load' });
    expect(result.exitCode).toBe(130);
    expect(target.calls).toEqual(['deploy', 'destroy']);
    expect(manifest.status).toBe('destroyed');
    expect(readFileSync(result.paths.markdown, 'utf8')).toContain('INTERRUPTED during load by SIGINT (exit 130)');
  });

  it('interrupts a deploy in flight and exits with the signal code when nothing was deployed', async () => {
    const controller = new AbortController();
    const onDeploy = () => controller.abort('SIGTERM');
    const { target, result } = await runWith({ deployDelayMs: 60_000, onDeploy }, {}, controller.signal);
    expect(result.outcome).toEqual({ kind: 'interrupted', signal: 'SIGTERM', phase: 'deploy' });
    expect(result.exitCode).toBe(143);
    expect(target.calls).toEqual(['deploy']);
    expect(existsSync(result.paths.markdown)).toBe(true);
  });

  it('destroys a deployment that completes after the signal, and blames the deploy phase', async () => {
    const controller = new AbortController();
    const onDeploy = () => controller.abort('SIGHUP');
    const { target, result, manifest } = await runWith(
      { deployDelayMs: 50, deployIgnoresAbort: true, onDeploy },
      {},
      controller.signal,
    );
    expect(result.outcome).toEqual({ kind: 'interrupted', signal: 'SIGHUP', phase: 'deploy' });
    expect(result.exitCode).toBe(129);
    expect(target.calls).toEqual(['deploy', 'destroy']);
    expect(manifest.status).toBe('destroyed');
    expect(manifest.phases.map((p) => [p.name, p.outcome])).toEqual([
      ['deploy', 'interrupted'],
      ['destroy', 'done'],
      ['report', 'done'],
    ]);
  });

  it('turns an abort with an error (an unexpected crash in cli.ts) into an infrastructure error, still destroying', async () => {
    const controller = new AbortController();
    const crash = (n: number) => {
      if (n === 3) controller.abort(new InfraError('Unexpected', 'unexpected error: write EPIPE'));
      return 200;
    };
    const { target, result, manifest } = await runWith(
      { status: crash },
      { duration: 3, warmup: 0 },
      controller.signal,
    );
    expect(result.outcome).toMatchObject({ kind: 'error', code: 'Unexpected', phase: 'load' });
    expect(result.exitCode).toBe(ExitCode.Infrastructure);
    expect(target.calls).toEqual(['deploy', 'destroy']);
    expect(manifest.status).toBe('destroyed');
  });

  it('is inconclusive, with the fault in the output and the report, when the deployment reports one', async () => {
    const fault = 'the local log store could not write 3 log event(s) (ENOSPC: no space left on device)';
    const { result, progress } = await runWith({ faults: [fault] }, { slo: ['errors<=0%'], defaultSlos: false });
    expect(result.outcome).toMatchObject({ kind: 'verdict', verdict: 'inconclusive' });
    expect(progress.lines.some((l) => l.includes(fault))).toBe(true);
    expect(readFileSync(result.paths.markdown, 'utf8')).toContain(fault);
  });

  it('records its scratch directory in the manifest before deploying, and removes it at the end', async () => {
    const { target, manifest } = await runWith({});
    const scratch = target.deployOptions?.scratchDir;
    expect(scratch).toBeDefined();
    expect(manifest.removePaths).toContain(scratch);
    expect(existsSync(scratch!)).toBe(false);
  });

  it('in peak mode reports closed-loop latencies without judging latency SLOs', async () => {
    // The default SLOs: the latency ones are not judged in peak mode, whatever this machine's speed.
    const { result } = await runWith({}, { mode: 'peak', rate: undefined, duration: 1, warmup: 0, defaultSlos: true });
    expect(result.report.load).toMatchObject({ closedLoop: true, targetRps: null });
    expect(result.report.slos.map((s) => [s.slo, s.status])).toEqual([
      ['p50<=50ms', 'not-judged'],
      ['p99<=100ms', 'not-judged'],
      ['errors<=0.1%', 'pass'],
      ['coverage>=100%', 'pass'],
    ]);
    expect(result.exitCode).toBe(ExitCode.Pass);
    expect(result.report.notes.join(' ')).toContain('Closed-loop (--mode peak) latencies are service times');
  });
});

/** What a local deployment says about its emulator; a test changes the parts it is about. */
function emulatorFacts(over: {
  matches?: boolean;
  queued?: number;
  expiredInQueue?: number;
}): NonNullable<FakeTargetOptions['emulatorFacts']> {
  const matches = over.matches ?? true;
  return {
    nodeRuntime: {
      runtime: 'nodejs24.x',
      wantedMajor: 24,
      nodeVersion: matches ? '24.1.0' : '20.19.0',
      nodePath: '/usr/bin/node',
      matches,
      ...(matches ? {} : { problem: 'no Node.js 24 binary for linux-x64: install node24-linux-x64' }),
    },
    concurrency: {
      concurrencyLimit: 1_000,
      limitSource: 'account',
      environmentCap: 10,
      throttled: 0,
      queued: over.queued ?? 0,
      maxQueueWaitMs: (over.queued ?? 0) > 0 ? 250 : 0,
      expiredInQueue: over.expiredInQueue ?? 0,
      peakEnvironments: 10,
    },
  };
}

describe('run on the local emulator (harness/emulator/README.md, "Concurrency, throttling, and the settings")', () => {
  it('says at once and loudly when the function runs on another Node.js major, and marks the report', async () => {
    // Act
    const { result, progress } = await runWith({ emulatorFacts: emulatorFacts({ matches: false }) });
    // Assess: the warning comes right after deploy, before any figure is taken.
    const warning = progress.lines.findIndex((l) => l.startsWith('warn WRONG NODE.JS MAJOR: nodejs24.x'));
    expect(warning).toBeGreaterThan(-1);
    expect(warning).toBeLessThan(progress.lines.indexOf('start load'));
    expect(progress.lines[warning]).toContain('Node.js 20.19.0');
    const emulator = result.report.run.emulator!;
    expect(emulator.nodeRuntime).toMatchObject({ matches: false, nodeVersion: '20.19.0', wantedMajor: 24 });
    expect(emulator.marks.map((m) => m.code)).toEqual(['NodeMajorMismatch']);
    expect(readFileSync(result.paths.markdown, 'utf8')).toContain('‡ WRONG NODE.JS MAJOR');
    const json = JSON.parse(readFileSync(result.paths.markdown.replace(/\.md$/, '.json'), 'utf8'));
    expect(json.run.emulator.nodeRuntime.matches).toBe(false);
  });

  it('leaves the run unmarked when the Node.js major matches and the cap was not reached', async () => {
    const { result, progress } = await runWith({ emulatorFacts: emulatorFacts({}) });
    expect(result.report.run.emulator!.marks).toEqual([]);
    expect(progress.lines.some((l) => l.includes('WRONG NODE.JS'))).toBe(false);
    expect(result.outcome).toMatchObject({ kind: 'verdict', verdict: 'pass' });
  });

  it("makes a missed latency SLO inconclusive, not failed, when this machine's cap held requests back", async () => {
    // Act: an SLO no machine meets, on a run whose requests waited for the local cap.
    const { result } = await runWith(
      { emulatorFacts: emulatorFacts({ queued: 7 }) },
      { defaultSlos: false, slo: ['p50<=0.001ms'] },
    );
    // Assess
    const slo = result.report.slos[0]!;
    expect(slo.status).toBe('inconclusive');
    expect(slo.note).toContain("this machine's cap of 10 environments was reached: 7 invocation(s) waited");
    expect(result.report.run.emulator!.marks.map((m) => m.code)).toEqual(['LocalEnvironmentCap']);
    expect(result.report.run.emulator!.concurrency.queued).toBe(7);
  });

  it('cannot pass when a request waited for the local cap past the integration timeout (a 504 AWS would not give)', async () => {
    const { result } = await runWith({ emulatorFacts: emulatorFacts({ queued: 3, expiredInQueue: 1 }) });
    expect(result.outcome).toMatchObject({ kind: 'verdict', verdict: 'inconclusive' });
    expect(result.report.outcome.kind === 'verdict' && result.report.outcome.reasons.join(' ')).toContain(
      'waited past the integration timeout',
    );
  });
});
