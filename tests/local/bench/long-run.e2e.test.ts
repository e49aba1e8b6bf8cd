/**
 * A long run, started as a user starts it: `npm run bench` for ten minutes at 100 req/s on the local target,
 * with `--sample` at its default. The correlation phase must find every sampled request and take a small,
 * stated share of the run's length (it read the whole store once per batch and grew with the square of the
 * run before: 200 req/s for 120 s took 125 s). It is the slowest test of the suite by far (about eleven
 * minutes); `npx vitest run --project local --exclude '**\/long-run*'` leaves it out of a quick loop.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { RunReport } from '../../../harness/report/model.js';
import { ROOT, startBench } from '../../helpers/user-process.js';

const DURATION_S = 600;
const RATE_RPS = 100;
/** The correlation phase may take at most this share of the measured run. */
const CORRELATION_SHARE_MAX = 0.05;

describe('a ten-minute bench at 100 req/s (end to end)', () => {
  it(
    'correlates every sampled request in a small share of the run, and cleans up',
    async () => {
      // Prepare
      const runId = `long-${randomBytes(3).toString('hex')}`;
      const reportDir = mkdtempSync(path.join(tmpdir(), 'rda-long-run-'));
      onTestFinished(() => {
        rmSync(reportDir, { recursive: true, force: true });
        rmSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), { force: true });
        rmSync(path.join(ROOT, '.rda', 'runs', `${runId}.lock`), { force: true });
      });

      // Act: loose latency SLOs (the machine may be shared), strict coverage.
      const user = startBench([
        '--run-id',
        runId,
        '--duration',
        String(DURATION_S),
        '--rate',
        String(RATE_RPS),
        '--warmup',
        '5',
        '--report-dir',
        reportDir,
        '--no-default-slos',
        '--slo',
        'p99<=5s',
        '--slo',
        'coverage>=100%',
      ]);
      const code = await user.topExited;
      await user.allGone();

      // Assess
      const output = user.output();
      expect(code, output).toBe(0);
      const file = readdirSync(reportDir).find((f) => f.endsWith(`-local-${runId}.json`));
      expect(file, output).toBeDefined();
      const report = JSON.parse(readFileSync(path.join(reportDir, file!), 'utf8')) as RunReport;
      expect(report.coverage).toMatchObject({ expected: expect.any(Number), timedOut: false });
      expect(report.coverage!.matched).toBe(report.coverage!.expected);
      expect(report.coverage!.sampled).toBeGreaterThanOrEqual(1_000);
      const correlation = report.phases.find((p) => p.name === 'correlate')!;
      expect(correlation.outcome).toBe('done');
      expect(correlation.durationMs / (DURATION_S * 1000)).toBeLessThan(CORRELATION_SHARE_MAX);
      const destroy = report.phases.find((p) => p.name === 'destroy')!;
      expect(destroy.outcome).toBe('done');
    },
    (DURATION_S + 240) * 1000,
  );
});
