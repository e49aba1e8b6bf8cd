/**
 * The processes of this machine, as the harness needs to see them: is a recorded pid still one of our
 * harness processes (pids are reused), and ending a recorded execution environment. A fake in tests.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** How a process is recognised; a fake in tests. */
export interface ProcessTable {
  /** The command line of a live process, or undefined when there is none (zombies count as gone). */
  commandLine(pid: number): string | undefined;
  kill(pid: number, signal: NodeJS.Signals): void;
}

/** The process table of this machine: /proc on Linux, `ps` elsewhere. */
export const systemProcesses: ProcessTable = {
  commandLine(pid) {
    if (process.platform !== 'linux') {
      try {
        const line = execFileSync('ps', ['-o', 'stat=,command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
        return line === '' || line.startsWith('Z') ? undefined : line;
      } catch {
        return undefined; // ps exits 1 when there is no such process
      }
    }
    try {
      const state = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (state.slice(state.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      return undefined;
    }
  },
  kill(pid, signal) {
    process.kill(pid, signal);
  },
};

/** True while `pid` is this process or a running harness CLI (a reused pid running something else is not). */
export function isHarnessProcess(pid: number, processes: ProcessTable = systemProcesses): boolean {
  if (pid === process.pid) return true;
  const command = processes.commandLine(pid);
  return command !== undefined && /harness[/\\]cli\.ts|harness[/\\]cli\.js/.test(command);
}

/** True while the harness process that wrote this manifest is still running (pids are reused: check what it is). */
export function runIsLive(manifest: { readonly pid: number }, processes: ProcessTable = systemProcesses): boolean {
  return isHarnessProcess(manifest.pid, processes);
}
