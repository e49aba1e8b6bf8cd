import { describe, expect, it } from 'vitest';
import type { FunctionConfig } from '../../../harness/emulator/config.js';
import { FAKE_CREDENTIALS, lambdaEnvironment, runtimeNodeFlags } from '../../../harness/emulator/sandbox.js';

const FN: FunctionConfig = {
  functionName: 'fn',
  handler: 'index.handler',
  runtime: 'nodejs22.x',
  memorySizeMb: 512,
  timeoutSeconds: 3,
  environment: {},
  codeDir: '/code',
  logGroupName: '/aws/lambda/fn',
};
const PATHS = {
  region: 'eu-west-1',
  logStreamName: '2026/12/03/[$LATEST]0123456789abcdef0123456789abcdef',
  nodePath: '/opt/node22/bin/node',
  runtimeDir: '/rt',
  tmpDir: '/tmp/rda-lambda-tmp-x',
};

describe('runtimeNodeFlags', () => {
  it.each([
    // memory MB, semi-space MB, old space MB: new space = memory/10, semi = new/2, old = memory - new.
    [128, 6, 116],
    [129, 6, 117],
    [512, 25, 461],
    [1024, 51, 922],
    [10240, 512, 9216],
  ])("derives the heap limits of %i MB as Lambda's bootstrap does", (memorySizeMb, semiMb, oldMb) => {
    expect(runtimeNodeFlags(memorySizeMb)).toEqual([
      '--expose-gc',
      '--max-http-header-size=81920',
      `--max-semi-space-size=${semiMb}`,
      `--max-old-space-size=${oldMb}`,
    ]);
  });

  it.each(['--max-old-space-size=300', '--max_semi_space_size=4', '--enable-source-maps --max_old_space_size=9'])(
    'leaves the heap limits to NODE_OPTIONS when it sets one (%s)',
    (nodeOptions) => {
      expect(runtimeNodeFlags(128, nodeOptions)).toEqual(['--expose-gc', '--max-http-header-size=81920']);
    },
  );

  it('keeps the heap limits when NODE_OPTIONS sets other flags', () => {
    expect(runtimeNodeFlags(128, '--enable-source-maps')).toHaveLength(4);
  });
});

describe('lambdaEnvironment', () => {
  it("maps Lambda's paths to local ones and sets TMPDIR", () => {
    const env = lambdaEnvironment(FN, PATHS);
    expect(env.PATH).toBe('/opt/node22/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin');
    expect(env.LD_LIBRARY_PATH).toBe('/opt/node22/lib:/lib64:/usr/lib64:/rt:/rt/lib:/code:/code/lib:/opt/lib');
    expect(env.NODE_PATH).toBe('/opt/nodejs/node22/node_modules:/opt/nodejs/node_modules:/rt/node_modules:/rt:/code');
    expect(env).toMatchObject({
      LAMBDA_TASK_ROOT: '/code',
      LAMBDA_RUNTIME_DIR: '/rt',
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_LOG_STREAM_NAME: PATHS.logStreamName,
      TMPDIR: '/tmp/rda-lambda-tmp-x',
    });
  });

  it('takes nothing from the host environment', () => {
    process.env.RDA_SANDBOX_TEST_HOST_ONLY = 'host';
    try {
      expect(lambdaEnvironment(FN, PATHS).RDA_SANDBOX_TEST_HOST_ONLY).toBeUndefined();
    } finally {
      delete process.env.RDA_SANDBOX_TEST_HOST_ONLY;
    }
  });

  it("lets the function's variables replace unreserved defaults, never reserved ones", () => {
    const env = lambdaEnvironment(
      {
        ...FN,
        environment: {
          OWN: '1',
          PATH: '/mine',
          NODE_PATH: '/my/modules',
          LANG: 'C',
          TZ: 'Europe/Paris',
          AWS_REGION: 'us-east-1',
          AWS_SECRET_ACCESS_KEY: 'mine',
          TMPDIR: '/var/mine',
        },
      },
      PATHS,
    );
    expect(env).toMatchObject({ OWN: '1', PATH: '/mine', NODE_PATH: '/my/modules', LANG: 'C' });
    expect(env).toMatchObject({
      TZ: ':UTC',
      AWS_REGION: 'eu-west-1',
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
      TMPDIR: '/tmp/rda-lambda-tmp-x',
    });
  });

  it('sets well-formed fake credentials', () => {
    const env = lambdaEnvironment(FN, PATHS);
    expect(env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA[A-Z0-9]{16}$/);
    expect(env.AWS_SECRET_ACCESS_KEY).toMatch(/^[A-Za-z0-9/+]{40}$/);
    expect(env.AWS_SESSION_TOKEN).toMatch(/^[A-Za-z0-9/+]+=*$/);
  });
});
