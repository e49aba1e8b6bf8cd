import { describe, expect, it } from 'vitest';
import { runInsightsBenchmark } from '../../../harness/perf/insights.js';

describe('the G9 benchmark (harness/perf/insights.ts)', () => {
  it('gets the same answers from the engine, the bare loop and the DuckDB SQL for both queries', async () => {
    // Prepare: 3,000 invocations span two 1-minute bins and hold thirty-one 500s.
    const lines: string[] = [];

    // Act
    const report = await runInsightsBenchmark({ rounds: 1, sizes: [12_000], log: (line) => lines.push(line) });

    // Assess
    expect(report.cases).toHaveLength(2);
    for (const c of report.cases) {
      expect(c.resultsAgree).toBe(true);
      expect(c.duckdb?.error).toBeUndefined();
      expect(c.duckdb?.resultsAgree).toBe(true);
      expect(c.duckdb?.roundsMs).toHaveLength(1);
      expect(c.duckdb?.label).toMatch(/^DuckDB v\d+\.\d+\.\d+, 1 thread$/);
    }
    expect(report.cases[0]!.duckdb?.sql).toContain('quantile_disc(duration_ms, 0.99)');
    expect(lines.filter((line) => line.includes('; duckdb '))).toHaveLength(2);
  });
});
