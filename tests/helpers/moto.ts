import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  /** moto itself, without the proxy that deletes what moto leaves behind (for the test of that check). */
  readonly motoEndpoint: string;
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
  const proxy = await startAwsLikeProxy(port, region);
  const endpoint = `http://localhost:${(proxy.address() as AddressInfo).port}`;
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
    motoEndpoint: `http://localhost:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        proxy.close();
        proxy.closeAllConnections();
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * moto 5.2.1 deletes a stack but leaves its `AWS::ApiGateway::RestApi` behind, where AWS deletes it with the
 * stack; the harness's after-delete checks (docs/aws-behaviour.md#after-delete-checks) rightly report it. This
 * proxy in front of moto closes that gap so the AWS tests see AWS's behaviour: on a DeleteStack it lists the
 * stack's REST APIs first and deletes them after moto answers. It also lists a rolled-back stack's resources
 * (none are left) where moto refuses to, as it does for one whose create failed. Everything else passes through untouched.
 */
/** An `authorization` header moto accepts for plain HTTP calls to `service` (it checks no signatures). */
export function motoAuthorization(region: string, service: string): string {
  return `AWS4-HMAC-SHA256 Credential=testing/20240101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

const EMPTY_RESOURCE_LIST =
  '<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult><StackResourceSummaries></StackResourceSummaries></ListStackResourcesResult><ResponseMetadata><RequestId>proxy</RequestId></ResponseMetadata></ListStackResourcesResponse>';

async function startAwsLikeProxy(motoPort: number, region: string): Promise<Server> {
  const forward = (method: string, url: string, headers: IncomingMessage['headers'], body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: '127.0.0.1',
          port: motoPort,
          method,
          path: url,
          headers: { ...headers, host: `localhost:${motoPort}` },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }),
          );
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });
  const signed = (service: string) => ({ authorization: motoAuthorization(region, service) });
  const restApisOf = async (stackName: string): Promise<string[]> => {
    const body = Buffer.from(`Action=ListStackResources&Version=2010-05-15&StackName=${encodeURIComponent(stackName)}`);
    const listed = await forward(
      'POST',
      '/',
      { 'content-type': 'application/x-www-form-urlencoded', ...signed('cloudformation') },
      body,
    );
    const xml = listed.body.toString('utf8');
    return [...xml.matchAll(/<member>([\s\S]*?)<\/member>/g)]
      .map((m) => m[1]!)
      .filter((member) => member.includes('<ResourceType>AWS::ApiGateway::RestApi</ResourceType>'))
      .flatMap((member) => /<PhysicalResourceId>([^<]+)<\/PhysicalResourceId>/.exec(member)?.[1] ?? []);
  };
  const rolledBack = async (stackName: string): Promise<boolean> => {
    const described = await forward(
      'POST',
      '/',
      { 'content-type': 'application/x-www-form-urlencoded', ...signed('cloudformation') },
      Buffer.from(`Action=DescribeStacks&Version=2010-05-15&StackName=${encodeURIComponent(stackName)}`),
    );
    return /<StackStatus>(CREATE_IN_PROGRESS|ROLLBACK_COMPLETE|ROLLBACK_FAILED|CREATE_FAILED)<\/StackStatus>/.test(
      described.body.toString('utf8'),
    );
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const body = Buffer.concat(chunks);
        const form = new URLSearchParams(body.toString('utf8'));
        const deleting = req.method === 'POST' && form.get('Action') === 'DeleteStack' ? form.get('StackName') : null;
        const apis = deleting ? await restApisOf(deleting) : [];
        let answer = await forward(req.method ?? 'GET', req.url ?? '/', req.headers, body);
        const listing = req.method === 'POST' && form.get('Action') === 'ListStackResources';
        if (
          listing &&
          answer.status >= 400 &&
          !answer.body.includes('does not exist') &&
          (await rolledBack(form.get('StackName') ?? ''))
        ) {
          // AWS lists a rolled-back stack's resources (all deleted by the rollback); moto leaves a stack whose
          // create raised in CREATE_IN_PROGRESS and answers with the create's error instead. Nothing of it is left.
          answer = { status: 200, headers: { 'content-type': 'text/xml' }, body: Buffer.from(EMPTY_RESOURCE_LIST) };
        }
        if (answer.status < 300) {
          for (const id of apis) await forward('DELETE', `/restapis/${id}`, signed('apigateway'), Buffer.alloc(0));
        }
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
      } catch (error) {
        res.writeHead(502);
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * Makes a fresh moto_server look CDK-bootstrapped (CONTRIBUTING.md#the-aws-tests-and-moto_server): the SSM parameter
 * `/cdk-bootstrap/hnb659fds/version` = 30 and the bucket `cdk-hnb659fds-assets-<account>-<region>`.
 * Plain HTTP: moto checks no signatures, and the tests need no SSM or S3 client for two requests.
 */
export async function bootstrapMoto(moto: MotoServer): Promise<void> {
  const authorization = (service: string) => motoAuthorization(moto.region, service);
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
