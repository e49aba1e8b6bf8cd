import { describe, expect, it } from 'vitest';
import type { PerfReport, PerfRow } from '../../../harness/perf/model.js';
import { peerLines, UNMEASURED_PEERS } from '../../../harness/perf/peers.js';
import { renderMarkdown, renderTable } from '../../../harness/perf/render.js';
import { atLeast, atMost } from '../../../harness/perf/verdict.js';

const spread = (median: number, min: number, max: number) => ({ median, min, max, n: 3 });

const rows: PerfRow[] = [
  {
    id: 'G1',
    name: 'emulator rps / bare node:http rps',
    comparison: { unit: '×', spread: spread(0.12, 0.1, 0.15) },
    goal: atLeast(0.35),
    status: 'not met',
    peer: { part: 'emulator vs bare node:http', peer: 'bare node:http' },
    note: 'bound by process isolation',
  },
  { id: 'G1', name: 'in-process handler rps / bare node:http rps', status: 'info' },
  {
    id: 'cli',
    name: 'harness query − node -e 0, wall',
    comparison: { unit: 's', spread: spread(0.41, 0.39, 0.5) },
    goal: atMost(0.3),
    status: 'not met',
    peer: { part: 'query CLI start-up', peer: 'node -e 0' },
  },
];

describe('peerLines', () => {
  it('takes every tagged row in table order with its 1-based row number, comparison and goal', () => {
    // Act
    const lines = peerLines(rows, ['cli']);

    // Assess
    expect(lines).toEqual([
      {
        part: 'emulator vs bare node:http',
        peer: 'bare node:http',
        comparison: rows[0]!.comparison,
        goal: rows[0]!.goal,
        status: 'not met',
        row: 1,
      },
      {
        part: 'query CLI start-up',
        peer: 'node -e 0',
        comparison: rows[2]!.comparison,
        goal: rows[2]!.goal,
        status: 'not met',
        row: 3,
      },
    ]);
  });

  it('lists a peer the suite cannot run, with the reason, only when its figure was selected', () => {
    const offline = UNMEASURED_PEERS.find((p) => p.peer.startsWith('serverless-offline'))!;
    expect(peerLines([], ['G1']).map((l) => l.peer)).toEqual([offline.peer]);
    expect(peerLines([], ['G1'])[0]).toMatchObject({ status: 'not measured', missing: offline.missing });
    expect(peerLines([], ['G9'])).toEqual([]);
  });
});

describe('the peer table in the outputs', () => {
  const report: PerfReport = {
    meta: {
      startedAt: '2026-12-03T10:00:00.000Z',
      finishedAt: '2026-12-03T10:05:00.000Z',
      wallSeconds: 300,
      quick: false,
      rounds: 3,
      selected: ['G1', 'cli'],
      node: 'v20.20.2',
      cpus: 2,
      cpuModel: 'AMD EPYC',
      loadAverage: [0.5, 0.6],
      pinning: 'pinned',
      commit: 'abc1234',
    },
    rows,
  };

  it('prints part, peer, ratio now, goal, status and the row whose note explains it, on the terminal', () => {
    // Act
    const text = renderTable(rows, report.meta.selected);

    // Assess
    const section = text.slice(text.indexOf('against the peers:'), text.indexOf('notes:'));
    const lines = section.split('\n');
    expect(lines[1]).toMatch(/^part\s+peer\s+now\s+goal\s+status\s+see$/);
    expect(lines[3]).toMatch(
      /^emulator vs bare node:http\s+bare node:http\s+0\.12× \(0\.1–0\.15\)\s+≥ 0\.35×\s+not met\s+\[1\]$/,
    );
    expect(lines[4]).toMatch(/^query CLI start-up\s+node -e 0\s+0\.41 s \(0\.39–0\.5\)\s+≤ 0\.3 s\s+not met\s+\[3\]$/);
    expect(lines[5]).toContain('serverless-offline 13');
    expect(lines[5]).toContain('not measured');
  });

  it('gives the markdown report the same table, and numbers its notes as the rows it points to', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('## Against the peers');
    expect(md).toContain(
      '| emulator vs bare node:http | bare node:http | 0.12× (0.1–0.15) | ≥ 0.35× | not met | [1] |',
    );
    expect(md).toContain('- [1] **G1** emulator rps / bare node:http rps: bound by process isolation');
  });

  it('has no peer section when no selected figure has a peer', () => {
    const text = renderTable([rows[1]!], ['G3']);
    expect(text).not.toContain('against the peers');
    expect(renderMarkdown({ ...report, rows: [rows[1]!], meta: { ...report.meta, selected: ['G3'] } })).not.toContain(
      'Against the peers',
    );
  });
});
