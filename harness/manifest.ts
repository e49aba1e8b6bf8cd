/**
 * The run manifest, `.rda/runs/<runId>.json`: written before anything is created and updated as each
 * phase starts and ends, so a run killed at any moment leaves a record of what it was doing and how to
 * finish its cleanup (docs/failure-model.md#what-is-recorded-so-a-killed-run-can-be-finished: persist state so a later `destroy --run-id` or `sweep` can act).
 */
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PhaseName } from './check/outcome.js';
import { UsageError } from './errors.js';
import { isHarnessProcess, type ProcessTable, runIsLive, systemProcesses } from './processes.js';
import type { TargetKind } from './target/target.js';

export const MANIFEST_SCHEMA = 'rda-run-manifest/1';

/** `running` until the run ends; then what its end left behind. */
export type RunStatus = 'running' | 'destroyed' | 'kept' | 'destroy-failed' | 'nothing-deployed';

/** What a run's manifest records. */
export interface RunManifest {
  readonly schema: typeof MANIFEST_SCHEMA;
  readonly runId: string;
  readonly stackName: string;
  readonly target: TargetKind;
  readonly region: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly creator: string;
  /** The harness process; a live pid means the run may still be cleaning up. */
  readonly pid: number;
  /** The command that finishes this run's cleanup by hand. */
  readonly cleanupCommand: string;
  /** `running` until the run ends; then `destroyed`, `kept` or `destroy-failed`. */
  readonly status: RunStatus;
  /** The phase in progress, or the last one when the run has ended. */
  readonly phase: PhaseName | null;
  readonly phases: readonly {
    readonly name: PhaseName;
    readonly startedAt: string;
    readonly endedAt?: string;
    readonly outcome?: string;
  }[];
  readonly deployment: {
    readonly baseUrl: string;
    readonly logGroupName: string;
    readonly functionName: string;
  } | null;
  /** The local emulator's log store, when known. */
  readonly logDir: string | null;
  /** Processes the deployment started (local emulator environments), as last seen. */
  readonly pids: readonly number[];
  /**
   * Local paths the run removes when it ends (its scratch directory, the function's log group in a `--log-dir`),
   * recorded before they are created, so `destroy --run-id` and `sweep` can finish a run that was killed.
   */
  readonly removePaths: readonly string[];
  readonly destroy: { readonly verified: boolean; readonly leftovers: readonly string[]; readonly at: string } | null;
  readonly reportPath: string | null;
  readonly updatedAt: string;
}

/** `<cwd>/.rda/runs/<runId>.json`. */
export function manifestPath(cwd: string, runId: string): string {
  return path.join(cwd, '.rda', 'runs', `${runId}.json`);
}

/** `<cwd>/.rda/runs/<runId>.lock`: exists while one process runs that id; holds its pid. */
export function lockPath(cwd: string, runId: string): string {
  return path.join(cwd, '.rda', 'runs', `${runId}.lock`);
}

