/**
 * The cleanup promise, tested the way people run the tool: `npm run bench` in a process group of its own,
 * Ctrl-C to the group (which reaches the harness twice: from the terminal and relayed by npm), a signal to
 * the top process only (a supervisor, `kill`, `timeout`, a CI runner), a second deliberate Ctrl-C, and
 * SIGKILL followed by `destroy --run-id` / `sweep`. Every case asserts that no process, no temp directory and
 * no `running` manifest is left, and that the report names the phase and the signal.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RunManifest } from '../../../harness/manifest.js';
import { ECHO_WINDOW_MS } from '../../../harness/signals.js';
import { alive } from '../../helpers/processes.js';
import {
  leftoverTempDirs,
  pause,
  ROOT,
  startAsUser,
  startBench,
  type UserProcess,
} from '../../helpers/user-process.js';

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type Signal = keyof typeof EXIT_CODES;
type Delivery = 'group' | 'top';

/** How each phase is reached: the line to wait for, the hold that keeps a short phase open, extra env. */
const PHASES = {
  synthesis: {
    line: /^synthesizing the stack/,
    delayMs: 300,
    hold: undefined,
    env: { RDA_NO_SYNTH_CACHE: '1' },
    reported: 'deploy',
  },
  deploy: { line: /^phase deploy: holding/, delayMs: 0, hold: 'deploy', env: {}, reported: 'deploy' },
  load: { line: /^phase load: started$/, delayMs: 300, hold: undefined, env: {}, reported: 'load' },
  correlate: { line: /^phase correlate: holding/, delayMs: 0, hold: 'correlate', env: {}, reported: 'correlate' },
  report: { line: /^phase report: holding/, delayMs: 0, hold: 'report', env: {}, reported: 'report' },
} as const;
type Phase = keyof typeof PHASES;

/** signal × delivery × phase. A SIGHUP to npm alone kills npm: the harness sees its parent go and stops as on SIGHUP. */
const CASES: readonly (readonly [Signal, Delivery, Phase])[] = [
  ['SIGINT', 'group', 'synthesis'],
  ['SIGINT', 'group', 'deploy'],
  ['SIGINT', 'group', 'load'],
  ['SIGINT', 'group', 'correlate'],
  ['SIGINT', 'group', 'report'],
  ['SIGTERM', 'group', 'load'],
  ['SIGHUP', 'group', 'correlate'],
  ['SIGINT', 'top', 'load'],
  ['SIGTERM', 'top', 'deploy'],
  ['SIGTERM', 'top', 'load'],
  ['SIGTERM', 'top', 'correlate'],
  ['SIGHUP', 'top', 'load'],
  ['SIGHUP', 'top', 'report'],
];

function newRun(label: string) {
  const runId = `sig-${label}-${randomBytes(2).toString('hex')}`;
  const reportDir = mkdtempSync(path.join(tmpdir(), 'rda-signal-report-'));
  onTestFinished(() => {
    rmSync(reportDir, { recursive: true, force: true });
    rmSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), { force: true });
    rmSync(path.join(ROOT, '.rda', 'runs', `${runId}.lock`), { force: true });
  });
  const args = ['--run-id', runId, '--duration', '2', '--warmup', '0', '--rate', '20', '--report-dir', reportDir];
  return { runId, reportDir, args };
}

function manifestOf(runId: string): RunManifest {
  return JSON.parse(readFileSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), 'utf8')) as RunManifest;
}

function reportOf(reportDir: string, runId: string, user: UserProcess): string {
  const file = readdirSync(reportDir).find((f) => f.endsWith(`-local-${runId}.md`));
  expect(file, `no report for ${runId}; output:\n${user.output()}`).toBeDefined();
  return readFileSync(path.join(reportDir, file!), 'utf8');
}

/** Counts the lines that announce an orderly stop: exactly one, however many times the signal was delivered. */
function stopAnnouncements(output: string): number {
  return output.split('\n').filter((l) => /^received SIG[A-Z]+: stopping|^parent process \d+ is gone: stopping/.test(l))
    .length;
}

