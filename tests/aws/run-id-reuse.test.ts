/**
 * One run id, one run, on AWS (moto_server): a deploy with the id of an existing managed stack is refused
 * before anything changes (that stack belongs to another run, live or dead), and a failed deploy's cleanup
 * deletes only the stack its own deploy created, told apart by the stack's `rda:deploy-token` tag.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { AwsTarget } from '../../harness/target/aws/aws-target.js';
import { MANAGED_BY, TAG_KEYS } from '../../stack/names.js';
import { rejection } from '../helpers/rejection.js';
import { useMoto } from './helpers/moto-env.js';
import { tinyStack } from './helpers/tiny-stack.js';

const moto = useMoto();
const TEMPLATE = JSON.stringify({ Resources: { Logs: { Type: 'AWS::Logs::LogGroup' } } });

async function describe1(name: string): Promise<{ status: string; tags: Record<string, string | undefined> }> {
  const cfn = new CloudFormationClient({ region: moto.get().region });
  try {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    return {
      status: stack?.StackStatus ?? 'none',
      tags: Object.fromEntries((stack?.Tags ?? []).map((tag) => [tag.Key, tag.Value])),
    };
  } catch (error) {
    return { status: (error as Error).message, tags: {} };
  }
}

describe('a deploy with the run id of an existing managed stack', () => {
  it('is refused with StackExists before synthesis, naming the stack and its destroy command; the stack survives', async () => {
    // Prepare: another run's stack, tagged as ours
    const cfn = new CloudFormationClient({ region: moto.get().region });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'rda-taken1',
        TemplateBody: TEMPLATE,
        Tags: [
          { Key: TAG_KEYS.managedBy, Value: MANAGED_BY },
          { Key: TAG_KEYS.deployToken, Value: 'firstrunstoken0' },
        ],
      }),
    );
    let synthesized = 0;
    const target = new AwsTarget({
      region: moto.get().region,
      deploymentMethod: 'direct',
      synthesize: tinyStack(() => {}, { onSynthesize: () => synthesized++ }),
    });

    // Act
    const error = await rejection(target.deploy({ runId: 'taken1' }));

    // Assess
    expect(error.code).toBe('StackExists');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^stack 'rda-taken1' already exists \(CREATE_COMPLETE, created \d{4}-\d\d-\d\dT/);
    expect(error.message).toContain("'npm run harness -- destroy --run-id taken1 --region us-east-1'");
    expect(error.message).toContain('pick another --run-id');
    expect(synthesized).toBe(0);
    const after = await describe1('rda-taken1');
    expect(after.status).toBe('CREATE_COMPLETE');
    expect(after.tags[TAG_KEYS.deployToken]).toBe('firstrunstoken0');
  });
});

describe('the cleanup of a failed deploy', () => {
  it('does not delete a stack that carries another deploy token', async () => {
    // Prepare: the deploy fails (missing export, as in failed-deploy.test.ts); just before its cleanup looks,
    // the stack under its name is replaced by another run's, as when two runs raced for the name and the
    // other one's CreateStack won.
    const region = moto.get().region;
    const other = new CloudFormationClient({ region });
    const cloudFormation = new CloudFormationClient({ region });
    const deletes: string[] = [];
    let failed = false;
    let swapped = false;
    cloudFormation.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'DeleteStackCommand')
          deletes.push(String((args.input as { StackName?: string }).StackName));
        if (context.commandName === 'DescribeStacksCommand' && failed && !swapped) {
          swapped = true;
          await other.send(new DeleteStackCommand({ StackName: 'rda-race1' }));
          await other.send(
            new CreateStackCommand({
              StackName: 'rda-race1',
              TemplateBody: TEMPLATE,
              Tags: [
                { Key: TAG_KEYS.managedBy, Value: MANAGED_BY },
                { Key: TAG_KEYS.deployToken, Value: 'winnerstoken00' },
              ],
            }),
          );
        }
        return next(args);
      },
      { step: 'initialize', name: 'raceForTheName' },
    );
    const lines: string[] = [];
    const target = new AwsTarget({
      region,
      deploymentMethod: 'direct',
      clients: { cloudFormation },
      synthesize: tinyStack((stack) => {
        new LogGroup(stack, 'Logs', {
          logGroupName: Fn.importValue('rda-test-missing-export'),
          retention: RetentionDays.ONE_DAY,
          removalPolicy: RemovalPolicy.DESTROY,
        });
      }),
    });

    // Act
    const error = await rejection(
      target.deploy({
        runId: 'race1',
        log: (line) => {
          lines.push(line);
          if (line.startsWith('deploy of rda-race1 failed')) failed = true;
        },
      }),
    );

    // Assess: the deploy failed, its cleanup looked and left the other run's stack alone
    expect(swapped).toBe(true);
    expect(error.code).toBe('DeployFailed');
    expect(error.message).toContain('No export named rda-test-missing-export');
    expect(error.message).toMatch(
      /cleanup skipped: stack rda-race1 \(CREATE_COMPLETE, created [^)]+\) carries another deploy's rda:deploy-token, so another run created it; not deleted$/,
    );
    expect(lines).toContain(error.message.slice(error.message.indexOf('cleanup skipped')));
    expect(deletes).toEqual([]);
    const after = await describe1('rda-race1');
    expect(after.status).toBe('CREATE_COMPLETE');
    expect(after.tags[TAG_KEYS.deployToken]).toBe('winnerstoken00');
  });
});
