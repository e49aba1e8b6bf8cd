import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readAssembly } from '../../../harness/emulator/assembly.js';
import { LocalTarget } from '../../../harness/target/local/local-target.js';
import { type SynthesizeFn, synthesizeCached } from '../../../harness/target/local/synth-cache.js';
import { synthesize } from '../../../stack/build-app.js';

// The synthesis cache with the real stack (docs/measurement.md#reference-figures): a cached assembly must run exactly what a fresh
// synthesis of the same run would.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function countingSynth(): SynthesizeFn & { calls: number } {
  const fn: SynthesizeFn & { calls: number } = Object.assign(
    async (options: Parameters<SynthesizeFn>[0]) => {
      fn.calls++;
      return synthesize(options);
    },
    { calls: 0 },
  );
  return fn;
}

describe('synthesis cache with the real stack', () => {
  it('gives a run the same template and emulator config as synthesizing it directly', async () => {
    // Prepare: warm the cache under other run values, as the previous bench run would.
    const cacheDir = tempDir('rda-synth-cache-');
    const context = {
      runId: 'cache-eq',
      expiresAt: '2030-03-04T05:06:07.000Z',
      creator: 'tester',
      memorySizeMb: '256',
    };
    await synthesizeCached({
      cacheDir,
      rootDir: ROOT,
      outdir: tempDir('rda-warm-'),
      context: { ...context, runId: 'previous', expiresAt: '2029-01-01T00:00:00.000Z' },
      synthesize,
    });

    // Act
    const direct = await synthesize({ outdir: tempDir('rda-direct-'), context });
    const cached = await synthesizeCached({
      cacheDir,
      rootDir: ROOT,
      outdir: tempDir('rda-cached-'),
      context,
      synthesize,
    });

    // Assess
    expect(cached.cacheHit).toBe(true);
    expect(cached.stackArtifactId).toBe(direct.stackArtifactId);
    // The one known difference: CDK names the API Gateway deployment by a hash of the API's properties, which hold
    // the run id, so the cached one keeps the hash of the placeholder run (AWS gives each deployment a random id).
    const DEPLOYMENT_ID = /ApiDeployment[0-9A-F]{8}[0-9a-f]{32}/g;
    const read = (dir: string) => fs.readFileSync(path.join(dir, `${direct.stackArtifactId}.template.json`), 'utf8');
    expect(read(cached.outdir).match(DEPLOYMENT_ID)).toHaveLength(2);
    const template = (dir: string) => JSON.parse(read(dir).replaceAll(DEPLOYMENT_ID, 'ApiDeployment<hash>'));
    expect(template(cached.outdir)).toEqual(template(direct.outdir));
    const config = (dir: string) => {
      const assembly = readAssembly({ cdkOutDir: dir, stackArtifactId: direct.stackArtifactId });
      expect(assembly.api.deploymentId).toMatch(/^ApiDeployment|^[a-z0-9]+$/);
      // The bundle path differs by directory only; its contents are compared below.
      return {
        ...assembly,
        templatePath: path.relative(dir, assembly.templatePath),
        api: { ...assembly.api, deploymentId: '<id>' },
        function: { ...assembly.function, codeDir: path.relative(dir, assembly.function.codeDir) },
      };
    };
    expect(config(cached.outdir)).toEqual(config(direct.outdir));
    const bundle = readAssembly({ cdkOutDir: cached.outdir, stackArtifactId: cached.stackArtifactId }).function.codeDir;
    const directBundle = readAssembly({ cdkOutDir: direct.outdir, stackArtifactId: direct.stackArtifactId }).function
      .codeDir;
    const files = (dir: string) =>
      Object.fromEntries(
        fs
          .readdirSync(dir)
          .sort()
          .map((name) => [name, fs.readFileSync(path.join(dir, name), 'utf8')]),
      );
    expect(files(bundle)).toEqual(files(directBundle));
  }, 60_000);

  it('reuses the cached assembly on the second deploy without synthesizing, and destroy keeps the cache', async () => {
    // Prepare
    const cacheDir = tempDir('rda-synth-cache-');
    const synth = countingSynth();
    const target = new LocalTarget({ cacheDir, synthesize: synth });

    // Act
    let started = performance.now();
    const first = await target.deploy({ runId: 'cache-one', context: { stage: 'local' } });
    const firstMs = performance.now() - started;
    await first.destroy();
    started = performance.now();
    const second = await target.deploy({ runId: 'cache-two', context: { stage: 'local' } });
    const secondMs = performance.now() - started;
    onTestFinished(() => second.destroy().then(() => undefined));

    // Assess: one synthesis, and the second run serves under its own names.
    expect(synth.calls).toBe(1);
    expect(secondMs).toBeLessThan(firstMs);
    expect(second).toMatchObject({ stackName: 'rda-cache-two', functionName: 'rda-cache-two-fn' });
    const response = await fetch(`${second.baseUrl}random/uuid`);
    expect(response.status).toBe(200);
    const report = await second.destroy();
    expect(report.verified).toBe(true);
    expect(report.checks).toContain(`assembly ${second.cdkOutDir}: removed`);
    expect(fs.existsSync(second.cdkOutDir)).toBe(false);
    const entries = fs.readdirSync(cacheDir);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^assembly-[0-9a-f]{32}$/);
  }, 60_000);

  it('synthesizes on every deploy when the cache is turned off', async () => {
    const cacheDir = tempDir('rda-synth-cache-');
    const synth = countingSynth();
    const target = new LocalTarget({ cacheDir, synthesize: synth, cacheAssembly: false });
    for (const runId of ['nocache-one', 'nocache-two']) {
      const deployment = await target.deploy({ runId });
      expect((await deployment.destroy()).verified).toBe(true);
    }
    expect(synth.calls).toBe(2);
    expect(fs.readdirSync(cacheDir)).toEqual([]);
  }, 60_000);
});
