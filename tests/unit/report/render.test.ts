import { describe, expect, it } from 'vitest';
import { measureRun } from '../../../harness/check/measure.js';
import type { LoadResult } from '../../../harness/load/load.js';
import { Phase, RequestLog } from '../../../harness/load/records.js';
import { buildReport, collapseRepeats } from '../../../harness/report/model.js';
import { renderReport, underSampledLegend } from '../../../harness/report/render.js';
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
    // p99 of warm requests: 25 ms (request 33) against 20 ms, marked: 36 samples are too few for a p99.
    expect(markdown).toContain(
      '| `p99<=20ms` | p99 of client latency, warm requests | 25.00 ms† | ≤ 20.00 ms | −5.000 ms | 36 | fail |',
    );
    expect(markdown).toContain(
      '| `coverage>=100%` | requests found in the logs | 95.9184% | ≥ 100% | −4.0816% | 49 | fail |',
    );
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
    expect(markdown).toContain(
      '| 1 | 2.300 | post-records | 25.00 | 200 | no | 21.50 | `00000000-0000-4000-8000-000000000033` |',
    );
    expect(markdown).toContain('REPORT RequestId: aaaaaaaa-0000-4000-8000-000000000033  Duration: 21.50 ms');
    expect(markdown).toContain(
      '| filter correlationId in ["00000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-000000000001"]',
    );
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

  it('marks percentiles from too few samples and explains the rule once', () => {
    // Act
    const markdown = renderReport(fixtureReport());

    // Assess: 39 samples carry a p90 (needs 29) but not a p95 (59), p99 (299) or p99.9 (2,995).
    expect(markdown).toContain('| all | 39 | 3.000 | 4.700 | 4.900† | 25.00† | 25.00† | 25.00 |');
    expect(markdown.split(underSampledLegend()).length - 1).toBe(1);
    expect(underSampledLegend()).toContain('p99 299, p99.9 2,995');
    expect(fixtureReport().latency!.all.underSampled).toEqual(['p95', 'p99', 'p99_9']);
  });

  it('leaves seconds without responses out of the latency chart instead of plotting them at 0 ms', () => {
    // Prepare: no measured request was due in the second second of the fixture's 4 s.
    const input = fixtureInput();
    const log = new RequestLog(64);
    const source = input.load!.log;
    for (let i = 0; i < source.count; i++) {
      const secondOfRun = Math.floor((source.dueUs[i]! - input.load!.measuredStartUs) / 1e6);
      if (source.phase[i] === Phase.Measured && secondOfRun === 1) continue;
      const index = log.add(source.phase[i] as 0 | 1, source.correlationId[i]!, source.dueUs[i]!, source.mixIndex[i]!);
      log.complete(index, {
        latencyUs: source.latencyUs[i]!,
        status: source.status[i]!,
        errorKind: source.errorKind[i] as 0,
        echoed: true,
      });
    }
    const load: LoadResult = { ...input.load!, log };

    // Act
    const report = buildReport({ ...input, load });
    const markdown = renderReport(report);

    // Assess
    expect(report.charts!.overTime.responses).toEqual([10, 0, 10, 9]); // request 44 never answered
    expect(report.charts!.overTime.p99Ms[1]).toBeNull();
    expect(markdown).toContain('x-axis "seconds into the measured phase" [0, 2, 3]');
    expect(markdown).toContain('1 interval without responses left out');
    expect(markdown).not.toMatch(/line \[[^\]]*\b0, /);
  });

  it('labels peak mode as a closed loop: successful throughput, 429s apart, no scheduled send times or counted waits', () => {
    // Prepare
    const input = fixtureInput();
    const load: LoadResult = { ...input.load!, mode: 'peak', closedLoop: true, rates: undefined };
    const measurements = {
      ...input.measurements!,
      throughputRps: 5_000,
      successfulResponses: 10_000,
      throttledResponses: 120,
      rates: undefined,
    };

    // Act
    const markdown = renderReport(buildReport({ ...input, load, measurements }));

    // Assess
    expect(markdown).toContain(
      '- Peak throughput (closed loop, 10 connections): 5000.0 successful (2xx) responses/s; 120 throttled (429) responses counted apart',
    );
    expect(markdown).toContain('120 measured responses were throttled (429)');
    expect(markdown).toContain('per 1 s of send time');
    expect(markdown).not.toContain('scheduled send time');
    expect(markdown).not.toContain('the wait counts');
  });

  it('shows how busy the machine was and why a missed latency SLO was not called a failure', () => {
    // Prepare: a saturated local machine.
    const input = fixtureInput();
    const load: LoadResult = {
      ...input.load!,
      machine: {
        seconds: 4,
        cores: 2,
        hostCpuPercent: 98,
        processCpuPercent: 60,
        loadAverage1m: 3.5,
        eventLoopDelayP99Ms: 48,
        eventLoopDelayMaxMs: 120,
      },
    };
    const measurements = measureRun(load, input.correlation, 'local');

    // Act
    const report = buildReport({ ...input, load, measurements });
    const markdown = renderReport(report);

    // Assess
    expect(report.timing).toMatchObject({ saturated: true, machine: { hostCpuPercent: 98 } });
    expect(markdown).toContain('## Machine and timing (measured phase)');
    expect(markdown).toContain('- Host CPU: 98% busy of 2 cores');
    expect(markdown).toContain(
      '**The machine was saturated**: host CPU 98% of 2 cores (limit 90%); event-loop delay p99 48.0 ms (limit 20 ms).',
    );
    expect(report.warnings[0]).toMatch(/^Timing: machine saturated/);
  });

  it('prints a repeated warning once, with how often it was given', () => {
    // Act
    const report = buildReport({ ...fixtureInput(), warnings: ['a', 'b', 'a', 'a'] });

    // Assess
    expect(report.warnings).toEqual(['a (×3)', 'b']);
    expect(collapseRepeats([])).toEqual([]);
  });
});

