import fs from 'node:fs';
import path from 'node:path';
import type { FunctionConfig } from './config.js';
import { runtimeMajor } from './node-runtime.js';

/**
 * What one execution environment's sandbox looks like from inside: the node flags Lambda's Node.js
 * bootstrap passes, the environment variables Lambda sets, and the memory the environment's processes use
 * (README, "Memory, /tmp, read-only code, reserved environment variables").
 */

/**
 * Node flags of Lambda's Node.js bootstrap: `--expose-gc`, `--max-http-header-size 81920`, and V8 heap limits
 * derived from the memory size: new space = memory / 10, semi-space = new space / 2, old space = memory - new
 * space (integer MB). The bootstrap leaves the heap limits out when NODE_OPTIONS already sets one of them.
 */
export function runtimeNodeFlags(memorySizeMb: number, nodeOptions = ''): string[] {
  const flags = ['--expose-gc', '--max-http-header-size=81920'];
  // Both spellings are V8 flags; the bootstrap checks each.
  if (/--max[-_](semi|old)[-_]space[-_]size/.test(nodeOptions)) return flags;
  const newSpaceMb = Math.floor(memorySizeMb / 10);
  flags.push(
    `--max-semi-space-size=${Math.floor(newSpaceMb / 2)}`,
    `--max-old-space-size=${memorySizeMb - newSpaceMb}`,
  );
  return flags;
}

/**
 * Stand-ins for the execution role's temporary credentials Lambda puts in the environment. They are FAKE:
 * well-formed (an `ASIA` key id of 20 characters, a 40-character secret, a base64 session token) so SDKs
 * accept them and never fall back to the host's own credentials or profile, but AWS refuses them.
 */
export const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIAFAKERDAEMULATOR7',
  AWS_SECRET_ACCESS_KEY: 'fakeEmulatorSecretAccessKeyNotForAws0000',
  AWS_SESSION_TOKEN: Buffer.from('rda emulator: fake session token, not an AWS credential').toString('base64'),
} as const;

/** Where the Lambda runtime interface listens on AWS; nothing listens there locally. */
export const RUNTIME_API = '127.0.0.1:9001';

/** What `lambdaEnvironment` needs besides the function's settings. */
export interface SandboxPaths {
  readonly region: string;
  readonly logStreamName: string;
  /** The node binary the function runs on: its directory stands for `/var/lang/bin`. */
  readonly nodePath: string;
  /** Stands for `/var/runtime` (`LAMBDA_RUNTIME_DIR`). */
  readonly runtimeDir: string;
  /** The environment's private temp directory (`TMPDIR`). */
  readonly tmpDir: string;
}

/**
 * The variables Lambda sets for a Node.js function, with Lambda's paths mapped to local ones (`/var/task` →
 * the code directory, `/var/runtime` → the emulator's runtime directory, `/var/lang` → the node binary's
 * installation). Unreserved defaults (PATH, LANG, LD_LIBRARY_PATH, NODE_PATH) yield to the function's own
 * variables; reserved names, the credentials and TMPDIR win over them. Nothing comes from the host.
 */
export function lambdaEnvironment(fn: FunctionConfig, paths: SandboxPaths): Record<string, string> {
  const task = fn.codeDir;
  const runtime = paths.runtimeDir;
  const langBin = path.dirname(paths.nodePath);
  const langLib = path.join(path.dirname(langBin), 'lib');
  const major = runtimeMajor(fn.runtime) ?? 0;
  return {
    PATH: `${langBin}:/usr/local/bin:/usr/bin/:/bin:/opt/bin`,
    LANG: 'en_US.UTF-8',
    LD_LIBRARY_PATH: `${langLib}:/lib64:/usr/lib64:${runtime}:${runtime}/lib:${task}:${task}/lib:/opt/lib`,
    NODE_PATH: `/opt/nodejs/node${major}/node_modules:/opt/nodejs/node_modules:${runtime}/node_modules:${runtime}:${task}`,
    ...fn.environment,
    AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySizeMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: paths.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_RUNTIME_API: RUNTIME_API,
    AWS_REGION: paths.region,
    AWS_DEFAULT_REGION: paths.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    LAMBDA_TASK_ROOT: task,
    LAMBDA_RUNTIME_DIR: runtime,
    _HANDLER: fn.handler,
    TZ: ':UTC',
    ...FAKE_CREDENTIALS,
    // Lambda has no TMPDIR (/tmp is private there); here the private directory is what os.tmpdir() returns.
    TMPDIR: paths.tmpDir,
  };
}

// statm counts pages: their size is found once by comparing it with what node reports for itself.
const PAGE_KB = pageSizeKb();

/** Resident memory in KiB of the processes `pid` started (its descendants), 0 when it has none. */
export function descendantsRssKb(pid: number): number {
  const children = readProc(`/proc/${pid}/task/${pid}/children`);
  if (!children) return 0;
  let totalKb = 0;
  for (const child of children.split(' ')) if (child.length > 0) totalKb += processTreeRssKb(Number(child));
  return totalKb;
}

/**
 * Resident memory in KiB of a process and every descendant it started (children of their main threads,
 * `/proc/<pid>/task/<pid>/children`), read from `/proc/<pid>/statm`; 0 for a process that is gone.
 */
export function processTreeRssKb(pid: number): number {
  let totalKb = 0;
  const pending = [pid];
  // A bound on the walk: a fork bomb must not stall the emulator.
  for (let visited = 0; pending.length > 0 && visited < 4096; visited++) {
    const current = pending.pop()!;
    const statm = readProc(`/proc/${current}/statm`);
    if (statm === undefined) continue;
    const space = statm.indexOf(' ');
    totalKb += Number(statm.slice(space + 1, statm.indexOf(' ', space + 1))) * PAGE_KB;
    const children = readProc(`/proc/${current}/task/${current}/children`);
    if (!children) continue;
    for (const child of children.split(' ')) if (child.length > 0) pending.push(Number(child));
  }
  return totalKb;
}

function pageSizeKb(): number {
  const statm = readProc('/proc/self/statm');
  const pages = statm === undefined ? 0 : Number(statm.split(' ')[1]);
  if (!(pages > 0)) return 4;
  const ratioKb = process.memoryUsage.rss() / 1024 / pages;
  return [4, 16, 64].reduce((best, kb) => (Math.abs(kb - ratioKb) < Math.abs(best - ratioKb) ? kb : best));
}

// One buffer for every /proc read: open/read/close costs ~10 µs a file, readFileSync about twice that.
const procBuffer = Buffer.allocUnsafe(16 * 1024);

function readProc(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const bytes = fs.readSync(fd, procBuffer, 0, procBuffer.length, 0);
    // A longer file (thousands of children) is read whole.
    if (bytes === procBuffer.length) return fs.readFileSync(file, 'latin1');
    return procBuffer.toString('latin1', 0, bytes);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
