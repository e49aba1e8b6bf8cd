/**
 * How the AWS target reads AWS SDK errors: their code, whether they are worth retrying, and how to
 * quote them in an InfraError so the user sees exactly what AWS said.
 */
import { InfraError } from '../../errors.js';

/** Codes AWS services use when a caller is over its request rate; retried with jittered backoff. */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'PriorRequestNotComplete',
  'LimitExceededException',
]);

/** Server-side or network hiccups that a later attempt usually gets past. */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/** The SDK error itself, also when `callAws` has wrapped it in InfraError `AwsRequestFailed`. */
function sdkError(error: unknown): unknown {
  return error instanceof InfraError && error.code === 'AwsRequestFailed' && error.cause !== undefined
    ? error.cause
    : error;
}

/** The AWS error code (`ValidationError`, `ThrottlingException`, ...) of an SDK error, else its name. */
export function awsErrorCode(wrapped: unknown): string {
  const error = sdkError(wrapped);
  if (typeof error !== 'object' || error === null) return 'Unknown';
  const record = error as { Code?: unknown; code?: unknown; name?: unknown };
  for (const candidate of [record.Code, record.code, record.name]) {
    if (typeof candidate === 'string' && candidate.length > 0 && candidate !== 'Error') return candidate;
  }
  return 'Error';
}

/** `Code: message`, as AWS put it; the form every InfraError of this folder quotes. */
export function describeAwsError(wrapped: unknown): string {
  const error = sdkError(wrapped);
  const message = error instanceof Error ? error.message : String(error);
  return `${awsErrorCode(error)}: ${message.split('\n')[0]}`;
}

/** True for throttling and transient server or network errors; false for everything the caller must fix. */
export function isRetryableAwsError(wrapped: unknown): boolean {
  const error = sdkError(wrapped);
  const code = awsErrorCode(error);
  if (THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500 && status !== 501;
}

/** DescribeStacks says `ValidationError: Stack with id <name> does not exist` once a stack is gone (docs/aws-behaviour.md#stack-deletion). */
export function isStackMissingError(error: unknown): boolean {
  return awsErrorCode(error) === 'ValidationError' && /does not exist/i.test(errorMessage(error));
}

/** Wraps a failed AWS call as exit-3 InfraError `AwsRequestFailed`, naming the call and quoting AWS's code and message. */
export function awsCallFailed(operation: string, error: unknown): InfraError {
  const hint = credentialHint(error);
  return new InfraError('AwsRequestFailed', `${operation} failed: ${describeAwsError(error)}${hint}`, {
    cause: error,
  });
}

function credentialHint(error: unknown): string {
  const code = awsErrorCode(error);
  if (code === 'CredentialsProviderError' || /could not load credentials/i.test(errorMessage(error))) {
    return ' (set AWS credentials: AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or OIDC in CI)';
  }
  if (code === 'ExpiredToken' || code === 'ExpiredTokenException') return ' (refresh your AWS session credentials)';
  if (code === 'AccessDenied' || code === 'AccessDeniedException')
    return ' (the credentials lack the permission for this call: check their policy)';
  return '';
}

function errorMessage(wrapped: unknown): string {
  const error = sdkError(wrapped);
  return error instanceof Error ? error.message : String(error);
}
