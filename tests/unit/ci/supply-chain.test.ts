/**
 * Supply chain of the workflows (issue 13): every action is pinned to a full 40-hex commit SHA with the
 * release it stands for in a trailing comment (`uses: actions/checkout@<sha> # v5.1.0`), so a moved or
 * re-pushed tag cannot change the code a run executes; and the Python tools CI installs are pinned to
 * one exact version each. Checked on the raw text, because the YAML reader drops comments.
 */
import { describe, expect, it } from 'vitest';
import type { YamlMapping } from './helpers/workflow-yaml.js';
import { asList, asMapping, loadWorkflow, workflowFiles } from './helpers/workflows.js';

/** `owner/repo[/path]@<40 hex> # vX.Y.Z`: the only shape a `uses:` may take. */
const PINNED_USES = /^(?<action>[\w.-]+\/[\w.-]+(?:\/[\w.-]+)*)@(?<sha>[0-9a-f]{40}) # (?<version>v\d+\.\d+\.\d+)$/;

/** Every `uses:` value of a workflow's text, with its trailing comment, one per line. */
function usesLines(text: string): { line: number; value: string }[] {
  return text.split('\n').flatMap((raw, index) => {
    const match = /^\s*(?:-\s+)?uses:\s*(.*?)\s*$/.exec(raw);
    return match ? [{ line: index + 1, value: match[1]! }] : [];
  });
}

/** The `uses:` values that are not pinned to a commit SHA with a version comment. */
function unpinnedUses(text: string): string[] {
  return usesLines(text)
    .filter(({ value }) => !PINNED_USES.test(value))
    .map(({ line, value }) => `line ${line}: ${value}`);
}

/** Every package argument of every `pip install` / `pipx install` in a workflow's text. */
function pipRequirements(text: string): string[] {
  return text.split('\n').flatMap((raw) => {
    const match = /\bpipx? install\s+(.*)$/.exec(raw);
    if (!match) return [];
    return match[1]!
      .split(/\s+/)
      .filter((arg) => arg !== '' && !arg.startsWith('-'))
      .map((arg) => arg.replace(/^["']|["']$/g, ''));
  });
}

/** A requirement pinned to one exact release: `name[extras]==X.Y.Z`. */
const EXACT_REQUIREMENT = /^[A-Za-z0-9._-]+(\[[A-Za-z0-9._,-]+\])?==\d+(\.\d+)*$/;

const files = workflowFiles();

function usesCount(workflow: YamlMapping, name: string): number {
  return Object.values(asMapping(workflow.jobs, `${name} jobs`)).reduce<number>((sum, job) => {
    const steps = asList(asMapping(job, `${name} job`).steps, `${name} steps`);
    return sum + steps.filter((step) => asMapping(step, `${name} step`).uses !== undefined).length;
  }, 0);
}

describe('actions are pinned by commit', () => {
  it('rejects the tag references the workflows used before issue 13, and a SHA without its version', () => {
    expect(unpinnedUses('      - uses: actions/checkout@v5\n')).toEqual(['line 1: actions/checkout@v5']);
    expect(unpinnedUses('        uses: aws-actions/configure-aws-credentials@v6.2.3\n')).toHaveLength(1);
    expect(unpinnedUses('      - uses: actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09\n')).toHaveLength(1);
    expect(unpinnedUses('      - uses: actions/checkout@fbc6f399 # v5.1.0\n')).toHaveLength(1);
    expect(unpinnedUses('      - uses: actions/checkout@fbc6f3992d24b796d5a048ff273f7fcc4a7b6c09 # v5.1.0\n')).toEqual(
      [],
    );
  });

  it.each(files.map((file) => file.name))('%s pins every action to a 40-hex SHA with a # vX.Y.Z comment', (name) => {
    const file = files.find((candidate) => candidate.name === name)!;
    const lines = usesLines(file.text);
    expect(lines.length, `${name}: every step with uses: is on its own line`).toBe(usesCount(loadWorkflow(name), name));
    expect(unpinnedUses(file.text)).toEqual([]);
  });

  it('pins each action to one commit and one version across all workflows', () => {
    const byAction = new Map<string, Set<string>>();
    for (const file of files) {
      for (const { value } of usesLines(file.text)) {
        const groups = PINNED_USES.exec(value)?.groups;
        if (!groups) continue;
        const pins = byAction.get(groups.action!) ?? new Set<string>();
        pins.add(`${groups.sha} ${groups.version}`);
        byAction.set(groups.action!, pins);
      }
    }
    expect(byAction.size).toBeGreaterThan(0);
    for (const [action, pins] of byAction) expect([...pins], action).toHaveLength(1);
  });
});

describe('Python tools are pinned to exact versions', () => {
  it('rejects ranges and bare names', () => {
    expect(pipRequirements('          pipx install "moto[server]>=5.2,<6"\n')).toEqual(['moto[server]>=5.2,<6']);
    expect(EXACT_REQUIREMENT.test('moto[server]>=5.2,<6')).toBe(false);
    expect(EXACT_REQUIREMENT.test('cfn-lint')).toBe(false);
    expect(EXACT_REQUIREMENT.test('moto[server]==5.2.1')).toBe(true);
  });

  it('installs moto and cfn-lint in CI, each with ==', () => {
    const requirements = files.flatMap((file) => pipRequirements(file.text));
    expect(requirements.some((r) => r.startsWith('moto[server]=='))).toBe(true);
    expect(requirements.some((r) => r.startsWith('cfn-lint=='))).toBe(true);
    for (const requirement of requirements) expect(requirement).toMatch(EXACT_REQUIREMENT);
  });
});
