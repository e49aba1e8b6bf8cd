/**
 * Signals during an AWS deploy, end to end: `npm run harness -- deploy`, in its own process group, runs against
 * moto_server (through a proxy that holds one request, so the signal lands at a known moment), gets
 * SIGINT or SIGTERM, and must leave no stack behind and exit 130 / 143. A second SIGINT exits at once,
 * and the command printed at the start finishes the cleanup.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it, onTestFinished } from 'vitest';
import { main } from '../../harness/cli.js';
import { ECHO_WINDOW_MS } from '../../harness/signals.js';
import { ROOT, startAsUser, type UserProcess } from '../helpers/user-process.js';
import { cloudFormationAction, type HoldMatcher, startHoldingProxy } from './helpers/holding-proxy.js';
import { useMoto } from './helpers/moto-env.js';

const moto = useMoto();

/**
 * `promise`, or a failure that names `what` and shows the child's output: after `timeoutMs`, or as soon
 * as the child exits first (a deploy that failed on its own must not leave the test waiting).
 */
async function within<T>(promise: Promise<T>, what: string, child: UserProcess, timeoutMs = 150_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not happen in ${timeoutMs} ms; child output:\n${child.output()}`)),
      timeoutMs,
    );
  });
  const exitedFirst =
    (promise as Promise<unknown>) === child.topExited
      ? new Promise<never>(() => {})
      : child.topExited.then((code) =>
          Promise.reject(new Error(`child exited (${code}) before ${what}; output:\n${child.output()}`)),
        );
  try {
    return await Promise.race([promise, timeout, exitedFirst]);
  } finally {
    clearTimeout(timer);
  }
}

/** `npm run harness -- deploy …` in its own process group, as a user starts it. */
function startDeploy(runId: string, endpoint: string): UserProcess {
  onTestFinished(() => rmSync(join(ROOT, '.rda', 'runs', `${runId}.json`), { force: true }));
  return startAsUser(
    'npm',
    ['run', '--silent', 'harness', '--', 'deploy', '--run-id', runId, '--region', moto.get().region],
    {
      ...moto.get().env,
      AWS_ENDPOINT_URL: endpoint,
      RDA_DEPLOYMENT_METHOD: 'direct',
    },
  );
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
    {
      signal: 'SIGINT',
      delivery: 'group',
      code: 130,
      runId: 'sigint1',
      hold: 'CreateStack in flight',
      matcher: () => cloudFormationAction('CreateStack'),
    },
    {
      signal: 'SIGTERM',
      delivery: 'top',
      code: 143,
      runId: 'sigterm1',
      hold: 'the stack created',
      matcher: firstDescribeAfterCreate,
    },
  ] as const)(
    '$signal to the $delivery with $hold deletes the stack and exits $code',
    async ({ signal, delivery, code, runId, matcher }) => {
      // Prepare
      const proxy = await startHoldingProxy(moto.get().endpoint, matcher());
      onTestFinished(() => proxy.close());
      const child = startDeploy(runId, proxy.endpoint);
      await within(proxy.held, 'the held request', child);

      // Act: signal, let the harness start its cleanup, then let the held request go on to moto (for
      // SIGINT this creates the stack only after the harness was interrupted: the worst case).
      if (delivery === 'group') child.signalGroup(signal);
      else child.signalTop(signal);
      const signalledMs = performance.now();
      await within(
        child.waitFor(new RegExp(`interrupted: requesting deletion of rda-${runId}`)),
        'the interrupt line',
        child,
      );
      proxy.release();
      const exitCode = await within(child.topExited, 'the exit', child);
      await child.allGone();

      // Assess
      expect(exitCode, child.output()).toBe(code);
      expect(child.output()).toContain(`error [Interrupted]: interrupted by ${signal} during deploy`);
      expect(child.output()).toContain(`stack rda-${runId}: destroyed and verified`);
      // CONTRIBUTING.md#promises-the-tests-pin: the DeleteStack request goes out within 2 s of the signal.
      const firstDelete = proxy.actions.find((seen) => seen.action === 'DeleteStack' && seen.atMs > signalledMs);
      expect(firstDelete).toBeDefined();
      expect((firstDelete?.atMs ?? Number.POSITIVE_INFINITY) - signalledMs).toBeLessThan(2000);
      expect(await stackGone(`rda-${runId}`)).toBe(true);
    },
  );

  it('a second SIGINT exits at once, and the printed command finishes the cleanup', async () => {
    // Prepare
    const proxy = await startHoldingProxy(moto.get().endpoint, cloudFormationAction('CreateStack'));
    onTestFinished(() => proxy.close());
    const child = startDeploy('sigtwice', proxy.endpoint);
    await within(proxy.held, 'the held CreateStack', child);

    // Act: Ctrl-C, and again after the echo window (a person's second press); the held CreateStack still
    // reaches moto afterwards, so a stack is left.
    child.signalGroup('SIGINT');
    await within(child.waitFor(/stopping and cleaning up/), 'the first-signal line', child);
    await new Promise((resolve) => setTimeout(resolve, ECHO_WINDOW_MS + 300));
    child.signalGroup('SIGINT');
    const exitCode = await within(child.topExited, 'the exit', child);
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
