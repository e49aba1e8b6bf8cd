import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RunManifest } from '../../../harness/manifest.js';
import { alive, descendants } from './processes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type Signal = keyof typeof EXIT_CODES;

/** A `bench` child process, its output lines, and every process it ever had below it. */
function startBench(runId: string, reportDir: string, env: Record<string, string> = {}) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'harness/cli.ts', 'bench', '--run-id', runId, '--duration', '1', '--warmup', '0', '--rate', '20', '--report-dir', reportDir],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: string[] = [];
  const stderr: string[] = [];
  const seen = new Set<number>();
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const watcher = setInterval(() => {
    for (const pid of descendants(child.pid!)) seen.add(pid);
  }, 50);
  const exited = new Promise<number>((resolve) =>
    child.once('exit', (code, signal) => {
      clearInterval(watcher);
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 0));
    }),
  );
  onTestFinished(() => {
    clearInterval(watcher);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), { force: true });
  });
  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      if (lines.some((l) => pattern.test(l))) return resolve();
      const timer = setTimeout(() => reject(new Error(`no line ${pattern} in ${timeoutMs} ms; got:\n${lines.join('\n')}\n${stderr.join('')}`)), timeoutMs);
      waiters.push({
        pattern,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  return { child, lines, stderr, seen, exited, waitFor };
}

function leftoverTempDirs(runId: string): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`rda-logs-${runId}-`) || name.startsWith(`rda-assembly-${runId}-`));
}

/** How each phase is reached: the plain progress line to wait for, and the test hook that holds short phases open. */
const PHASES = {
  deploy: { line: /^phase deploy: started$/, delayMs: 0, hold: undefined },
  load: { line: /^phase load: started$/, delayMs: 200, hold: undefined },
  correlate: { line: /^phase correlate: holding/, delayMs: 0, hold: 'correlate' },
  report: { line: /^phase report: holding/, delayMs: 0, hold: 'report' },
} as const;

const CASES = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).flatMap((signal) =>
  (Object.keys(PHASES) as (keyof typeof PHASES)[]).map((phase) => [signal, phase] as const),
);

describe('bench under signals (reliability.md §1, §7 item 7)', () => {
  it.each(CASES)('on %s during %s: cleans up, exits with its code and reports the phase', async (signal: Signal, phase) => {
    // Prepare
    const runId = `sig-${signal.slice(3).toLowerCase()}-${phase}-${randomBytes(2).toString('hex')}`;
    const reportDir = mkdtempSync(path.join(tmpdir(), 'rda-signal-report-'));
    onTestFinished(() => rmSync(reportDir, { recursive: true, force: true }));
    const how = PHASES[phase];
    const bench = startBench(runId, reportDir, how.hold ? { RDA_BENCH_HOLD_PHASE: how.hold } : {});

    // Act
    await bench.waitFor(how.line);
    await new Promise((resolve) => setTimeout(resolve, how.delayMs));
    bench.child.kill(signal);
    const code = await bench.exited;

    // Assess: the exit code says which signal, once cleanup is done
    expect(code, `${bench.lines.join('\n')}\n${bench.stderr.join('')}`).toBe(EXIT_CODES[signal]);
    expect(bench.stderr.join('')).toContain(`received ${signal}: stopping and cleaning up`);
    // Nothing is left: no process that ever ran below the harness, no log store, no assembly
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect([...bench.seen].filter(alive)).toEqual([]);
    expect(leftoverTempDirs(runId)).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), 'utf8')) as RunManifest;
    // A deploy that the signal caught half-way cleans up after itself; one that completed is destroyed.
    expect(manifest.status).toBe(phase === 'deploy' && manifest.deployment === null ? 'nothing-deployed' : 'destroyed');
    if (manifest.logDir) expect(existsSync(manifest.logDir)).toBe(false);
    // A short report names the interrupted phase
    const report = readdirSync(reportDir).find((f) => f.endsWith(`-local-${runId}.md`))!;
    expect(readFileSync(path.join(reportDir, report), 'utf8'), `${bench.lines.join('\n')}\n${bench.stderr.join('')}`).toContain(
      `**Verdict: INTERRUPTED during ${phase} by ${signal} (exit ${EXIT_CODES[signal]})**`,
    );
  });

  it('exits at once on a second SIGINT and prints the exact command that finishes the cleanup', async () => {
    // Prepare: destroy held open for 20 s stands for a slow teardown
    const runId = `sig-twice-${randomBytes(2).toString('hex')}`;
    const reportDir = mkdtempSync(path.join(tmpdir(), 'rda-signal-report-'));
    onTestFinished(() => rmSync(reportDir, { recursive: true, force: true }));
    const bench = startBench(runId, reportDir, { RDA_BENCH_HOLD_PHASE: 'destroy:20000' });
    await bench.waitFor(/^phase destroy: holding/);
    const pids = descendants(bench.child.pid!);
    expect(pids.length).toBeGreaterThan(0);

    // Act
    bench.child.kill('SIGINT');
    await waitUntil(() => bench.stderr.join('').includes('received SIGINT: stopping and cleaning up'));
    const secondAt = Date.now();
    bench.child.kill('SIGINT');
    const code = await bench.exited;

    // Assess
    expect(code).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(2_000);
    const stderr = bench.stderr.join('');
    expect(stderr).toContain('received SIGINT again: exiting now without waiting for cleanup');
    const command = /to finish the cleanup, run: (rm -rf .*)/.exec(stderr);
    expect(command, stderr).not.toBeNull();
    // The emulator's processes end with the harness (their stdin closes); its files are what is left,
    // and the command names exactly those: the log store and the synthesized assembly.
    await waitUntil(() => !pids.some(alive));
    expect(pids.filter(alive)).toEqual([]);
    const named = [...command![1]!.matchAll(/'([^']+)'/g)].map((m) => path.basename(m[1]!)).sort();
    expect(named).toEqual(leftoverTempDirs(runId).sort());
    expect(named.map((name) => name.slice(0, name.lastIndexOf('-')))).toEqual([`rda-assembly-${runId}`, `rda-logs-${runId}`]);
    execSync(command![1]!);
    expect(leftoverTempDirs(runId)).toEqual([]);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}
