import type { IoMessage, IoRequest } from '@aws-cdk/toolkit-lib';
import { describe, expect, it } from 'vitest';
import { createQuietIoHost, describeToolkitError, progressLine } from '../../../../harness/target/aws/toolkit.js';

function message(level: IoMessage<unknown>['level'], text: string, code?: string): IoMessage<unknown> {
  return {
    time: new Date(),
    level,
    action: 'deploy',
    code: code as IoMessage<unknown>['code'],
    message: text,
    data: undefined,
  };
}

describe('createQuietIoHost', () => {
  it('forwards warnings, errors and stack progress, and drops the chatter', async () => {
    const lines: string[] = [];
    const host = createQuietIoHost((line) => lines.push(line));

    await host.notify(message('info', 'rda-a | 1 | CREATE_COMPLETE | AWS::CloudFormation::Stack', 'CDK_TOOLKIT_I5502'));
    await host.notify(message('debug', 'Retrieved account ID from disk cache'));
    await host.notify(message('info', 'Publishing asset', 'CDK_ASSETS_I5270'));
    await host.notify(message('warn', 'something odd\nsecond line'));

    expect(lines).toEqual(['rda-a | 1 | CREATE_COMPLETE | AWS::CloudFormation::Stack', 'something odd']);
  });

  it('answers requests with their default, so nothing ever waits for a human', async () => {
    const host = createQuietIoHost(() => {});
    const request = {
      ...message('info', 'Do you wish to deploy these changes', 'CDK_TOOLKIT_I5060'),
      defaultResponse: true,
    } as IoRequest<unknown, boolean>;

    expect(await host.requestResponse(request)).toBe(true);
  });

  it('after an abort, holds every message (toolkit-lib stops) and reports that it halted', async () => {
    // Prepare
    const controller = new AbortController();
    const host = createQuietIoHost(() => {}, controller.signal);
    let halted = false;
    void host.halted.then(() => {
      halted = true;
    });

    // Act
    controller.abort('SIGINT');
    const held = host.notify(message('info', 'rda-a: creating stack...'));
    let answered = false;
    void held.then(() => {
      answered = true;
    });
    await host.halted;
    await new Promise((resolve) => setImmediate(resolve));

    // Assess
    expect(halted).toBe(true);
    expect(answered).toBe(false);
  });
});

describe('progressLine and describeToolkitError', () => {
  it('keeps the first line without colours or padding', () => {
    expect(progressLine('\u001b[32mrda-a |   0 | CREATE_IN_PROGRESS\u001b[39m\n  details')).toBe(
      'rda-a | 0 | CREATE_IN_PROGRESS',
    );
  });

  it('names the toolkit error and drops its decoration', () => {
    const error = Object.assign(new Error('❌  rda-a failed: ValidationError: No export named x found.'), {
      name: 'DeployStackFailed',
    });

    expect(describeToolkitError(error)).toBe(
      'DeployStackFailed: rda-a failed: ValidationError: No export named x found.',
    );
  });
});
