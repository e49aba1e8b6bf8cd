import { configDefaults, defineConfig } from 'vitest/config';
import { excludedFiles, missingTools, missingToolsNotice } from './tests/setup/tools.js';

// Files that need a tool missing from PATH (moto_server, cfn-lint, chromium) are left out, with one loud
// line at the end of the run naming them (tests/setup/tools.ts); RDA_REQUIRE_TOOLS=1 keeps them in.
const missing = missingTools();

// RDA_QUICK=1 leaves out the ten-minute bench for a quick local loop (vitest's --exclude does not reach a
// project's own exclude list); `npm test` and CI never set it.
const quick = process.env.RDA_QUICK === '1' ? ['tests/local/bench/long-run.e2e.test.ts'] : [];

/** A project of the folder's tests, less the files whose tool is missing (and the long bench when quick). */
function project(name: string, include: string, timeouts: { testTimeout: number; hookTimeout?: number }) {
  const excluded = excludedFiles(missing, name);
  return {
    plugins: excluded.length > 0 ? [missingToolsNotice(missing, name)] : [],
    test: { name, include: [include], exclude: [...configDefaults.exclude, ...excluded, ...quick], ...timeouts },
  };
}

// One project per folder of tests/, so `npm test` runs all of them and each can be run alone
// (`npx vitest run --project local`). `unit` and `property` are the fast inner loop: no sockets, child
// processes or wall-clock waits; tests that need those live in `local` (CONTRIBUTING.md#running-the-tests).
export default defineConfig({
  test: {
    projects: [
      project('unit', 'tests/unit/**/*.test.ts', { testTimeout: 30_000 }),
      project('property', 'tests/property/**/*.test.ts', { testTimeout: 120_000 }),
      project('local', 'tests/local/**/*.test.ts', { testTimeout: 120_000, hookTimeout: 120_000 }),
      // moto_server tests deploy real templates: CloudFormation polling makes them slow, not flaky.
      project('aws', 'tests/aws/**/*.test.ts', { testTimeout: 300_000, hookTimeout: 300_000 }),
    ],
  },
});
