/**
 * What `harness` loads at start-up (issue 17): a command imports its dependencies only when it is the one
 * run, so `harness query` on a local store never pays for the AWS SDK, CDK, charts, load generator or
 * emulator. Each case spawns the real CLI, as `npm run harness` does, with a hook that records every module
 * the process loads (tests/helpers/record-modules.mjs); nothing here depends on timing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ExitCode } from '../../../harness/errors.js';
import { groupDirPath } from '../../../harness/logstore/store.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const RECORDER = path.join(ROOT, 'tests/helpers/record-modules.mjs');

/** Packages and folders a local query has no use for, with what brought each in before. */
const HEAVY = [
  /\/node_modules\/@aws-sdk\//,
  /\/node_modules\/@smithy\//,
  /\/node_modules\/aws-cdk-lib\//,
  /\/node_modules\/@aws-cdk\/toolkit-lib\//,
  /\/node_modules\/vega[^/]*\//,
  // The bench and perf commands' load generators.
  /\/node_modules\/undici\//,
  /\/node_modules\/autocannon\//,
  // The local command's emulator.
  /\/harness\/emulator\//,
];

function scratch(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs `node --import tsx harness/cli.ts ...argv` and returns its exit code, stderr and the modules it loaded. */
function harness(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const record = path.join(scratch('rda-modules-'), 'modules.txt');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--import', RECORDER, 'harness/cli.ts', ...argv], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, RDA_RECORD_MODULES: record },
  });
  const modules = readFileSync(record, 'utf8').split('\n').filter(Boolean);
  return { code: result.status, stderr: result.stderr, modules };
}

const heavyIn = (modules: readonly string[]) => modules.filter((m) => HEAVY.some((pattern) => pattern.test(m)));

/** An empty log store: one log group without streams. */
function emptyStore(): string {
  const logDir = scratch('rda-empty-store-');
  mkdirSync(groupDirPath(logDir, '/aws/lambda/empty'));
  return logDir;
}

describe('harness start-up', () => {
  it('runs a local query without loading the AWS SDK, CDK, charts, load generator or emulator', () => {
    // Act
    const { code, stderr, modules } = harness(['query', '--log-dir', emptyStore(), 'stats count(*)']);

    // Assess: it answered, the recorder saw the engine, and nothing heavy
    expect(code, stderr).toBe(ExitCode.Pass);
    expect(modules.some((m) => m.endsWith('/harness/insights/engine.ts'))).toBe(true);
    expect(heavyIn(modules)).toEqual([]);
  });

  it('lists the commands for --help without importing any command', () => {
    // Act
    const { code, modules } = harness(['--help']);

    // Assess
    expect(code).toBe(ExitCode.Pass);
    expect(modules.some((m) => m.endsWith('/harness/cli.ts'))).toBe(true);
    expect(modules.filter((m) => /\/harness\/commands\/(?!index\.ts|command\.ts)/.test(m))).toEqual([]);
  });

  it('does load the AWS SDK for a query on AWS (the recorder sees what this file guards against)', () => {
    // Prepare: no credentials anywhere, so the command stops after loading the SDK, before any request
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')),
    );
    Object.assign(env, { HOME: scratch('rda-no-creds-'), AWS_EC2_METADATA_DISABLED: 'true' });

    // Act
    const { code, stderr, modules } = harness(
      ['query', '--target', 'aws', '--region', 'eu-west-1', '--log-group', '/aws/lambda/fn', 'fields @message'],
      env,
    );

    // Assess
    expect(code, stderr).toBe(ExitCode.Usage);
    expect(modules.some((m) => m.includes('/node_modules/@aws-sdk/client-cloudwatch-logs/'))).toBe(true);
  });
});
