import { describe, expect, it } from 'vitest';
import { interleavedSchedule, runInterleaved } from '../../../harness/perf/schedule.js';

describe('interleavedSchedule', () => {
  it('runs every variant once per round and flips the order every round', () => {
    // Act
    const slots = interleavedSchedule(3, ['bare', 'emulator']);
    // Assess
    expect(slots.map((s) => `${s.round}:${s.variant}`)).toEqual([
      '0:bare',
      '0:emulator',
      '1:emulator',
      '1:bare',
      '2:bare',
      '2:emulator',
    ]);
  });

  it('gives each variant first place in as many rounds as possible', () => {
    const slots = interleavedSchedule(4, ['a', 'b', 'c']);
    const firsts = slots.filter((_, i) => i % 3 === 0).map((s) => s.variant);
    expect(firsts).toEqual(['a', 'c', 'a', 'c']);
  });

  it('rejects zero or fractional rounds, no variants and repeated variants', () => {
    expect(() => interleavedSchedule(0, ['a'])).toThrow(/rounds/);
    expect(() => interleavedSchedule(1.5, ['a'])).toThrow(/rounds/);
    expect(() => interleavedSchedule(2, [])).toThrow(/variant/);
    expect(() => interleavedSchedule(2, ['a', 'a'])).toThrow(/distinct/);
  });
});

describe('runInterleaved', () => {
  it('measures one slot at a time in schedule order and files each result under its variant and round', async () => {
    // Prepare
    const calls: string[] = [];
    let running = 0;
    // Act
    const results = await runInterleaved(2, ['a', 'b'], async (variant, round) => {
      running++;
      expect(running).toBe(1);
      calls.push(`${variant}${round}`);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return `${variant}@${round}`;
    });
    // Assess
    expect(calls).toEqual(['a0', 'b0', 'b1', 'a1']);
    expect(results).toEqual({ a: ['a@0', 'a@1'], b: ['b@0', 'b@1'] });
  });
});
