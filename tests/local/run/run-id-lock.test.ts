/**
 * One run id, one run, as users start them: a second `harness local` (or `bench`) with the id of a running
 * one is refused with RunIdInUse (exit 2) before it deploys anything, and the first keeps serving with its
 * manifest untouched. Both are started with npm in their own process group, as a terminal does.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alive } from '../../helpers/processes.js';
import { ROOT, startAsUser } from '../../helpers/user-process.js';

const RUNS = path.join(ROOT, '.rda', 'runs');

describe('a second run with the id of a running one', () => {
  it('is refused with RunIdInUse while the first keeps running, and the first manifest is not overwritten', async () => {
    // Prepare: a first `harness local` serving requests
    const runId = `lock-${randomBytes(3).toString('hex')}`;
    const reportDir = mkdtempSync(path.join(tmpdir(), 'rda-lock-report-'));
    onTestFinished(() => {
      rmSync(reportDir, { recursive: true, force: true });
      rmSync(path.join(RUNS, `${runId}.json`), { force: true });
      rmSync(path.join(RUNS, `${runId}.lock`), { force: true });
    });
    const first = startAsUser('npm', ['run', '--silent', 'harness', '--', 'local', '--run-id', runId]);
    const listening = await first.waitFor(/^listening http/);
    const baseUrl = listening.slice('listening '.length);
    const manifestBefore = readFileSync(path.join(RUNS, `${runId}.json`), 'utf8');
    const firstPid = first.harnessPid()!;

    // Act: the same id again, as `harness local` and as `bench`, at once
    const second = startAsUser('npm', ['run', '--silent', 'harness', '--', 'local', '--run-id', runId]);
    const bench = startAsUser('npm', [
      'run',
      '--silent',
      'bench',
      '--',
      '--run-id',
      runId,
      '--duration',
      '1',
      '--warmup',
      '0',
      '--report-dir',
      reportDir,
    ]);
    const [secondCode, benchCode] = await Promise.all([second.topExited, bench.topExited]);

    // Assess: both refused naming the first's pid; the first still serves and its manifest is as it was
    expect(benchCode, bench.output()).toBe(2);
    expect(bench.output()).toContain(
      `error [RunIdInUse]: run id '${runId}' is in use by the harness with pid ${firstPid}`,
    );
    expect(secondCode, second.output()).toBe(2);
    expect(second.output()).toContain(
      `error [RunIdInUse]: run id '${runId}' is in use by the harness with pid ${firstPid}`,
    );
    expect(second.output()).not.toMatch(/^listening/m);
    expect(alive(firstPid)).toBe(true);
    expect((await fetch(`${baseUrl}types`)).status).toBe(200);
    expect(readFileSync(path.join(RUNS, `${runId}.json`), 'utf8')).toBe(manifestBefore);
    expect(readFileSync(path.join(RUNS, `${runId}.lock`), 'utf8').trim()).toBe(String(firstPid));

    // And when the first stops, it frees the id
    first.signalGroup('SIGINT');
    expect(await first.topExited, first.output()).toBe(130);
    expect(JSON.parse(readFileSync(path.join(RUNS, `${runId}.json`), 'utf8')).status).toBe('destroyed');
    expect(existsSync(path.join(RUNS, `${runId}.lock`))).toBe(false);
  });
});
