import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  BUSY_OTHERS_CORES,
  type CpuSample,
  flagBusyRows,
  othersCores,
  sampleCpu,
} from '../../../harness/perf/machine-share.js';
import type { PerfRow } from '../../../harness/perf/model.js';

const sample = (atMs: number, machineBusyTicks: number, suiteTicks: number): CpuSample => ({
  atMs,
  machineBusyTicks,
  suiteTicks,
});

describe('othersCores', () => {
  it('is the machine busy time the suite did not use, in cores', () => {
    // 10 s: the machine was busy 1,500 ticks (15 CPU-s), the suite used 1,000 (10 CPU-s): others 0.5 cores.
    expect(othersCores(sample(0, 0, 0), sample(10_000, 1_500, 1_000))).toBeCloseTo(0.5, 9);
  });

  it('is never negative and 0 over no time', () => {
    expect(othersCores(sample(0, 0, 0), sample(1_000, 50, 80))).toBe(0);
    expect(othersCores(sample(5, 0, 0), sample(5, 100, 0))).toBe(0);
  });
});

describe('flagBusyRows', () => {
  const rows: PerfRow[] = [
    { id: 'G1', name: 'emulator rps / bare', status: 'met', note: 'autocannon' },
    { id: 'G1', name: 'in-process / bare', status: 'info' },
    { id: 'G4', name: 'cold start', status: 'not met' },
  ];

  it('does not judge a figure taken while other processes used the machine, and says why', () => {
    const flagged = flagBusyRows(rows, 0.8, 2);
    expect(flagged.map((r) => r.status)).toEqual(['inconclusive', 'info', 'inconclusive']);
    expect(flagged[0]!.note).toMatch(/^machine busy: other processes used 0\.80 of 2 cores .*not judged\. autocannon$/);
    expect(flagged[1]!.note).toMatch(/^machine busy/);
    expect(flagged.every((r) => r.othersCores === 0.8)).toBe(true);
  });

  it("leaves a quiet machine's rows as they were, with the share recorded", () => {
    const flagged = flagBusyRows(rows, BUSY_OTHERS_CORES, 2);
    expect(flagged.map((r) => r.status)).toEqual(['met', 'info', 'not met']);
    expect(flagged[0]!.note).toBe('autocannon');
  });
});

describe.runIf(process.platform === 'linux')('sampleCpu on this machine', () => {
  it("counts a live child's CPU as the suite's own, not as another process's", async () => {
    const before = sampleCpu()!;
    // A child that burns ~300 ms of CPU, says so, then waits to be killed: alive when sampled.
    const child = spawn(
      process.execPath,
      [
        '-e',
        'const end = process.cpuUsage().user + 300000; while (process.cpuUsage().user < end); console.log("burnt"); setInterval(() => {}, 1000);',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const after = sampleCpu()!;
    child.kill('SIGKILL');
    // 300 ms of user CPU is 30 ticks; the child's start-up adds more.
    expect(after.suiteTicks - before.suiteTicks).toBeGreaterThanOrEqual(30);
    expect(after.machineBusyTicks - before.machineBusyTicks).toBeGreaterThanOrEqual(30);
  });
});
