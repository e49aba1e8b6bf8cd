import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it, onTestFinished } from 'vitest';
import { resolveNodeRuntime } from '../../../harness/emulator/node-runtime.js';
import { esbuildOptionsOf } from '../../../harness/perf/handler-cold.js';
import { FUNCTION_RUNTIME, HANDLER_BUNDLING } from '../../../stack/random-data-stack.js';
import { apiEvent } from '../../unit/handler/fixtures.js';

const run = promisify(execFile);

// Builtins the handler must not load at cold start for an unseeded request: node:crypto (kernel CSPRNG
// instead), perf_hooks (process.hrtime), assert and worker_threads (stubbed), and process.stdout's
// stream (pino writes to fd 1 directly) in whichever form fd 1 takes (net for a pipe, tty, file).
const NOT_LOADED = ['crypto', 'perf_hooks', 'assert', 'worker_threads', 'net', 'tty', 'internal/fs/sync_write_stream'];

const EVENTS = [
  apiEvent({ path: '/random/uuid', query: { count: '2' } }),
  apiEvent({ path: '/random/int', query: { count: '0' } }),
  apiEvent({ path: '/nope', headers: { Authorization: 'Bearer secret', Cookie: 'a=b', 'User-Agent': 'test' } }),
  apiEvent({ method: 'PUT', path: '/random' }),
];
// Last, because it loads node:crypto for SHA-256.
const SEEDED = apiEvent({ path: '/random/int', query: { count: '3', seed: 's' } });

// Invokes every event, then reports the builtins loaded so far on fd 2, without touching process.stdout/stderr.
const DRIVER = `const [url, eventsJson, seededJson] = process.argv.slice(2);
const { handler } = await import(url);
for (const event of JSON.parse(eventsJson)) await handler(event, { awsRequestId: 'req-' + event.path });
const loaded = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
await handler(JSON.parse(seededJson), { awsRequestId: 'seeded' });
process.getBuiltinModule('node:fs').writeSync(2, JSON.stringify(loaded));
`;

async function bundle(dir: string, name: string, stubs: boolean) {
  const options = esbuildOptionsOf(HANDLER_BUNDLING);
  const outfile = join(dir, name, 'index.mjs');
  const result = await build({
    ...options,
    ...(stubs ? {} : { alias: {} }),
    entryPoints: ['handler/index.ts'],
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  return { outfile, inputs: Object.keys(result.metafile.inputs) };
}

/** Log lines with the two volatile values (time, durationMs) blanked: everything else must match byte for byte. */
const stable = (stdout: string) =>
  stdout.replace(/"time":\d+/g, '"time":0').replace(/"durationMs":[\d.e-]+/g, '"durationMs":0');

describe('the handler bundle as the stack builds it', () => {
  it('loads no builtin it does not use at cold start, leaves thread-stream out, and logs the same bytes as without the stubs', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'rda-cold-bundle-'));
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
    const driver = join(dir, 'driver.mjs');
    await writeFile(driver, DRIVER);
    const stubbed = await bundle(dir, 'stubbed', true);
    const plain = await bundle(dir, 'plain', false);
    const node = resolveNodeRuntime(FUNCTION_RUNTIME.name).nodePath;
    const invoke = (file: string) =>
      run(node, [driver, pathToFileURL(file).href, JSON.stringify(EVENTS), JSON.stringify(SEEDED)], {
        env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'debug' },
      });
    // Act
    const withStubs = await invoke(stubbed.outfile);
    const withoutStubs = await invoke(plain.outfile);
    // Assess
    expect(stubbed.inputs.some((input) => input.includes('node_modules/thread-stream/'))).toBe(false);
    expect(plain.inputs.some((input) => input.includes('node_modules/thread-stream/'))).toBe(true);
    const loaded = JSON.parse(withStubs.stderr) as string[];
    expect(NOT_LOADED.filter((name) => loaded.includes(name))).toEqual([]);
    const lines = withStubs.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(EVENTS.length + 1);
    expect(lines[2]).toContain('"authorization":"[REDACTED]"');
    expect(stable(withStubs.stdout)).toBe(stable(withoutStubs.stdout));
  });
});
