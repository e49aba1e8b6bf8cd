// A process that hosts emulators the way the harness does, for orphan.test.ts: it puts environments in
// every window where the main thread of a worker cannot notice its parent dying (a module init that never
// returns, a handler in a synchronous loop, a handler awaiting a long timer) plus an idle one, prints their
// pids as one JSON line, and then serves until it is killed.
//   node --import tsx tests/local/emulator/orphan-host.ts <markerDir> <logDir>
import fs from 'node:fs';
import http from 'node:http';
import { type Emulator, startEmulator } from '../../../harness/emulator/emulator.js';
import { fixtureConfig } from './helpers.js';

const [markerDir, logDir] = process.argv.slice(2);
const LONG_MS = 600_000;
const options = { logDir: logDir!, initTimeoutMs: LONG_MS, integrationTimeoutMs: LONG_MS };
const environment = { MARKER_DIR: markerDir! };

/** Sends a GET and ignores the answer (the busy ones never answer before this process dies). */
function get(emulator: Emulator, query: string): Promise<void> {
  return new Promise((resolve) => {
    http
      .get(`${emulator.baseUrl}x${query}`, (res) => {
        res.resume();
        res.on('end', () => resolve());
      })
      .on('error', () => resolve());
  });
}

async function markers(count: number): Promise<void> {
  while (fs.readdirSync(markerDir!).length < count) await new Promise((resolve) => setTimeout(resolve, 20));
}

const busy = await startEmulator(
  fixtureConfig({ handler: 'orphan.handler', timeoutSeconds: 900, environment }),
  options,
);
const initializing = await startEmulator(fixtureConfig({ handler: 'init-block.handler', environment }), options);
void get(busy, '?mode=spin');
void get(busy, '?mode=timer');
void get(initializing, '');
await markers(3);
// A third environment of `busy`, idle (blocked reading its stdin) once it has answered.
await get(busy, '');
const environments = [...busy.environments(), ...initializing.environments()];
process.stdout.write(
  `${JSON.stringify({ pids: [...busy.startedPids(), ...initializing.startedPids()], tmpDirs: environments.map((e) => e.tmpDir) })}\n`,
);
