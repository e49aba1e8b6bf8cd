/**
 * The per-resource check after DELETE_COMPLETE with fake SDK clients (docs/aws-behaviour.md#after-delete-checks):
 * how each recorded resource is classified (gone, still there, gone with its parent, not checked) and that
 * destroyRun records the resources before it requests the delete. The moto version:
 * tests/aws/destroy-physical.test.ts.
 */

import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import type { CloudFormationClient, StackStatus } from '@aws-sdk/client-cloudformation';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { describe, expect, it } from 'vitest';
import type { StackResourceInfo } from '../../../../harness/target/aws/cloudformation.js';
import { destroyRun } from '../../../../harness/target/aws/destroy.js';
import {
  checkRecordedResources,
  type RecordedResource,
  type ResourceCheckClients,
  recordResources,
} from '../../../../harness/target/aws/verify.js';
import { MANAGED_BY, TAG_KEYS } from '../../../../stack/names.js';

type Answer = (input: Record<string, unknown>) => unknown;

/** An SDK error as the clients throw it: `name` is the AWS error code. */
function awsError(name: string, message = 'injected'): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

/** One fake client for every service: answers by command name, records what was sent, `{}` for the rest. */
function fakeClients(answers: Record<string, Answer>) {
  const sent: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push(name);
      const answer = answers[name];
      return answer ? answer(command.input) : {};
    },
  };
  const clients = {
    cloudFormation: client as never as CloudFormationClient,
    logs: client as never as CloudWatchLogsClient,
    tagging: client as never as ResourceGroupsTaggingAPIClient,
    lambda: client as never as LambdaClient,
    iam: client as never as IAMClient,
    apiGateway: client as never as APIGatewayClient,
  } satisfies ResourceCheckClients & Record<string, unknown>;
  return { clients, sent };
}

const once = { backoff: { attempts: 1 } };

function resource(logicalId: string, type: string, physicalId?: string, parents?: string[]): RecordedResource {
  return { logicalId, type, physicalId, status: 'CREATE_COMPLETE', parentLogicalIds: parents };
}

