import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_CONCURRENCY_LIMIT,
  admit,
  concurrencyLimitOf,
  WaitQueue,
} from '../../../harness/emulator/concurrency.js';

// Lambda's limit vs this machine's cap (harness/emulator/README.md, "Concurrency, throttling, and the settings
// `cdk synth` uses"): pure decisions, and a queue on an injected clock.

const state = (over: Partial<Parameters<typeof admit>[0]>) => ({
  idle: 0,
  live: 0,
  queued: 0,
  concurrencyLimit: ACCOUNT_CONCURRENCY_LIMIT,
  environmentCap: 10,
  ...over,
});

describe('admit', () => {
  it('reuses an idle environment before anything else', () => {
    expect(admit(state({ idle: 1, live: 10, queued: 0, concurrencyLimit: 10 }))).toBe('reuse');
  });

  it('starts an environment below both the local cap and Lambda’s limit', () => {
    expect(admit(state({ live: 9 }))).toBe('start');
  });

  it('queues at the local cap while Lambda would still scale', () => {
    expect(admit(state({ live: 10, queued: 5 }))).toBe('queue');
  });

  it('throttles at Lambda’s limit, counting waiting invocations as running ones', () => {
    expect(admit(state({ live: 10, queued: 989 }))).toBe('queue');
    expect(admit(state({ live: 10, queued: 990 }))).toBe('throttle');
  });

  it('throttles at reserved concurrency below the local cap without queueing', () => {
    expect(admit(state({ live: 2, concurrencyLimit: 2 }))).toBe('throttle');
    expect(admit(state({ live: 1, concurrencyLimit: 2 }))).toBe('start');
  });
});

describe('concurrencyLimitOf', () => {
  it('is the reserved concurrency when set, else the account default of 1,000', () => {
    expect(concurrencyLimitOf(5)).toEqual({ limit: 5, source: 'reserved' });
    expect(concurrencyLimitOf(undefined)).toEqual({ limit: 1_000, source: 'account' });
    expect(concurrencyLimitOf(undefined, 40)).toEqual({ limit: 40, source: 'account' });
  });
});

describe('WaitQueue', () => {
  it('hands items out first in, first out, and records the longest wait', () => {
    // Prepare
    let nowMs = 0;
    const queue = new WaitQueue<string>(() => nowMs, 29_000);
    queue.push('a');
    nowMs = 10;
    queue.push('b');
    // Act
    nowMs = 110;
    const first = queue.shift();
    nowMs = 150;
    const second = queue.shift();
    // Assess
    expect([first, second]).toEqual(['a', 'b']);
    expect(queue.stats()).toEqual({ queued: 2, maxWaitMs: 140, expired: 0 });
    expect(queue.shift()).toBeUndefined();
  });

  it('drops items that waited the integration timeout, counts them, and hands out the next one', () => {
    // Prepare
    let nowMs = 0;
    const queue = new WaitQueue<string>(() => nowMs, 300);
    queue.push('late');
    nowMs = 200;
    queue.push('fresh');
    // Act
    nowMs = 300;
    const next = queue.shift();
    // Assess
    expect(next).toBe('fresh');
    expect(queue.stats()).toEqual({ queued: 2, maxWaitMs: 300, expired: 1 });
  });

  it('counts the wait of an item still waiting towards the maximum', () => {
    let nowMs = 0;
    const queue = new WaitQueue<number>(() => nowMs, 29_000);
    queue.push(1);
    nowMs = 5_000;
    expect(queue.stats().maxWaitMs).toBe(5_000);
    expect(queue.drain()).toEqual([1]);
    expect(queue.length).toBe(0);
  });
});
