import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { UsageError } from '../../../harness/errors.js';
import {
  checkStackContext,
  effectiveSettings,
  mergeContext,
  parseContextFlags,
  readContextFiles,
} from '../../../harness/target/cdk-context.js';

// Context resolved as the CDK CLI resolves it (harness/emulator/README.md, "Concurrency, throttling, and the
// settings `cdk synth` uses"): -c over cdk.json over cdk.context.json over ~/.cdk.json, the run on top.

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rda-context-'));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function thrown(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('mergeContext', () => {
  it('takes each key from the highest source: run, -c, cdk.json, cdk.context.json, ~/.cdk.json', () => {
    // Prepare: every source sets `k`, and each a key of its own; given in scrambled order.
    const resolved = mergeContext([
      { source: 'cdk.json', values: { k: 'project', fromProject: 1 } },
      { source: 'run', values: { k: 'run', runId: 'r1' } },
      { source: '~/.cdk.json', values: { k: 'user', fromUser: true } },
      { source: '-c', values: { k: 'flag', fromFlag: 'x' } },
      { source: 'cdk.context.json', values: { k: 'cached', fromCache: [1] } },
    ]);
    // Assess
    expect(resolved.values).toEqual({
      k: 'run',
      runId: 'r1',
      fromProject: 1,
      fromUser: true,
      fromFlag: 'x',
      fromCache: [1],
    });
    expect(resolved.sources).toEqual({
      k: 'run',
      runId: 'run',
      fromProject: 'cdk.json',
      fromUser: '~/.cdk.json',
      fromFlag: '-c',
      fromCache: 'cdk.context.json',
    });
  });

  it('puts cdk.json over cdk.context.json, and -c over both, as the CLI does', () => {
    const layers = [
      { source: 'cdk.context.json' as const, values: { memorySizeMb: 1024 } },
      { source: 'cdk.json' as const, values: { memorySizeMb: 128 } },
    ];
    expect(mergeContext(layers).values.memorySizeMb).toBe(128);
    expect(mergeContext([...layers, { source: '-c', values: { memorySizeMb: '256' } }]).values.memorySizeMb).toBe(
      '256',
    );
  });
});

describe('parseContextFlags', () => {
  it('splits each flag at its first =, keeps values as strings, and lets the last repeat win', () => {
    expect(parseContextFlags(['memorySizeMb=1024', 'stage=a=b', 'logLevel=', 'stage=final'])).toEqual({
      memorySizeMb: '1024',
      stage: 'final',
      logLevel: '',
    });
  });

  it.each([
    ['memorySizeMb', 'InvalidContextFlag', "-c 'memorySizeMb' is not key=value: write e.g. -c memorySizeMb=1024"],
    ['=5', 'InvalidContextFlag', "-c '=5' is not key=value"],
    ['aws:cdk:enable-path-metadata=false', 'InvalidContextFlag', "keys starting 'aws:' are reserved for the CDK"],
    ['runId=x', 'ContextKeyReserved', "the harness sets 'runId' for every run: set it with --run-id"],
    ['expiresAt=2030-01-01T00:00:00Z', 'ContextKeyReserved', 'set it with --ttl'],
  ])('refuses -c %j with %s', (flag, code, message) => {
    const error = thrown(() => parseContextFlags([flag]));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });
});

describe('readContextFiles', () => {
  it("reads cdk.json's context, all of cdk.context.json, and ~/.cdk.json's context; missing files are no layer", () => {
    // Prepare
    const project = tempDir();
    const home = tempDir();
    fs.writeFileSync(path.join(project, 'cdk.json'), JSON.stringify({ app: 'x', context: { memorySizeMb: 128 } }));
    fs.writeFileSync(path.join(project, 'cdk.context.json'), JSON.stringify({ 'availability-zones:x': ['a'] }));
    fs.writeFileSync(path.join(home, '.cdk.json'), JSON.stringify({ context: { logLevel: 'debug' } }));
    // Act
    const layers = readContextFiles({ projectDir: project, homeDir: home });
    // Assess
    expect(layers).toEqual([
      { source: '~/.cdk.json', values: { logLevel: 'debug' } },
      { source: 'cdk.context.json', values: { 'availability-zones:x': ['a'] } },
      { source: 'cdk.json', values: { memorySizeMb: 128 } },
    ]);
    expect(readContextFiles({ projectDir: tempDir(), homeDir: undefined })).toEqual([]);
  });

  it('names the file and the fix when it is not JSON, not an object, or cannot be read', () => {
    const project = tempDir();
    const cdkJson = path.join(project, 'cdk.json');
    fs.writeFileSync(cdkJson, '{"context": {');
    let error = thrown(() => readContextFiles({ projectDir: project, homeDir: undefined }));
    expect(error.code).toBe('ContextFileInvalid');
    expect(error.message).toContain(`${cdkJson} is not valid JSON`);

    fs.writeFileSync(cdkJson, '{"context": [1, 2]}');
    error = thrown(() => readContextFiles({ projectDir: project, homeDir: undefined }));
    expect(error.message).toBe(`${cdkJson}: its "context" is not a JSON object of key: value pairs`);

    error = thrown(() =>
      readContextFiles({
        projectDir: project,
        homeDir: undefined,
        readFile: () => {
          throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
        },
      }),
    );
    expect(error.message).toMatch(/could not be read \(EACCES: permission denied\): fix its permissions or remove it$/);
  });
});

describe('checkStackContext', () => {
  it('refuses a bad stack value with the key, the value and the source that set it', () => {
    const resolved = mergeContext([{ source: 'cdk.json', values: { memorySizeMb: 64 } }]);
    const error = thrown(() => checkStackContext(resolved, { now: new Date(0) }));
    expect(error.code).toBe('InvalidStackContext');
    expect(error.message).toBe(
      "context 'memorySizeMb' is '64': give an integer from 128 to 10240 (set it with -c memorySizeMb=<value>); it came from cdk.json",
    );
  });
});

describe('effectiveSettings', () => {
  it("lists the stack's keys with their value and source, defaults included, then the other keys", () => {
    const resolved = mergeContext([
      { source: 'cdk.json', values: { memorySizeMb: 128, '@aws-cdk/aws-apigateway:disableCloudWatchRole': true } },
      { source: '-c', values: { reservedConcurrency: '5' } },
      { source: 'run', values: { runId: 'r1' } },
    ]);
    const settings = effectiveSettings(resolved);
    expect(settings).toContainEqual({ key: 'memorySizeMb', value: 128, source: 'cdk.json' });
    expect(settings).toContainEqual({ key: 'reservedConcurrency', value: '5', source: '-c' });
    expect(settings).toContainEqual({ key: 'timeoutSeconds', value: 10, source: 'default' });
    expect(settings).toContainEqual({ key: 'runId', value: 'r1', source: 'run' });
    expect(settings.at(-1)).toEqual({
      key: '@aws-cdk/aws-apigateway:disableCloudWatchRole',
      value: true,
      source: 'cdk.json',
    });
    expect(settings.map((s) => s.key)).not.toContain('deployToken');
  });
});
