/**
 * `pr-stacks` against moto_server: the run ids of one pull request's live stacks, from a real
 * CloudFormation API (the selection rules are unit-tested in tests/unit/ci/pr-stacks.test.ts).
 */
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { prRunId } from '../../harness/ci/run-id.js';
import { main } from '../../harness/cli.js';
import { MANAGED_BY, stackName, TAG_KEYS } from '../../stack/names.js';
import { startMoto } from '../helpers/moto.js';

const SHA_A = 'abc1234def';
const SHA_B = 'def5678abc';
const SHA_C = 'fedcba9876';

describe('pr-stacks command against moto_server', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("prints one run id per line for the pull request, leaving out deleted, foreign and other pull requests' stacks", async () => {
    // Prepare: a real CloudFormation API (moto_server) holding stacks of pull requests 12 and 123.
    const moto = await startMoto();
    onTestFinished(() => moto.stop());
    for (const [key, value] of Object.entries(moto.env)) vi.stubEnv(key, value);
    const cloudFormation = new CloudFormationClient({ region: moto.region });
    onTestFinished(() => cloudFormation.destroy());
    const template = JSON.stringify({ Resources: { Handle: { Type: 'AWS::CloudFormation::WaitConditionHandle' } } });
    const Tags = [{ Key: TAG_KEYS.managedBy, Value: MANAGED_BY }];
    for (const runId of [prRunId(12, SHA_A), prRunId(12, SHA_B), prRunId(123, SHA_A)]) {
      await cloudFormation.send(new CreateStackCommand({ StackName: stackName(runId), TemplateBody: template, Tags }));
    }
    // A stranger's stack under a name of pull request 12, without rda:managed-by: never listed for deletion.
    await cloudFormation.send(
      new CreateStackCommand({ StackName: stackName(prRunId(12, SHA_C)), TemplateBody: template }),
    );
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
    expect(err).toContain(
      `skipped stack rda-pr-12-fedcba9: it lacks the tag ${TAG_KEYS.managedBy}=${MANAGED_BY}, so it was not created by this tool and is not listed for deletion`,
    );
    expect(code).toBe(0);
    expect(out).toEqual(['pr-12-abc1234']);
  });
});
