/**
 * cfn-lint (AWS's CloudFormation linter, Python, like moto) on every template the project synthesizes:
 * the run stack as a bench run synthesizes it, and the deployer stack with and without an existing
 * GitHub OIDC provider. Zero findings, warnings included. `npm test` leaves this file out when cfn-lint is
 * not on PATH (tests/setup/tools.ts); `.ci/run` requires it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from '../../../stack/build-app.js';
import { DEPLOYER_STACK_NAME, DeployerStack } from '../../../stack/deployer-stack.js';

interface Finding {
  readonly Rule: { readonly Id: string };
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path: readonly (string | number)[] };
}

const root = mkdtempSync(join(tmpdir(), 'rda-cfn-lint-'));
const templates: string[] = [];

afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeAll(async () => {
  const run = await synthesize({ outdir: join(root, 'run'), context: { runId: 'cfn-lint' } });
  templates.push(run.templatePath);
  const providerArn = 'arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com';
  for (const [name, oidcProviderArn] of [
    ['deployer-new-provider', undefined],
    ['deployer-existing-provider', providerArn],
  ] as const) {
    const outdir = join(root, name);
    const app = new App({ outdir });
    new DeployerStack(app, DEPLOYER_STACK_NAME, {
      githubRepository: 'octo-org/octo-repo',
      oidcProviderArn,
      env: { account: '111122223333', region: 'eu-west-1' },
    });
    app.synth();
    templates.push(
      ...readdirSync(outdir)
        .filter((file) => file.endsWith('.template.json'))
        .map((file) => join(outdir, file)),
    );
  }
});

function cfnLint(files: readonly string[]): Promise<{ code: number; findings: Finding[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('cfn-lint', ['--format', 'json', '--', ...files], { timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      if (code < 0)
        return reject(new Error(`cfn-lint did not run (${error?.message}); install it with: pip install cfn-lint`));
      try {
        resolve({ code, findings: JSON.parse(stdout || '[]') as Finding[], stderr });
      } catch {
        reject(new Error(`cfn-lint exited ${code} without JSON: ${stdout}${stderr}`));
      }
    });
  });
}

describe('cfn-lint on the synthesized templates', () => {
  it('lints three templates: the run stack and the deployer stack in both shapes', () => {
    expect(templates).toHaveLength(3);
  });

  it('finds nothing, not even a warning', async () => {
    // Act
    const { code, findings, stderr } = await cfnLint(templates);
    // Assess
    const described = findings.map((f) => `${f.Rule.Id} ${f.Filename} ${f.Location.Path.join('/')}: ${f.Message}`);
    expect(described).toEqual([]);
    expect(code, stderr).toBe(0);
  });
});
