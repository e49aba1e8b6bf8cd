import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../harness/emulator/token-bucket.js';

describe('TokenBucket (docs/aws-behaviour.md#throttling)', () => {
  it('passes a full burst at once, then refuses until tokens come back at the rate', () => {
    const bucket = new TokenBucket(10, 3);
    expect([1, 2, 3, 4].map(() => bucket.take(1000))).toEqual([true, true, true, false]);
    // 10 per second: one token per 100 ms.
    expect(bucket.take(1050)).toBe(false);
    expect(bucket.take(1100)).toBe(true);
    expect(bucket.take(1100)).toBe(false);
  });

  it('never holds more than the burst', () => {
    const bucket = new TokenBucket(100, 2);
    bucket.take(0);
    const taken = [1, 2, 3].map(() => bucket.take(60_000));
    expect(taken).toEqual([true, true, false]);
  });

  it('refuses everything with a burst of 0', () => {
    const bucket = new TokenBucket(100, 0);
    expect(bucket.take(0)).toBe(false);
    expect(bucket.take(10_000)).toBe(false);
  });

  it('ignores a clock that goes backwards', () => {
    const bucket = new TokenBucket(1, 1);
    expect(bucket.take(5000)).toBe(true);
    expect(bucket.take(1000)).toBe(false);
    expect(bucket.take(5999)).toBe(false);
    expect(bucket.take(6000)).toBe(true);
  });
});
