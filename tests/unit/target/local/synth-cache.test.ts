import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  CACHE_ENTRIES_KEPT,
  cacheableContext,
  PLACEHOLDER_EXPIRES_AT,
  PLACEHOLDER_RUN_ID,
  type SynthesizeFn,
  synthCacheKey,
  synthesizeCached,
} from '../../../../harness/target/local/synth-cache.js';

const ENV = { USER: 'tester' };

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of the inputs of the key: stack/, handler/ (with a nested folder), package-lock.json, cdk.json. */
function fakeRepo(): string {
  const root = tempDir('rda-cache-key-');
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('stack/random-data-stack.ts', 'export const memory = 128;');
  write('handler/index.ts', 'export const handler = 1;');
  write('handler/lib/words.ts', 'export const words = ["a"];');
  write('package-lock.json', '{"lockfileVersion":3}');
  write('cdk.json', '{"app":"x"}');
  write('harness/unrelated.ts', 'export {};');
  return root;
}

/** A synthesize that writes a minimal assembly naming the run, and counts its calls. */
function fakeSynth(): SynthesizeFn & { calls: number } {
  const fn = (async ({ outdir, context }) => {
    fn.calls++;
    const stack = `rda-${context?.runId}`;
    fs.mkdirSync(outdir, { recursive: true });
    fs.writeFileSync(
      path.join(outdir, 'manifest.json'),
      JSON.stringify({ artifacts: { [stack]: { templateFile: `${stack}.template.json` } } }),
    );
    fs.writeFileSync(
      path.join(outdir, `${stack}.template.json`),
      JSON.stringify({ Description: `run ${context?.runId} expires ${context?.expiresAt}` }),
    );
    fs.mkdirSync(path.join(outdir, 'asset.abc'));
    fs.writeFileSync(path.join(outdir, 'asset.abc', 'index.js'), 'bundle');
    return { outdir, stackArtifactId: stack };
  }) as SynthesizeFn & { calls: number };
  fn.calls = 0;
  return fn;
}

describe('synthCacheKey', () => {
  it('changes when any file under stack/ or handler/, the lock file or cdk.json changes', () => {
    // Prepare
    const root = fakeRepo();
    const context = { runId: 'a1', stage: 'bench' };
    const base = synthCacheKey({ rootDir: root, context, env: ENV });
    const keys = new Set([base]);

    // Act + Assess: each edit gives a new key; undoing it gives the old one back.
    for (const file of [
      'stack/random-data-stack.ts',
      'handler/index.ts',
      'handler/lib/words.ts',
      'package-lock.json',
      'cdk.json',
    ]) {
      const full = path.join(root, file);
      const original = fs.readFileSync(full, 'utf8');
      fs.writeFileSync(full, `${original} `);
      const changed = synthCacheKey({ rootDir: root, context, env: ENV });
      expect(keys.has(changed), file).toBe(false);
      keys.add(changed);
      fs.writeFileSync(full, original);
      expect(synthCacheKey({ rootDir: root, context, env: ENV })).toBe(base);
    }
    fs.writeFileSync(path.join(root, 'handler/new-module.ts'), 'export {};');
    expect(synthCacheKey({ rootDir: root, context, env: ENV })).not.toBe(base);
  });

  it('ignores files outside the stack inputs', () => {
    const root = fakeRepo();
    const before = synthCacheKey({ rootDir: root, context: { runId: 'a1' }, env: ENV });
    fs.writeFileSync(path.join(root, 'harness/unrelated.ts'), 'export const changed = 1;');
    expect(synthCacheKey({ rootDir: root, context: { runId: 'a1' }, env: ENV })).toBe(before);
  });

  it('depends on the context but not on its order, the run id or the expiry', () => {
    const root = fakeRepo();
    const key = (context: Record<string, string>, env = ENV) => synthCacheKey({ rootDir: root, context, env });
    const base = key({ runId: 'a1', expiresAt: '2030-01-01T00:00:00.000Z', memorySizeMb: '256', stage: 'bench' });
    expect(key({ stage: 'bench', memorySizeMb: '256', expiresAt: '2031-05-05T00:00:00.000Z', runId: 'other' })).toBe(
      base,
    );
    expect(key({ runId: 'a1', expiresAt: '2030-01-01T00:00:00.000Z', memorySizeMb: '512', stage: 'bench' })).not.toBe(
      base,
    );
    expect(key({ runId: 'a1', expiresAt: '2030-01-01T00:00:00.000Z', memorySizeMb: '256' })).not.toBe(base);
    // Without a creator the stack reads USER: a different user is a different stack.
    expect(key({ runId: 'a1' }, { USER: 'a' })).not.toBe(key({ runId: 'a1' }, { USER: 'b' }));
    expect(key({ runId: 'a1', creator: 'c' }, { USER: 'a' })).toBe(key({ runId: 'a1', creator: 'c' }, { USER: 'b' }));
  });

  it('keys on the resolved context whatever set it, telling a JSON true from the string "true"', () => {
    // Prepare: what cdk.json, cdk.context.json or ~/.cdk.json contribute reaches the key only through the
    // resolved context (the home directory is not under the repository), so the context must carry it.
    const root = fakeRepo();
    const key = (context: Record<string, unknown>) => synthCacheKey({ rootDir: root, context, env: ENV });
    const base = key({ runId: 'a1', memorySizeMb: 128 });
    // Act / Assess
    expect(key({ runId: 'a1', memorySizeMb: 256 })).not.toBe(base);
    expect(key({ runId: 'a1', memorySizeMb: 128, '@aws-cdk/aws-apigateway:disableCloudWatchRole': true })).not.toBe(
      base,
    );
    expect(key({ runId: 'a1', flag: true })).not.toBe(key({ runId: 'a1', flag: 'true' }));
    expect(key({ runId: 'a1', nested: { a: 1 } })).not.toBe(key({ runId: 'a1', nested: { a: 2 } }));
  });

  it('caches only expiries already in the canonical ISO form the stack writes', () => {
    expect(cacheableContext({ runId: 'a' })).toBe(true);
    expect(cacheableContext({ runId: 'a', expiresAt: '2030-01-31T12:00:00.000Z' })).toBe(true);
    expect(cacheableContext({ runId: 'a', expiresAt: '2030-01-31T12:00:00Z' })).toBe(false);
    expect(cacheableContext({ runId: 'a', expiresAt: 'tomorrow' })).toBe(false);
  });
});

