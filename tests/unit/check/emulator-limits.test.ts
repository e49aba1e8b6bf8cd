import { describe, expect, it } from 'vitest';
import { emulatorDoubts, emulatorFaults, emulatorMarks } from '../../../harness/check/emulator-limits.js';
import type { EmulatorFacts } from '../../../harness/target/target.js';

// What the local emulator's own limits do to a run's verdict and figures (harness/emulator/README.md,
// "Concurrency, throttling, and the settings `cdk synth` uses").

function facts(over: { matches?: boolean; queued?: number; expiredInQueue?: number } = {}): EmulatorFacts {
  return {
    nodeRuntime: {
      runtime: 'nodejs22.x',
      wantedMajor: 22,
      nodeVersion: over.matches === false ? '20.19.0' : '22.3.0',
      nodePath: '/usr/bin/node',
      matches: over.matches ?? true,
    },
    concurrency: {
      concurrencyLimit: 5,
      limitSource: 'reserved',
      environmentCap: 3,
      throttled: 0,
      queued: over.queued ?? 0,
      maxQueueWaitMs: 40,
      expiredInQueue: over.expiredInQueue ?? 0,
      peakEnvironments: 3,
    },
  };
}

describe('emulator limits', () => {
  it('has nothing to say about an AWS run or a local one that stayed within its limits', () => {
    for (const f of [undefined, facts()]) {
      expect(emulatorDoubts(f)).toEqual([]);
      expect(emulatorFaults(f)).toEqual([]);
      expect(emulatorMarks(f)).toEqual([]);
    }
  });

  it('doubts client latencies, and marks them, once the local cap made an invocation wait', () => {
    const [doubt] = emulatorDoubts(facts({ queued: 2 }));
    expect(doubt).toMatchObject({ code: 'LocalEnvironmentCap', scopes: ['all', 'warm', 'cold'] });
    expect(doubt!.reason).toBe(
      "this machine's cap of 3 environments was reached: 2 invocation(s) waited for one (longest 40.0 ms) although " +
        "Lambda's limit here is reserved concurrency 5: their latency includes that wait, which AWS would not have made",
    );
    expect(emulatorMarks(facts({ queued: 2 })).map((m) => m.code)).toEqual(['LocalEnvironmentCap']);
  });

  it('makes a 504 of the local queue a fault, and marks a run on the wrong Node.js major', () => {
    expect(emulatorFaults(facts({ queued: 2, expiredInQueue: 1 }))[0]).toMatch(
      /^1 request\(s\) waited past the integration timeout for one of this machine's 3 environments/,
    );
    const [mark] = emulatorMarks(facts({ matches: false }));
    expect(mark!.code).toBe('NodeMajorMismatch');
    expect(mark!.text).toMatch(
      /^WRONG NODE.JS MAJOR: nodejs22.x runs on Node.js 22 on AWS, but this run's function ran on Node.js 20.19.0/,
    );
  });
});