describe('npm run bench under signals, delivered as terminals and supervisors deliver them', () => {
  it.each(CASES)(
    '%s to the %s during %s: one orderly stop, nothing left, the report names it',
    async (signal, delivery, phase) => {
      // Prepare
      const how = PHASES[phase];
      const run = newRun(`${delivery}-${phase}`.slice(0, 14));
      const user = startBench(run.args, { ...how.env, ...(how.hold ? { RDA_BENCH_HOLD_PHASE: how.hold } : {}) });
      await user.waitFor(how.line);
      await pause(how.delayMs);

      // Act
      if (delivery === 'group') user.signalGroup(signal);
      else user.signalTop(signal);
      const topCode = await user.topExited;
      await user.allGone();

      // Assess: one orderly stop (the relayed copy of the signal is not taken as a second press)
      const output = user.output();
      expect(stopAnnouncements(output), output).toBe(1);
      expect(output).not.toContain('again: exiting now');
      expect(topCode, output).toBe(EXIT_CODES[signal]);
      // Nothing is left: no process that ever ran below npm, no temp directory, no unfinished manifest
      expect([...user.seen].filter(alive)).toEqual([]);
      expect(leftoverTempDirs(run.runId)).toEqual([]);
      const manifest = manifestOf(run.runId);
      expect(manifest.status).toBe(manifest.deployment === null ? 'nothing-deployed' : 'destroyed');
      // The report says which phase the signal interrupted, and which signal
      expect(reportOf(run.reportDir, run.runId, user)).toContain(
        `**Verdict: INTERRUPTED during ${how.reported} by ${signal} (exit ${EXIT_CODES[signal]})**`,
      );
    },
  );

  it('`timeout -s TERM` around npm run bench: stops once, cleans up, reports the signal', async () => {
    // Prepare: a run far longer than the timeout
    const run = newRun('timeout');
    const args = [
      ...run.args.filter((a, i, all) => a !== '--duration' && all[i - 1] !== '--duration'),
      '--duration',
      '60',
    ];

    // Act
    const user = startAsUser('timeout', ['-s', 'TERM', '12', 'npm', 'run', '--silent', 'bench', '--', ...args]);
    const topCode = await user.topExited;
    await user.allGone();

    // Assess: timeout says it timed out (124); the harness stopped once and left nothing
    const output = user.output();
    expect(topCode, output).toBe(124);
    expect(stopAnnouncements(output), output).toBe(1);
    expect(output).toContain('received SIGTERM: stopping');
    expect(leftoverTempDirs(run.runId)).toEqual([]);
    expect(['destroyed', 'nothing-deployed']).toContain(manifestOf(run.runId).status);
    expect(reportOf(run.reportDir, run.runId, user)).toMatch(
      /\*\*Verdict: INTERRUPTED during \w+ by SIGTERM \(exit 143\)\*\*/,
    );
  });

  it('a second, deliberate Ctrl-C exits at once and prints the command that finishes the cleanup; that command does', async () => {
    // Prepare: destroy held open for 30 s stands for a slow teardown
    const run = newRun('twice');
    const user = startBench(run.args, { RDA_BENCH_HOLD_PHASE: 'destroy:30000' });
    await user.waitFor(/^phase destroy: holding/);

    // Act: Ctrl-C, then Ctrl-C again after the echo window (a person's second press)
    user.signalGroup('SIGINT');
    await user.waitFor(/^received SIGINT: stopping/);
    await pause(ECHO_WINDOW_MS + 300);
    user.signalGroup('SIGINT');
    const topCode = await user.topExited;
    await user.allGone(5_000);

    // Assess: it exited without cleaning up, and said how to finish
    const output = user.output();
    expect(topCode, output).toBe(130);
    expect(output).toContain('received SIGINT again: exiting now without waiting for cleanup');
    const hint = /to finish the cleanup, run: (npm run harness -- destroy --run-id \S+)/.exec(output);
    expect(hint?.[1], output).toBe(`npm run harness -- destroy --run-id ${run.runId}`);
    expect(leftoverTempDirs(run.runId)).not.toEqual([]);
    expect(manifestOf(run.runId).status).toBe('running');

    // Act: the printed command, as the user would paste it
    const destroy = startAsUser('npm', ['run', '--silent', 'harness', '--', 'destroy', '--run-id', run.runId]);
    const destroyCode = await destroy.topExited;

    // Assess: everything is gone and the manifest says so
    expect(destroyCode, destroy.output()).toBe(0);
    expect(leftoverTempDirs(run.runId)).toEqual([]);
    expect(manifestOf(run.runId)).toMatchObject({ status: 'destroyed', destroy: { verified: true, leftovers: [] } });
  });

  it('SIGKILL of the harness during load: its environments end on their own, `destroy --run-id` removes the rest', async () => {
    // Prepare
    const run = newRun('kill');
    const args = [
      ...run.args.filter((a, i, all) => a !== '--duration' && all[i - 1] !== '--duration'),
      '--duration',
      '30',
    ];
    const user = startBench(args);
    await user.waitFor(/^phase load: started$/);
    await pause(1_000);
    const harness = user.harnessPid();
    expect(harness, user.output()).toBeDefined();
    const environments = [...user.seen].filter(
      (pid) => pid !== harness && alive(pid) && commandLine(pid).includes('runtime-worker'),
    );
    expect(environments.length, user.output()).toBeGreaterThan(0);

    // Act
    process.kill(harness!, 'SIGKILL');
    await user.allGone(2_500);

    // Assess: no environment outlived the harness; the run's files and its `running` manifest did
    expect(environments.filter(alive)).toEqual([]);
    expect(leftoverTempDirs(run.runId)).not.toEqual([]);
    expect(manifestOf(run.runId).status).toBe('running');

    // Act: recovery
    const destroy = startAsUser('npm', ['run', '--silent', 'harness', '--', 'destroy', '--run-id', run.runId]);
    const destroyCode = await destroy.topExited;

    // Assess
    expect(destroyCode, destroy.output()).toBe(0);
    expect(leftoverTempDirs(run.runId)).toEqual([]);
    expect(manifestOf(run.runId).status).toBe('destroyed');
  });

  it('`destroy --run-id` refuses a run whose harness is still running, and changes nothing', async () => {
    // Prepare: a run held in correlate
    const run = newRun('live');
    const user = startBench(run.args, { RDA_BENCH_HOLD_PHASE: 'correlate:60000' });
    await user.waitFor(/^phase correlate: holding/);

    // Act
    const destroy = startAsUser('npm', ['run', '--silent', 'harness', '--', 'destroy', '--run-id', run.runId]);
    const destroyCode = await destroy.topExited;

    // Assess: exit 2 with what to do; the run still owns its files
    expect(destroyCode, destroy.output()).toBe(2);
    expect(destroy.output()).toMatch(/\[RunStillRunning\]: run '.+' is still running as pid \d+: stop it with Ctrl-C/);
    expect(leftoverTempDirs(run.runId)).not.toEqual([]);
    user.signalGroup('SIGINT');
    await user.topExited;
    await user.allGone();
    expect(leftoverTempDirs(run.runId)).toEqual([]);
  });
});

