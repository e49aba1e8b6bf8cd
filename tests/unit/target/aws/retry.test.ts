import { describe, expect, it } from 'vitest';
import {
  awsCallFailed,
  awsErrorCode,
  isRetryableAwsError,
  isStackMissingError,
} from '../../../../harness/target/aws/errors.js';
import { backoffDelayMs, withBackoff } from '../../../../harness/target/aws/retry.js';

const awsError = (name: string, message = 'x', status?: number) =>
  Object.assign(new Error(message), { name, $metadata: status === undefined ? {} : { httpStatusCode: status } });

describe('backoffDelayMs', () => {
  it('stays below a ceiling that doubles per attempt and stops at the maximum', () => {
    expect(backoffDelayMs(1, 1000, 20_000, () => 0.999)).toBe(999);
    expect(backoffDelayMs(3, 1000, 20_000, () => 0.999)).toBe(3996);
    expect(backoffDelayMs(10, 1000, 20_000, () => 0.999)).toBe(19_980);
    expect(backoffDelayMs(4, 1000, 20_000, () => 0)).toBe(0);
  });
});

describe('withBackoff', () => {
  it('retries throttling until the call succeeds', async () => {
    // Prepare
    let calls = 0;
    const delays: number[] = [];

    // Act
    const result = await withBackoff(
      async () => {
        calls++;
        if (calls < 3) throw awsError('ThrottlingException', 'Rate exceeded');
        return 'done';
      },
      { baseDelayMs: 100, random: () => 0.5, sleep: async (ms) => void delays.push(ms) },
    );

    // Assess
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(delays).toEqual([50, 100]);
  });

  it('rethrows a non-retryable error at once', async () => {
    let calls = 0;
    const failing = withBackoff(
      async () => {
        calls++;
        throw awsError('AccessDenied', 'not allowed');
      },
      { sleep: async () => {} },
    );

    await expect(failing).rejects.toThrow('not allowed');
    expect(calls).toBe(1);
  });

  it('gives up after the last attempt with the last error', async () => {
    let calls = 0;
    const failing = withBackoff(
      async () => {
        calls++;
        throw awsError('Throttling', `attempt ${calls}`);
      },
      { attempts: 4, sleep: async () => {} },
    );

    await expect(failing).rejects.toThrow('attempt 4');
    expect(calls).toBe(4);
  });
});

describe('AWS error reading', () => {
  it('treats throttling, 5xx and dropped connections as retryable, and client errors as not', () => {
    expect(isRetryableAwsError(awsError('Throttling'))).toBe(true);
    expect(isRetryableAwsError(awsError('TooManyRequestsException'))).toBe(true);
    expect(isRetryableAwsError(awsError('SomethingNew', 'x', 503))).toBe(true);
    expect(isRetryableAwsError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryableAwsError(awsError('ValidationError', 'x', 400))).toBe(false);
    expect(isRetryableAwsError(awsError('AccessDenied', 'x', 403))).toBe(false);
  });

  it("recognises CloudFormation's answer for a stack that does not exist (docs/aws-behaviour.md#stack-deletion)", () => {
    expect(isStackMissingError(awsError('ValidationError', 'Stack with id rda-x does not exist'))).toBe(true);
    expect(isStackMissingError(awsError('ValidationError', 'Template format error'))).toBe(false);
  });

  it('quotes the AWS code and message in an exit-3 error, with a hint for missing credentials', () => {
    const error = awsCallFailed(
      'DescribeStacks',
      awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
    );

    expect(error.code).toBe('AwsRequestFailed');
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(
      'DescribeStacks failed: CredentialsProviderError: Could not load credentials from any providers (set AWS credentials: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or OIDC in CI)',
    );
    expect(awsErrorCode({ Code: 'Throttling' })).toBe('Throttling');
  });
});
