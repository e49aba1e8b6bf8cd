import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { FAKE_CREDENTIALS } from '../../../harness/emulator/sandbox.js';
import { FIXTURES_DIR, rawRequest, STAGE, startFixture } from './helpers.js';

// Each execution environment is a sandbox like Lambda's (README, "Memory, /tmp, read-only code, reserved
// environment variables"): its own temp directory, a read-only code directory, Lambda's variables and fake
// credentials, nothing of the host's.

// biome-ignore lint/suspicious/noExplicitAny: the fixture's answers are asserted field by field
async function call(emulator: Awaited<ReturnType<typeof startFixture>>, query: string): Promise<any> {
  const response = await rawRequest(emulator, `/${STAGE}/?${query}`);
  if (response.status !== 200) throw new Error(`${query} answered ${response.status}: ${response.text}`);
  return JSON.parse(response.text);
}

async function started(environment: Record<string, string> = {}) {
  const emulator = await startFixture({ handler: 'env-isolation.handler', memorySizeMb: 128, environment });
  onTestFinished(() => emulator.stop());
  return emulator;
}

/** Sets host variables for one test and restores them after it. */
function withHostEnv(values: Record<string, string>): void {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  onTestFinished(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}

describe('environment variables', () => {
  it("sets Lambda's reserved variables, and fake credentials instead of the host's", async () => {
    // Prepare: the host has credentials and a profile of its own.
    withHostEnv({
      AWS_ACCESS_KEY_ID: 'AKIAHOSTKEYMUSTNOTLEAK',
      AWS_SECRET_ACCESS_KEY: 'host-secret-must-not-leak',
      AWS_SESSION_TOKEN: 'host-token-must-not-leak',
      AWS_PROFILE: 'host-profile',
    });
    const emulator = await started();

    // Act
    const { env } = await call(emulator, 'op=env');

    // Assess
    expect(env).toMatchObject({
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: FAKE_CREDENTIALS.AWS_SESSION_TOKEN,
      LAMBDA_TASK_ROOT: FIXTURES_DIR,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
    });
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(env.AWS_SECRET_ACCESS_KEY).toHaveLength(40);
    expect(env.AWS_PROFILE).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain('must-not-leak');
    expect(JSON.stringify(env)).not.toContain('host-profile');
  });

  it("uses Lambda's PATH, NODE_PATH and LD_LIBRARY_PATH with local directories in place of /var/...", async () => {
    const emulator = await started();

    // Act
    const { env } = await call(emulator, 'op=env');
    const { node, execPath } = await call(emulator, 'op=which-node');

    // Assess: /var/lang/bin is the directory of the node the function runs on, so `node` is that binary.
    const langBin = path.dirname(emulator.nodeRuntime.nodePath);
    expect(env.PATH).toBe(`${langBin}:/usr/local/bin:/usr/bin/:/bin:/opt/bin`);
    expect(node).toBe(execPath);
    const runtimeDir = env.LAMBDA_RUNTIME_DIR;
    expect(env.NODE_PATH).toBe(
      `/opt/nodejs/node24/node_modules:/opt/nodejs/node_modules:${runtimeDir}/node_modules:${runtimeDir}:${FIXTURES_DIR}`,
    );
    expect(env.LD_LIBRARY_PATH).toBe(
      `${path.join(path.dirname(langBin), 'lib')}:/lib64:/usr/lib64:${runtimeDir}:${runtimeDir}/lib:${FIXTURES_DIR}:${FIXTURES_DIR}/lib:/opt/lib`,
    );
  });

  it("keeps the function's own variables, but reserved names are Lambda's", async () => {
    const emulator = await started({
      MY_SETTING: 'mine',
      NODE_PATH: '/my/modules',
      AWS_LAMBDA_RUNTIME_API: 'example.com:1',
      AWS_ACCESS_KEY_ID: 'AKIAFUNCTIONOWN00000',
    });

    // Act
    const { env } = await call(emulator, 'op=env');

    // Assess: NODE_PATH is not reserved (the bootstrap sets it only when unset), the others are.
    expect(env.MY_SETTING).toBe('mine');
    expect(env.NODE_PATH).toBe('/my/modules');
    expect(env.AWS_LAMBDA_RUNTIME_API).toBe('127.0.0.1:9001');
    expect(env.AWS_ACCESS_KEY_ID).toBe(FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID);
  });
});

describe('/tmp', () => {
  it('gives each environment its own temp directory, removed when the emulator closes', async () => {
    const emulator = await startFixture({ handler: 'env-isolation.handler', memorySizeMb: 128 });
    onTestFinished(() => emulator.stop());

    // Act: two environments at once (concurrent requests), then the first one again.
    const [a, b] = await Promise.all([call(emulator, 'op=write-tmp'), call(emulator, 'op=write-tmp')]);
    const again = await call(emulator, 'op=write-tmp');

    // Assess: private per environment, kept between invocations of one environment, gone after close.
    expect(a.pid).not.toBe(b.pid);
    expect(a.tmpdir).not.toBe(b.tmpdir);
    for (const dir of [a.tmpdir, b.tmpdir]) {
      expect(path.dirname(dir)).toBe(os.tmpdir());
      expect(path.basename(dir)).toMatch(/^rda-lambda-tmp-/);
    }
    expect(a.before).toBeNull();
    expect(again.before).toBe(String(again.pid));
    const stop = await emulator.close();
    expect(stop.processes.map((p) => [p.tmpDir, p.tmpDirGone]).sort()).toEqual(
      [
        [a.tmpdir, true],
        [b.tmpdir, true],
      ].sort(),
    );
    expect(fs.existsSync(a.tmpdir) || fs.existsSync(b.tmpdir)).toBe(false);
  });
});

describe('the code directory', () => {
  const apis = [
    ['writeFileSync', 'open'],
    ['openSync', 'open'],
    ['relative', 'open'],
    ['callback', 'open'],
    ['promises', 'open'],
    ['esm-named', 'open'],
    ['stream', 'open'],
    ['mkdirSync', 'mkdir'],
    ['renameSync', 'rename'],
    ['unlinkSync', 'unlink'],
  ] as const;

  it.each(apis)('refuses %s into it with EROFS, as a read-only file system does', async (api, syscall) => {
    // Prepare: a file for unlink to try (written by the test process, outside any sandbox).
    const victim = path.join(FIXTURES_DIR, 'env-isolation-victim.txt');
    fs.writeFileSync(victim, 'keep me');
    onTestFinished(() => fs.rmSync(victim, { force: true }));
    const emulator = await started();

    // Act
    const { error, written } = await call(emulator, `op=write-code&api=${api}`);

    // Assess
    expect(written).toBeUndefined();
    expect(error).toMatchObject({ code: 'EROFS', errno: -30, syscall });
    expect(error.message).toBe(
      error.dest === undefined
        ? `EROFS: read-only file system, ${syscall} '${error.path}'`
        : `EROFS: read-only file system, ${syscall} '${error.path}' -> '${error.dest}'`,
    );
    expect(path.resolve(FIXTURES_DIR, error.dest ?? error.path).startsWith(FIXTURES_DIR)).toBe(true);
    expect(fs.readdirSync(FIXTURES_DIR).filter((name) => name.startsWith('env-isolation-'))).toEqual([
      'env-isolation-victim.txt',
    ]);
  });

  it('can still be read', async () => {
    const emulator = await started();
    const { bytes } = await call(emulator, 'op=read-code');
    expect(bytes).toBe(fs.statSync(path.join(FIXTURES_DIR, 'env-isolation.mjs')).size);
  });
});
