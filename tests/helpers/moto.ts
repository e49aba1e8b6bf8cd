import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

/** A `moto_server` on loopback, and the environment an AWS SDK client or toolkit-lib needs to reach it. */
export interface MotoServer {
  /** `http://localhost:PORT`: toolkit-lib needs the host name `localhost` (CONTRIBUTING.md#the-aws-tests-and-moto_server). */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** moto's fixed account id. */
  readonly accountId: string;
  /** AWS_* variables pointing at this server with fake credentials. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

/**
 * True when `moto_server` runs. Tests that need it must fail loudly, not pass, when it does not; `npm test`
 * leaves their files out when it is not on PATH at all, and says so (tests/setup/tools.ts).
 */
export function motoAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

/** Starts `moto_server -H 127.0.0.1 -p 0` and resolves once it prints its port. */
export async function startMoto(region = 'us-east-1'): Promise<MotoServer> {
  if (!motoAvailable()) {
    throw new Error(
      'moto_server is not on PATH: the AWS-target tests need it (see CONTRIBUTING.md#the-aws-tests-and-moto_server)',
    );
  }
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`moto_server did not start in ${START_TIMEOUT_MS} ms: ${output}`)),
      START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with code ${code}: ${output}`));
    });
  });
  // Keep draining its request log so the pipe never fills and stalls the server.
  child.stdout?.resume();
  child.stderr?.resume();
  const endpoint = `http://localhost:${port}`;
  return {
    endpoint,
    port,
    region,
    accountId: '123456789012',
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_SESSION_TOKEN: 'testing',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Makes a fresh moto_server look CDK-bootstrapped (CONTRIBUTING.md#the-aws-tests-and-moto_server): the SSM parameter
 * `/cdk-bootstrap/hnb659fds/version` = 30 and the bucket `cdk-hnb659fds-assets-<account>-<region>`.
 * Plain HTTP: moto checks no signatures, and the tests need no SSM or S3 client for two requests.
 */
export async function bootstrapMoto(moto: MotoServer): Promise<void> {
  const authorization = (service: string) =>
    `AWS4-HMAC-SHA256 Credential=testing/20240101/${moto.region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
  const parameter = await fetch(`${moto.endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'AmazonSSM.PutParameter',
      authorization: authorization('ssm'),
    },
    body: JSON.stringify({ Name: '/cdk-bootstrap/hnb659fds/version', Value: '30', Type: 'String', Overwrite: true }),
  });
  const bucket = await fetch(`${moto.endpoint}/cdk-hnb659fds-assets-${moto.accountId}-${moto.region}`, {
    method: 'PUT',
    headers: { authorization: authorization('s3') },
  });
  for (const [what, response] of [
    ['ssm PutParameter', parameter],
    ['s3 CreateBucket', bucket],
  ] as const) {
    if (!response.ok) throw new Error(`moto bootstrap: ${what} answered ${response.status}: ${await response.text()}`);
  }
}
