import { describe, expect, it } from 'vitest';
import type { PerfReport, PerfRow } from '../../../harness/perf/model.js';
import {
  formatNumber,
  formatSpread,
  renderJson,
  renderMarkdown,
  renderTable,
  reportStem,
} from '../../../harness/perf/render.js';
import { atLeast, atMost } from '../../../harness/perf/verdict.js';

const rows: PerfRow[] = [
  {
    id: 'G1',
    name: 'emulator rps / bare node:http rps',
    candidate: { label: 'emulator', unit: 'rps', spread: { median: 15_210, min: 14_900, max: 15_800, n: 3 } },
    baseline: { label: 'bare', unit: 'rps', spread: { median: 48_000, min: 47_000, max: 52_000, n: 3 } },
    comparison: { unit: '×', spread: { median: 0.317, min: 0.301, max: 0.33, n: 3 } },
    goal: atLeast(0.35),
    generatorCpuMax: 0.42,
    status: 'not met',
    note: 'a | pipe in a note',
  },
  {
    id: 'G3',
    name: 'emulator p50 − bare p50',
    comparison: { unit: 'ms', spread: { median: 0.21, min: 0.2, max: 0.2, n: 1 } },
    goal: atMost(0.5),
    status: 'met',
  },
  { id: 'G8', name: 'report time / run time', status: 'error', note: 'measurement failed: boom' },
];

const report: PerfReport = {
  meta: {
    startedAt: '2026-11-24T04:15:23.456Z',
    finishedAt: '2026-11-24T04:20:23.456Z',
    wallSeconds: 300,
    quick: true,
    rounds: 2,
    selected: ['G1', 'G3', 'G8'],
    node: 'v20.20.2',
    cpus: 2,
    cpuModel: 'AMD EPYC',
    loadAverage: [5.5, 6.25],
    pinning: 'pinned with taskset: servers on CPU 0, generator on CPU 1',
    commit: 'abc1234',
  },
  rows,
};

describe('formatNumber', () => {
  it('groups thousands and keeps about three significant digits below', () => {
    expect(formatNumber(54_646.4)).toBe('54,646');
    expect(formatNumber(123.4)).toBe('123');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(1.2345)).toBe('1.23');
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(-0.25)).toBe('-0.25');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Number.NaN)).toBe('—');
  });
});

describe('formatSpread', () => {
  it('shows the median with its unit and the min–max range', () => {
    expect(formatSpread({ median: 0.317, min: 0.301, max: 0.33, n: 3 }, '×')).toBe('0.317× (0.301–0.33)');
    expect(formatSpread({ median: 15_210, min: 14_900, max: 15_800, n: 3 }, 'rps')).toBe('15,210 rps (14,900–15,800)');
  });

  it('drops the range for one round or equal extremes, and shows a dash for no value', () => {
    expect(formatSpread({ median: 90, min: 90, max: 90, n: 1 }, 'ms')).toBe('90.0 ms');
    expect(formatSpread({ median: 2, min: 2, max: 2, n: 3 }, 's')).toBe('2.00 s');
    expect(formatSpread({ median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 }, 'ms')).toBe('—');
  });
});

describe('renderTable', () => {
  it('aligns every column and prints a status per row', () => {
    // Act
    const lines = renderTable(rows).split('\n');
    // Assess
    const header = lines[0];
    const statusColumn = header!.indexOf('status');
    expect(lines[2]!.slice(statusColumn)).toBe('not met');
    expect(lines[3]!.slice(statusColumn)).toBe('met');
    expect(lines[4]!.slice(statusColumn)).toBe('error');
    expect(lines[2]).toContain('0.317× (0.301–0.33)');
    expect(lines[2]).toContain('≥ 0.35×');
    expect(lines[2]).toContain('42 %');
    expect(lines[3]).toContain('0.21 ms');
    expect(lines[3]).toContain('≤ 0.5 ms');
  });

  it('numbers the notes after the table', () => {
    const text = renderTable(rows);
    expect(text).toContain(
      'notes:\n  [1] G1 emulator rps / bare node:http rps: a | pipe in a note\n  [3] G8 report time / run time: measurement failed: boom',
    );
  });
});

describe('renderMarkdown', () => {
  it('opens with where it ran and holds one table row per figure with escaped pipes', () => {
    const md = renderMarkdown(report);
    expect(md.startsWith('# npm run perf --quick: 2026-11-24T04:15:23.456Z\n')).toBe(true);
    expect(md).toContain('- commit abc1234, node v20.20.2, 2 × AMD EPYC');
    expect(md).toContain('- pinned with taskset: servers on CPU 0, generator on CPU 1');
    expect(md).toContain('the machine was busy');
    expect(md).toContain(
      '| G1 | emulator rps / bare node:http rps | 15,210 rps (14,900–15,800) | 48,000 rps (47,000–52,000) | 0.317× (0.301–0.33) | ≥ 0.35× | 42 % | not met |',
    );
    expect(md).toContain('| G8 | report time / run time |  |  |  |  |  | error |');
    expect(md).toContain('- [1] **G1** emulator rps / bare node:http rps: a | pipe in a note');
    expect(md.split('\n').filter((l) => l.startsWith('| G')).length).toBe(3);
  });

  it('does not call a machine busy when its load stayed under its CPU count', () => {
    const md = renderMarkdown({ ...report, meta: { ...report.meta, loadAverage: [0.5, 1.2] } });
    expect(md).not.toContain('busy');
    expect(md).toContain('load average 0.50 → 1.20 on 2 CPUs');
  });
});

describe('renderJson', () => {
  it('round-trips the report and writes NaN as null', () => {
    const parsed = JSON.parse(
      renderJson({
        ...report,
        rows: [{ ...rows[1]!, comparison: { unit: 'ms', spread: { median: Number.NaN, min: 1, max: 1, n: 1 } } }],
      }),
    );
    expect(parsed.meta.commit).toBe('abc1234');
    expect(parsed.rows[0].comparison.spread.median).toBeNull();
  });
});

describe('reportStem', () => {
  it('names the files perf-<utc> without separators or milliseconds', () => {
    expect(reportStem('2026-11-24T04:15:23.456Z')).toBe('perf-20261124T041523Z');
  });
});
