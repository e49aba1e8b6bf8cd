import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnResource, type PolicyViolationBeta1, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { addNagChecks, nagPacks } from '../../../stack/nag.js';
import { buildTestStack, removeTestOutdirs, TEST_CONTEXT } from './stack-fixture.js';

// docs/aws-behaviour.md#cdk-nag: cdk-nag 3 runs as a validation plugin and `cdk synth` can exit 0
// with findings, so these tests read the findings themselves, errors and warnings alike.

afterAll(removeTestOutdirs);

interface Finding {
  readonly rule: string;
  readonly path: string;
}

interface Acknowledgement extends Finding {
  readonly reason: string;
  readonly construct: IConstruct;
}

/** Every unacknowledged finding of the AwsSolutions and Serverless packs on `scope`. */
function findings(scope: IConstruct): Finding[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        path: resource.constructPath ?? '',
      })),
    ),
  );
}

/** Every acknowledgement recorded with `Validations.of(x).acknowledge()` under `scope`. */
function acknowledgements(scope: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of [scope, ...scope.node.findAll()]) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        // aws-cdk-lib prefixes rule ids with their namespace ('Annotation::'), as cdk-nag strips it.
        found.push({ rule: id.replace(/^annotation::/i, ''), path: construct.node.path, reason, construct });
      }
    }
  }
  return found;
}

const key = (finding: Finding) => `${finding.rule} @ ${finding.path}`;

describe('cdk-nag (AwsSolutions + Serverless)', () => {
  it('reports zero unacknowledged findings, errors or warnings', () => {
    // Prepare
    const { stack } = buildTestStack({ context: { ...TEST_CONTEXT } });

    // Act
    const open = findings(stack);

    // Assess
    expect(open.map(key)).toEqual([]);
  });

  it('acknowledges each finding on one resource, with a reason, and each acknowledgement matches a live finding', () => {
    // Prepare: the same stack with and without its acknowledgements.
    const { stack } = buildTestStack({ context: { ...TEST_CONTEXT } });
    const { stack: bare } = buildTestStack({
      context: { ...TEST_CONTEXT },
      props: { acknowledgeNagFindings: false },
    });

    // Act
    const acks = acknowledgements(stack.node.root);
    const live = findings(bare);

    // Assess: scoped to one CloudFormation resource, never a stack, an app or an L2 wrapper.
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(CfnResource.isCfnResource(ack.construct), `${key(ack)} is not on a single resource`).toBe(true);
      expect(ack.reason.length, `${key(ack)} needs a real reason`).toBeGreaterThanOrEqual(40);
    }
    // No stale acknowledgement (it would hide a regression) and nothing unacknowledged.
    expect(acks.map(key).sort()).toEqual(live.map(key).sort());
  });

  it('acknowledges the logging rules that need the account CloudWatch role on the stage only', () => {
    const { stack } = buildTestStack();
    const stagePath = stack.api.deploymentStage.node.defaultChild?.node.path;
    const onStage = acknowledgements(stack)
      .filter((ack) => ack.path === stagePath)
      .map((ack) => ack.rule);
    // Serverless-APIGWStructuredLogging only judges a stage that has access logs, so it does not fire.
    expect(onStage).toEqual(
      expect.arrayContaining(['AwsSolutions-APIG1', 'AwsSolutions-APIG6', 'Serverless-APIGWAccessLogging']),
    );
  });

  it('still reports a wildcard permission added to the execution role (the check is not blind)', () => {
    // Prepare
    const { stack } = buildTestStack();
    stack.role.addToPolicy(new PolicyStatement({ actions: ['logs:*'], resources: ['*'] }));

    // Act
    const rules = findings(stack).map((finding) => finding.rule);

    // Assess
    expect(rules).toEqual(
      expect.arrayContaining(['AwsSolutions-IAM5[Action::logs:*]', 'AwsSolutions-IAM5[Resource::*]']),
    );
  });

  it('leaves an empty validation report when synthesized with the packs and CDK template validation on', () => {
    // Prepare: the `cdk synth` path of stack/app.ts, in memory (where a failing report throws).
    const { app } = buildTestStack({ context: { ...TEST_CONTEXT }, cfnValidation: true });
    addNagChecks(app);

    // Act
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: PolicyViolationBeta1[] }[];
    };

    // Assess
    const violations = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map((violation) => `${plugin.pluginName}: ${violation.ruleName}`),
    );
    expect(violations).toEqual([]);
  });
});
