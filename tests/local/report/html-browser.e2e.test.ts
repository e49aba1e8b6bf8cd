/**
 * The HTML report of a real local run, opened in a real browser: Debian's headless Chromium driven by
 * playwright-core (no browser download). Every chart must render with a size, the page must log no error and
 * ask the network for nothing, and it must print. The screenshot is kept for CI's artifacts.
 */
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RunReport } from '../../../harness/report/model.js';
import { ROOT, startBench } from '../../helpers/user-process.js';

/** Where CI collects what tests leave for people to look at (.github/workflows/ci.yml uploads it). */
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** The `chromium` on PATH (tests/setup/tools.ts leaves this file out when there is none). */
function chromiumPath(): string {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, 'chromium');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  throw new Error('chromium is not on PATH: apt-get install chromium (.ci/run does it)');
}

// The flags a sandboxed, offline machine needs: no background connections, a fresh profile.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('the HTML report in a browser', () => {
  it('renders every chart of a real run, fetches nothing, logs no error, and prints', async () => {
    // Prepare: a short real run, as a user starts it; --open finds no display here and says so.
    const dir = mkdtempSync(path.join(tmpdir(), 'rda-html-e2e-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const runId = `html-${process.pid}`;
    const bench = startBench(
      [
        ...['--duration', '6', '--rate', '30', '--warmup', '2', '--run-id', runId, '--report-dir', dir],
        ...['--no-default-slos', '--slo', 'p99<=10s', '--open'],
      ],
      { DISPLAY: '', WAYLAND_DISPLAY: '' },
    );
    expect(await bench.topExited, bench.output()).toBe(0);
    expect(bench.output()).toContain('--open: no display here');
    const htmlFile = path.join(dir, 'latest.html');
    const report = JSON.parse(readFileSync(path.join(dir, 'latest.json'), 'utf8')) as RunReport;

    // Act: open the file in Chromium.
    const browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
    onTestFinished(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(htmlFile).href;
    await page.goto(url, { waitUntil: 'load' });

    // Assess: every chart drew marks with a size, and the timeline has a point per second with data.
    const figures = await page.$$eval('figure', (nodes) =>
      nodes.map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const marks = svg ? svg.querySelectorAll('path, line, rect').length : 0;
        return { id: figure.id, width: box?.width ?? 0, height: box?.height ?? 0, marks };
      }),
    );
    expect(figures.map((f) => f.id)).toEqual([
      'chart-timeline',
      'chart-distribution',
      'chart-breakdown',
      'chart-coverage',
    ]);
    for (const f of figures) {
      expect(f.width, f.id).toBeGreaterThan(300);
      expect(f.height, f.id).toBeGreaterThan(100);
      expect(f.marks, f.id).toBeGreaterThan(5);
    }
    expect(report.charts!.timeline.bucketSeconds).toBe(1);
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
    // The verdict the page shows is the run's.
    expect(await page.textContent('.verdict strong')).toBe(
      report.outcome.kind === 'verdict' ? report.outcome.verdict : '',
    );

    // It prints: the charts keep their size on paper.
    await page.emulateMedia({ media: 'print' });
    const printedWidths = await page.$$eval('figure svg', (svgs) => svgs.map((s) => s.getBoundingClientRect().width));
    expect(printedWidths.every((w) => w > 300)).toBe(true);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    await page.emulateMedia({ media: 'screen' });
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'html-report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
  });
});
