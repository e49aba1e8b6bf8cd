/**
 * Signals during an AWS deploy, end to end: a child process runs `tsx harness/cli.ts deploy` against
 * moto_server (through a proxy that holds one request, so the signal lands at a known moment), gets
 * SIGINT or SIGTERM, and must leave no stack behind and exit 130 / 143. A second SIGINT exits at once,
 * and the command printed at the start finishes the cleanup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../harness/cli.js';
import { cloudFormationAction, type HoldMatcher, startHoldingProxy } from './helpers/holding-proxy.js';
import { useMoto } from './helpers/moto-env.js';

const moto = useMoto();
const ROOT = join(import.meta.dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/**
 * `promise`, or a failure that names `what` and shows the child's output: after `timeoutMs`, or as soon
 * as the child exits first (a deploy that failed on its own must not leave the test waiting).
 */
async function within<T>(promise: Promise<T>, what: string, child: Child, timeoutMs = 150_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen in ${timeoutMs} ms; child output:\n${child.output()}`)), timeoutMs);
  });
  const exitedFirst =
    promise === child.exit
      ? new Promise<never>(() => {})
      : child.exit.then((code) => Promise.reject(new Error(`child exited (${code}) before ${what}; output:\n${child.output()}`)));
  try {
    return await Promise.race([promise, timeout, exitedFirst]);
  } finally {
    clearTimeout(timer);
  }
}

interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  /** Resolves once the child's stderr contains `text`. */
  waitFor(text: string): Promise<void>;
  readonly exit: Promise<number | null>;
}

function startDeploy(runId: string, endpoint: string): Child {
  const child = spawn(TSX, ['harness/cli.ts', 'deploy', '--run-id', runId, '--region', moto.get().region], {
    cwd: ROOT,
    env: { ...process.env, ...moto.get().env, AWS_ENDPOINT_URL: endpoint, RDA_DEPLOYMENT_METHOD: 'direct' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters.filter((w) => output.includes(w.text))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = once(child, 'exit').then(([code]) => code as number | null);
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    process: child,
    output: () => output,
    exit,
    waitFor: (text) =>
      output.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve })),
  };
}

async function stackGone(name: string): Promise<boolean> {
  const cfn = new CloudFormationClient({ region: moto.get().region });
  return cfn.send(new DescribeStacksCommand({ StackName: name })).then(
    () => false,
    (error: Error) => /does not exist/.test(error.message),
  );
}

/** Holds the first DescribeStacks after CreateStack: the stack exists and toolkit-lib is waiting on it. */
function firstDescribeAfterCreate(): HoldMatcher {
  let created = false;
  return (body, req) => {
    if (cloudFormationAction('CreateStack')(body, req)) {
      created = true;
      return false;
    }
    return created && cloudFormationAction('DescribeStacks')(body, req);
  };
}

describe('signals during deploy --target aws', () => {
  it.each([
    { signal: 'SIGINT', code: 130, runId: 'sigint1', hold: 'CreateStack in flight', matcher: () => cloudFormationAction('CreateStack') },
    { signal: 'SIGTERM', code: 143, runId: 'sigterm1', hold: 'the stack created', matcher: firstDescribeAfterCreate },
  ] as const)('$signal with $hold deletes the stack and exits $code', async ({ signal, code, runId, matcher }) => {
    // Prepare
    const proxy = await startHoldingProxy(moto.get().endpoint, matcher());
    onTestFinished(() => proxy.close());
    const child = startDeploy(runId, proxy.endpoint);
    await within(proxy.held, 'the held request', child);

    // Act: signal, let the harness start its cleanup, then let the held request go on to moto (for
    // SIGINT this creates the stack only after the harness was interrupted: the worst case).
    child.process.kill(signal);
    const signalledMs = performance.now();
    await within(child.waitFor(`interrupted: requesting deletion of rda-${runId}`), 'the interrupt line', child);
    proxy.release();
    const exitCode = await within(child.exit, 'the exit', child);

    // Assess
    expect(exitCode, child.output()).toBe(code);
    expect(child.output()).toContain(`error [Interrupted]: interrupted by ${signal} during deploy`);
    expect(child.output()).toContain(`stack rda-${runId}: destroyed and verified`);
    // reliability.md §7 item 7: the DeleteStack request goes out within 2 s of the signal.
    const firstDelete = proxy.actions.find((seen) => seen.action === 'DeleteStack' && seen.atMs > signalledMs);
    expect(firstDelete).toBeDefined();
    expect((firstDelete?.atMs ?? Number.POSITIVE_INFINITY) - signalledMs).toBeLessThan(2000);
    expect(await stackGone(`rda-${runId}`)).toBe(true);
  });

  it('a second SIGINT exits at once, and the printed command finishes the cleanup', async () => {
    // Prepare
    const proxy = await startHoldingProxy(moto.get().endpoint, cloudFormationAction('CreateStack'));
    onTestFinished(() => proxy.close());
    const child = startDeploy('sigtwice', proxy.endpoint);
    await within(proxy.held, 'the held CreateStack', child);

    // Act: two Ctrl-C; the held CreateStack still reaches moto afterwards, so a stack is left.
    child.process.kill('SIGINT');
    await within(child.waitFor('stopping and cleaning up'), 'the first-signal line', child);
    child.process.kill('SIGINT');
    const exitCode = await within(child.exit, 'the exit', child);
    proxy.release();
    expect(await proxy.heldAnswered).toBe(200);
    expect(await stackGone('rda-sigtwice')).toBe(false);
    const command = 'npm run harness -- destroy --run-id sigtwice --region us-east-1';
    // Everything after `npm run harness --` is what the CLI receives.
    const destroyed = await main(command.split(' ').slice(4), { out: () => {}, err: () => {} });

    // Assess
    expect(exitCode, child.output()).toBe(130);
    expect(child.output()).toContain('exiting now without waiting for cleanup');
    expect(child.output()).toContain(`finish it with: ${command}`);
    expect(destroyed).toBe(0);
    expect(await stackGone('rda-sigtwice')).toBe(true);
  });
});
