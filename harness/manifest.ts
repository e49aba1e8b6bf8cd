/**
 * The run manifest, `.rda/runs/<runId>.json`: written before anything is created and updated as each
 * phase starts and ends, so a run killed at any moment leaves a record of what it was doing and how to
 * finish its cleanup (docs/failure-model.md#what-is-recorded-so-a-killed-run-can-be-finished: persist state so a later `destroy --run-id` or `sweep` can act).
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PhaseName } from './check/outcome.js';
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

/** Writes one run's manifest, atomically (temp file + rename) and one write at a time. */
export class ManifestWriter {
  private current: RunManifest;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    initial: RunManifest,
  ) {
    this.current = initial;
  }

  /** Creates the manifest file; resolves once it is on disk. */
  static async create(cwd: string, initial: Omit<RunManifest, 'schema' | 'updatedAt'>): Promise<ManifestWriter> {
    const file = manifestPath(cwd, initial.runId);
    await mkdir(path.dirname(file), { recursive: true });
    const writer = new ManifestWriter(file, { schema: MANIFEST_SCHEMA, ...initial, updatedAt: initial.createdAt });
    await writer.flush();
    return writer;
  }

  get manifest(): RunManifest {
    return this.current;
  }

  /** Applies `change` and writes the result; resolves once it is on disk. */
  update(change: (manifest: RunManifest) => Partial<RunManifest>, now = new Date()): Promise<void> {
    this.current = { ...this.current, ...change(this.current), updatedAt: now.toISOString() };
    return this.flush();
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
