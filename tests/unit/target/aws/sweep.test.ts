import { describe, expect, it } from 'vitest';
import type { StackInfo } from '../../../../harness/target/aws/cloudformation.js';
import { classifyForSweep, formatDuration, planSweep, renderSweepTable } from '../../../../harness/target/aws/sweep.js';
import { MANAGED_BY, TAG_KEYS } from '../../../../stack/names.js';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;

function stack(
  name: string,
  tags: Record<string, string>,
  createdHoursAgo = 1,
  extra: Partial<StackInfo> = {},
): StackInfo {
  return {
    stackId: `arn:aws:cloudformation:eu-west-1:1:stack/${name}/1`,
    stackName: name,
    status: 'CREATE_COMPLETE',
    terminationProtection: false,
    tags,
    outputs: {},
    createdAt: new Date(NOW - createdHoursAgo * HOUR),
    ...extra,
  };
}

const ours = (runId: string, expiresAt?: string): Record<string, string> => ({
  [TAG_KEYS.managedBy]: MANAGED_BY,
  [TAG_KEYS.runId]: runId,
  ...(expiresAt ? { [TAG_KEYS.expiresAt]: expiresAt } : {}),
});

describe('classifyForSweep', () => {
  it('sweeps a stack whose expiry has passed and keeps one whose expiry is ahead', () => {
    expect(classifyForSweep(stack('rda-a', ours('a', '2026-06-01T11:59:59Z')), { nowMs: NOW })).toMatchObject({
      runId: 'a',
      due: true,
      reason: 'expired 2026-06-01T11:59:59.000Z',
    });
    expect(classifyForSweep(stack('rda-b', ours('b', '2026-06-01T12:00:01Z')), { nowMs: NOW })).toMatchObject({
      due: false,
      reason: 'expires 2026-06-01T12:00:01.000Z',
    });
  });

  it('ignores stacks that are not ours (wrong prefix, no managed-by tag, a run-id tag that contradicts the name) or already deleted', () => {
    const expired = '2020-01-01T00:00:00Z';
    expect(classifyForSweep(stack('other-a', ours('a', expired)), { nowMs: NOW })).toBeUndefined();
    expect(classifyForSweep(stack('rda-a', { [TAG_KEYS.expiresAt]: expired }), { nowMs: NOW })).toBeUndefined();
    expect(
      classifyForSweep(stack('rda-a', { ...ours('a', expired), [TAG_KEYS.managedBy]: 'someone-else' }), { nowMs: NOW }),
    ).toBeUndefined();
    expect(classifyForSweep(stack('rda-a', ours('b', expired)), { nowMs: NOW })).toBeUndefined();
    expect(classifyForSweep(stack('rda-A_B', ours('A_B', expired)), { nowMs: NOW })).toBeUndefined();
    expect(
      classifyForSweep(stack('rda-a', ours('a', expired), 1, { status: 'DELETE_COMPLETE' }), { nowMs: NOW }),
    ).toBeUndefined();
  });

  it('falls back to creation time plus 2 h when the expiry tag is missing or unreadable', () => {
    expect(classifyForSweep(stack('rda-a', ours('a'), 3), { nowMs: NOW })?.due).toBe(true);
    expect(classifyForSweep(stack('rda-a', ours('a', 'soon'), 1), { nowMs: NOW })?.due).toBe(false);
    expect(classifyForSweep(stack('rda-a', ours('a'), 3), { nowMs: NOW })?.reason).toBe(
      'no valid rda:expires-at tag; created 2026-06-01T09:00:00.000Z, more than 2h ago',
    );
  });

  it('with --older-than sweeps old stacks whatever their expiry says', () => {
    const decision = classifyForSweep(stack('rda-a', ours('a', '2099-01-01T00:00:00Z'), 7), {
      nowMs: NOW,
      olderThanMs: 6 * HOUR,
    });

    expect(decision).toMatchObject({ due: true, reason: 'created 2026-06-01T05:00:00.000Z, more than 6h ago' });
  });

  it('never sweeps a stack with termination protection', () => {
    const decision = classifyForSweep(
      stack('rda-a', ours('a', '2020-01-01T00:00:00Z'), 1, { terminationProtection: true }),
      {
        nowMs: NOW,
        olderThanMs: HOUR / 2,
      },
    );

    expect(decision?.due).toBe(false);
  });
});

describe('planSweep and its table', () => {
  it('lists only our stacks, oldest first, in aligned columns', () => {
    const plan = planSweep(
      [
        stack('rda-new', ours('new', '2099-01-01T00:00:00Z'), 1),
        stack('not-ours', {}, 9),
        stack('rda-old', ours('old', '2020-01-01T00:00:00Z'), 5),
      ],
      { nowMs: NOW },
    );

    const lines = renderSweepTable(
      plan.map((decision) => ({ decision, action: decision.due ? 'would destroy' : 'keep' })),
    );

    expect(plan.map((d) => d.stack.stackName)).toEqual(['rda-old', 'rda-new']);
    expect(lines).toEqual([
      'STACK    STATUS           CREATED                   EXPIRES-AT            DECISION                          ACTION',
      'rda-old  CREATE_COMPLETE  2026-06-01T07:00:00.000Z  2020-01-01T00:00:00Z  expired 2020-01-01T00:00:00.000Z  would destroy',
      'rda-new  CREATE_COMPLETE  2026-06-01T11:00:00.000Z  2099-01-01T00:00:00Z  expires 2099-01-01T00:00:00.000Z  keep',
    ]);
  });

  it('says so when there is nothing of ours', () => {
    expect(renderSweepTable([])).toEqual(['no stacks of this tool found']);
  });

  it('formats durations with the largest exact unit', () => {
    expect([formatDuration(7_200_000), formatDuration(5_400_000), formatDuration(1000), formatDuration(1500)]).toEqual([
      '2h',
      '90m',
      '1s',
      '1500ms',
    ]);
  });
});
