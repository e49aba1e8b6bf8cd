import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it, onTestFinished } from 'vitest';
import { apiEvent } from '../../unit/handler/fixtures.js';

const run = promisify(execFile);

// The bundle CDK's NodejsFunction makes (esbuild, minified, platform node) must stay small: 64 KB is
// pino's own size bundled (docs/measurement.md#reference-figures), so 150 KB leaves room without letting an SDK creep in.
const MAX_BUNDLE_BYTES = 150_000;

describe('the esbuild bundle', () => {
  it('is small, has no AWS SDK, and logs one line per request to fd 1 with coldStart true then false', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'rda-handler-bundle-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const bundlePath = join(dir, 'index.js');
    const result = await build({
      entryPoints: ['handler/index.ts'],
      bundle: true,
      minify: true,
      platform: 'node',
      // node20, not Lambda's node24: the bundle runs here, on the machines' Node 20 (CONTRIBUTING.md#machines-and-versions).
      target: 'node20',
      format: 'cjs',
      outfile: bundlePath,
      metafile: true,
      logLevel: 'silent',
    });
    const driver = join(dir, 'driver.cjs');
    await writeFile(
      driver,
      `const { handler } = require(${JSON.stringify(bundlePath)});
const event = ${JSON.stringify(apiEvent({ path: '/random/int', query: { count: '2', seed: 's' } }))};
(async () => {
  const first = await handler(event, { awsRequestId: 'first' });
  const second = await handler(event, { awsRequestId: 'second' });
  process.stderr.write(JSON.stringify([first, second]));
})();
`,
    );
    // Act
    const { stdout, stderr } = await run(process.execPath, [driver], { env: { PATH: process.env.PATH ?? '' } });
    // Assess
    const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.bytes;
    expect(bytes).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(Object.keys(result.metafile.inputs).some((input) => input.includes('@aws-sdk'))).toBe(false);
    const [first, second] = JSON.parse(stderr);
    expect(first.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    const lines = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.awsRequestId, line.coldStart, line.status])).toEqual([
      ['first', true, 200],
      ['second', false, 200],
    ]);
  });
});
