/**
 * The cdk-nag rule packs this project holds itself to (docs/aws-behaviour.md#cdk-nag): AwsSolutions and Serverless.
 * cdk-nag 3 runs as a CDK validation plugin; the tests call the packs directly to read every finding.
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Fresh instances of the packs we run (a pack keeps the findings of its last run). */
export function nagPacks(): NagPack[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()];
}

/** Registers the packs on an app so `cdk synth` reports unacknowledged findings and fails on errors. */
export function addNagChecks(app: IConstruct): void {
  Validations.of(app).addPlugins(...nagPacks());
}
