/**
 * Report file names cannot collide: two reports of the same run id, target and start second (two runs on
 * one machine, or a CI retry) get distinct dated files, `-2` on all of the second one's files.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { renderReport } from '../../../harness/report/render.js';
import { writeReport } from '../../../harness/report/write.js';
import { fixtureReport } from './fixture.js';

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rda-write-collision-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('writeReport with a name already taken', () => {
  it('writes the second report of the same second to -2 files and keeps the first', async () => {
    // Prepare: two reports with the same start second, target and run id, different contents
    const dir = tempDir();
    const first = fixtureReport();
    const second = { ...fixtureReport(), warnings: ['the second run'] };

    // Act
    const a = await writeReport(first, dir);
    const b = await writeReport(second, dir);

    // Assess
    expect(readdirSync(dir).sort()).toEqual([
      '20300102T030405Z-local-snap-2.html',
      '20300102T030405Z-local-snap-2.json',
      '20300102T030405Z-local-snap-2.md',
      '20300102T030405Z-local-snap.html',
      '20300102T030405Z-local-snap.json',
      '20300102T030405Z-local-snap.md',
      'latest.html',
      'latest.json',
      'latest.md',
    ]);
    expect(a.markdown).not.toBe(b.markdown);
    // Each markdown links to its own page.
    expect(readFileSync(a.markdown, 'utf8')).toBe(renderReport(first, { name: '20300102T030405Z-local-snap.html' }));
    expect(readFileSync(b.markdown, 'utf8')).toBe(renderReport(second, { name: '20300102T030405Z-local-snap-2.html' }));
    expect(JSON.parse(readFileSync(b.json, 'utf8')).warnings).toEqual(['the second run']);
    expect(readFileSync(b.html, 'utf8')).toContain('the second run');
    expect(readFileSync(a.html, 'utf8')).not.toContain('the second run');
    expect(readFileSync(path.join(dir, 'latest.md'), 'utf8')).toBe(
      renderReport(second, { name: '20300102T030405Z-local-snap-2.html' }),
    );
    expect(readFileSync(path.join(dir, 'latest.html'), 'utf8')).toBe(readFileSync(b.html, 'utf8'));
  });

  it('counts on past -2 when two are taken, also when they are written at once', async () => {
    const dir = tempDir();

    const written = await Promise.all([1, 2, 3].map(() => writeReport(fixtureReport(), dir)));

    expect(new Set(written.map((p) => p.markdown)).size).toBe(3);
    expect(written.map((p) => path.basename(p.json)).sort()).toEqual([
      '20300102T030405Z-local-snap-2.json',
      '20300102T030405Z-local-snap-3.json',
      '20300102T030405Z-local-snap.json',
    ]);
    for (const p of written) {
      expect(path.basename(p.markdown, '.md')).toBe(path.basename(p.json, '.json'));
      expect(path.basename(p.html, '.html')).toBe(path.basename(p.json, '.json'));
    }
  });

  it('writes the same run again over its own files when given them', async () => {
    const dir = tempDir();
    const first = await writeReport(fixtureReport(), dir);

    const again = await writeReport({ ...fixtureReport(), warnings: ['late signal'] }, dir, {}, first);

    expect(again.markdown).toBe(first.markdown);
    expect(again.html).toBe(first.html);
    expect(readdirSync(dir)).toHaveLength(6);
    expect(JSON.parse(readFileSync(first.json, 'utf8')).warnings).toEqual(['late signal']);
    expect(readFileSync(first.html, 'utf8')).toContain('late signal');
  });
});
