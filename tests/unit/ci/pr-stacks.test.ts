import { describe, expect, it } from 'vitest';
import { selectPrRunIds } from '../../../harness/ci/pr-stacks.js';
import { prRunId } from '../../../harness/ci/run-id.js';
import { main } from '../../../harness/cli.js';
import { stackName } from '../../../stack/names.js';

// Against a real CloudFormation API (moto_server): tests/aws/pr-stacks.test.ts.

const SHA_A = 'abc1234def';
const SHA_B = 'def5678abc';

describe('selectPrRunIds', () => {
  it("picks the live stacks of one pull request and nothing of its neighbours'", () => {
    // Prepare
    const stacks = [
      { StackName: stackName(prRunId(12, SHA_A)), StackStatus: 'CREATE_COMPLETE' },
      { StackName: stackName(prRunId(12, SHA_B)), StackStatus: 'DELETE_FAILED' },
      { StackName: stackName(prRunId(12, 'fedcba9')), StackStatus: 'DELETE_COMPLETE' },
      { StackName: stackName(prRunId(123, SHA_A)), StackStatus: 'CREATE_COMPLETE' },
      { StackName: stackName(prRunId(1, SHA_A)), StackStatus: 'CREATE_COMPLETE' },
      { StackName: 'rda-b-pr-12-abc1234', StackStatus: 'CREATE_COMPLETE' },
      { StackName: 'pr-12-abc1234', StackStatus: 'CREATE_COMPLETE' },
      { StackName: 'CDKToolkit', StackStatus: 'UPDATE_COMPLETE' },
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
    }));
    expect(selectPrRunIds(stacks, 7)).toHaveLength(statuses.length);
  });

  it('lists a name once when ListStacks shows it twice (deleted and re-created under a new stack id)', () => {
    const name = stackName(prRunId(5, SHA_A));
    expect(
      selectPrRunIds(
        [
          { StackName: name, StackStatus: 'DELETE_FAILED' },
          { StackName: name, StackStatus: 'CREATE_COMPLETE' },
        ],
        5,
      ),
    ).toEqual(['pr-5-abc1234']);
  });

  it('skips names under the prefix that are not valid run ids', () => {
    expect(
      selectPrRunIds([{ StackName: 'rda-pr-5-', StackStatus: 'CREATE_COMPLETE' }, { StackName: 'rda-pr-5-x--y' }], 5),
    ).toEqual([]);
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
