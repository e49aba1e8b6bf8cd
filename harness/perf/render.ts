/**
 * `harness perf` output: an aligned text table for the terminal, the markdown report (its table drawn by
 * report/markdown.ts, as every report's) and its JSON twin, all from the same {@link PerfReport}. Pure.
 */
import { escapeCell, markdownTable, textTable } from '../report/markdown.js';
import type { Spread } from '../stats/spread.js';
import type { FigureId, Measure, PerfMeta, PerfReport, PerfRow } from './model.js';
import { type PeerLine, peerLines } from './peers.js';
import { describeGoal } from './verdict.js';

/** A number for people: thousands grouped above 1000, about three significant digits below; `—` for NaN. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs === 0) return '0';
  return Number(value.toPrecision(3)).toString();
}

function withUnit(text: string, unit: string): string {
  if (text === '—' || unit === '') return text;
  return unit === '×' ? `${text}×` : `${text} ${unit}`;
}

/** `median unit (min–max)`, or just the median when there was one value or every round agreed. */
export function formatSpread(spread: Spread, unit: string): string {
  if (spread.n === 0) return '—';
  const median = withUnit(formatNumber(spread.median), unit);
  const min = formatNumber(spread.min);
  const max = formatNumber(spread.max);
  return spread.n === 1 || min === max ? median : `${median} (${min}–${max})`;
}

function measureCell(measure: Measure | undefined): string {
  return measure ? formatSpread(measure.spread, measure.unit) : '';
}

function comparisonCell(row: PerfRow): string {
  return row.comparison ? formatSpread(row.comparison.spread, row.comparison.unit) : '';
}

function goalCell(row: PerfRow): string {
  return row.goal ? describeGoal(row.goal, row.comparison?.unit ?? '×') : '';
}

function generatorCell(row: PerfRow): string {
  return row.generatorCpuMax === undefined ? '' : `${Math.round(row.generatorCpuMax * 100)} %`;
}

const HEADERS = ['id', 'figure', 'candidate', 'baseline', 'vs baseline', 'goal', 'generator CPU', 'status'] as const;

function cells(row: PerfRow): string[] {
  return [
    row.id,
    row.name,
    measureCell(row.candidate),
    measureCell(row.baseline),
    comparisonCell(row),
    goalCell(row),
    generatorCell(row),
    row.status,
  ];
}

const PEER_HEADERS = ['part', 'peer', 'now', 'goal', 'status', 'see'] as const;

/** A peer line's cells; `see` is the main table's row, whose note has the method and the cause of a miss. */
function peerCells(line: PeerLine): string[] {
  const goal = line.goal ? describeGoal(line.goal, line.comparison?.unit ?? '×') : '';
  const now = line.comparison ? formatSpread(line.comparison.spread, line.comparison.unit) : (line.missing ?? '—');
  return [line.part, line.peer, now, goal, line.status, line.row === undefined ? '' : `[${line.row}]`];
}

/**
 * The terminal table: columns padded to their widest cell, then the project against its peers (when a selected
 * figure has one), then the notes, numbered as the rows.
 */
export function renderTable(rows: readonly PerfRow[], selected: readonly FigureId[] = []): string {
  const out = [textTable(HEADERS, rows.map(cells))];
  const peers = peerLines(rows, selected);
  if (peers.length > 0) out.push('', 'against the peers:', textTable(PEER_HEADERS, peers.map(peerCells)));
  const notes = rows
    .map((row, i) => (row.note ? `  [${i + 1}] ${row.id} ${row.name}: ${row.note}` : ''))
    .filter((n) => n !== '');
  if (notes.length > 0) out.push('', 'notes:', ...notes);
  return out.join('\n');
}

function describePlacement(meta: PerfMeta): string {
  const overloaded = meta.loadAverage.some((load) => load > meta.cpus);
  return overloaded
    ? `load average ${meta.loadAverage.map((l) => l.toFixed(2)).join(' → ')} on ${meta.cpus} CPUs: the machine was busy, absolute figures are noisy`
    : `load average ${meta.loadAverage.map((l) => l.toFixed(2)).join(' → ')} on ${meta.cpus} CPUs`;
}

/** The markdown report: what ran where, the method, the table, the notes. */
export function renderMarkdown(report: PerfReport): string {
  const { meta, rows } = report;
  const out = [
    `# npm run perf${meta.quick ? ' --quick' : ''}: ${meta.startedAt}`,
    '',
    `- commit ${meta.commit ?? 'unknown'}, node ${meta.node}, ${meta.cpus} × ${meta.cpuModel}`,
    `- ${meta.pinning}`,
    `- ${describePlacement(meta)}`,
    `- ${meta.rounds} interleaved rounds per figure unless noted; figures: ${meta.selected.join(', ')}; took ${meta.wallSeconds.toFixed(1)} s`,
    '',
    'Each figure is measured next to its baseline in the same run, interleaved round by round (the notes say',
    'where a producer reports medians or a best round only); the "vs baseline" column is the median of the',
    'per-round ratios (or differences) with their min–max, and only it is compared with the goal. Absolute',
    'figures are printed for context and depend on the machine: compare them across runs only on a quiet one.',
    'A row whose load generator used ≥ 90 % of a core in any round is marked generator-limited, not judged',
    '(docs/measurement.md#generator-saturation).',
    '',
    markdownTable(
      HEADERS,
      rows.map(cells),
      HEADERS.map((h) => (h === 'id' || h === 'figure' || h === 'status' ? 'left' : 'right')),
    ),
  ];
  const peers = peerLines(rows, meta.selected);
  if (peers.length > 0) {
    out.push(
      '',
      '## Against the peers',
      '',
      'Each part of the project that has a peer, held against it on this machine; "see" is the row above whose',
      'note gives the method and, where a goal is not met, what bounds it.',
      '',
      markdownTable(
        PEER_HEADERS,
        peers.map(peerCells),
        PEER_HEADERS.map((h) => (h === 'now' || h === 'goal' ? 'right' : 'left')),
      ),
    );
  }
  if (rows.some((row) => row.note)) {
    // Numbered as the table's rows, which the peer table's "see" column refers to.
    out.push('', '## Notes', '');
    rows.forEach((row, i) => {
      if (row.note) out.push(`- [${i + 1}] **${row.id}** ${escapeCell(row.name)}: ${row.note}`);
    });
  }
  out.push('');
  return out.join('\n');
}

/** The JSON twin (NaN becomes null, as JSON has no NaN). */
export function renderJson(report: PerfReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** `perf-<utc>` file stem, e.g. `perf-20260101T120000Z`, from an ISO timestamp. */
export function reportStem(isoTime: string): string {
  const compact = isoTime
    .replace(/\.\d+Z$/, 'Z')
    .replaceAll('-', '')
    .replaceAll(':', '');
  return `perf-${compact}`;
}
