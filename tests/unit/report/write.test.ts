import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { renderReport } from '../../../harness/report/render.js';
import { actionsRunUrl, reportJson, utcStamp, writeReport } from '../../../harness/report/write.js';
import { fixtureReport } from './fixture.js';

describe('writeReport', () => {
  it('writes <utc>-<target>-<runId>.md, its .json twin and .html page, latest.*, and appends to GITHUB_STEP_SUMMARY', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rda-write-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const report = fixtureReport();

    const paths = await writeReport(report, path.join(dir, 'reports'), { GITHUB_STEP_SUMMARY: summary });

    expect(readdirSync(path.join(dir, 'reports')).sort()).toEqual([
      '20300102T030405Z-local-snap.html',
      '20300102T030405Z-local-snap.json',
      '20300102T030405Z-local-snap.md',
      'latest.html',
      'latest.json',
      'latest.md',
    ]);
    const markdown = renderReport(report, { name: '20300102T030405Z-local-snap.html' });
    expect(markdown).toContain('[20300102T030405Z-local-snap.html](20300102T030405Z-local-snap.html)');
    expect(readFileSync(paths.html, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(readFileSync(paths.latestHtml, 'utf8')).toBe(readFileSync(paths.html, 'utf8'));
    expect(readFileSync(paths.markdown, 'utf8')).toBe(markdown);
    expect(readFileSync(paths.latest, 'utf8')).toBe(markdown);
    expect(JSON.parse(readFileSync(paths.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(paths.latestJson).toBe(path.join(dir, 'reports', 'latest.json'));
    expect(readFileSync(paths.latestJson, 'utf8')).toBe(readFileSync(paths.json, 'utf8'));
    expect(readFileSync(summary, 'utf8')).toBe(`# earlier step\n${markdown}\n`);
  });

  it('links the markdown to the workflow run whose artifacts hold the page, inside GitHub Actions', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rda-write-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const env = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/api', GITHUB_RUN_ID: '77' };

    const paths = await writeReport(fixtureReport(), dir, env);

    expect(readFileSync(paths.markdown, 'utf8')).toContain(
      "Charts and the same numbers in one page: [20300102T030405Z-local-snap.html](20300102T030405Z-local-snap.html) beside this file, also in the [workflow run's artifacts](https://github.com/acme/api/actions/runs/77); it opens offline in any browser.",
    );
    expect(actionsRunUrl({ GITHUB_REPOSITORY: 'acme/api' })).toBeUndefined();
  });

  it('does not touch a step summary when none is set', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rda-write-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    expect((await writeReport(fixtureReport(), dir, {})).stepSummary).toBeUndefined();
    expect(utcStamp('2030-01-02T03:04:05.678Z')).toBe('20300102T030405Z');
  });
});

describe('reportJson', () => {
  it('indents the report but writes samples on one line, with null for what was not correlated', () => {
    // Prepare: the fixture's samples, one of them without Lambda or handler times.
    const report = fixtureReport();
    const samples = { ...report.samples!, lambdaMs: [1.5, Number.NaN], handlerMs: [0.25, Number.NaN] };
    const withSamples = { ...report, samples: { ...samples, atSeconds: [1, 1.1], latencyMs: [3.25, 4] } };

    // Act
    const text = reportJson(withSamples);

    // Assess
    const parsed = JSON.parse(text);
    expect(parsed.samples).toEqual({
      atSeconds: [1, 1.1],
      latencyMs: [3.25, 4],
      lambdaMs: [1.5, null],
      handlerMs: [0.25, null],
      thinnedFrom: null,
    });
    expect(text).toContain('\n  "samples": {"atSeconds":[1,1.1],"latencyMs":[3.25,4],"lambdaMs":[1.5,null]');
    expect(text).toContain('\n  "schema": "rda-bench-report/2",');
    expect({ ...parsed, samples: null }).toEqual(JSON.parse(JSON.stringify({ ...withSamples, samples: null })));
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('is plain indented JSON when the run had no load', () => {
    const report = { ...fixtureReport(), samples: null };
    expect(reportJson(report)).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });
});
