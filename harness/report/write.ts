/**
 * Writes a report: `<dir>/<utc>-<target>-<runId>.md` (`-2`, `-3`, ... when taken), its `.json` twin (the same data),
 * its `.html` page with charts, and `<dir>/latest.md` with `latest.json` and `latest.html` beside it; appends the markdown to `$GITHUB_STEP_SUMMARY` when that is set (GitHub shows it on the
 * run's summary page).
 */

import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InfraError } from '../errors.js';
import { renderHtml } from './html.js';
import type { RunReport } from './model.js';
import { type HtmlLink, renderReport } from './render.js';

/** Where a report was written. */
export interface ReportPaths {
  readonly markdown: string;
  readonly json: string;
  /** The self-contained HTML page: the same report with charts (report/html.ts). */
  readonly html: string;
  readonly latest: string;
  readonly latestHtml: string;
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
 * The report as JSON, indented for people, except `samples`: its columns (up to 200,000 numbers each) go on one
 * line, not one line per number, which keeps the file about half the size and its writing about twice as fast.
 */
export function reportJson(report: RunReport): string {
  if (!report.samples) return `${JSON.stringify(report, null, 2)}\n`;
  // A marker no report field can hold (a fresh UUID), replaced by the compact samples.
  const marker = `rda-samples-${randomUUID()}`;
  const text = JSON.stringify({ ...report, samples: marker }, null, 2);
  return `${text.replace(`"${marker}"`, () => JSON.stringify(report.samples))}\n`;
}

/**
 * Renders and writes the report files. The dated files are never overwritten: a report of another run
 * with the same second, target and run id gets `-2`, `-3`, ... on its `.md`, `.json` and `.html`. Pass the
 * paths of an earlier call as `rewrite` to write the same run's report again over its own files.
 */
export async function writeReport(
  report: RunReport,
  dir: string,
  env: Readonly<Record<string, string | undefined>> = {},
  rewrite?: Pick<ReportPaths, 'markdown' | 'json' | 'html'>,
): Promise<ReportPaths> {
  const json = reportJson(report);
  const html = await renderHtml(report);
  const link = (file: string): HtmlLink => ({ name: path.basename(file), runUrl: actionsRunUrl(env) });
  await mkdir(dir, { recursive: true });
  let dated: Dated;
  let markdown: string;
  if (rewrite) {
    dated = { markdown: rewrite.markdown, json: rewrite.json, html: rewrite.html };
    markdown = renderReport(report, link(dated.html));
    await writeFile(dated.json, json);
    await writeFile(dated.html, html);
    await writeFile(dated.markdown, markdown);
  } else {
    ({ dated, markdown } = await writeNewSet(path.join(dir, reportBaseName(report)), json, html, (file) =>
      renderReport(report, link(file)),
    ));
  }
  const paths = {
    ...dated,
    latest: path.join(dir, 'latest.md'),
    latestJson: path.join(dir, 'latest.json'),
    latestHtml: path.join(dir, 'latest.html'),
    stepSummary: env.GITHUB_STEP_SUMMARY || undefined,
  };
  await writeFile(paths.latest, markdown);
  await writeFile(paths.latestJson, json);
  await writeFile(paths.latestHtml, html);
  if (paths.stepSummary) await appendFile(paths.stepSummary, `${markdown}\n`);
  return paths;
}

/** The page of the GitHub Actions run writing the report (where its artifacts are), from the variables Actions sets. */
export function actionsRunUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

type Dated = Pick<ReportPaths, 'markdown' | 'json' | 'html'>;

/**
 * Writes `<base>.json`, `<base>.html` and `<base>.md` with flag 'wx', trying `<base>-2`, `<base>-3`, ... while any
 * exists; returns the names and the markdown, which links to its own page and so is rendered per name tried.
 */
async function writeNewSet(
  base: string,
  json: string,
  html: string,
  markdownFor: (htmlFile: string) => string,
): Promise<{ dated: Dated; markdown: string }> {
  for (let n = 1; n <= MAX_NAME_SUFFIX; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    const dated = { markdown: `${name}.md`, json: `${name}.json`, html: `${name}.html` };
    const markdown = markdownFor(dated.html);
    // The .json is claimed first; a .md or .html left without its twin (a run killed in between) also takes the name.
    const files = [
      [dated.json, json],
      [dated.html, html],
      [dated.markdown, markdown],
    ] as const;
    const written: string[] = [];
    for (const [file, content] of files) {
      if (!(await createExclusive(file, content))) break;
      written.push(file);
    }
    if (written.length === files.length) return { dated, markdown };
    for (const file of written) await unlink(file).catch(() => undefined);
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