describe('npm run bench when its output goes away', () => {
  it('a reader that left (`| head -3`, EPIPE) neither kills the run nor skips its cleanup', async () => {
    // Prepare
    const run = newRun('pipe');
    const command = `npm run --silent bench -- ${run.args.join(' ')} | head -3; echo "harness exit $\{PIPESTATUS[0]}"`;

    // Act
    const user = startAsUser('bash', ['-c', command]);
    expect(await user.topExited).toBe(0);
    await user.allGone();

    // Assess: a verdict was reached (0 pass, 4 inconclusive on a loaded machine), never 3 (crashed) or 1
    const exit = Number(/harness exit (\d+)/.exec(user.output())?.[1]);
    expect([0, 4], user.output()).toContain(exit);
    expect(user.lines.filter((l) => !l.startsWith('harness exit'))).toHaveLength(3);
    expect(manifestOf(run.runId).status).toBe('destroyed');
    expect(leftoverTempDirs(run.runId)).toEqual([]);
    expect(reportOf(run.reportDir, run.runId, user)).not.toContain('Unexpected');
  });

  it('a closed terminal (hang-up, then writes to a dead tty) stops the run in order as SIGHUP', async () => {
    // Prepare: the bench runs on a pseudo-terminal owned by `script`, as in a terminal window
    const run = newRun('tty');
    const args = [
      ...run.args.filter((a, i, all) => a !== '--duration' && all[i - 1] !== '--duration'),
      '--duration',
      '30',
    ];
    const terminal = startAsUser('script', ['-qfc', `npm run --silent bench -- ${args.join(' ')}`, '/dev/null']);
    await terminal.waitFor(/phase load: started/);
    await pause(500);

    // Act: the window is closed: the terminal goes away at once
    terminal.signalTop('SIGKILL');
    await terminal.allGone();

    // Assess
    expect(manifestOf(run.runId).status).toBe('destroyed');
    expect(leftoverTempDirs(run.runId)).toEqual([]);
    expect(reportOf(run.reportDir, run.runId, terminal)).toContain(
      '**Verdict: INTERRUPTED during load by SIGHUP (exit 129)**',
    );
  });
});

