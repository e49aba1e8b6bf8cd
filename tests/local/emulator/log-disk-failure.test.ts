import fs from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LogFileSystem } from '../../../harness/logstore/writer.js';
import { rawRequest, readLogEvents, STAGE, startFixture } from './helpers.js';

// A full, read-only or failing log disk must not stop the emulator (README, "When the log disk fails"):
// it keeps answering, and `logStoreHealth()` says how many events were lost and why. Tests run as root,
// where chmod does not block writes, so the faults are injected through the emulator's file-system seam.

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated failure`), { code });
}

/** node:fs, with writes and opens failing with `failure` while it is set. */
function faultyFs(): { fs: LogFileSystem; fail(error: NodeJS.ErrnoException | undefined): void } {
  let failure: NodeJS.ErrnoException | undefined;
  const guard =
    <A extends unknown[], R>(real: (...args: A) => R) =>
    (...args: A): R => {
      if (failure) throw failure;
      return real(...args);
    };
  return {
    fs: {
      mkdirSync: guard(fs.mkdirSync as (...args: unknown[]) => unknown),
      openSync: guard(fs.openSync as (...args: unknown[]) => number),
      writeSync: guard(fs.writeSync as (...args: unknown[]) => number),
      closeSync: fs.closeSync,
    } as unknown as LogFileSystem,
    fail(error) {
      failure = error;
    },
  };
}

describe('a failing log disk', () => {
  it('keeps serving when writes fail (ENOSPC) and counts exactly the events it lost', async () => {
    // Prepare: one request logged normally, so the environment exists with its stream open.
    const disk = faultyFs();
    const emulator = await startFixture({ handler: 'modes.handler' }, {}, { logFileSystem: disk.fs });
    onTestFinished(() => emulator.stop());
    expect((await rawRequest(emulator, `/${STAGE}/x`)).status).toBe(200);
    const stored = readLogEvents(emulator.logDir).length;
    expect(emulator.logStoreHealth()).toEqual({ lostEvents: 0 });
    // Act: two warm invocations (START, END, REPORT each) while the disk is full.
    disk.fail(errno('ENOSPC'));
    const during = [await rawRequest(emulator, `/${STAGE}/x`), await rawRequest(emulator, `/${STAGE}/x`)];
    disk.fail(undefined);
    const after = await rawRequest(emulator, `/${STAGE}/x`);
    // Assess
    expect(during.map((r) => r.status)).toEqual([200, 200]);
    expect(after.status).toBe(200);
    expect(emulator.logStoreHealth()).toEqual({ lostEvents: 6, firstError: 'ENOSPC: simulated failure' });
    // What was written before and after the failure is intact: the last invocation's three lines.
    expect(readLogEvents(emulator.logDir).length).toBe(stored + 3);
  });

  it('keeps serving when the log directory cannot be created (EROFS), counting every event', async () => {
    // Prepare
    const disk = faultyFs();
    disk.fail(errno('EROFS'));
    const emulator = await startFixture({ handler: 'modes.handler' }, {}, { logFileSystem: disk.fs });
    onTestFinished(() => emulator.stop());
    // Act: a cold start (INIT_START, START, END, REPORT), then a warm invocation.
    const responses = [await rawRequest(emulator, `/${STAGE}/x`), await rawRequest(emulator, `/${STAGE}/x`)];
    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    expect(emulator.logStoreHealth()).toEqual({ lostEvents: 7, firstError: 'EROFS: simulated failure' });
    expect(readLogEvents(emulator.logDir)).toEqual([]);
  });
});
