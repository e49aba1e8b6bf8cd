import { CloudFormationClient, CreateStackCommand, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { selectPrRunIds } from '../../../harness/ci/pr-stacks.js';
import { prRunId } from '../../../harness/ci/run-id.js';
import { main } from '../../../harness/cli.js';
import { stackName } from '../../../stack/names.js';
import { startMoto } from '../../helpers/moto.js';

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
    const statuses = ['CREATE_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'DELETE_IN_PROGRESS', 'UPDATE_ROLLBACK_FAILED'];
    const stacks = statuses.map((status, i) => ({ StackName: `rda-pr-7-${'abcdef0'.slice(0, 6)}${i}`, StackStatus: status }));
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
    expect(selectPrRunIds([{ StackName: 'rda-pr-5-', StackStatus: 'CREATE_COMPLETE' }, { StackName: 'rda-pr-5-x--y' }], 5)).toEqual([]);
  });

  it('rejects a pull request number that is not one', () => {
    expect(() => selectPrRunIds([], '12; rm -rf /')).toThrow(/is not a positive whole number/);
  });
});

describe('pr-stacks command against moto_server', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('prints one run id per line for the pull request, leaving out deleted stacks and other pull requests', async () => {
    // Prepare: a real CloudFormation API (moto_server) holding stacks of pull requests 12 and 123.
    const moto = await startMoto();
    onTestFinished(() => moto.stop());
    for (const [key, value] of Object.entries(moto.env)) vi.stubEnv(key, value);
    const cloudFormation = new CloudFormationClient({ region: moto.region });
    onTestFinished(() => cloudFormation.destroy());
    const template = JSON.stringify({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } });
    for (const runId of [prRunId(12, SHA_A), prRunId(12, SHA_B), prRunId(123, SHA_A)]) {
      await cloudFormation.send(new CreateStackCommand({ StackName: stackName(runId), TemplateBody: template }));
    }
    await cloudFormation.send(new DeleteStackCommand({ StackName: stackName(prRunId(12, SHA_B)) }));
    const out: string[] = [];
    const err: string[] = [];
    // Act
    const code = await main(['pr-stacks', '--pr', '12'], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      env: { ...process.env },
    });
    // Assess
    expect(err.join('\n')).toContain("1 stack(s) with run id 'pr-12-*' in us-east-1");
    expect(code).toBe(0);
    expect(out).toEqual(['pr-12-abc1234']);
    // moto_server takes 2-5 s to start and its first CloudFormation call loads the backend; on a busy
    // 2-core machine that reached 20 s, hence the wider timeout for this one test.
  }, 120_000);

  it('exits 2 without a region, before any AWS call', async () => {
    const err: string[] = [];
    const code = await main(['pr-stacks', '--pr', '12'], { out: () => {}, err: (line) => err.push(line), env: {} });
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('no AWS region given');
  });
});
