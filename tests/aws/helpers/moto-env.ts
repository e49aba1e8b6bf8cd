/**
 * One bootstrapped moto_server per test file, with `process.env` pointing every AWS SDK client (and
 * toolkit-lib) at it, restored afterwards. Fails the file loudly when moto_server is missing (`npm test`
 * leaves tests/aws out when it is not on PATH, and says so: tests/setup/tools.ts).
 */
import { afterAll, beforeAll } from 'vitest';
import { bootstrapMoto, type MotoServer, startMoto } from '../../helpers/moto.js';

/** Starts moto in `beforeAll`, stops it in `afterAll`; call `get()` inside tests. */
export function useMoto(): { get: () => MotoServer } {
  let moto: MotoServer | undefined;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    moto = await startMoto();
    await bootstrapMoto(moto);
    for (const [key, value] of Object.entries(moto.env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await moto?.stop();
  });
  return {
    get: () => {
      if (moto === undefined) throw new Error('moto_server is not running: useMoto() must be called at file level');
      return moto;
    },
  };
}
