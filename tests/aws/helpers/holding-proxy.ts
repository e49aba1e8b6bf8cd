/**
 * An HTTP proxy in front of moto_server that holds ONE chosen request until the test releases it. A
 * child process pointed at it (AWS_ENDPOINT_URL) can then be signalled at an exact moment of its deploy,
 * e.g. while its CreateStack is in flight, instead of racing moto's sub-second CreateStack with a timer.
 * The held request is forwarded on release even if the client has gone, as a request already on the
 * wire to AWS would still be executed.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Decides whether to hold a request; called for every request until one is held. */
export type HoldMatcher = (body: string, req: IncomingMessage) => boolean;

/** A running proxy. */
export interface HoldingProxy {
  /** `http://localhost:PORT` (toolkit-lib needs the name localhost with moto, CONTRIBUTING.md#the-aws-tests-and-moto_server). */
  readonly endpoint: string;
  /** Resolves with the held request's body once it arrives. */
  readonly held: Promise<string>;
  /** Forwards the held request to moto. */
  release(): void;
  /** CloudFormation actions seen, in arrival order, with `performance.now()` times. */
  readonly actions: readonly { readonly action: string; readonly atMs: number }[];
  /** Resolves with moto's status code once the held request, released, has been answered. */
  readonly heldAnswered: Promise<number>;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1, port 0, forwarding to `upstream` (moto's endpoint). */
export async function startHoldingProxy(upstream: string, matches: HoldMatcher): Promise<HoldingProxy> {
  const target = new URL(upstream);
  let holding = false;
  let onHeld: (body: string) => void = () => {};
  const held = new Promise<string>((resolve) => {
    onHeld = resolve;
  });
  let onAnswered: (status: number) => void = () => {};
  const heldAnswered = new Promise<number>((resolve) => {
    onAnswered = resolve;
  });
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer, answered?: (status: number) => void) => {
    const upstreamRequest = request(
      { host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamResponse) => {
        // moto answers only once it has done the work (its CreateStack is synchronous).
        answered?.(upstreamResponse.statusCode ?? 502);
        if (res.destroyed) {
          upstreamResponse.resume();
          return;
        }
        res.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
        upstreamResponse.pipe(res);
      },
    );
    upstreamRequest.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(error));
    });
    upstreamRequest.end(body);
  };

  const actions: { action: string; atMs: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = /(?:^|&)Action=(\w+)/.exec(body.toString('utf8'))?.[1];
      if (action) actions.push({ action, atMs: performance.now() });
      if (!holding && matches(body.toString('utf8'), req)) {
        holding = true;
        onHeld(body.toString('utf8'));
        void released.then(() => forward(req, res, body, onAnswered));
        return;
      }
      forward(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://localhost:${port}`,
    held,
    release,
    heldAnswered,
    actions,
    close: () =>
      new Promise<void>((resolve) => {
        release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Matches a CloudFormation query-protocol request for `action`, optionally on one stack. */
export function cloudFormationAction(action: string, stackName?: string): HoldMatcher {
  return (body) =>
    new RegExp(`(^|&)Action=${action}(&|$)`).test(body) &&
    (stackName === undefined || new RegExp(`(^|&)StackName=${stackName}(&|$)`).test(body));
}
