import { describe, expect, it } from 'vitest';
import { HarnessError } from '../../../../harness/errors.js';
import { cleanupCommand, resolveDeploymentMethod, resolveRegion } from '../../../../harness/target/aws/config.js';

function usageCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).exitCode).toBe(2);
    return (error as HarnessError).code;
  }
  throw new Error('expected a usage error');
}

describe('resolveRegion', () => {
  it('takes --region first, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-east-2');
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'us-gov-west-1' })).toBe('us-gov-west-1');
  });

  it('says how to set a region when none is given, and rejects a malformed one', () => {
    expect(usageCode(() => resolveRegion(undefined, {}))).toBe('RegionMissing');
    expect(usageCode(() => resolveRegion('  ', { AWS_REGION: '' }))).toBe('RegionMissing');
    expect(usageCode(() => resolveRegion('Ireland', {}))).toBe('RegionInvalid');
  });
});

describe('resolveDeploymentMethod', () => {
  it('defaults to change sets, and lets RDA_DEPLOYMENT_METHOD or the option choose direct', () => {
    expect(resolveDeploymentMethod(undefined, {})).toBe('change-set');
    expect(resolveDeploymentMethod(undefined, { RDA_DEPLOYMENT_METHOD: 'direct' })).toBe('direct');
    expect(resolveDeploymentMethod('change-set', { RDA_DEPLOYMENT_METHOD: 'direct' })).toBe('change-set');
    expect(usageCode(() => resolveDeploymentMethod('hotswap', {}))).toBe('DeploymentMethodInvalid');
  });
});

describe('cleanupCommand', () => {
  it('is the exact command that finishes a cut-short cleanup', () => {
    expect(cleanupCommand('pr-42-ab', 'eu-west-1')).toBe(
      'npm run harness -- destroy --run-id pr-42-ab --region eu-west-1',
    );
  });
});
