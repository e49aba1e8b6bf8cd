import { describe, expect, it } from 'vitest';
import { planPrStacks, selectPrRunIds } from '../../../harness/ci/pr-stacks.js';
import { prRunId } from '../../../harness/ci/run-id.js';
import { main } from '../../../harness/cli.js';
import { MANAGED_BY, stackName, TAG_KEYS } from '../../../stack/names.js';

// Against a real CloudFormation API (moto_server): tests/aws/pr-stacks.test.ts.

const SHA_A = 'abc1234def';
const SHA_B = 'def5678abc';

/** The tags this tool puts on every stack it deploys. */
const Tags = [{ Key: TAG_KEYS.managedBy, Value: MANAGED_BY }];

describe('selectPrRunIds', () => {
  it("picks the live stacks of one pull request and nothing of its neighbours'", () => {
    // Prepare
    const stacks = [
      { StackName: stackName(prRunId(12, SHA_A)), StackStatus: 'CREATE_COMPLETE', Tags },
      { StackName: stackName(prRunId(12, SHA_B)), StackStatus: 'DELETE_FAILED', Tags },
      { StackName: stackName(prRunId(12, 'fedcba9')), StackStatus: 'DELETE_COMPLETE', Tags },
      { StackName: stackName(prRunId(123, SHA_A)), StackStatus: 'CREATE_COMPLETE', Tags },
      { StackName: stackName(prRunId(1, SHA_A)), StackStatus: 'CREATE_COMPLETE', Tags },
      { StackName: 'rda-b-pr-12-abc1234', StackStatus: 'CREATE_COMPLETE', Tags },
      { StackName: 'pr-12-abc1234', StackStatus: 'CREATE_COMPLETE', Tags },
      { StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE', Tags },
      { StackStatus: 'CREATE_COMPLETE' },
    ];
    // Act
    const runIds = selectPrRunIds(stacks, 12);
    // Assess
    expect(runIds).toEqual(['pr-12-abc1234', 'pr-12-def5678']);
  });

  it('includes stacks still being created, rolled back or half deleted, since all of them must go', () => {
    const statuses = [
      'CREATE_IN_PROGRESS',
      'ROLLBACK_COMPLETE',
      'ROLLBACK_FAILED',
      'DELETE_IN_PROGRESS',
      'UPDATE_ROLLBACK_FAILED',
    ];
    const stacks = statuses.map((status, i) => ({
      StackName: `rda-pr-7-${'abcdef0'.slice(0, 6)}${i}`,
      StackStatus: status,
      Tags,
    }));
    expect(selectPrRunIds(stacks, 7)).toHaveLength(statuses.length);
  });

  it('lists a name once when ListStacks shows it twice (deleted and re-created under a new stack id)', () => {
    const name = stackName(prRunId(5, SHA_A));
    expect(
      selectPrRunIds(
        [
          { StackName: name, StackStatus: 'DELETE_FAILED', Tags },
          { StackName: name, StackStatus: 'CREATE_COMPLETE', Tags },
        ],
        5,
      ),
    ).toEqual(['pr-5-abc1234']);
  });

  it('skips names under the prefix that are not valid run ids', () => {
    expect(
      selectPrRunIds(
        [
          { StackName: 'rda-pr-5-', StackStatus: 'CREATE_COMPLETE', Tags },
          { StackName: 'rda-pr-5-x--y', Tags },
        ],
        5,
      ),
    ).toEqual([]);
  });

  it('leaves out stacks of the pull request without rda:managed-by of this tool, and names them as skipped', () => {
    // Prepare: same names as this tool's stacks, but created by someone else (no tag, or another value).
    const untagged = stackName(prRunId(12, SHA_A));
    const otherTool = stackName(prRunId(12, SHA_B));
    const stacks = [
      { StackName: untagged, StackStatus: 'CREATE_COMPLETE' },
      { StackName: otherTool, StackStatus: 'CREATE_COMPLETE', Tags: [{ Key: TAG_KEYS.managedBy, Value: 'other' }] },
      { StackName: stackName(prRunId(12, 'fedcba9')), StackStatus: 'CREATE_COMPLETE', Tags },
      { StackName: stackName(prRunId(13, SHA_A)), StackStatus: 'CREATE_COMPLETE' },
    ];
    // Act
    const plan = planPrStacks(stacks, 12);
    // Assess
    expect(plan.runIds).toEqual(['pr-12-fedcba9']);
    expect(selectPrRunIds(stacks, 12)).toEqual(['pr-12-fedcba9']);
    expect(plan.skipped).toEqual([
      `skipped stack ${untagged}: it lacks the tag rda:managed-by=${MANAGED_BY}, so it was not created by this tool and is not listed for deletion`,
      `skipped stack ${otherTool}: it lacks the tag rda:managed-by=${MANAGED_BY}, so it was not created by this tool and is not listed for deletion`,
    ]);
  });

  it('rejects a pull request number that is not one', () => {
    expect(() => selectPrRunIds([], '12; rm -rf /')).toThrow(/is not a positive whole number/);
  });
});

describe('pr-stacks command', () => {
  it('exits 2 without a region, before any AWS call', async () => {
    const err: string[] = [];
    const code = await main(['pr-stacks', '--pr', '12'], { out: () => {}, err: (line) => err.push(line), env: {} });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('no AWS region given');
  });
});
