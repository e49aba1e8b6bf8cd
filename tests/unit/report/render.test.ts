import { describe, expect, it } from 'vitest';
import { buildReport } from '../../../harness/report/model.js';
import { renderReport } from '../../../harness/report/render.js';
import { fixtureInput, fixtureReport } from './fixture.js';

describe('renderReport', () => {
  it('renders the fixed run exactly as the snapshot', async () => {
    await expect(renderReport(fixtureReport())).toMatchFileSnapshot('./__snapshots__/report.md');
  });

  it('opens with the verdict and the SLO table with value, threshold and margin', () => {
    const markdown = renderReport(fixtureReport());
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('# Bench report: rda-snap on local');
    expect(lines[2]).toBe('**Verdict: FAIL (exit 1)**');
    const sloHeader = lines.findIndex((l) => l.startsWith('| SLO | measures | value | threshold | margin |'));
    expect(sloHeader).toBeGreaterThan(0);
    expect(sloHeader).toBeLessThan(lines.findIndex((l) => l.startsWith('## Latency')));
    // p99 of warm requests: 25 ms (request 33) against 20 ms.
    expect(markdown).toContain('| `p99<=20ms` | p99 of client latency, warm requests | 25.00 ms | ≤ 20.00 ms | −5.000 ms | 36 | fail |');
    expect(markdown).toContain('| `coverage>=100%` | requests found in the logs | 95.9184% | ≥ 100% | −4.0816% | 49 | fail |');
  });

  it('says plainly that local latencies are not AWS latencies', () => {
    expect(renderReport(fixtureReport())).toContain('not AWS latencies');
    const input = fixtureInput();
    const aws = renderReport(buildReport({ ...input, options: { ...input.options, target: 'aws' } }));
    expect(aws).not.toContain('not AWS latencies');
  });

  it('shows misses by kind, the unexpected id, the slowest request with its log lines, and the queries', () => {
    const markdown = renderReport(fixtureReport());
    expect(markdown).toContain('| no-log-line | 1 | `00000000-0000-4000-8000-000000000012` |');
    expect(markdown).toContain('| duplicate | 1 | `00000000-0000-4000-8000-000000000027` |');
    expect(markdown).toContain('| unexpected (logged, never sent) | 1 ids, 1 lines | `ghost-1` |');
    expect(markdown).toContain('- no response (timeout): 1');
    expect(markdown).toContain('| 1 | 2.300 | post-records | 25.00 | 200 | no | 21.50 | `00000000-0000-4000-8000-000000000033` |');
    expect(markdown).toContain('REPORT RequestId: aaaaaaaa-0000-4000-8000-000000000033  Duration: 21.50 ms');
    expect(markdown).toContain('| filter correlationId in ["00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000001"]');
    expect(markdown).toContain('**find-by-correlation-id**');
    expect(markdown).toContain('```mermaid\nxychart-beta');
    expect(markdown).toContain('Verified: nothing left');
  });

  it('writes a short report for an interrupted run that names the phase and carries no verdict', () => {
    const input = fixtureInput();
    const markdown = renderReport(
      buildReport({
        ...input,
        outcome: { kind: 'interrupted', signal: 'SIGTERM', phase: 'load' },
        exitCode: 143,
        load: undefined,
        correlation: undefined,
        measurements: undefined,
        slos: [],
      }),
    );
    expect(markdown).toContain('**Verdict: INTERRUPTED during load by SIGTERM (exit 143)**');
    expect(markdown).toContain('stopped during the **load** phase');
    expect(markdown).not.toContain('## SLOs');
    expect(markdown).not.toContain('## Latency');
    expect(markdown).toContain('## Destroy');
  });

  it('gives the JSON twin the same data as the markdown', () => {
    const report = fixtureReport();
    const twin = JSON.parse(JSON.stringify(report));
    expect(renderReport(twin)).toBe(renderReport(report));
  });
});
