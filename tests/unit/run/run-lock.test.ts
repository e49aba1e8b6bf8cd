/**
 * One run id, one run (docs/failure-model.md): ManifestWriter.create takes `.rda/runs/<runId>.lock` before
 * it writes the manifest, refuses an id a live harness holds or whose earlier run did not finish its
 * cleanup, takes over a lock a killed run left, and frees the id when the run ends. Liveness comes from a
 * fake process table, so nothing here depends on the machine's processes or clock.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  lockPath,
  MANIFEST_SCHEMA,
  ManifestWriter,
  manifestPath,
  type RunManifest,
  type RunStatus,
  removeStaleLock,
} from '../../../harness/manifest.js';
import type { ProcessTable } from '../../../harness/processes.js';
import { rejection } from '../../helpers/rejection.js';

/** Pids that are not this process and that no real process is likely to have. */
const OTHER_PID = 3_999_001;
const DEAD_PID = 3_999_002;

/** A process table where only `live` pids run, each as a harness CLI. */
function fakeProcesses(live: readonly number[]): ProcessTable {
  return {
    commandLine: (pid) => (live.includes(pid) ? `node --import tsx harness/cli.ts bench --run-id x` : undefined),
    kill: () => {},
  };
}

function tempCwd(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rda-run-lock-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function initial(runId: string): Omit<RunManifest, 'schema' | 'updatedAt'> {
  return {
    runId,
    stackName: `rda-${runId}`,
    target: 'local',
    region: null,
    createdAt: '2030-01-02T03:04:05.000Z',
    expiresAt: '2030-01-02T05:04:05.000Z',
    creator: 'unit',
    pid: process.pid,
    cleanupCommand: `npm run harness -- destroy --run-id ${runId}`,
    status: 'running',
    phase: null,
    phases: [],
    deployment: null,
    logDir: null,
    pids: [],
    removePaths: [],
    destroy: null,
    reportPath: null,
  };
}

/** Writes an earlier run's manifest as a finished (or killed) run left it. */
function writeEarlierManifest(cwd: string, runId: string, status: RunStatus, pid: number): void {
  const file = manifestPath(cwd, runId);
  mkdirSync(path.dirname(file), { recursive: true });
  const manifest: RunManifest = {
    schema: MANIFEST_SCHEMA,
    ...initial(runId),
    pid,
    status,
    cleanupCommand: `npm run harness -- destroy --run-id ${runId} --region eu-west-1`,
    updatedAt: '2030-01-01T00:00:00.000Z',
  };
  writeFileSync(file, JSON.stringify(manifest));
}

function writeLock(cwd: string, runId: string, pid: number): void {
  const file = lockPath(cwd, runId);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${pid}\n`);
}

describe('ManifestWriter.create and the run id lock', () => {
  it('refuses a second run with the same id while the first holds it, and leaves its manifest alone', async () => {
    // Prepare: the first run holds the lock (this process, so live by definition)
    const cwd = tempCwd();
    const processes = fakeProcesses([]);
    const first = await ManifestWriter.create(cwd, initial('twice'), { processes });
    onTestFinished(() => first.release());
    const before = readFileSync(first.path, 'utf8');

    // Act
    const error = await rejection(
      ManifestWriter.create(cwd, { ...initial('twice'), createdAt: '2030-02-02T00:00:00.000Z' }, { processes }),
    );

    // Assess
    expect(error.code).toBe('RunIdInUse');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain('pick another --run-id');
    expect(readFileSync(first.path, 'utf8')).toBe(before);
    expect(readFileSync(lockPath(cwd, 'twice'), 'utf8').trim()).toBe(String(process.pid));
  });

  it('refuses an id whose lock names another live harness process', async () => {
    // Prepare
    const cwd = tempCwd();
    writeLock(cwd, 'held', OTHER_PID);

    // Act
    const error = await rejection(
      ManifestWriter.create(cwd, initial('held'), { processes: fakeProcesses([OTHER_PID]) }),
    );

    // Assess: refused, and the other run's lock is still there
    expect(error.code).toBe('RunIdInUse');
    expect(error.message).toContain(`pid ${OTHER_PID}`);
    expect(error.message).toContain(`kill -INT ${OTHER_PID}`);
    expect(readFileSync(lockPath(cwd, 'held'), 'utf8').trim()).toBe(String(OTHER_PID));
    expect(existsSync(manifestPath(cwd, 'held'))).toBe(false);
  });

  it('takes over a lock whose harness is gone', async () => {
    // Prepare: a killed run left its lock and a finished manifest
    const cwd = tempCwd();
    writeLock(cwd, 'stale', DEAD_PID);
    writeEarlierManifest(cwd, 'stale', 'destroyed', DEAD_PID);

    // Act
    const writer = await ManifestWriter.create(cwd, initial('stale'), { processes: fakeProcesses([]) });
    onTestFinished(() => writer.release());

    // Assess
    expect(readFileSync(lockPath(cwd, 'stale'), 'utf8').trim()).toBe(String(process.pid));
    expect(writer.manifest.pid).toBe(process.pid);
  });

  it('takes over a lock whose pid now runs something other than the harness', async () => {
    // Prepare: pids are reused
    const cwd = tempCwd();
    writeLock(cwd, 'reused', OTHER_PID);
    const processes: ProcessTable = { commandLine: () => '/usr/sbin/sshd -D', kill: () => {} };

    // Act
    const writer = await ManifestWriter.create(cwd, initial('reused'), { processes });
    onTestFinished(() => writer.release());

    // Assess
    expect(readFileSync(lockPath(cwd, 'reused'), 'utf8').trim()).toBe(String(process.pid));
  });

  it.each<[RunStatus, string]>([
    ['destroy-failed', "status 'destroy-failed'"],
    ['kept', "status 'kept'"],
    ['running', `status 'running' but its harness (pid ${DEAD_PID}) is gone`],
  ])('refuses an id whose earlier run ended %s, naming its cleanup command', async (status, said) => {
    // Prepare
    const cwd = tempCwd();
    writeEarlierManifest(cwd, 'unfinished', status, DEAD_PID);
    const before = readFileSync(manifestPath(cwd, 'unfinished'), 'utf8');

    // Act
    const error = await rejection(ManifestWriter.create(cwd, initial('unfinished'), { processes: fakeProcesses([]) }));

    // Assess: refused, the earlier manifest kept, the lock not left behind
    expect(error.code).toBe('RunNotFinished');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(said);
    expect(error.message).toContain("'npm run harness -- destroy --run-id unfinished --region eu-west-1'");
    expect(error.message).toContain('pick another --run-id');
    expect(readFileSync(manifestPath(cwd, 'unfinished'), 'utf8')).toBe(before);
    expect(existsSync(lockPath(cwd, 'unfinished'))).toBe(false);
  });

  it('refuses an id whose earlier manifest says running under a live harness that holds no lock', async () => {
    // Prepare: e.g. a harness from before the lock
    const cwd = tempCwd();
    writeEarlierManifest(cwd, 'old', 'running', OTHER_PID);

    // Act
    const error = await rejection(
      ManifestWriter.create(cwd, initial('old'), { processes: fakeProcesses([OTHER_PID]) }),
    );

    // Assess
    expect(error.code).toBe('RunIdInUse');
    expect(error.message).toContain(`pid ${OTHER_PID}`);
  });

  it.each<RunStatus>(['destroyed', 'nothing-deployed'])(
    'reuses the id of an earlier run that ended %s',
    async (status) => {
      // Prepare
      const cwd = tempCwd();
      writeEarlierManifest(cwd, 'again', status, DEAD_PID);

      // Act
      const writer = await ManifestWriter.create(cwd, initial('again'), { processes: fakeProcesses([]) });
      onTestFinished(() => writer.release());

      // Assess: the new run's manifest replaced the old one
      const written = JSON.parse(readFileSync(manifestPath(cwd, 'again'), 'utf8')) as RunManifest;
      expect(written.status).toBe('running');
      expect(written.pid).toBe(process.pid);
    },
  );

  it('frees the id when the run ends, after its last manifest update, so the next run may take it', async () => {
    // Prepare
    const cwd = tempCwd();
    const processes = fakeProcesses([]);
    const first = await ManifestWriter.create(cwd, initial('serial'), { processes });
    const exitListeners = process.listenerCount('exit');

    // Act
    const last = first.update(() => ({ status: 'destroyed' }));
    await first.release();
    await last;
    const second = await ManifestWriter.create(cwd, initial('serial'), { processes });
    onTestFinished(() => second.release());

    // Assess: the final status was on disk before the lock went, and release dropped its exit hook
    expect(process.listenerCount('exit')).toBe(exitListeners); // second's hook replaced first's
    expect(second.manifest.status).toBe('running');
    expect(readFileSync(lockPath(cwd, 'serial'), 'utf8').trim()).toBe(String(process.pid));
  });

  it('does not remove a lock another process took after ours was taken over', async () => {
    // Prepare
    const cwd = tempCwd();
    const writer = await ManifestWriter.create(cwd, initial('taken'), { processes: fakeProcesses([]) });
    writeLock(cwd, 'taken', OTHER_PID);

    // Act
    await writer.release();

    // Assess
    expect(readFileSync(lockPath(cwd, 'taken'), 'utf8').trim()).toBe(String(OTHER_PID));
  });
});

describe('removeStaleLock (destroy and sweep finishing a killed run)', () => {
  it('removes the lock of a harness that is gone, and says there was none when there is none', async () => {
    // Prepare: a lock left by a killed harness.
    const cwd = tempCwd();
    const file = lockPath(cwd, 'r-killed');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${DEAD_PID}\n`);

    // Act & Assess
    expect(await removeStaleLock(file, fakeProcesses([]))).toBe('removed');
    expect(existsSync(file)).toBe(false);
    expect(await removeStaleLock(file, fakeProcesses([]))).toBe('none');
  });

  it('leaves the lock of a live harness, and one that holds no pid', async () => {
    const cwd = tempCwd();
    const live = lockPath(cwd, 'r-live');
    const garbled = lockPath(cwd, 'r-garbled');
    mkdirSync(path.dirname(live), { recursive: true });
    writeFileSync(live, `${OTHER_PID}\n`);
    writeFileSync(garbled, 'not a pid\n');

    expect(await removeStaleLock(live, fakeProcesses([OTHER_PID]))).toBe('held');
    expect(await removeStaleLock(garbled, fakeProcesses([]))).toBe('held');
    expect(readFileSync(live, 'utf8')).toBe(`${OTHER_PID}\n`);
    expect(existsSync(garbled)).toBe(true);
  });
});
