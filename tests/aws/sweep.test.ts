/**
 * `sweep` against moto_server: two real stacks deployed with toolkit-lib, one already expired and one
 * not, next to stacks that are not this tool's. Dry run changes nothing; `--yes` removes only the
 * expired one, verified; `--older-than` widens the net to the fresh one but never to strangers.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli.js';
import { AwsTarget } from '../../harness/target/aws/aws-target.js';
import { MANAGED_BY, TAG_KEYS } from '../../stack/names.js';
import { useMoto } from './helpers/moto-env.js';

const moto = useMoto();
const PAST = '2020-01-01T00:00:00.000Z';
const FUTURE = '2099-01-01T00:00:00.000Z';

async function stackNames(): Promise<string[]> {
  const cfn = new CloudFormationClient({ region: moto.get().region });
  const stacks = (await cfn.send(new DescribeStacksCommand({}))).Stacks ?? [];
  return stacks.map((stack) => stack.StackName ?? '').sort();
}

async function sweep(...flags: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['sweep', '--target', 'aws', '--region', moto.get().region, ...flags], {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out, err };
}

beforeAll(async () => {
  const target = new AwsTarget({
    region: moto.get().region,
    deploymentMethod: 'direct',
    verifyOptions: { staleRecheckDelaysMs: [] },
  });
  await target.deploy({ runId: 'swold', context: { expiresAt: PAST } });
  await target.deploy({ runId: 'swnew', context: { expiresAt: FUTURE } });
  // Expired by its tags, but not ours: no managed-by tag, and a managed-by tag without the rda- prefix.
  const cfn = new CloudFormationClient({ region: moto.get().region });
  const template = JSON.stringify({ Resources: { Logs: { Type: 'AWS::Logs::LogGroup' } } });
  await cfn.send(
    new CreateStackCommand({
      StackName: 'rda-stranger',
      TemplateBody: template,
      Tags: [{ Key: TAG_KEYS.expiresAt, Value: PAST }],
    }),
  );
  await cfn.send(
    new CreateStackCommand({
      StackName: 'other-stack',
      TemplateBody: template,
      Tags: [
        { Key: TAG_KEYS.expiresAt, Value: PAST },
        { Key: TAG_KEYS.managedBy, Value: MANAGED_BY },
      ],
    }),
  );
});

describe('sweep', () => {
  it('lists expired stacks in a dry run and deletes nothing', async () => {
    const { code, out } = await sweep();

    expect(code).toBe(0);
    expect(out[0]).toMatch(/^STACK\s+STATUS\s+CREATED\s+EXPIRES-AT\s+DECISION\s+ACTION$/);
    expect(out.find((line) => line.startsWith('rda-swold '))).toMatch(
      /expired 2020-01-01T00:00:00\.000Z\s+would destroy$/,
    );
    expect(out.find((line) => line.startsWith('rda-swnew '))).toMatch(/expires 2099-01-01T00:00:00\.000Z\s+keep$/);
    expect(out.some((line) => line.startsWith('rda-stranger') || line.startsWith('other-stack'))).toBe(false);
    expect(out.at(-1)).toBe('dry run in us-east-1: 1 stack(s) would be destroyed; rerun with --yes to destroy them');
    expect(await stackNames()).toEqual(['other-stack', 'rda-stranger', 'rda-swnew', 'rda-swold']);
  });

  it('with --yes destroys only the expired stack, verified, and leaves the rest alone', async () => {
    const { code, out } = await sweep('--yes');

    expect(code).toBe(0);
    expect(out.find((line) => line.startsWith('rda-swold '))).toMatch(/destroyed, verified$/);
    expect(out.at(-1)).toBe('swept 1 stack(s) in us-east-1, all verified gone');
    expect(await stackNames()).toEqual(['other-stack', 'rda-stranger', 'rda-swnew']);
  });

  it('with --older-than also destroys a stack whose expiry is still ahead, but never a stranger', async () => {
    const { code, out } = await sweep('--older-than', '1s', '--yes');

    expect(code).toBe(0);
    expect(out.find((line) => line.startsWith('rda-swnew '))).toMatch(/more than 1s ago\s+destroyed, verified$/);
    expect(await stackNames()).toEqual(['other-stack', 'rda-stranger']);
  });
});
