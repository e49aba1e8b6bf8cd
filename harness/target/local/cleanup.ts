/**
 * Finishing a local run that ended without cleaning up (its harness was killed, or a second Ctrl-C cut the
 * cleanup short): ends the execution environments its manifest recorded and removes the paths it recorded.
 * Used by `destroy --run-id` and `sweep`, as the AWS teardown is for AWS runs.
 */
import { rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../../errors.js';
import { type RunManifest, removeStaleLock } from '../../manifest.js';
import { type ProcessTable, runIsLive, systemProcesses } from '../../processes.js';
import type { DestroyReport } from '../target.js';

/** A recorded environment that ignores SIGKILL for this long is reported as left over. */
const PROCESS_EXIT_WAIT_MS = 2_000;
const PROCESS_POLL_MS = 50;

/**
 * Ends the run's recorded environments and removes its recorded paths, then checks that both are gone.
 * Refuses a run whose harness is still running: that one cleans up after itself.
 */
export async function destroyLocalRun(
  manifest: RunManifest,
  options: {
    readonly log?: (line: string) => void;
    readonly processes?: ProcessTable;
    /** The run id's lock (`lockPath`): a killed harness leaves it behind; removed once the run is not live. */
    readonly lockFile?: string;
  } = {},
): Promise<DestroyReport> {
  const processes = options.processes ?? systemProcesses;
  const log = options.log ?? (() => {});
  if (runIsLive(manifest, processes)) {
    throw new UsageError(
      'RunStillRunning',
      `run '${manifest.runId}' is still running as pid ${manifest.pid}: stop it with Ctrl-C there (or kill -INT ${manifest.pid}); it cleans up after itself`,
    );
  }
  const started = performance.now();
  const checks: string[] = [];
  const leftovers: string[] = [];

  const ours = manifest.pids.filter((pid) => processes.commandLine(pid)?.includes('runtime-worker') === true);
  for (const pid of ours) {
    log(`ending execution environment pid ${pid}`);
    try {
      processes.kill(pid, 'SIGKILL');
    } catch {
      // Gone between the look and the kill.
    }
  }
  for (
    let waitedMs = 0;
    ours.some((pid) => processes.commandLine(pid) !== undefined) && waitedMs < PROCESS_EXIT_WAIT_MS;
    waitedMs += PROCESS_POLL_MS
  ) {
    await sleep(PROCESS_POLL_MS);
  }
  for (const pid of manifest.pids) {
    if (ours.includes(pid) && processes.commandLine(pid) !== undefined) {
      checks.push(`pid ${pid}: still running`);
      leftovers.push(`process ${pid}`);
    } else {
      checks.push(`pid ${pid}: not running`);
    }
  }

  for (const recorded of manifest.removePaths ?? []) {
    await rm(recorded, { recursive: true, force: true, maxRetries: 2 }).catch(() => undefined);
    if (await exists(recorded)) {
      checks.push(`${recorded}: still there`);
      leftovers.push(`directory ${recorded}`);
    } else {
      checks.push(`${recorded}: removed`);
    }
  }
  if (options.lockFile) {
    const lock = await removeStaleLock(options.lockFile, processes);
    if (lock === 'held') {
      checks.push(`${options.lockFile}: still there`);
      leftovers.push(`lock file ${options.lockFile}`);
    } else {
      checks.push(`${options.lockFile}: ${lock === 'removed' ? 'removed' : 'not there'}`);
    }
  }
  return localDestroyReport(manifest.stackName, checks, leftovers, started);
}

/** A local teardown's report: verified when nothing is left over. */
export function localDestroyReport(
  stackName: string,
  checks: string[],
  leftovers: string[],
  startedMs: number,
): DestroyReport {
  return {
    target: 'local',
    stackName,
    verified: leftovers.length === 0,
    checks,
    leftovers,
    durationMs: performance.now() - startedMs,
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
