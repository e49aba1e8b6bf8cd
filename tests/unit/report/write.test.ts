import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { renderReport } from '../../../harness/report/render.js';
import { utcStamp, writeReport } from '../../../harness/report/write.js';
import { fixtureReport } from './fixture.js';

describe('writeReport', () => {
  it('writes <utc>-<target>-<runId>.md, its .json twin, latest.md and latest.json, and appends to GITHUB_STEP_SUMMARY', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rda-write-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const summary = path.join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const report = fixtureReport();

    const paths = await writeReport(report, path.join(dir, 'reports'), { GITHUB_STEP_SUMMARY: summary });

    expect(readdirSync(path.join(dir, 'reports')).sort()).toEqual([
      '20300102T030405Z-local-snap.json',
      '20300102T030405Z-local-snap.md',
      'latest.json',
      'latest.md',
    ]);
    const markdown = renderReport(report);
    expect(readFileSync(paths.markdown, 'utf8')).toBe(markdown);
    expect(readFileSync(paths.latest, 'utf8')).toBe(markdown);
    expect(JSON.parse(readFileSync(paths.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(paths.latestJson).toBe(path.join(dir, 'reports', 'latest.json'));
    expect(readFileSync(paths.latestJson, 'utf8')).toBe(readFileSync(paths.json, 'utf8'));
    expect(readFileSync(summary, 'utf8')).toBe(`# earlier step\n${markdown}\n`);
  });

  it('does not touch a step summary when none is set', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rda-write-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    expect((await writeReport(fixtureReport(), dir, {})).stepSummary).toBeUndefined();
    expect(utcStamp('2030-01-02T03:04:05.678Z')).toBe('20300102T030405Z');
  });
});
