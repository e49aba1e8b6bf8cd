/**
 * Lambda's concurrency limit and this machine's cap on environments, kept apart (README, "Concurrency,
 * throttling, and the settings `cdk synth` uses"). Pure: the pool asks {@link admit} what to do with an
 * invocation, and a {@link WaitQueue} (clock injected) holds the ones waiting for the local cap.
 */

/**
 * Lambda's default concurrency quota per account and Region: a function without reserved concurrency may run
 * this many invocations at once (docs/aws-behaviour.md#lambda-throttling-behind-api-gateway).
 */
export const ACCOUNT_CONCURRENCY_LIMIT = 1_000;

/**
 * Environments the emulator runs at once unless told otherwise. Each is a node process (~40 MB) and a cold
 * start costs ~60 ms of a core; 10 keep a 2-core machine responsive while covering autocannon's default 10
 * connections. Invocations beyond it wait in a queue; Lambda's own limit is applied apart.
 */
export const DEFAULT_ENVIRONMENT_CAP = 10;

/** What happens to one invocation. */
export type Admission = 'reuse' | 'start' | 'queue' | 'throttle';

/** What {@link admit} weighs. */
export interface AdmissionState {
  /** Idle environments ready for an invocation. */
  readonly idle: number;
  /** Environments alive: idle, initializing or busy. */
  readonly live: number;
  /** Invocations waiting for the local cap. */
  readonly queued: number;
  /** Lambda's limit: the function's reserved concurrency, else the account's. */
  readonly concurrencyLimit: number;
  /** This machine's cap on environments. */
  readonly environmentCap: number;
}

/**
 * Reuse an idle environment; else throttle at Lambda's limit (every invocation in flight counts, waiting
 * ones too, as they would be running on AWS); else start one below the local cap; else wait for one.
 */
export function admit(state: AdmissionState): Admission {
  if (state.idle > 0) return 'reuse';
  if (state.live + state.queued >= state.concurrencyLimit) return 'throttle';
  if (state.live < state.environmentCap) return 'start';
  return 'queue';
}

/** Where the function's concurrency limit comes from. */
export type ConcurrencyLimitSource = 'reserved' | 'account';

/** Lambda's limit for a function: its reserved concurrency, else the account's. */
export function concurrencyLimitOf(
  reservedConcurrency: number | undefined,
  accountLimit: number = ACCOUNT_CONCURRENCY_LIMIT,
): { limit: number; source: ConcurrencyLimitSource } {
  return reservedConcurrency === undefined
    ? { limit: accountLimit, source: 'account' }
    : { limit: reservedConcurrency, source: 'reserved' };
}

/** What the pool did about concurrency during a run, for the report. */
export interface ConcurrencyStats {
  /** Lambda's limit applied here (throttles above it answer 500, as on AWS). */
  readonly concurrencyLimit: number;
  readonly limitSource: ConcurrencyLimitSource;
  /** This machine's cap on environments. */
  readonly environmentCap: number;
  /** Invocations Lambda's limit refused (API Gateway's 500). */
  readonly throttled: number;
  /** Invocations that waited for the local cap (AWS would have started an environment at once). */
  readonly queued: number;
  /** The longest such wait, including invocations still waiting. */
  readonly maxQueueWaitMs: number;
  /** Queued invocations dropped unstarted once the integration timeout had passed (their client had a 504). */
  readonly expiredInQueue: number;
  /** Most environments alive at once. */
  readonly peakEnvironments: number;
}

/** True when the local cap, not Lambda's, held invocations back: latencies then include a local wait. */
export function capReached(stats: Pick<ConcurrencyStats, 'queued'>): boolean {
  return stats.queued > 0;
}

/**
 * First-in first-out invocations waiting for an environment. An item that has waited `maxWaitMs` (the
 * integration timeout) is dropped when reached: API Gateway has answered its client 504 by then, and on AWS it
 * would have run long ago. Dropped items are never handed out, so their waiters never settle.
 */
export class WaitQueue<T> {
  private readonly items: { readonly item: T; readonly enqueuedAtMs: number }[] = [];
  private total = 0;
  private expired = 0;
  private longestWaitMs = 0;

  constructor(
    private readonly nowMs: () => number,
    private readonly maxWaitMs: number,
  ) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): void {
    this.items.push({ item, enqueuedAtMs: this.nowMs() });
    this.total++;
  }

  /** The oldest item still worth starting, or undefined; expired ones on the way are dropped and counted. */
  shift(): T | undefined {
    const now = this.nowMs();
    for (let next = this.items.shift(); next !== undefined; next = this.items.shift()) {
      const waitedMs = now - next.enqueuedAtMs;
      this.longestWaitMs = Math.max(this.longestWaitMs, waitedMs);
      if (waitedMs >= this.maxWaitMs) {
        this.expired++;
        continue;
      }
      return next.item;
    }
    return undefined;
  }

  /** Removes and returns every waiting item (shutdown). */
  drain(): T[] {
    return this.items.splice(0).map((entry) => entry.item);
  }

  /** Totals so far; the oldest waiting item's wait counts towards the maximum. */
  stats(): { queued: number; maxWaitMs: number; expired: number } {
    const oldest = this.items[0];
    const waitingMs = oldest === undefined ? 0 : this.nowMs() - oldest.enqueuedAtMs;
    return { queued: this.total, maxWaitMs: Math.max(this.longestWaitMs, waitingMs), expired: this.expired };
  }
}