describe('renderReport on the local emulator', () => {
  const facts = (matches: boolean, queued: number) => ({
    nodeRuntime: {
      runtime: 'nodejs24.x',
      wantedMajor: 24,
      nodeVersion: matches ? '24.1.0' : '20.19.0',
      nodePath: '/opt/node/bin/node',
      matches,
      ...(matches ? {} : { problem: 'node24-linux-x64 is not installed' }),
    },
    concurrency: {
      concurrencyLimit: 1_000,
      limitSource: 'account' as const,
      environmentCap: 10,
      throttled: 2,
      queued,
      maxQueueWaitMs: queued > 0 ? 312.5 : 0,
      expiredInQueue: 0,
      peakEnvironments: 10,
    },
  });

  it('marks the latency figures (‡) and says why when the Node.js major is wrong or the local cap was reached', () => {
    // Act
    const markdown = renderReport(buildReport({ ...fixtureInput(), emulator: facts(false, 4) }));
    // Assess
    expect(markdown).toContain("## Latency (ms, measured phase, from each request's scheduled send time");
    expect(markdown).toMatch(/^## Latency .*\) ‡$/m);
    expect(markdown).toMatch(/^## Where the time goes .* ‡$/m);
    // Latency SLO values are figures too; the errors SLO is not a latency.
    expect(markdown).toContain('| `p99<=20ms` | p99 of client latency, warm requests | 25.00 ms† ‡ |');
    expect(markdown).toMatch(/^\| `errors<=5%` \| [^|]* \| [0-9.]+% \|/m);
    expect(markdown).toContain('> ‡ WRONG NODE.JS MAJOR: nodejs24.x runs on Node.js 24 on AWS, but this run');
    expect(markdown).toContain("> ‡ this machine's cap of 10 environments was reached: 4 invocation(s) waited for one");
    expect(markdown).toContain(
      '| Node.js | 20.19.0 for nodejs24.x (Lambda runs Node.js 24) ‡ **wrong major**: node24-linux-x64 is not installed |',
    );
    expect(markdown).toContain(
      "| this machine's cap on environments | 10; **reached** ‡: 4 invocations waited (longest 312.5 ms), 0 dropped",
    );
    expect(markdown).toContain("| Lambda's concurrency limit | 1000 (account default); 2 throttled (500, as on AWS) |");
  });

  it('leaves the figures unmarked when the local run matched its runtime and stayed under the cap', () => {
    const markdown = renderReport(buildReport({ ...fixtureInput(), emulator: facts(true, 0) }));
    expect(markdown).not.toContain('‡');
    expect(markdown).toContain('## Local emulator');
    expect(markdown).toContain("| this machine's cap on environments | 10; not reached: 0 invocations waited");
  });

  it('shows each effective setting with where it came from', () => {
    const input = fixtureInput();
    const options = {
      ...input.options,
      stackContext: { ...input.options.stackContext, memorySizeMb: 128 },
      contextSources: { ...input.options.contextSources, memorySizeMb: 'cdk.json' as const },
    };
    const markdown = renderReport(buildReport({ ...input, options }));
    expect(markdown).toContain('## Settings (CDK context, resolved as `cdk synth` does)');
    expect(markdown).toContain('| memorySizeMb | 128 | cdk.json |');
    expect(markdown).toContain('| timeoutSeconds | 10 | default |');
  });
});
