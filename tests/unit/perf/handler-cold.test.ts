import { describe, expect, it } from 'vitest';
import { type ColdRun, esbuildOptionsOf, handlerColdRows } from '../../../harness/perf/handler-cold.js';
import { HANDLER_BUNDLING } from '../../../stack/random-data-stack.js';

describe('esbuildOptionsOf', () => {
  it("translates the stack's bundling settings, stubs included", () => {
    const options = esbuildOptionsOf(HANDLER_BUNDLING);
    expect(options).toMatchObject({ bundle: true, platform: 'node', format: 'esm', minify: true, target: 'node20' });
    expect(options.external).toEqual(['@aws-sdk/*']);
    expect(options.banner?.js).toBe(HANDLER_BUNDLING.banner);
    expect(Object.keys(options.alias ?? {}).sort()).toEqual(['assert', 'thread-stream', 'worker_threads']);
  });

  it('refuses a setting it cannot reproduce, so the comparison bundles never drift from the function', () => {
    expect(() => esbuildOptionsOf({ ...HANDLER_BUNDLING, mainFields: ['module', 'main'] })).toThrow(/mainFields/);
    expect(() => esbuildOptionsOf({ ...HANDLER_BUNDLING, esbuildArgs: { '--keep-names': true } })).toThrow(
      /--keep-names/,
    );
  });
});

describe('handlerColdRows', () => {
  const runs = (ms: number[], cpuMs: number[]): ColdRun[] => ms.map((m, i) => ({ ms: m, cpuMs: cpuMs[i]! }));
  const size = { bytes: 1000, gzipBytes: 400 };

  it('judges real / Powertools per round against 1.3×, in wall time and in CPU', () => {
    // Act
    const rows = handlerColdRows({
      runs: {
        real: runs([30, 40, 50, 30, 36], [20, 20, 20, 20, 20]),
        pino: runs([20, 20, 20, 20, 20], [10, 10, 10, 10, 10]),
        powertools: runs([20, 20, 20, 20, 20], [10, 10, 10, 10, 10]),
      },
      sizes: { real: size, pino: size, powertools: { bytes: 250, gzipBytes: 100 } },
      node: '24.22.3',
    });
    // Assess
    const [time, cpu, pino, bytes] = rows;
    expect(time).toMatchObject({ status: 'not met', comparison: { spread: { median: 1.8, min: 1.5, max: 2.5 } } });
    expect(cpu).toMatchObject({ status: 'not met', comparison: { spread: { median: 2 } } });
    expect(pino).toMatchObject({ status: 'info', comparison: { spread: { median: 1 } } });
    expect(bytes).toMatchObject({ status: 'info', comparison: { spread: { median: 4 } } });
    expect(bytes!.note).toContain('gzip 100 B');
    expect(time!.note).toContain('Node.js 24.22.3');
  });

  it('meets the goal at or under 1.3×', () => {
    const same = runs([10, 10, 10, 10, 10], [5, 5, 5, 5, 5]);
    const rows = handlerColdRows({
      runs: { real: runs([13, 13, 13, 13, 13], [5, 5, 5, 5, 5]), pino: same, powertools: same },
      sizes: { real: size, pino: size, powertools: size },
      node: '24.22.3',
    });
    expect(rows.slice(0, 2).map((row) => row.status)).toEqual(['met', 'met']);
  });
});