describe('npm run harness -- local under signals', () => {
  it('Ctrl-C once stops it, ends its environments and removes its files', async () => {
    // Prepare: an environment is started by one request
    const runId = `sig-local-${randomBytes(2).toString('hex')}`;
    onTestFinished(() => rmSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), { force: true }));
    const user = startAsUser('npm', ['run', '--silent', 'harness', '--', 'local', '--run-id', runId]);
    const listening = await user.waitFor(/^listening http/);
    const response = await fetch(`${listening.slice('listening '.length)}types`);
    expect(response.status).toBe(200);

    // Act
    user.signalGroup('SIGINT');
    const code = await user.topExited;
    await user.allGone();

    // Assess
    expect(code, user.output()).toBe(130);
    expect(stopAnnouncements(user.output())).toBe(1);
    expect([...user.seen].filter(alive)).toEqual([]);
    expect(leftoverTempDirs(runId)).toEqual([]);
    expect(manifestOf(runId).status).toBe('destroyed');
  });

  it('SIGKILL, then `sweep --yes` finds the dead run and removes what it left', async () => {
    // Prepare
    const runId = `sig-lkill-${randomBytes(2).toString('hex')}`;
    onTestFinished(() => rmSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), { force: true }));
    const user = startAsUser('npm', ['run', '--silent', 'harness', '--', 'local', '--run-id', runId]);
    const listening = await user.waitFor(/^listening http/);
    expect((await fetch(`${listening.slice('listening '.length)}types`)).status).toBe(200);

    // Act
    process.kill(user.harnessPid()!, 'SIGKILL');
    await user.allGone(2_500);
    const dry = startAsUser('npm', ['run', '--silent', 'harness', '--', 'sweep', '--target', 'local']);
    expect(await dry.topExited, dry.output()).toBe(0);
    const sweep = startAsUser('npm', ['run', '--silent', 'harness', '--', 'sweep', '--target', 'local', '--yes']);
    const sweepCode = await sweep.topExited;

    // Assess: the dry run only listed it; the real one removed it and recorded that
    expect(dry.output()).toContain(`local run ${runId} (pid`);
    expect(dry.output()).toContain('would clean up');
    expect(sweepCode, sweep.output()).toBe(0);
    expect(sweep.output()).toMatch(new RegExp(`local run ${runId} .*: cleaned up, verified`));
    expect(leftoverTempDirs(runId)).toEqual([]);
    expect(manifestOf(runId).status).toBe('destroyed');
    // The run id's lock, which the killed harness could not release, is gone with the rest.
    expect(existsSync(path.join(ROOT, '.rda', 'runs', `${runId}.lock`))).toBe(false);
  });
});

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}
