/**
 * Writes a report: `<dir>/<utc>-<target>-<runId>.md`, its `.json` twin (the same data), and
 * `<dir>/latest.md` with `<dir>/latest.json` beside it; appends the markdown to `$GITHUB_STEP_SUMMARY` when that is set (GitHub shows it on the
 * run's summary page).
 */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunReport } from './model.js';
import { renderReport } from './render.js';

/** Where a report was written. */
export interface ReportPaths {
  readonly markdown: string;
  readonly json: string;
  readonly latest: string;
  /** `latest.json`: the latest report as data, for scripts that should not parse markdown. */
  readonly latestJson: string;
  readonly stepSummary: string | undefined;
}

/** `20250131T120501Z`: sortable, and safe in file names on every OS. */
export function utcStamp(iso: string): string {
  return iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** The report's file name without extension. */
export function reportBaseName(report: RunReport): string {
  return `${utcStamp(report.run.startedAt)}-${report.run.target}-${report.run.runId}`;
}

/** Renders and writes the report files. */
export async function writeReport(
  report: RunReport,
  dir: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ReportPaths> {
  const markdown = renderReport(report);
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, reportBaseName(report));
  const paths = {
    markdown: `${base}.md`,
    json: `${base}.json`,
    latest: path.join(dir, 'latest.md'),
    latestJson: path.join(dir, 'latest.json'),
    stepSummary: env.GITHUB_STEP_SUMMARY || undefined,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await writeFile(paths.json, json);
  await writeFile(paths.markdown, markdown);
  await writeFile(paths.latest, markdown);
  await writeFile(paths.latestJson, json);
  if (paths.stepSummary) await appendFile(paths.stepSummary, `${markdown}\n`);
  return paths;
}
