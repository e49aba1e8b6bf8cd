import { describe, expect, it } from 'vitest';
import {
  billedDurationMs,
  endLine,
  initStartLine,
  reportLine,
  runtimeExitLine,
  startLine,
} from '../../../harness/emulator/platform-lines.js';

const ID = '76269889-7d50-4d6d-a3f1-9b4f5322f47c';

describe('platform lines (docs/aws-behaviour.md#lambda-platform-lines)', () => {
  it('prints START with a space before Version and END plainly', () => {
    expect(startLine(ID)).toBe(`START RequestId: ${ID} Version: $LATEST`);
    expect(endLine(ID)).toBe(`END RequestId: ${ID}`);
  });

  it('prints the recorded warm and cold REPORT lines byte for byte', () => {
    expect(reportLine({ requestId: ID, durationMs: 14.97, memorySizeMb: 128, maxMemoryUsedMb: 67 })).toBe(
      `REPORT RequestId: ${ID}\tDuration: 14.97 ms\tBilled Duration: 15 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t`,
    );
    expect(
      reportLine({ requestId: ID, durationMs: 5.93, memorySizeMb: 128, maxMemoryUsedMb: 67, initDurationMs: 145.69 }),
    ).toBe(
      `REPORT RequestId: ${ID}\tDuration: 5.93 ms\tBilled Duration: 6 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\tInit Duration: 145.69 ms\t`,
    );
  });

  it('ends a timeout REPORT with Status: timeout, after Init Duration when there is one', () => {
    expect(
      reportLine({
        requestId: ID,
        durationMs: 3000,
        memorySizeMb: 1024,
        maxMemoryUsedMb: 64,
        status: { kind: 'timeout' },
      }),
    ).toBe(
      `REPORT RequestId: ${ID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 1024 MB\tMax Memory Used: 64 MB\tStatus: timeout`,
    );
    expect(
      reportLine({
        requestId: ID,
        durationMs: 3000,
        memorySizeMb: 1024,
        maxMemoryUsedMb: 64,
        initDurationMs: 476.75,
        status: { kind: 'timeout' },
      }),
    ).toMatch(/\tInit Duration: 476\.75 ms\tStatus: timeout$/);
  });

  it('ends a runtime-exit REPORT with the status and error type', () => {
    expect(
      reportLine({
        requestId: ID,
        durationMs: 1,
        memorySizeMb: 128,
        maxMemoryUsedMb: 16,
        status: { kind: 'error', errorType: 'Runtime.ExitError' },
      }),
    ).toMatch(/\tMax Memory Used: 16 MB\tStatus: error\tError Type: Runtime\.ExitError$/);
    expect(runtimeExitLine(ID, 129, null)).toBe(
      `RequestId: ${ID} Error: Runtime exited with error: exit status 129\nRuntime.ExitError`,
    );
    expect(runtimeExitLine(ID, null, 'SIGKILL')).toBe(
      `RequestId: ${ID} Error: Runtime exited with error: signal: killed\nRuntime.ExitError`,
    );
  });

  it('prints INIT_START with the runtime version and a 64-hex runtime ARN', () => {
    expect(initStartLine('nodejs24.x', 'eu-west-1')).toMatch(
      /^INIT_START Runtime Version: nodejs:24\.v\d+\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:[0-9a-f]{64}$/,
    );
  });
});

describe('billedDurationMs (docs/aws-behaviour.md#billed-duration)', () => {
  it('is ceil of the printed Duration, at least 1 ms', () => {
    // Recorded pairs: 14.97→15, 5.93→6, 3.01→4, 2.90→3, 9988.34→9989, 3666.80→3667.
    for (const [duration, billed] of [
      [14.97, 15],
      [5.93, 6],
      [3.01, 4],
      [2.9, 3],
      [9988.34, 9989],
      [3666.8, 3667],
      [15.0001, 15],
      [0.001, 1],
    ]) {
      expect(billedDurationMs(duration!), String(duration)).toBe(billed);
    }
  });
});