/** Reads a run's manifest; undefined when there is none. */
export async function readManifest(cwd: string, runId: string): Promise<RunManifest | undefined> {
  try {
    return JSON.parse(await readFile(manifestPath(cwd, runId), 'utf8')) as RunManifest;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Every manifest under `<cwd>/.rda/runs/`, oldest first; unreadable files are skipped. */
export async function listManifests(cwd: string): Promise<RunManifest[]> {
  const dir = path.dirname(manifestPath(cwd, 'x'));
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const manifests: RunManifest[] = [];
  for (const name of names) {
    const manifest = await readManifest(cwd, name.slice(0, -'.json'.length)).catch(() => undefined);
    if (manifest?.schema === MANIFEST_SCHEMA) manifests.push(manifest);
  }
  return manifests.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Updates a manifest already on disk (a later command finishing a run); no-op when there is none. */
export async function updateManifest(
  cwd: string,
  runId: string,
  change: Partial<RunManifest>,
  now = new Date(),
): Promise<void> {
  const current = await readManifest(cwd, runId);
  if (!current) return;
  const file = manifestPath(cwd, runId);
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify({ ...current, ...change, updatedAt: now.toISOString() }, null, 2)}\n`);
  await rename(temp, file);
}

/** Options of {@link ManifestWriter.create}. */
export interface ManifestWriterOptions {
  /** Tells whether the pid in an existing lock or manifest is a live harness. @default systemProcesses */
  readonly processes?: ProcessTable;
}

/**
 * Writes one run's manifest, atomically (temp file + rename) and one write at a time, while holding the
 * run id's lock: one run id names one run on this machine, so a second run with the same id is refused
 * before it can deploy over the first or overwrite its manifest.
 */
export class ManifestWriter {
  private current: RunManifest;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    initial: RunManifest,
    private readonly lock: RunLock,
  ) {
    this.current = initial;
  }

  /**
   * Takes the run id's lock, then creates the manifest file; resolves once it is on disk. Throws UsageError
   * `RunIdInUse` when a live harness holds the id, and `RunNotFinished` when an earlier run with this id
   * did not finish its cleanup (its manifest would be overwritten, and with it the record of what to remove).
   */
  static async create(
    cwd: string,
    initial: Omit<RunManifest, 'schema' | 'updatedAt'>,
    options: ManifestWriterOptions = {},
  ): Promise<ManifestWriter> {
    const processes = options.processes ?? systemProcesses;
    const file = manifestPath(cwd, initial.runId);
    await mkdir(path.dirname(file), { recursive: true });
    const lock = await RunLock.acquire(lockPath(cwd, initial.runId), initial.runId, processes);
    try {
      await refuseUnfinishedRun(cwd, initial.runId, processes);
      const writer = new ManifestWriter(
        file,
        { schema: MANIFEST_SCHEMA, ...initial, updatedAt: initial.createdAt },
        lock,
      );
      await writer.flush();
      return writer;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  get manifest(): RunManifest {
    return this.current;
  }

  /** Applies `change` and writes the result; resolves once it is on disk. */
  update(change: (manifest: RunManifest) => Partial<RunManifest>, now = new Date()): Promise<void> {
    this.current = { ...this.current, ...change(this.current), updatedAt: now.toISOString() };
    return this.flush();
  }

  /** Frees the run id once the writes under way are on disk; call it after the run's last update. */
  async release(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.lock.release();
  }

  private flush(): Promise<void> {
    const snapshot = `${JSON.stringify(this.current, null, 2)}\n`;
    this.queue = this.queue.then(async () => {
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, snapshot);
      await rename(temp, this.path);
    });
    return this.queue;
  }
}

/** Statuses after which the run left nothing behind, so its id may name a new run. */
const FINISHED: ReadonlySet<RunStatus> = new Set(['destroyed', 'nothing-deployed']);

/**
 * Refuses to start over an earlier run with this id that did not finish its cleanup: `running` with its
 * harness gone (killed), `destroy-failed` or `kept`. Called with the lock held, so no locking run is live.
 */
async function refuseUnfinishedRun(cwd: string, runId: string, processes: ProcessTable): Promise<void> {
  // An unreadable manifest records nothing to finish; it is overwritten as before.
  const earlier = await readManifest(cwd, runId).catch(() => undefined);
  if (earlier?.schema !== MANIFEST_SCHEMA || FINISHED.has(earlier.status)) return;
  // A harness that predates the lock (or ignores it) can still be running this id.
  if (earlier.status === 'running' && earlier.pid !== process.pid && runIsLive(earlier, processes)) {
    throw runIdInUse(runId, earlier.pid, manifestPath(cwd, runId));
  }
  const state =
    earlier.status === 'running' ? `'running' but its harness (pid ${earlier.pid}) is gone` : `'${earlier.status}'`;
  throw new UsageError(
    'RunNotFinished',
    `run id '${runId}' names an earlier run (started ${earlier.createdAt}) that did not finish its cleanup, status ${state}: ` +
      `finish it first with '${earlier.cleanupCommand}', or pick another --run-id`,
  );
}

function runIdInUse(runId: string, pid: number, heldBy: string): UsageError {
  return new UsageError(
    'RunIdInUse',
    `run id '${runId}' is in use by the harness with pid ${pid} (${heldBy}): wait for that run to end or stop it ` +
      `with Ctrl-C there (kill -INT ${pid}), or pick another --run-id`,
  );
}

/**
 * The lock file of one run id, created with 'wx' (fails if it exists) so two processes cannot both take it.
 * A lock whose pid is not a live harness was left by a killed run and is taken over.
 */
class RunLock {
  private readonly onExit = (): void => this.release();

  private constructor(readonly path: string) {
    // A second Ctrl-C exits at once, skipping every `finally` (cli.ts): free the id then too.
    process.on('exit', this.onExit);
  }

  static async acquire(file: string, runId: string, processes: ProcessTable): Promise<RunLock> {
    // Each retry follows a lock that vanished or was stale; more than a few means others keep taking it.
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
        return new RunLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await readLockPid(file);
      if (holder === 'gone') continue; // released between our open and our read
      if (holder === 'unreadable') {
        throw new UsageError(
          'RunIdInUse',
          `run id '${runId}' is locked by ${file}, which holds no pid: if no run with this id is running, delete that file and retry; or pick another --run-id`,
        );
      }
      if (isHarnessProcess(holder, processes)) throw runIdInUse(runId, holder, file);
      await removeIfStill(file, holder);
    }
    throw new UsageError(
      'RunIdInUse',
      `run id '${runId}': could not take ${file}, other processes keep taking it: pick another --run-id`,
    );
  }

  /** Removes the lock if it still holds our pid; synchronous, so it also runs on 'exit'. */
  release(): void {
    process.removeListener('exit', this.onExit);
    try {
      if (readFileSync(this.path, 'utf8').trim() === String(process.pid)) unlinkSync(this.path);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Removes a run id's lock left by a harness that was killed before it could release it (`destroy` and `sweep`
 * finishing that run call this). A lock held by a live harness, or holding no pid, is left alone.
 */
export async function removeStaleLock(
  file: string,
  processes: ProcessTable = systemProcesses,
): Promise<'removed' | 'none' | 'held'> {
  const holder = await readLockPid(file);
  if (holder === 'gone') return 'none';
  if (holder === 'unreadable' || isHarnessProcess(holder, processes)) return 'held';
  await removeIfStill(file, holder);
  return (await readLockPid(file)) === 'gone' ? 'removed' : 'held';
}

/** Removes the lock only if it still names `holder`, so a lock another process took over meanwhile is left alone. */
async function removeIfStill(file: string, holder: number): Promise<void> {
  if ((await readLockPid(file)) === holder) await unlink(file).catch(() => undefined);
}

async function readLockPid(file: string): Promise<number | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  const pid = Number(text.trim());
  return /^\d+$/.test(text.trim()) && pid > 0 ? pid : 'unreadable';
}
