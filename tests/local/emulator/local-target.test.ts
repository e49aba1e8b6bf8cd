import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../../harness/cli.js';
import { InterruptedError, UsageError } from '../../../harness/errors.js';
import { LocalTarget } from '../../../harness/target/local/local-target.js';
import { synthesize } from '../../../stack/build-app.js';
import { alive } from './helpers.js';

// The real stack (stack/) and the real handler bundle (handler/) through LocalTarget: what `npm run bench`
// runs by default.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let sharedAssembly: string;

beforeAll(async () => {
  sharedAssembly = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-local-target-test-'));
  await synthesize({ outdir: sharedAssembly, context: { runId: 'lt-shared' } });
}, 60_000);
afterAll(() => fs.rmSync(sharedAssembly, { recursive: true, force: true }));

describe('LocalTarget with the real stack and handler', () => {
  it('synthesizes, serves the API, answers Insights queries from its logs and destroys everything', async () => {
    // Prepare
    const target = new LocalTarget();
    const deployment = await target.deploy({ runId: 'lt-own', context: { stage: 'local', memorySizeMb: '256' } });
    onTestFinished(() => deployment.destroy().then(() => undefined));
    expect(deployment.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/local\/$/);
    expect(deployment).toMatchObject({
      target: 'local',
      runId: 'lt-own',
      stackName: 'rda-lt-own',
      functionName: 'rda-lt-own-fn',
      logGroupName: '/aws/lambda/rda-lt-own-fn',
      memorySizeMb: 256,
    });
    const startMs = Date.now();

    // Act: requests with correlation ids, as the load phase sends them.
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      const response = await fetch(`${deployment.baseUrl}random/uuid`, { headers: { 'x-correlation-id': id } });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-correlation-id')).toBe(id);
      expect(response.headers.get('x-amzn-requestid')).toMatch(UUID);
      const body = (await response.json()) as { data: string[] };
      expect(body.data[0]).toMatch(UUID);
    }
    const missing = await fetch(deployment.baseUrl.replace('/local/', '/other/'));
    expect(missing.status).toBe(403);

    // Assess: the store answers Logs Insights queries at once (flushed before each response).
    const window = { startTimeMs: startMs - 1000, endTimeMs: Date.now() + 1000 };
    const reports = await deployment.query({
      ...window,
      queryString: 'filter @type = "REPORT" | stats count(*) as reports',
    });
    expect(reports.rows).toEqual([{ reports: '3' }]);
    const lines = await deployment.query({
      ...window,
      queryString: `fields correlationId, awsRequestId, coldStart | filter correlationId = "${ids[1]}"`,
    });
    expect(lines.rows).toHaveLength(1);
    expect(lines.rows[0]!.coldStart).toBe('false');
    const initDurations = await deployment.query({
      ...window,
      queryString: 'filter ispresent(@initDuration) | stats count(*) as cold',
    });
    expect(initDurations.rows).toEqual([{ cold: '1' }]);

    // Act: destroy, twice.
    const pids = deployment.startedPids();
    expect(pids).toHaveLength(1);
    const report = await deployment.destroy();
    const again = await deployment.destroy();

    // Assess
    expect(again).toBe(report);
    expect(report.verified).toBe(true);
    expect(report.leftovers).toEqual([]);
    expect(report.checks).toContain(`pid ${pids[0]}: exited`);
    // The environment's private /tmp is checked too.
    expect(report.checks).toContainEqual(expect.stringMatching(/^tmp \S+\/rda-lambda-tmp-\w+: removed$/));
    expect(report.checks).toContain(`log store ${deployment.logDir}: removed`);
    expect(alive(pids[0]!)).toBe(false);
    expect(fs.existsSync(deployment.logDir)).toBe(false);
    expect(fs.existsSync(deployment.cdkOutDir)).toBe(false);
    await expect(fetch(deployment.baseUrl)).rejects.toThrow();
  });

  it('runs a given assembly and keeps the logs when asked, through await using', async () => {
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-kept-logs-'));
    onTestFinished(() => fs.rmSync(logDir, { recursive: true, force: true }));
    let pid: number;
    {
      await using deployment = await new LocalTarget({ cdkOutDir: sharedAssembly, logDir, keepLogs: true }).deploy({
        runId: 'lt-shared',
      });
      expect((await fetch(`${deployment.baseUrl}types`)).status).toBe(200);
      pid = deployment.startedPids()[0]!;
    }
    expect(alive(pid)).toBe(false);
    const group = path.join(logDir, encodeURIComponent('/aws/lambda/rda-lt-shared-fn'));
    const [stream] = fs.readdirSync(group);
    const messages = fs
      .readFileSync(path.join(group, stream!), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { message: string }).message);
    expect(messages[0]).toMatch(/^INIT_START /);
    expect(messages.filter((m) => m.startsWith('REPORT'))).toHaveLength(1);
    expect(messages.some((m) => m.includes('"path":"/types"'))).toBe(true);
    expect(fs.existsSync(sharedAssembly)).toBe(true);
  });

  it('refuses a bad run id and an aborted deploy before starting anything', async () => {
    await expect(new LocalTarget({ cdkOutDir: sharedAssembly }).deploy({ runId: 'Bad_Id' })).rejects.toBeInstanceOf(
      UsageError,
    );
    const controller = new AbortController();
    controller.abort('SIGTERM');
    const error = await new LocalTarget({ cdkOutDir: sharedAssembly })
      .deploy({ runId: 'lt-shared', signal: controller.signal })
      .catch((e) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).signal).toBe('SIGTERM');
  });
});

describe('npm run harness -- local', () => {
  it('prints the base URL and the log directory, serves until interrupted, then stops cleanly', async () => {
    // Prepare
    const controller = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    let listening: (url: string) => void = () => {};
    const ready = new Promise<string>((resolve) => {
      listening = resolve;
    });
    // Act
    const exit = main(['local', '--cdk-out', sharedAssembly, '--run-id', 'lt-shared'], {
      signal: controller.signal,
      out: (line) => {
        out.push(line);
        if (line.startsWith('listening ')) listening(line.slice('listening '.length));
      },
      err: (line) => err.push(line),
    });
    const baseUrl = await ready;
    const response = await fetch(`${baseUrl}random/int?min=1&max=1`);
    const body = (await response.json()) as { data: number[] };
    controller.abort('SIGINT');
    const code = await exit;

    // Assess
    expect(body.data).toEqual([1]);
    expect(code).toBe(0);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^listening http:\/\/127\.0\.0\.1:\d+\/bench\/$/);
    expect(out[1]).toMatch(/^logs \S+$/);
    const logDir = out[1]!.slice('logs '.length);
    expect(fs.existsSync(logDir)).toBe(false);
    expect(err.some((line) => /^stopped: pid \d+: exited$/.test(line))).toBe(true);
  });

  it('rejects a port out of range with a usage error', async () => {
    const err: string[] = [];
    const code = await main(['local', '--port', '70000', '--cdk-out', sharedAssembly], {
      err: (line) => err.push(line),
      out: () => {},
    });
    expect(code).toBe(2);
    expect(err[0]).toContain("--port '70000' is not a port");
  });
});
