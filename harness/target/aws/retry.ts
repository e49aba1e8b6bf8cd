/**
 * The retry schedule of every AWS call (see `callAws` in call.ts). The SDK already retries throttling three
 * times; a teardown has more patience than that, so calls get a longer, jittered schedule on top.
 */
import { setTimeout as sleepMs } from 'node:timers/promises';
import { isRetryableAwsError } from './errors.js';

/** How a call is retried. */
export interface BackoffOptions {
  /** Attempts in all, the first included. @default 6 */
  readonly attempts?: number;
  /** Ceiling of the first delay; doubles per attempt. @default 1000 */
  readonly baseDelayMs?: number;
  /** Ceiling of any one delay. @default 20000 */
  readonly maxDelayMs?: number;
  /** @default isRetryableAwsError (throttling, 5xx, network) */
  readonly isRetryable?: (error: unknown) => boolean;
  /** Told before each wait. @default nothing */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** @default Math.random */
  readonly random?: () => number;
  /** @default node:timers/promises setTimeout */
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** Epoch ms after which no retry starts: a wait that would end past it rethrows instead. @default none */
  readonly deadline?: number;
  /** Stops retrying once aborted (the last error is rethrown); also ends the default sleep early. */
  readonly signal?: AbortSignal;
}

/** Defaults of {@link BackoffOptions}: 6 attempts over at most ~1 minute (1+2+4+8+16 s ceilings). */
export const DEFAULT_BACKOFF = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 20_000 } as const;

/**
 * "Full jitter" delay before retry number `attempt` (1-based): uniform in [0, min(max, base·2^(attempt−1))).
 * Spreading retries keeps many cleanups from hammering a throttled API in lockstep.
 */
export function backoffDelayMs(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Runs `call`, retrying retryable failures with jittered exponential backoff; rethrows the last error. */
export async function withBackoff<T>(call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_BACKOFF.attempts;
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs;
  const isRetryable = options.isRetryable ?? isRetryableAwsError;
  const random = options.random ?? Math.random;
  const signal = options.signal;
  const sleep = options.sleep ?? ((ms: number) => sleepMs(ms, undefined, { signal }));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || signal?.aborted || !isRetryable(error)) throw error;
      const delayMs = backoffDelayMs(attempt, baseDelayMs, maxDelayMs, random);
      if (options.deadline !== undefined && Date.now() + delayMs > options.deadline) throw error;
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
