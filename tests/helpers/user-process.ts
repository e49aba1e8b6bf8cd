/**
 * Starts harness commands the way people do (`npm run bench -- …`, `timeout … npm run …`), in a process group
 * of their own like a terminal's foreground job, and delivers signals the way terminals, supervisors and CI
 * runners do: to the whole group (Ctrl-C) or to the top process only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';
import { alive, descendants } from './processes.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A command started as a user starts it, with its output and every process it ever had below it. */
export interface UserProcess {
  /** The top process (npm, or `timeout`); also the process group id. */
  readonly top: ChildProcess;
  readonly lines: string[];
  /** stdout and stderr, interleaved as they arrived. */
  output(): string;
  /** Every pid seen below the top process so far. */
  readonly seen: Set<number>;
  /** Resolves with the top process's exit code (128 + n when a signal ended it). */
  readonly topExited: Promise<number>;
  /** Resolves with the first line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Ctrl-C in a terminal: SIGINT (or another signal) to the whole foreground process group. */
  signalGroup(signal: NodeJS.Signals): void;
  /** A supervisor, `kill <pid>` or a CI runner: the top process only. */
  signalTop(signal: NodeJS.Signals): void;
  /** The harness's own node process (below npm and sh), once it runs. */
  harnessPid(): number | undefined;
  /** Resolves once no process that ever ran below the top one is alive (or rejects after `timeoutMs`). */
  allGone(timeoutMs?: number): Promise<void>;
}

const POLL_MS = 25;

/** Runs `command args` from the repository root in a new process group. */
export function startAsUser(command: string, args: readonly string[], env: Record<string, string> = {}): UserProcess {
  const top = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, CI: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a process group of its own, as a shell gives each job
  });
  const lines: string[] = [];
  let output = '';
  const seen = new Set<number>();
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onChunk = (chunk: Buffer) => {
    output += chunk.toString();
    const parts = output.split('\n');
    parts.pop();
    for (const line of parts.slice(lines.length)) {
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  top.stdout?.on('data', onChunk);
  top.stderr?.on('data', onChunk);
  const watch = () => {
    for (const pid of descendants(top.pid!)) seen.add(pid);
  };
  const watcher = setInterval(watch, POLL_MS);
  const topExited = new Promise<number>((resolve) =>
    top.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? signalNumber(signal) : 0))),
  );
  onTestFinished(() => {
    clearInterval(watcher);
    for (const pid of [top.pid!, ...seen]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const harnessPid = () =>
    [...seen].find((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('harness/cli.ts');
      } catch {
        return false;
      }
    });
  return {
    top,
    lines,
    output: () => output,
    seen,
    topExited,
    waitFor(pattern, timeoutMs = 90_000) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line ${pattern} within ${timeoutMs} ms; output:\n${output}`)),
          timeoutMs,
        );
        waiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    signalGroup(signal) {
      watch();
      process.kill(-top.pid!, signal);
    },
    signalTop(signal) {
      watch();
      process.kill(top.pid!, signal);
    },
    harnessPid: () => {
      watch();
      return harnessPid();
    },
    async allGone(timeoutMs = 60_000) {
      watch();
      const deadline = Date.now() + timeoutMs;
      while ([...seen].some(alive) || alive(top.pid!)) {
        if (Date.now() > deadline) {
          throw new Error(
            `still alive after ${timeoutMs} ms: ${[...seen].filter(alive).join(', ')}; output:\n${output}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        watch();
      }
    },
  };
}

/** `npm run bench -- <args>` as typed in a terminal. */
export function startBench(args: readonly string[], env: Record<string, string> = {}): UserProcess {
  return startAsUser('npm', ['run', '--silent', 'bench', '--', ...args], env);
}

/** Directories a run left in the temp folder: its scratch directory, and the older per-run names. */
export function leftoverTempDirs(runId: string): string[] {
  return readdirSync(tmpdir()).filter((name) =>
    [`rda-run-${runId}-`, `rda-logs-${runId}-`, `rda-assembly-${runId}-`].some((prefix) => name.startsWith(prefix)),
  );
}

/** Waits `ms` of wall time: only to let a phase get under way before a signal, never to judge a result. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 0;
}