describe('synthesizeCached', () => {
  it('synthesizes once with placeholders, then gives each run its own copy with its run id and expiry', async () => {
    // Prepare
    const root = fakeRepo();
    const cacheDir = path.join(tempDir('rda-cache-'), 'cache');
    const synthesize = fakeSynth();
    const run = (runId: string, expiresAt: string) =>
      synthesizeCached({
        cacheDir,
        rootDir: root,
        outdir: tempDir('rda-run-'),
        context: { runId, expiresAt },
        synthesize,
      });

    // Act
    const first = await run('r1', '2030-01-01T00:00:00.000Z');
    const second = await run('r2', '2031-02-02T00:00:00.000Z');

    // Assess
    expect(synthesize.calls).toBe(1);
    expect([first.cacheHit, second.cacheHit]).toEqual([false, true]);
    expect(second.entryDir).toBe(first.entryDir);
    expect(second.stackArtifactId).toBe('rda-r2');
    const template = fs.readFileSync(path.join(second.outdir, 'rda-r2.template.json'), 'utf8');
    expect(JSON.parse(template)).toEqual({ Description: 'run r2 expires 2031-02-02T00:00:00.000Z' });
    expect(fs.readFileSync(path.join(second.outdir, 'manifest.json'), 'utf8')).toContain('"rda-r2.template.json"');
    expect(fs.readFileSync(path.join(second.outdir, 'asset.abc', 'index.js'), 'utf8')).toBe('bundle');
    for (const file of fs.readdirSync(second.outdir)) expect(file).not.toContain(PLACEHOLDER_RUN_ID);
    expect(template).not.toContain(PLACEHOLDER_EXPIRES_AT);
    // The shared entry keeps the placeholders and its marker; only the marker's absence makes it unusable.
    expect(fs.readdirSync(first.entryDir)).toContain(`rda-${PLACEHOLDER_RUN_ID}.template.json`);
    expect(fs.readdirSync(cacheDir).filter((name) => name.startsWith('tmp-'))).toEqual([]);
  });

  it('synthesizes again when the handler source changes, and when an entry lacks its completion marker', async () => {
    const root = fakeRepo();
    const cacheDir = path.join(tempDir('rda-cache-'), 'cache');
    const synthesize = fakeSynth();
    const run = () =>
      synthesizeCached({ cacheDir, rootDir: root, outdir: tempDir('rda-run-'), context: { runId: 'r1' }, synthesize });

    const first = await run();
    fs.writeFileSync(path.join(root, 'handler/index.ts'), 'export const handler = 2;');
    const changed = await run();
    expect(synthesize.calls).toBe(2);
    expect(changed.entryDir).not.toBe(first.entryDir);

    fs.rmSync(path.join(changed.entryDir, 'rda-cache-complete.json'));
    const rebuilt = await run();
    expect(rebuilt.cacheHit).toBe(false);
    expect(synthesize.calls).toBe(3);
    expect((await run()).cacheHit).toBe(true);
  });

  it(`keeps only the ${CACHE_ENTRIES_KEPT} most recently used entries`, async () => {
    const root = fakeRepo();
    const cacheDir = path.join(tempDir('rda-cache-'), 'cache');
    const synthesize = fakeSynth();
    const entries: string[] = [];
    for (let i = 0; i < CACHE_ENTRIES_KEPT + 2; i++) {
      const result = await synthesizeCached({
        cacheDir,
        rootDir: root,
        outdir: tempDir('rda-run-'),
        context: { runId: 'r1', memorySizeMb: String(128 + i) },
        synthesize,
      });
      entries.push(result.entryDir);
      // Distinct modification times even on coarse file systems.
      const at = new Date(Date.now() - (CACHE_ENTRIES_KEPT + 2 - i) * 60_000);
      fs.utimesSync(result.entryDir, at, at);
    }
    const left = fs.readdirSync(cacheDir).map((name) => path.join(cacheDir, name));
    expect(left.sort()).toEqual(entries.slice(-CACHE_ENTRIES_KEPT).sort());
  });

  it('leaves no entry and no temporary directory when synthesis fails', async () => {
    const root = fakeRepo();
    const cacheDir = path.join(tempDir('rda-cache-'), 'cache');
    const failing: SynthesizeFn = async ({ outdir }) => {
      fs.writeFileSync(path.join(outdir, 'manifest.json'), '{}');
      throw new Error('bad stack');
    };
    await expect(
      synthesizeCached({
        cacheDir,
        rootDir: root,
        outdir: tempDir('rda-run-'),
        context: { runId: 'r1' },
        synthesize: failing,
      }),
    ).rejects.toThrow('bad stack');
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  });
});
