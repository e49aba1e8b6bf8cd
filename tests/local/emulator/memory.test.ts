import fs from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alive, LOG_GROUP, rawRequest, readLogEvents, STAGE, startFixture } from './helpers.js';

// The configured memory is enforced as Lambda enforces it (README, "Memory, /tmp, read-only code, reserved
// environment variables"): past it the environment is killed, the invocation fails with Runtime.OutOfMemory,
// API Gateway answers its function-error 502, and a REPORT never shows more memory used than configured.

const MEMORY_SIZE_MB = 128;
const REPORT_MEMORY = /\tMemory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t/;

async function started() {
  const emulator = await startFixture({
    handler: 'env-memory.handler',
    memorySizeMb: MEMORY_SIZE_MB,
    timeoutSeconds: 30,
  });
  onTestFinished(() => emulator.stop());
  return emulator;
}

function messages(logDir: string): string[] {
  return readLogEvents(logDir, LOG_GROUP).map((event) => event.message);
}

describe('the memory size', () => {
  it('kills an environment that allocates 1 GB of a 128 MB function, as Lambda does', async () => {
    const emulator = await started();
    // Prepare: a warm environment, and its pid.
    const warm = JSON.parse((await rawRequest(emulator, `/${STAGE}/`)).text) as { pid: number };

    // Act
    const response = await rawRequest(emulator, `/${STAGE}/?op=allocate&mb=1024`);

    // Assess: API Gateway's answer to a failed invocation, Lambda's log lines, a new environment next time.
    expect(response.status).toBe(502);
    expect(JSON.parse(response.text)).toEqual({ message: 'Internal server error' });
    const logged = messages(emulator.logDir);
    const report = logged.find((m) => m.startsWith('REPORT') && m.includes('Status: error'));
    expect(report).toMatch(
      /\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime\.OutOfMemory$/,
    );
    expect(
      logged.some((m) =>
        /^RequestId: \S+ Error: Runtime exited with error: signal: killed\nRuntime\.ExitError$/.test(m),
      ),
    ).toBe(true);
    expect(alive(warm.pid)).toBe(false);
    const next = JSON.parse((await rawRequest(emulator, `/${STAGE}/`)).text) as { pid: number };
    expect(next.pid).not.toBe(warm.pid);
  });

  it('counts the processes the function starts, not only the runtime', async () => {
    const emulator = await started();

    // Act: the worker stays small, a child it started holds 300 MB.
    const response = await rawRequest(emulator, `/${STAGE}/?op=child&mb=300`);

    // Assess
    expect(response.status).toBe(502);
    expect(messages(emulator.logDir).filter((m) => m.includes('Error Type: Runtime.OutOfMemory'))).toHaveLength(1);
    // The whole process group went with the environment.
    expect(emulator.environments()).toEqual([]);
  });

  it('counts a process started after the environment served invocations without one', async () => {
    // Prepare: a warm environment whose function has not loaded node:child_process (the worker reports that
    // it started no process, and the emulator skips the /proc read at the end of those invocations).
    const emulator = await startFixture({ handler: 'env-memory-lazy.handler', memorySizeMb: MEMORY_SIZE_MB });
    onTestFinished(() => emulator.stop());
    const warm = JSON.parse((await rawRequest(emulator, `/${STAGE}/`)).text) as { pid: number };
    const spawned = JSON.parse((await rawRequest(emulator, `/${STAGE}/?op=spawn&mb=300`)).text) as {
      pid: number;
      childPid: number;
    };
    expect(spawned.pid).toBe(warm.pid);
    // The child grows while the environment is idle (not sampled then): only the next invocation can see it.
    process.kill(spawned.childPid, 'SIGUSR2');
    await expect.poll(() => residentMb(spawned.childPid), { timeout: 10_000 }).toBeGreaterThan(MEMORY_SIZE_MB);

    // Act: a short invocation.
    const response = await rawRequest(emulator, `/${STAGE}/`);

    // Assess: its end-of-invocation check counted the child.
    expect(response.status).toBe(502);
    const report = messages(emulator.logDir).find((m) => m.startsWith('REPORT') && m.includes('Status: error'));
    expect(report).toMatch(/\tMax Memory Used: 128 MB\tStatus: error\tError Type: Runtime\.OutOfMemory$/);
    expect(emulator.environments()).toEqual([]);
  });

  it('checks while the invocation runs, not only when it ends', async () => {
    // Prepare: a timeout far beyond the check interval, so a timeout would mean no check ran meanwhile.
    const emulator = await startFixture({
      handler: 'env-memory.handler',
      memorySizeMb: MEMORY_SIZE_MB,
      timeoutSeconds: 20,
    });
    onTestFinished(() => emulator.stop());

    // Act: 512 MB, then a wait of 60 s inside the handler.
    const response = await rawRequest(emulator, `/${STAGE}/?op=allocate&mb=512&wait=1`);

    // Assess
    expect(response.status).toBe(502);
    const report = messages(emulator.logDir).find((m) => m.startsWith('REPORT'));
    expect(report).toMatch(/\tStatus: error\tError Type: Runtime\.OutOfMemory$/);
  });

  it('fails an init that passes the memory size, and the invocation waiting on it', async () => {
    const emulator = await startFixture({ handler: 'env-memory-init.handler', memorySizeMb: MEMORY_SIZE_MB });
    onTestFinished(() => emulator.stop());

    // Act
    const response = await rawRequest(emulator, `/${STAGE}/`);

    // Assess
    expect(response.status).toBe(502);
    const logged = messages(emulator.logDir);
    expect(logged.filter((m) => m.startsWith('REPORT'))).toEqual([
      expect.stringMatching(
        /\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t.*Status: error\tError Type: Runtime\.OutOfMemory$/,
      ),
    ]);
  });

  it('never reports more memory used than the memory size', async () => {
    const emulator = await started();

    // Act: one invocation below the limit, one past it.
    const below = await rawRequest(emulator, `/${STAGE}/?op=allocate&mb=32`);
    await rawRequest(emulator, `/${STAGE}/?op=allocate&mb=512`);

    // Assess
    expect(below.status).toBe(200);
    const reports = messages(emulator.logDir).filter((m) => m.startsWith('REPORT'));
    expect(reports).toHaveLength(2);
    for (const report of reports) {
      const [, sizeMb, usedMb] = REPORT_MEMORY.exec(report)!;
      expect(Number(usedMb)).toBeLessThanOrEqual(Number(sizeMb));
    }
    expect(Number(REPORT_MEMORY.exec(reports[0]!)![2])).toBeGreaterThan(32);
  });

  it("runs node with the heap limits Lambda's bootstrap derives from the memory size", async () => {
    const emulator = await started();

    // Act
    const { execArgv, heapSizeLimitMb, gc } = JSON.parse((await rawRequest(emulator, `/${STAGE}/?op=heap`)).text) as {
      execArgv: string[];
      heapSizeLimitMb: number;
      gc: string;
    };

    // Assess: 128 MB → new space 12, semi-space 6, old space 116; V8's limit follows (its default is GBs).
    expect(execArgv).toEqual([
      '--expose-gc',
      '--max-http-header-size=81920',
      '--max-semi-space-size=6',
      '--max-old-space-size=116',
    ]);
    expect(heapSizeLimitMb).toBeGreaterThanOrEqual(116);
    expect(heapSizeLimitMb).toBeLessThan(MEMORY_SIZE_MB + 32);
    expect(gc).toBe('function');
  });
});

/** Resident memory of a live process in MB (0 once it is gone). */
function residentMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}
