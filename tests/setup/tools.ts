/**
 * The tools outside npm some test files need: the Python tools `moto_server` (the AWS target) and `cfn-lint`
 * (the synthesized templates), and Debian's `chromium` (the HTML report in a real browser). `npm test` on a
 * machine without one of them leaves those files out and says so in one loud line at the end, without
 * failing; `npm run test:aws` then finds no test file and fails. `.ci/run` installs chromium, refuses to
 * start without the Python tools, and sets `RDA_REQUIRE_TOOLS=1`, which keeps the files in whatever PATH
 * holds, so that a broken install fails them (CONTRIBUTING.md#the-aws-tests-and-moto_server).
 */
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { delimiter, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vitest } from 'vitest/node';

/** Set to `1` to run every test file even when its tool is missing, so that the run fails. */
export const REQUIRE_TOOLS_ENV = 'RDA_REQUIRE_TOOLS';

/** A command some test files need, and how to get it. */
export interface TestTool {
  readonly command: string;
  /** What the files test, for the notice. */
  readonly purpose: string;
  readonly install: string;
  /** The vitest project those files belong to. */
  readonly project: string;
  /** Test files and folders (every `*.test.ts` below), relative to the repository root. */
  readonly paths: readonly string[];
}

export const TEST_TOOLS: readonly TestTool[] = [
  {
    command: 'moto_server',
    purpose: 'AWS-target',
    install: 'pip install "moto[server]"',
    project: 'aws',
    paths: ['tests/aws'],
  },
  {
    command: 'cfn-lint',
    purpose: 'template lint',
    install: 'pip install cfn-lint',
    project: 'local',
    paths: ['tests/local/stack/cfn-lint.test.ts'],
  },
  {
    command: 'chromium',
    purpose: 'browser',
    install: 'apt-get install chromium (Debian; .ci/run does it)',
    project: 'local',
    paths: ['tests/local/report/html-browser.e2e.test.ts'],
  },
];

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** True when `command` is an executable file in a folder of PATH (what `command -v` checks, without a shell). */
export function commandOnPath(command: string, path = process.env.PATH ?? ''): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, command), constants.X_OK);
        return statSync(join(dir, command)).isFile();
      } catch {
        return false;
      }
    });
}

/** The tools whose test files this run leaves out: those not on PATH, unless `RDA_REQUIRE_TOOLS=1`. */
export function missingTools(env: NodeJS.ProcessEnv = process.env): TestTool[] {
  if (env[REQUIRE_TOOLS_ENV] === '1') return [];
  return TEST_TOOLS.filter((tool) => !commandOnPath(tool.command, env.PATH));
}

/** Glob patterns for a project's `exclude`: the files of `tools` in that project. */
export function excludedFiles(tools: readonly TestTool[], project: string): string[] {
  return tools
    .filter((tool) => tool.project === project)
    .flatMap((tool) => tool.paths.map((path) => (isFolder(path) ? `${path}/**` : path)));
}

/** The test files under `paths`, sorted. */
export function testFiles(paths: readonly string[]): string[] {
  return paths
    .flatMap((path) =>
      isFolder(path)
        ? readdirSync(join(ROOT, path), { recursive: true, encoding: 'utf8' })
            .filter((file) => file.endsWith('.test.ts'))
            .map((file) => join(path, file))
        : [path],
    )
    .sort();
}

function isFolder(path: string): boolean {
  try {
    return statSync(join(ROOT, path)).isDirectory();
  } catch {
    return false;
  }
}

/** The one line `npm test` prints at its end when it left files out; undefined when it left none out. */
export function missingToolsLine(skipped: readonly { tool: TestTool; files: readonly string[] }[]): string | undefined {
  const parts = skipped
    .filter(({ files }) => files.length > 0)
    .map(
      ({ tool, files }) =>
        `${tool.command} is not on PATH, so ${files.length} ${tool.purpose} test file(s) did not run: ${files.join(', ')}; get it with ${tool.install}`,
    );
  if (parts.length === 0) return undefined;
  return `SKIPPED: ${parts.join('. ')} (CONTRIBUTING.md#the-aws-tests-and-moto_server); .ci/run refuses to pass without ${parts.length > 1 ? 'them' : 'it'}.`;
}

const selected = new Set<TestTool>();

/**
 * A vitest plugin for a project that lost files to `tools`: once the run closes, prints the one line
 * naming them (after vitest's summary, where it is seen), limited to the files the run's filters
 * (`vitest run tests/aws/x`) would have picked. A project left out with `--project` prints nothing.
 */
export function missingToolsNotice(tools: readonly TestTool[], project: string) {
  return {
    name: 'rda-missing-tools-notice',
    configureVitest({ vitest }: { vitest: Vitest }) {
      const first = selected.size === 0;
      for (const tool of tools) if (tool.project === project) selected.add(tool);
      if (first && selected.size > 0) vitest.onClose(() => printNotice(vitest));
    },
  };
}

function printNotice(vitest: Vitest): void {
  // The CLI's file filters; not in vitest's public types (read defensively: none means every file).
  const { filenamePattern } = vitest as unknown as { filenamePattern?: readonly string[] };
  const filters = (filenamePattern ?? []).map((filter) => relative(ROOT, resolve(filter)));
  const wanted = (file: string) =>
    filters.length === 0 || filters.some((filter) => file.includes(filter) || filter.includes(file));
  const tools = TEST_TOOLS.filter((tool) => selected.has(tool));
  const line = missingToolsLine(tools.map((tool) => ({ tool, files: testFiles(tool.paths).filter(wanted) })));
  if (line === undefined) return;
  const loud = process.stderr.isTTY ? `\x1b[1;43;30m ${line} \x1b[0m` : line;
  process.stderr.write(`\n${loud}\n`);
}