describe('checkRecordedResources classifies each recorded resource', () => {
  it('counts a NotFound answer as gone and a resource that still answers as a leftover', async () => {
    // Prepare
    const { clients, sent } = fakeClients({
      GetFunction: (input) => {
        if (input.FunctionName === 'fn-gone') throw awsError('ResourceNotFoundException');
        return { Configuration: { FunctionName: input.FunctionName } };
      },
      GetRole: () => {
        throw awsError('NoSuchEntityException');
      },
      DescribeLogGroups: () => ({ logGroups: [{ logGroupName: '/kept-longer' }] }),
      DescribeQueryDefinitions: () => ({ queryDefinitions: [{ queryDefinitionId: 'q-live' }] }),
    });

    // Act
    const result = await checkRecordedResources(
      clients,
      [
        resource('Gone', 'AWS::Lambda::Function', 'fn-gone'),
        resource('Live', 'AWS::Lambda::Function', 'fn-live'),
        resource('Role', 'AWS::IAM::Role', 'role-1'),
        resource('Group', 'AWS::Logs::LogGroup', '/kept'),
        resource('QueryGone', 'AWS::Logs::QueryDefinition', 'q-gone'),
        resource('QueryLive', 'AWS::Logs::QueryDefinition', 'q-live'),
      ],
      once,
    );

    // Assess: '/kept-longer' shares the prefix but is not '/kept'; query definitions are listed once.
    expect(result.checks).toEqual([
      'Gone (AWS::Lambda::Function fn-gone): gone (GetFunction: not found)',
      'Role (AWS::IAM::Role role-1): gone (GetRole: not found)',
      'log group /kept: gone',
      'QueryGone (AWS::Logs::QueryDefinition q-gone): gone (DescribeQueryDefinitions: not found)',
    ]);
    expect(result.leftovers).toEqual([
      'Live (AWS::Lambda::Function fn-live): still exists (GetFunction answers for it)',
      'QueryLive (AWS::Logs::QueryDefinition q-live): still exists (DescribeQueryDefinitions answers for it)',
    ]);
    expect(sent.filter((name) => name === 'DescribeQueryDefinitions')).toHaveLength(1);
  });

  it('vouches for a child through its parent: gone with a gone parent, not confirmed with a live one', async () => {
    // Prepare
    const { clients } = fakeClients({
      GetFunction: (input) => {
        if (input.FunctionName === 'fn-gone') throw awsError('ResourceNotFoundException');
        return {};
      },
      GetRole: () => {
        throw awsError('NoSuchEntity');
      },
    });

    // Act
    const result = await checkRecordedResources(
      clients,
      [
        resource('PermissionOfGone', 'AWS::Lambda::Permission', 'perm-1', ['Gone']),
        resource('Gone', 'AWS::Lambda::Function', 'fn-gone'),
        resource('Live', 'AWS::Lambda::Function', 'fn-live'),
        resource('PermissionOfLive', 'AWS::Lambda::Permission', 'perm-2', ['Live']),
        resource('Role', 'AWS::IAM::Role', 'role-1'),
        resource('InlinePolicy', 'AWS::IAM::Policy', 'pol-1', ['Role']),
      ],
      once,
    );

    // Assess: lines come in ListStackResources order, children included.
    expect(result.checks).toEqual([
      'PermissionOfGone (AWS::Lambda::Permission perm-1): gone with its parent Gone (AWS::Lambda::Function fn-gone)',
      'Gone (AWS::Lambda::Function fn-gone): gone (GetFunction: not found)',
      'Role (AWS::IAM::Role role-1): gone (GetRole: not found)',
      'InlinePolicy (AWS::IAM::Policy pol-1): gone with its parent Role (AWS::IAM::Role role-1)',
    ]);
    expect(result.leftovers).toEqual([
      'Live (AWS::Lambda::Function fn-live): still exists (GetFunction answers for it)',
      'PermissionOfLive (AWS::Lambda::Permission perm-2): not confirmed gone (deleted with its parent Live (AWS::Lambda::Function fn-live), which is not confirmed gone)',
    ]);
  });

  it('reports a type without a check and refused calls as not checked', async () => {
    // Prepare
    const { clients } = fakeClients({
      GetRole: () => {
        throw awsError('AccessDenied', 'not authorized to perform iam:GetRole');
      },
      GetRestApi: () => {
        throw awsError('AccessDenied', 'not authorized to perform apigateway:GET');
      },
    });

    // Act
    const result = await checkRecordedResources(
      clients,
      [
        resource('Queue', 'AWS::SQS::Queue', 'https://sqs/q'),
        resource('Api', 'AWS::ApiGateway::RestApi', 'abc123'),
        resource('Stage', 'AWS::ApiGateway::Stage', 'bench', ['Api']),
        resource('Orphan', 'AWS::ApiGateway::Method', 'm-1'),
        resource('Role', 'AWS::IAM::Role', 'role-1'),
      ],
      once,
    );

    // Assess: none of these is proved gone, so every one is a leftover.
    expect(result.checks).toEqual([]);
    expect(result.leftovers).toEqual([
      'Queue (AWS::SQS::Queue https://sqs/q): not checked (no check for the type AWS::SQS::Queue: add one to DIRECT_CHECKS or CHILD_TYPES in harness/target/aws/verify.ts)',
      'Api (AWS::ApiGateway::RestApi abc123): not checked (AccessDenied: not authorized to perform apigateway:GET)',
      'Stage (AWS::ApiGateway::Stage bench): not confirmed gone (deleted with its parent Api (AWS::ApiGateway::RestApi abc123), which is not confirmed gone)',
      'Orphan (AWS::ApiGateway::Method m-1): not checked (its parent AWS::ApiGateway::RestApi could not be read from the template)',
      'Role (AWS::IAM::Role role-1): not checked (AccessDenied: not authorized to perform iam:GetRole)',
    ]);
  });

  it('counts a resource without a physical id as never created, and adds no second line for a log group already checked by name', async () => {
    const { clients, sent } = fakeClients({});

    const result = await checkRecordedResources(
      clients,
      [resource('Failed', 'AWS::Lambda::Function'), resource('Group', 'AWS::Logs::LogGroup', '/g')],
      { ...once, logGroups: new Map([['/g', false]]), reportedLogGroups: new Set(['/g']) },
    );

    expect(result).toEqual({
      checks: ['Failed (AWS::Lambda::Function): never created (no physical id in ListStackResources)'],
      leftovers: [],
    });
    expect(sent).toEqual([]);
  });
});

