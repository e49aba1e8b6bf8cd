import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../../harness/cli.js';
import { ExitCode } from '../../../harness/errors.js';
import type { RunManifest } from '../../../harness/manifest.js';
import type { RunReport } from '../../../harness/report/model.js';
import { savedQueries } from '../../../stack/log-queries.js';
import { alive } from '../../helpers/processes.js';

describe('npm run bench on the local target (end to end)', () => {
  it('deploys the emulator, loads it, proves every request from its logs, reports, and leaves nothing behind', async () => {
    // Prepare
    const cwd = mkdtempSync(path.join(tmpdir(), 'rda-bench-e2e-'));
    onTestFinished(() => rmSync(cwd, { recursive: true, force: true }));
    const out: string[] = [];
    const err: string[] = [];

    // Act: the SLOs are loose on latency (this machine is shared) and strict on errors and coverage.
    const code = await main(
      [
        'bench',
        '--duration',
        '3',
        '--rate',
        '20',
        '--warmup',
        '1',
        '--run-id',
        'e2e-local',
        '--report-dir',
        'out',
        '--no-default-slos',
        '--slo',
        'p99<=2s',
        '--slo',
        'errors<=0%',
        '--slo',
        'coverage>=100%',
      ],
      {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
        isTty: false,
        cwd,
        env: { ...process.env, GITHUB_STEP_SUMMARY: path.join(cwd, 'summary.md') },
      },
    );

    // Assess: exit code and progress
    expect(code, err.join('\n')).toBe(ExitCode.Pass);
    for (const phase of ['deploy', 'load', 'correlate', 'destroy', 'report'])
      expect(out).toContain(`phase ${phase}: started`);
    expect(out).toContain('verdict: PASS (exit 0)');

    // The report files: markdown, its JSON twin and HTML page, latest.md/.json/.html and the step summary
    const reportDir = path.join(cwd, 'out');
    const files = readdirSync(reportDir).sort();
    expect(files).toHaveLength(6);
    expect(files).toContain('latest.json');
    expect(files).toContain('latest.html');
    const markdownFile = files.find((f) => /^\d{8}T\d{6}Z-local-e2e-local\.md$/.test(f))!;
    const markdown = readFileSync(path.join(reportDir, markdownFile), 'utf8');
    expect(readFileSync(path.join(reportDir, 'latest.md'), 'utf8')).toBe(markdown);
    expect(readFileSync(path.join(cwd, 'summary.md'), 'utf8')).toContain(markdown.trimEnd());
    expect(markdown.split('\n')[2]).toBe('**Verdict: PASS (exit 0)**');
    expect(markdown).toContain('| SLO | measures | value | threshold | margin | n | status |');
    expect(markdown).toContain('| `coverage>=100%` | requests found in the logs | 100% | ≥ 100% | +0% | 80 | pass |');
    expect(markdown).toContain('| `errors<=0%` | failed requests | 0% | ≤ 0% | +0% | 60 | pass |');
    expect(markdown).toContain('not AWS latencies');
    for (const query of savedQueries) expect(markdown).toContain(query.queryString);
    expect(markdown).toMatch(/\| filter correlationId in \["[0-9a-f-]{36}", "[0-9a-f-]{36}"\]/);

    const report = JSON.parse(
      readFileSync(path.join(reportDir, markdownFile.replace(/\.md$/, '.json')), 'utf8'),
    ) as RunReport;
    expect(report.coverage).toMatchObject({
      sampled: 80,
      expected: 80,
      matched: 80,
      coveragePercent: 100,
      misses: { 'no-log-line': { count: 0 }, 'no-report': { count: 0 }, duplicate: { count: 0 } },
      unexpected: { count: 0, lines: 0 },
    });
    expect(report.load).toMatchObject({ requests: 60, responses: 60, errors: 0, statusCodes: { '200': 60 } });
    expect(report.coldStarts!.measured + report.coldStarts!.warmup).toBeGreaterThan(0);
    expect(report.slowest).toHaveLength(10);
    expect(report.slowest[0]!.handlerLine).toContain(report.slowest[0]!.correlationId);
    expect(report.slowest[0]!.reportLine).toMatch(/^REPORT RequestId: [0-9a-f-]{36}\tDuration: /);
    expect(report.breakdown!.lambda.n).toBe(60);
    expect(report.destroy).toMatchObject({ kind: 'destroyed', report: { verified: true } });

    // Nothing left: no emulator process, no log store, manifest says destroyed
    const manifest = JSON.parse(readFileSync(path.join(cwd, '.rda', 'runs', 'e2e-local.json'), 'utf8')) as RunManifest;
    expect(manifest.status).toBe('destroyed');
    expect(manifest.pids.length).toBeGreaterThan(0);
    for (const pid of manifest.pids) expect(alive(pid), `pid ${pid}`).toBe(false);
    expect(manifest.logDir).toMatch(/rda-logs-e2e-local-/);
    expect(existsSync(manifest.logDir!)).toBe(false);
  });
});
