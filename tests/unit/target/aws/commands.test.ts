/**
 * `deploy`, `destroy` and `sweep` reject bad flags with exit 2 BEFORE any AWS call: every SDK client in
 * this process is pointed at a local server that counts requests, and it must count none.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../../harness/cli.js';

let requests = 0;
const server = createServer((_req, res) => {
  requests++;
  res.writeHead(500).end();
});
const saved = {
  endpoint: process.env.AWS_ENDPOINT_URL,
  region: process.env.AWS_REGION,
  defaultRegion: process.env.AWS_DEFAULT_REGION,
};

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const [key, value] of [
    ['AWS_ENDPOINT_URL', saved.endpoint],
    ['AWS_REGION', saved.region],
    ['AWS_DEFAULT_REGION', saved.defaultRegion],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  await new Promise((resolve) => server.close(resolve));
});

async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1' },
): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { env, out: () => {}, err: (line) => err.push(line) });
  return { code, err: err.join('\n') };
}

describe('usage errors before any AWS call', () => {
  it.each([
    { argv: ['destroy'], message: 'run-id' },
    { argv: ['destroy', '--run-id', 'Bad_Id'], message: "error [RunIdInvalid]: run id 'Bad_Id' may hold only" },
    { argv: ['destroy', '--run-id', 'ok1', '--region', 'moon-1'], message: "error [RegionInvalid]: region 'moon-1'" },
    {
      argv: ['sweep', '--older-than', 'soon'],
      message: "error [InvalidDuration]: --older-than 'soon' is not a duration",
    },
    {
      argv: ['sweep', '--older-than', '500ms'],
      message: "error [OutOfRange]: --older-than '500ms' is out of range: give a duration from 1s to 366d, e.g. 6h",
    },
    { argv: ['sweep', '--older-than', '367d'], message: "error [OutOfRange]: --older-than '367d' is out of range" },
    { argv: ['deploy', '--ttl', '10s'], message: "error [OutOfRange]: --ttl '10s' is out of range" },
    {
      argv: ['deploy', '--run-id', 'a', '--deployment-method', 'hotswap'],
      message: "error [DeploymentMethodInvalid]: deployment method 'hotswap'",
    },
    { argv: ['deploy', '--run-id=-x'], message: 'error [RunIdInvalid]' },
    { argv: ['deploy', '--run-id', 'a', '--bogus'], message: 'error [InvalidArguments]: Unknown argument: bogus' },
    // The context `npx cdk deploy` would use, checked before the first AWS call.
    {
      argv: ['deploy', '--run-id', 'a', '-c', 'memorySizeMb'],
      message: "error [InvalidContextFlag]: -c 'memorySizeMb'",
    },
    {
      argv: ['deploy', '--run-id', 'a', '--context', 'memorySizeMb=64'],
      message: "error [InvalidStackContext]: context 'memorySizeMb' is '64'",
    },
    { argv: ['deploy', '--run-id', 'a', '-c', 'runId=b'], message: 'error [ContextKeyReserved]' },
  ])('$argv exits 2', async ({ argv, message }) => {
    const before = requests;

    const { code, err } = await run(argv);

    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(requests).toBe(before);
  });

  it('names the missing region and how to set it', async () => {
    const { code, err } = await run(['sweep', '--target', 'aws'], {});

    expect(code).toBe(2);
    expect(err).toContain(
      'error [RegionMissing]: no AWS region given: pass --region (e.g. --region eu-west-1) or set AWS_REGION',
    );
    expect(requests).toBe(0);
  });
});

describe('sweep without a region', () => {
  it('sweeps local runs and says plainly that AWS was skipped', async () => {
    const { code, out } = await runWithOut(['sweep'], {});

    expect(code).toBe(0);
    expect(out).toContain('aws: skipped: no region set (pass --region or set AWS_REGION to sweep AWS stacks too)');
    expect(requests).toBe(0);
  });
});

async function runWithOut(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await main(argv, { env, out: (line) => out.push(line), err: () => {} });
  return { code, out: out.join('\n') };
}
