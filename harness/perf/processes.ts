/**
 * Processes of the benchmark: where they run (CPU pinning with `taskset`, docs/measurement.md#pinning), the server
 * children (bare, stalling, emulator; see servers.ts) and their cleanup, by pid, on exit or signal.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const SERVERS_FILE = fileURLToPath(new URL('./servers.ts', import.meta.url));
// A server child that has not printed its port after this long is broken (emulator start is ~1 s).
const SERVER_START_TIMEOUT_MS = 30_000;

/** Where servers and the load generator run. */
export interface Placement {
  readonly pinned: boolean;
  /** `taskset -c` list for servers and everything they start (Lambda environments inherit it). */
  readonly serverCpus: string;
  /** `taskset -c` list for this process, the load generator. */
  readonly generatorCpus: string;
  /** Every CPU, to unpin this process for phases that are not loads. */
  readonly allCpus: string;
  /** The placement in words, for the report. */
  readonly description: string;
}

/**
 * Servers on CPU 0, generator on CPU 1 when there are two CPUs and `taskset` (and pinning was not turned
 * off with `--no-pin`); otherwise unpinned. Pure.
 */
export function choosePlacement(cpus: number, tasksetAvailable: boolean, requested = true): Placement {
  const allCpus = cpus > 1 ? `0-${cpus - 1}` : '0';
  if (cpus >= 2 && tasksetAvailable) {
    return {
      pinned: true,
      serverCpus: '0',
      generatorCpus: '1',
      allCpus,
      description:
        'pinned with taskset: servers (bare, emulator and its Lambda environments) on CPU 0, load generator (the perf process) on CPU 1; ' +
        'offline figures (G8, G9, handler) unpinned',
    };
  }
  const why = !requested ? 'turned off with --no-pin' : tasksetAvailable ? `only ${cpus} CPU` : '`taskset` not found';
  return {
    pinned: false,
    serverCpus: allCpus,
    generatorCpus: allCpus,
    allCpus,
    description: `not pinned (${why}): servers and generator share the CPUs`,
  };
}

/** True when `taskset` can read this process's affinity (util-linux installed, Linux). */
export function tasksetAvailable(): boolean {
  return spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
}

/** Moves every thread of this process to `cpus` (a `taskset -c` list); no-op when not pinned. */
export function pinSelf(placement: Placement, cpus: string): void {
  if (!placement.pinned) return;
  spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** A server child and how to stop it. */
export interface ServerHandle {
  readonly port: number;
  readonly pid: number;
  /** `http://127.0.0.1:<port>/<prefix>/` where `prefix` is the stage (emulator) or a matching path (others). */
  readonly baseUrl: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/**
 * Starts `servers.ts <mode> ...args` in its own process (pinned to the server CPUs), resolves once it
 * printed `PORT <n> <basePath>`.
 */
export function startServer(
  mode: 'bare' | 'stall' | 'emulator' | 'inprocess',
  args: readonly string[],
  placement: Placement,
): Promise<ServerHandle> {
  const command = [process.execPath, ...process.execArgv, SERVERS_FILE, mode, ...args];
  const child = placement.pinned
    ? spawn('taskset', ['-c', placement.serverCpus, ...command], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${mode} server printed no port within ${SERVER_START_TIMEOUT_MS / 1000} s`));
    }, SERVER_START_TIMEOUT_MS);
    child.stdout!.setEncoding('utf8');
    const onData = (chunk: string) => {
      text += chunk;
      const match = /PORT (\d+) (\S+)/.exec(text);
      if (!match) return;
      clearTimeout(timer);
      // From here on only a server's own output comes (the in-process handler logs every request): drop it.
      child.stdout!.off('data', onData);
      child.stdout!.resume();
      const port = Number(match[1]);
      resolve({ port, pid: child.pid!, baseUrl: `http://127.0.0.1:${port}${match[2]}`, stop: () => stopChild(child) });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${mode} server exited (${signal ?? code}) before listening`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // The emulator child closes its environments on SIGTERM; give it 5 s before forcing.
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Stops every server this module started that is still running. */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...live].map(stopChild));
}

/** Pids of every process below `root` in a pid → parent-pid map, deepest first. Pure. */
export function descendantsOf(root: number, parentOf: ReadonlyMap<number, number>): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, parent] of parentOf) {
    const list = children.get(parent);
    if (list) list.push(pid);
    else children.set(parent, [pid]);
  }
  const out: number[] = [];
  const visit = (pid: number, seen: Set<number>) => {
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child)) continue;
      seen.add(child);
      visit(child, seen);
      out.push(child);
    }
  };
  visit(root, new Set([root]));
  return out;
}

/** The pid → parent-pid map of every process, from /proc (empty where /proc does not exist). */
export function readParentMap(): Map<number, number> {
  const map = new Map<number, number>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return map;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the parent pid; the command name (field 2) may hold spaces, so split after its ')'.
      map.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  return map;
}

/**
 * Last-resort cleanup on a signal: SIGKILLs every descendant of this process by pid (servers, Lambda
 * environments, a `npm run bench` child), including those started by the other figures' modules.
 */
export function killDescendants(): void {
  for (const pid of descendantsOf(process.pid, readParentMap())) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
