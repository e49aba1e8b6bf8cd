/**
 * API Gateway's stage throttling: a token bucket of `burstLimit` tokens refilled at `rateLimit` per second
 * (docs/aws-behaviour.md#throttling). It starts full. Pure apart from the clock argument.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number | undefined;

  constructor(
    readonly rateLimit: number,
    readonly burstLimit: number,
  ) {
    this.tokens = burstLimit;
  }

  /** Takes one token at time `nowMs`; false means the request is throttled (429). */
  take(nowMs: number): boolean {
    if (this.lastMs === undefined) {
      this.lastMs = nowMs;
    } else if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.burstLimit, this.tokens + ((nowMs - this.lastMs) * this.rateLimit) / 1000);
      this.lastMs = nowMs;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
