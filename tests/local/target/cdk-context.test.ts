import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseBenchOptions } from '../../../harness/options.js';
import { readContextFiles } from '../../../harness/target/cdk-context.js';
import { LocalTarget } from '../../../harness/target/local/local-target.js';

// The local run synthesizes with the context `cdk synth` would use: cdk.json's `memorySizeMb: 128` is the
// memory `npx cdk deploy` deploys, so it is the emulated function's too; `-c` goes over it
// (harness/emulator/README.md, "Concurrency, throttling, and the settings `cdk synth` uses").

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function deployedMemoryMb(project: string, cacheDir: string, runId: string, flags: string[]): Promise<number> {
  const options = parseBenchOptions(
    { runId, context: flags },
    {
      now: new Date(),
      env: { USER: 'tester' },
      contextFiles: readContextFiles({ projectDir: project, homeDir: undefined }),
    },
  );
  const target = new LocalTarget({ cacheDir });
  const deployment = await target.deploy({ runId, context: options.stackContext, scratchDir: tempDir('rda-ctx-run-') });
  try {
    return deployment.memorySizeMb;
  } finally {
    await deployment.destroy();
  }
}

describe('the local target with cdk.json context', () => {
  it("runs the function with cdk.json's memorySizeMb, and with -c's when given", { timeout: 120_000 }, async () => {
    // Prepare: a project whose cdk.json sets 128 MB (the stack's default is 512).
    const project = tempDir('rda-ctx-project-');
    fs.writeFileSync(path.join(project, 'cdk.json'), JSON.stringify({ app: 'x', context: { memorySizeMb: 128 } }));
    const cacheDir = tempDir('rda-ctx-cache-');
    // Act
    const fromCdkJson = await deployedMemoryMb(project, cacheDir, 'ctxa', []);
    const fromFlag = await deployedMemoryMb(project, cacheDir, 'ctxb', ['memorySizeMb=256']);
    // Assess: each from its own cache entry (the resolved context is part of the key).
    expect(fromCdkJson).toBe(128);
    expect(fromFlag).toBe(256);
    expect(fs.readdirSync(cacheDir).filter((name) => name.startsWith('assembly-'))).toHaveLength(2);
  });
});
