import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// stack/app.ts is what `npx cdk synth` runs (cdk.json). The CLI hands it the outdir and the context
// through CDK_OUTDIR and CDK_CONTEXT_JSON; these tests do the same without the CLI's own startup.

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'rda-app-test-'));

afterAll(() => rmSync(root, { recursive: true, force: true }));

function runApp(outdir: string, context: Record<string, string>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(projectRoot, 'stack', 'app.ts')],
      {
        cwd: projectRoot,
        env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
        timeout: 60_000,
      },
      (error, _stdout, stderr) => resolve({ code: error ? (error.code as number | null) : 0, stderr }),
    );
  });
}

describe('stack/app.ts (the cdk.json entry)', () => {
  it('synthesizes the run stack named by the context, with cdk-nag on, and exits 0', async () => {
    // Act
    const outdir = join(root, 'good');
    const result = await runApp(outdir, { runId: 'app-test' });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(outdir, 'rda-app-test.template.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  it('exits 2 with only the message, no stack trace, when a context value is bad', async () => {
    // Act
    const result = await runApp(join(root, 'bad'), { timeoutSeconds: '0' });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      "error: context 'timeoutSeconds' is '0': give an integer from 1 to 900 (set it with -c timeoutSeconds=<value>)",
    );
  });
});
