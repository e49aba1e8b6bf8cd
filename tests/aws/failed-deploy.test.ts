/**
 * Deploys that must not leave anything behind, or must not happen at all, against moto_server with the
 * real SDK and toolkit-lib: a create that fails is destroyed; termination protection and stacks that
 * are not ours are refused before anything changes; an aborted signal stops the deploy before synth.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../harness/errors.js';
import { AwsTarget, type Synthesizer } from '../../harness/target/aws/aws-target.js';
import { MANAGED_BY, TAG_KEYS } from '../../stack/names.js';
import { rejection } from '../helpers/rejection.js';
import { useMoto } from './helpers/moto-env.js';
import { tinyStack } from './helpers/tiny-stack.js';

const moto = useMoto();

function target(synthesize: Synthesizer): AwsTarget {
  return new AwsTarget({ region: moto.get().region, deploymentMethod: 'direct', synthesize });
}

async function stackStatus(name: string): Promise<string> {
  const cfn = new CloudFormationClient({ region: moto.get().region });
  try {
    const result = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    return result.Stacks?.[0]?.StackStatus ?? 'none';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('a deploy that fails', () => {
  it('destroys the half-created stack and says why the create failed', async () => {
    // Prepare: moto creates the stack, then fails on the missing export and leaves it behind
    // (on AWS the same template ends in ROLLBACK_COMPLETE, docs/aws-behaviour.md#stack-deletion; both need a DeleteStack).
    const lines: string[] = [];
    const failing = tinyStack((stack) => {
      new LogGroup(stack, 'Logs', {
        logGroupName: Fn.importValue('rda-test-missing-export'),
        retention: RetentionDays.ONE_DAY,
      });
    });

    // Act
    const error = await rejection(target(failing).deploy({ runId: 'fail1', log: (line) => lines.push(line) }));

    // Assess
    expect(error.code).toBe('DeployFailed');
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain('No export named rda-test-missing-export');
    expect(error.message).toContain('cleanup: stack rda-fail1 destroyed and verified');
    expect(lines.some((line) => line.startsWith('DeleteStack rda-fail1 sent'))).toBe(true);
    expect(await stackStatus('rda-fail1')).toBe('Stack with id rda-fail1 does not exist');
  });
});

describe('a deploy whose stack is not what the harness needs', () => {
  it('destroys a stack that deployed without the outputs the harness reads', async () => {
    const bare = tinyStack((stack) => {
      new LogGroup(stack, 'Logs', { retention: RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY });
    });

    const error = await rejection(target(bare).deploy({ runId: 'bare1' }));

    expect(error.code).toBe('StackOutputMissing');
    expect(error.message).toBe(
      "stack output 'ApiUrl', 'FunctionName', 'LogGroupName', 'StackRunId' not found; got: none; cleanup: stack rda-bare1 destroyed and verified",
    );
    expect(await stackStatus('rda-bare1')).toBe('Stack with id rda-bare1 does not exist');
  });

  it('turns a bad stack setting into a usage error before anything is created', async () => {
    const aws = new AwsTarget({ region: moto.get().region, deploymentMethod: 'direct' });

    const error = await rejection(aws.deploy({ runId: 'badctx', context: { memorySizeMb: '5' } }));

    expect(error.code).toBe('InvalidStackContext');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("context 'memorySizeMb' is '5'");
    expect(await stackStatus('rda-badctx')).toBe('Stack with id rda-badctx does not exist');
  });
});

describe('deploys the harness refuses', () => {
  it('refuses to deploy over a stack with termination protection, and leaves it untouched', async () => {
    // Prepare
    const cfn = new CloudFormationClient({ region: moto.get().region });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'rda-guarded',
        TemplateBody: JSON.stringify({ Resources: { Logs: { Type: 'AWS::Logs::LogGroup' } } }),
        EnableTerminationProtection: true,
        Tags: [{ Key: TAG_KEYS.managedBy, Value: MANAGED_BY }],
      }),
    );
    let synthesized = 0;
    const aws = target(tinyStack(() => {}, { onSynthesize: () => synthesized++ }));

    // Act
    const error = await rejection(aws.deploy({ runId: 'guarded' }));
    const report = await aws.destroyRun('guarded');

    // Assess: refused before synthesis, and destroy will not delete a protected stack either (moto does
    // not enforce the protection, so this proves the harness checks it itself).
    expect(error.code).toBe('TerminationProtected');
    expect(error.exitCode).toBe(2);
    expect(synthesized).toBe(0);
    expect(report.verified).toBe(false);
    expect(report.leftovers.join('\n')).toContain('termination protection is on');
    expect(report.leftovers.join('\n')).toContain('npm run harness -- destroy --run-id guarded --region us-east-1');
    expect(await stackStatus('rda-guarded')).toBe('CREATE_COMPLETE');
  });

  it('refuses a synthesized stack that asks for termination protection, creating nothing', async () => {
    const error = await rejection(
      target(tinyStack(() => {}, { terminationProtection: true })).deploy({ runId: 'tp2' }),
    );

    expect(error.code).toBe('TerminationProtected');
    expect(await stackStatus('rda-tp2')).toBe('Stack with id rda-tp2 does not exist');
  });

  it('refuses to deploy over a stack of the same name that this tool did not create', async () => {
    // Prepare
    const cfn = new CloudFormationClient({ region: moto.get().region });
    await cfn.send(
      new CreateStackCommand({
        StackName: 'rda-stranger',
        TemplateBody: JSON.stringify({ Resources: { Logs: { Type: 'AWS::Logs::LogGroup' } } }),
      }),
    );

    // Act
    const error = await rejection(target(tinyStack(() => {})).deploy({ runId: 'stranger' }));

    // Assess
    expect(error.code).toBe('StackNotManaged');
    expect(error.message).toContain(`${TAG_KEYS.managedBy}=${MANAGED_BY}`);
    expect(await stackStatus('rda-stranger')).toBe('CREATE_COMPLETE');
  });

  it('stops before synthesis when the signal is already aborted', async () => {
    let synthesized = 0;
    const controller = new AbortController();
    controller.abort('SIGTERM');

    const error = await rejection(
      target(tinyStack(() => {}, { onSynthesize: () => synthesized++ })).deploy({
        runId: 'early',
        signal: controller.signal,
      }),
    );

    expect(error).toBeInstanceOf(InterruptedError);
    expect(error.exitCode).toBe(143);
    expect(synthesized).toBe(0);
  });
});
