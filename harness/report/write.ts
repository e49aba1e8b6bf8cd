/**
 * Writes a report: `<dir>/<utc>-<target>-<runId>.md` (`-2`, `-3`, ... when taken), its `.json` twin (the same data), and
 * `<dir>/latest.md` with `<dir>/latest.json` beside it; appends the markdown to `$GITHUB_STEP_SUMMARY` when that is set (GitHub shows it on the
 * run's summary page).
 */
import { appendFile, mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.js';
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

/** Enough suffixes for every run one machine can start within one second; past it something is wrong. */
const MAX_NAME_SUFFIX = 1000;

/**
 * Renders and writes the report files. The dated files are never overwritten: a report of another run
 * with the same second, target and run id gets `-2`, `-3`, ... on both its `.md` and `.json`. Pass the
 * paths of an earlier call as `rewrite` to write the same run's report again over its own files.
 */
export async function writeReport(
  report: RunReport,
  dir: string,
  env: Readonly<Record<string, string | undefined>> = {},
  rewrite?: Pick<ReportPaths, 'markdown' | 'json'>,
): Promise<ReportPaths> {
  const markdown = renderReport(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  await mkdir(dir, { recursive: true });
  let dated: { markdown: string; json: string };
  if (rewrite) {
    await writeFile(rewrite.json, json);
    await writeFile(rewrite.markdown, markdown);
    dated = { markdown: rewrite.markdown, json: rewrite.json };
  } else {
    dated = await writeNewPair(path.join(dir, reportBaseName(report)), json, markdown);
  }
  const paths = {
    ...dated,
    latest: path.join(dir, 'latest.md'),
    latestJson: path.join(dir, 'latest.json'),
    stepSummary: env.GITHUB_STEP_SUMMARY || undefined,
  };
  await writeFile(paths.latest, markdown);
  await writeFile(paths.latestJson, json);
  if (paths.stepSummary) await appendFile(paths.stepSummary, `${markdown}\n`);
  return paths;
}

/** Writes `<base>.json` and `<base>.md` with flag 'wx', trying `<base>-2`, `<base>-3`, ... while either exists. */
async function writeNewPair(base: string, json: string, markdown: string): Promise<{ markdown: string; json: string }> {
  for (let n = 1; n <= MAX_NAME_SUFFIX; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    const pair = { markdown: `${name}.md`, json: `${name}.json` };
    // The .json is claimed first; a .md left without its twin (a run killed in between) also takes the name.
    if (!(await createExclusive(pair.json, json))) continue;
    if (!(await createExclusive(pair.markdown, markdown))) {
      await unlink(pair.json).catch(() => undefined);
      continue;
    }
    return pair;
  }
  throw new InfraError(
    'Unexpected',
    `more than ${MAX_NAME_SUFFIX} reports named ${path.basename(base)}(-n).md in ${path.dirname(base)}: move old reports away`,
  );
}

/** Creates `file` with `content`; false when it already exists. */
async function createExclusive(file: string, content: string): Promise<boolean> {
  try {
    await writeFile(file, content, { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}