describe('recordResources reads child-to-parent links from the template', () => {
  const listed: StackResourceInfo[] = [
    { logicalId: 'Api', type: 'AWS::ApiGateway::RestApi', physicalId: 'abc123', status: 'CREATE_COMPLETE' },
    { logicalId: 'Stage', type: 'AWS::ApiGateway::Stage', physicalId: 'bench', status: 'CREATE_COMPLETE' },
    { logicalId: 'Fn', type: 'AWS::Lambda::Function', physicalId: 'rda-x-fn', status: 'CREATE_COMPLETE' },
    { logicalId: 'ByArn', type: 'AWS::Lambda::Permission', physicalId: 'p1', status: 'CREATE_COMPLETE' },
    { logicalId: 'ByName', type: 'AWS::Lambda::Permission', physicalId: 'p2', status: 'CREATE_COMPLETE' },
    { logicalId: 'Role', type: 'AWS::IAM::Role', physicalId: 'r', status: 'CREATE_COMPLETE' },
    { logicalId: 'Shared', type: 'AWS::IAM::Policy', physicalId: 'pol', status: 'CREATE_COMPLETE' },
  ];
  const template = JSON.stringify({
    Resources: {
      Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' } } },
      ByArn: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
      ByName: { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: 'rda-x-fn' } },
      Shared: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], Users: ['someone'] } },
    },
  });

  it('links Ref, Fn::GetAtt and literal parents, and none for a policy also attached to users', () => {
    const recorded = recordResources(listed, template);

    expect(Object.fromEntries(recorded.map((r) => [r.logicalId, r.parentLogicalIds]))).toEqual({
      Api: undefined,
      Stage: ['Api'],
      Fn: undefined,
      ByArn: ['Fn'],
      ByName: ['Fn'],
      Role: undefined,
      Shared: undefined,
    });
  });

  it('links nothing when the template is missing or not JSON', () => {
    for (const body of [undefined, 'Resources:\n  Stage: {}']) {
      expect(recordResources(listed, body).every((r) => r.parentLogicalIds === undefined)).toBe(true);
    }
  });
});

describe('destroyRun records the stack resources before it requests the delete', () => {
  const STACK_ID = 'arn:aws:cloudformation:eu-west-1:111122223333:stack/rda-rec1/1';

  function stackClients(listing: () => unknown) {
    let deleted = false;
    return fakeClients({
      DescribeStacks: () => ({
        Stacks: [
          {
            StackName: 'rda-rec1',
            StackId: STACK_ID,
            StackStatus: (deleted ? 'DELETE_COMPLETE' : 'CREATE_COMPLETE') as StackStatus,
            Tags: [{ Key: TAG_KEYS.managedBy, Value: MANAGED_BY }],
          },
        ],
      }),
      ListStackResources: listing,
      GetTemplate: () => ({
        TemplateBody: JSON.stringify({
          Resources: {
            Permission: {
              Type: 'AWS::Lambda::Permission',
              Properties: { FunctionName: { 'Fn::GetAtt': ['Function', 'Arn'] } },
            },
          },
        }),
      }),
      DeleteStack: () => {
        deleted = true;
        return {};
      },
      GetFunction: () => {
        throw awsError('ResourceNotFoundException');
      },
    });
  }
  const options = {
    runId: 'rec1',
    region: 'eu-west-1',
    deleteOptions: { pollIntervalMs: 1, timeoutMs: 1000, sleep: async () => {} },
    verifyOptions: { staleRecheckDelaysMs: [] },
  };

  it('lists every resource before DeleteStack and checks each afterwards', async () => {
    // Prepare
    const { clients, sent } = stackClients(() => ({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'Function',
          PhysicalResourceId: 'rda-rec1-fn',
          ResourceType: 'AWS::Lambda::Function',
          ResourceStatus: 'CREATE_COMPLETE',
        },
        {
          LogicalResourceId: 'Permission',
          PhysicalResourceId: 'perm',
          ResourceType: 'AWS::Lambda::Permission',
          ResourceStatus: 'CREATE_COMPLETE',
        },
      ],
    }));

    // Act
    const report = await destroyRun(clients, options);

    // Assess
    expect(sent.indexOf('ListStackResources')).toBeGreaterThanOrEqual(0);
    expect(sent.indexOf('ListStackResources')).toBeLessThan(sent.indexOf('DeleteStack'));
    expect(sent.indexOf('GetFunction')).toBeGreaterThan(sent.indexOf('DeleteStack'));
    expect(report.verified).toBe(true);
    expect(report.checks).toContain('Function (AWS::Lambda::Function rda-rec1-fn): gone (GetFunction: not found)');
    expect(report.checks).toContain(
      'Permission (AWS::Lambda::Permission perm): gone with its parent Function (AWS::Lambda::Function rda-rec1-fn)',
    );
  });

  it('still deletes when the listing is refused, but does not call the result verified', async () => {
    // Prepare
    const { clients, sent } = stackClients(() => {
      throw awsError('AccessDenied', 'not authorized to perform cloudformation:ListStackResources');
    });

    // Act
    const report = await destroyRun(clients, options);

    // Assess
    expect(sent).toContain('DeleteStack');
    expect(report.verified).toBe(false);
    expect(report.leftovers).toEqual([
      'stack rda-rec1: resources not recorded before delete (AccessDenied: not authorized to perform cloudformation:ListStackResources), so none of them is proved gone',
    ]);
  });
});
