/**
 * `bench --target aws` end to end against moto_server: the real synthesized stack is deployed with
 * toolkit-lib, loaded, its logs queried through the SDK, destroyed and verified, and a report written; and a
 * signal in any phase still leaves no stack behind.
 *
 * moto does not run Lambda code and its execute-api host is not on loopback, so the load goes through
 * `--api-url` to a stand-in server on 127.0.0.1 that answers like the handler. moto's Logs Insights ignores
 * `filter` (CONTRIBUTING.md#moto-gaps), so correlation cannot match here: the run ends inconclusive on coverage, which
 * is what these tests expect. Correlation itself is covered on the local target (tests/local/bench).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { RunManifest } from '../../harness/manifest.js';
import { leftoverTempDirs, ROOT, startBench as startUserBench, type UserProcess } from '../helpers/user-process.js';
import { useMoto } from './helpers/moto-env.js';

const moto = useMoto();
const EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Answers every request as the handler would: 200, the correlation id echoed, an API Gateway request id. */
let standIn: Server;
let standInUrl: string;
let standInRequests = 0;
beforeAll(async () => {
  standIn = createServer((request, response) => {
    standInRequests++;
    const correlationId = request.headers['x-correlation-id'];
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'x-amzn-requestid': randomUUID(),
      ...(typeof correlationId === 'string' ? { 'x-correlation-id': correlationId } : {}),
    });
    request.resume();
    request.on('end', () => response.end('{"type":"int","count":1,"seed":null,"data":[4]}'));
  });
  standIn.listen(0, '127.0.0.1');
  await once(standIn, 'listening');
  standInUrl = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}/bench/`;
});
afterAll(() => new Promise<void>((resolve) => standIn.close(() => resolve())));

/** `npm run bench -- --target aws …` in its own process group, as a user or CI job starts it. */
function startBench(runId: string, reportDir: string, env: Record<string, string> = {}): UserProcess {
  const args = ['--target', 'aws', '--region', moto.get().region, '--run-id', runId, '--api-url', standInUrl];
  args.push('--duration', '1', '--warmup', '0', '--rate', '10', '--logs-timeout', '2s', '--report-dir', reportDir);
  onTestFinished(() => rmSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), { force: true }));
  return startUserBench(args, { ...moto.get().env, RDA_DEPLOYMENT_METHOD: 'direct', ...env });
}

async function stackExists(stackName: string): Promise<boolean> {
  const cfn = new CloudFormationClient({ region: moto.get().region });
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return (Stacks ?? []).some((stack) => stack.StackStatus !== 'DELETE_COMPLETE');
  } catch (error) {
    if (String(error).includes('does not exist')) return false;
    throw error;
  }
}

function reportOf(reportDir: string, runId: string): string {
  const file = readdirSync(reportDir).find((name) => name.endsWith(`-aws-${runId}.md`));
  if (!file) throw new Error(`no report for ${runId} in ${reportDir}: ${readdirSync(reportDir).join(', ')}`);
  return readFileSync(path.join(reportDir, file), 'utf8');
}

function tempReportDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rda-aws-bench-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('bench --target aws on moto_server', () => {
  it('deploys the real stack, loads it, queries its logs, destroys it, verifies and reports', async () => {
    // Prepare
    const runId = `awsb-${randomBytes(3).toString('hex')}`;
    const reportDir = tempReportDir();
    const before = standInRequests;

    // Act
    const bench = startBench(runId, reportDir);
    const code = await bench.topExited;

    // Assess: every phase ran; coverage cannot be reached on moto, so the verdict is inconclusive (exit 4)
    expect(code, bench.output()).toBe(4);
    expect(standInRequests - before).toBeGreaterThanOrEqual(10);
    expect(await stackExists(`rda-${runId}`)).toBe(false);
    const report = reportOf(reportDir, runId);
    expect(report).toContain(`# Bench report: rda-${runId} on aws`);
    expect(report).toContain('**Verdict: INCONCLUSIVE (exit 4)**');
    expect(report).toContain(standInUrl);
    expect(report).toMatch(/verified/i);
    expect(report).not.toContain('emulator latencies are not AWS latencies');
  });

  const PHASES = {
    deploy: { line: /phase deploy: started/, hold: undefined },
    load: { line: /phase load: holding/, hold: 'load' },
    correlate: { line: /phase correlate: holding/, hold: 'correlate' },
    report: { line: /phase report: holding/, hold: 'report' },
  } as const;
  /** signal × delivery (Ctrl-C to the group, or the top process only, as a CI runner does) × phase. */
  const CASES = [
    ['SIGINT', 'group', 'deploy'],
    ['SIGTERM', 'top', 'deploy'],
    ['SIGTERM', 'top', 'load'],
    ['SIGHUP', 'top', 'correlate'],
    ['SIGINT', 'group', 'report'],
  ] as const;

  it.each(CASES)(
    'on %s to the %s during %s: the stack is gone, nothing is left, the report names it',
    async (signal, delivery, phase) => {
      // Prepare
      const runId = `awss-${phase.slice(0, 4)}-${randomBytes(2).toString('hex')}`;
      const reportDir = tempReportDir();
      const how = PHASES[phase];
      const bench = startBench(runId, reportDir, how.hold ? { RDA_BENCH_HOLD_PHASE: how.hold } : {});

      // Act
      await bench.waitFor(how.line, 120_000);
      if (delivery === 'group') bench.signalGroup(signal);
      else bench.signalTop(signal);
      const code = await bench.topExited;
      await bench.allGone(120_000);

      // Assess: one orderly stop (npm's relayed copy ignored), the stack deleted, no local file left
      expect(code, bench.output()).toBe(EXIT_CODES[signal]);
      expect(bench.output()).not.toContain('again: exiting now');
      expect(await stackExists(`rda-${runId}`)).toBe(false);
      expect(leftoverTempDirs(runId)).toEqual([]);
      const manifest = JSON.parse(
        readFileSync(path.join(ROOT, '.rda', 'runs', `${runId}.json`), 'utf8'),
      ) as RunManifest;
      expect(['destroyed', 'nothing-deployed']).toContain(manifest.status);
      expect(reportOf(reportDir, runId)).toContain(
        `**Verdict: INTERRUPTED during ${phase} by ${signal} (exit ${EXIT_CODES[signal]})**`,
      );
    },
  );
});
