import { defineConfig } from 'vitest/config';

// One project per folder of tests/, so `npm test` runs all of them and each can be run alone
// (`npx vitest run --project local`).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { test: { name: 'property', include: ['tests/property/**/*.test.ts'], testTimeout: 120_000 } },
      { test: { name: 'local', include: ['tests/local/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      // moto_server tests deploy real templates: CloudFormation polling makes them slow, not flaky.
      { test: { name: 'aws', include: ['tests/aws/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } },
    ],
  },
});
