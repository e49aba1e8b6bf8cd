import { afterEach, describe, expect, it } from 'vitest';
import { type FixtureEmulator, rawRequest, STAGE, startFixture } from './helpers.js';

// The npm packages node24-linux-x64 / node22-linux-x64 (optionalDependencies) bring the binaries on linux-x64;
// elsewhere the emulator says it could not find them, which the last test checks instead.
const running: FixtureEmulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.stop()));
});

async function versionOn(runtime: string) {
  const emulator = await startFixture({ handler: 'rt-version.handler', runtime });
  running.push(emulator);
  const response = await rawRequest(emulator, `/${STAGE}/`);
  expect(response.status).toBe(200);
  return { emulator, answer: JSON.parse(response.text) as { version: string; withResolvers: boolean } };
}

describe('each function runs on the Node.js major of its Lambda runtime', () => {
  for (const major of [24, 22]) {
    it(`nodejs${major}.x runs on Node.js ${major} whatever the host runs`, async () => {
      const { emulator, answer } = await versionOn(`nodejs${major}.x`);
      if (!emulator.nodeRuntime.matches) {
        // Only where the registry ships no binary for this platform: then it must be said, not hidden.
        expect(process.platform === 'linux' && process.arch === 'x64').toBe(false);
        expect(emulator.nodeRuntime.problem).toMatch(/no Node\.js \d+ binary/);
        return;
      }
      expect(answer.version).toMatch(new RegExp(`^v${major}\\.`));
      expect(emulator.nodeRuntime.nodeVersion).toBe(answer.version.slice(1));
      // Promise.withResolvers arrived in Node.js 22: present on Lambda's nodejs22.x/24.x, so here too.
      expect(answer.withResolvers).toBe(true);
    });
  }
});
