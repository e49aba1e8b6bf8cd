/**
 * The one way the AWS target calls AWS. Every SDK call goes through {@link callAws}: throttling and transient
 * failures are retried on the shared jittered schedule (retry.ts), and what is left becomes InfraError
 * `AwsRequestFailed` quoting AWS's code and message (errors.ts). The SDK error stays the `cause`, so
 * `awsErrorCode`, `isStackMissingError` and `describeAwsError` read it through the wrapper. Paged listings
 * use the SDK's paginators over {@link pagedClient}, so each page gets the same policy.
 */
import { HarnessError } from '../../errors.js';
import { awsCallFailed } from './errors.js';
import { type BackoffOptions, withBackoff } from './retry.js';

/** How one AWS call is made. */
export interface AwsCallOptions {
  /** Retry schedule. @default DEFAULT_BACKOFF */
  readonly backoff?: BackoffOptions;
  /** Stops retrying once aborted; the SDK's abort error is rethrown as is, for the caller's interruption handling. */
  readonly signal?: AbortSignal;
}

/** Runs `call` (one SDK request named `operation`, e.g. `DescribeStacks of 'rda-x'`) under the shared retry and error policy. */
export async function callAws<T>(operation: string, call: () => Promise<T>, options: AwsCallOptions = {}): Promise<T> {
  try {
    return await withBackoff(call, { ...options.backoff, signal: options.signal ?? options.backoff?.signal });
  } catch (error) {
    if (error instanceof HarnessError || options.signal?.aborted) throw error;
    throw awsCallFailed(operation, error);
  }
}

/** What the paginators need of a client: its `send`. */
interface Sender {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's send is overloaded per command; only forwarding happens here.
  send(...args: any[]): Promise<any>;
}

/**
 * `client` as the SDK paginators take it, each page sent through {@link callAws}. The paginators accept only
 * an instance of the client class and call nothing but `send`, so an object on the class's prototype with a
 * policy-applying `send` serves a real client and a test's stub alike.
 */
export function pagedClient<C>(
  clientClass: { readonly prototype: C },
  client: Sender,
  operation: string,
  options: AwsCallOptions = {},
): C {
  const paged = Object.create(clientClass.prototype as object) as Sender;
  paged.send = (...args) => callAws(operation, () => client.send(...args), options);
  return paged as C;
}
