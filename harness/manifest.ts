/**
 * The run manifest, `.rda/runs/<runId>.json`: written before anything is created and updated as each
 * phase starts and ends, so a run killed at any moment leaves a record of what it was doing and how to
 * finish its cleanup (reliability.md §1: persist state so a later `destroy --run-id` or `sweep` can act).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PhaseName } from './check/outcome.js';
import type { TargetKind } from './target/target.js';

export const MANIFEST_SCHEMA = 'rda-run-manifest/1';

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
  readonly status: 'running' | 'destroyed' | 'kept' | 'destroy-failed' | 'nothing-deployed';
  /** The phase in progress, or the last one when the run has ended. */
  readonly phase: PhaseName | null;
  readonly phases: readonly { readonly name: PhaseName; readonly startedAt: string; readonly endedAt?: string; readonly outcome?: string }[];
  readonly deployment: { readonly baseUrl: string; readonly logGroupName: string; readonly functionName: string } | null;
  /** The local emulator's log store, when known. */
  readonly logDir: string | null;
  /** Processes the deployment started (local emulator environments), as last seen. */
  readonly pids: readonly number[];
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

let cleanupHint: string | undefined;

/** Registers the command that finishes the current run's cleanup; cli.ts prints it on a second signal. */
export function setCleanupHint(command: string | undefined): void {
  cleanupHint = command;
}

/** The command registered by {@link setCleanupHint}, if a run is in progress. */
export function currentCleanupHint(): string | undefined {
  return cleanupHint;
}
