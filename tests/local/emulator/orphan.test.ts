import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';

// Environments must not outlive the process that hosts the emulator, however it dies: here it is
// SIGKILLed (no cleanup runs), with environments in each window where the worker's main thread cannot
// notice (module init blocking, a synchronous loop, a long timer) and one idle.

const HOST = fileURLToPath(new URL('./orphan-host.ts', import.meta.url));
const EXIT_BOUND_MS = 2000;
const POLL_MS = 50;

/** True once the process has exited (a zombie waiting to be reaped has exited too). */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline !== -1) resolve(text.slice(0, newline));
    });
    stream.on('end', () => reject(new Error(`the host ended before printing its pids: ${text}`)));
  });
}

describe('when the process hosting the emulator dies', () => {
  it('every environment exits on its own within 2 s of a SIGKILL, whatever it was doing', async () => {
    // Prepare: a host with environments initializing forever, spinning, awaiting a timer, and idle.
    const markerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-orphan-markers-'));
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-orphan-logs-'));
    const host = spawn(process.execPath, ['--import', 'tsx', HOST, markerDir, logDir], {
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pids: number[] = [];
    onTestFinished(() => {
      // Whatever the outcome, nothing of this test stays behind.
      for (const pid of [host.pid as number, ...pids]) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // Not a group leader any more, or gone.
        }
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone.
        }
      }
      fs.rmSync(markerDir, { recursive: true, force: true });
      fs.rmSync(logDir, { recursive: true, force: true });
    });
    const hostLine = JSON.parse(await readFirstLine(host.stdout!)) as { pids: number[]; tmpDirs: string[] };
    pids = hostLine.pids;
    const tmpDirs = hostLine.tmpDirs;
    expect(pids).toHaveLength(4);
    expect(tmpDirs.filter((dir) => fs.existsSync(dir))).toHaveLength(4);
    expect(fs.readdirSync(markerDir).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\.init$/),
        expect.stringMatching(/\.spin$/),
        expect.stringMatching(/\.timer$/),
      ]),
    );
    for (const pid of pids) expect(gone(pid)).toBe(false);

    // Act
    const killedAtMs = performance.now();
    process.kill(host.pid as number, 'SIGKILL');
    const goneAfterMs = new Map<number, number>();
    const deadlineMs = killedAtMs + 10_000;
    while (goneAfterMs.size < pids.length && performance.now() < deadlineMs) {
      for (const pid of pids)
        if (!goneAfterMs.has(pid) && gone(pid)) goneAfterMs.set(pid, performance.now() - killedAtMs);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }

    // Assess: every pid gone, each within the bound (measured at the first poll that saw it gone).
    expect(pids.filter((pid) => !goneAfterMs.has(pid))).toEqual([]);
    for (const [pid, afterMs] of goneAfterMs)
      expect(afterMs, `pid ${pid} exited ${afterMs.toFixed(0)} ms after the kill`).toBeLessThanOrEqual(EXIT_BOUND_MS);
    // Each environment's watchdog removed its private /tmp before ending it.
    expect(tmpDirs.filter((dir) => fs.existsSync(dir))).toEqual([]);
  });
});
