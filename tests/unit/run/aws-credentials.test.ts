import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../harness/cli.js';
import { ExitCode, HarnessError } from '../../../harness/errors.js';
import { requireAwsCredentials } from '../../../harness/target/aws/config.js';

/**
 * The AWS commands on a machine without credentials. The SDK's default chain reads process.env and the home
 * folder, so the test empties both: no AWS_* variable, HOME an empty folder, and instance metadata off so the
 * chain does not wait on a metadata endpoint that is not there.
 */
let saved: NodeJS.ProcessEnv;
let home: string;

beforeEach(() => {
  saved = { ...process.env };
  home = mkdtempSync(path.join(tmpdir(), 'rda-no-creds-'));
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
  process.env.HOME = home;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
});

afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
  rmSync(home, { recursive: true, force: true });
});

async function harness(argv: string[]) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'rda-no-creds-cwd-'));
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    isTty: false,
    cwd,
    env: process.env,
  });
  const createdRunFiles = existsSync(path.join(cwd, '.rda'));
  rmSync(cwd, { recursive: true, force: true });
  return { code, out, err: err.join('\n'), createdRunFiles };
}

describe('AWS commands without credentials', () => {
  it.each([
    [['bench', '--target', 'aws', '--region', 'eu-west-1', '--run-id', 'nocreds']],
    [['deploy', '--region', 'eu-west-1', '--run-id', 'nocreds']],
    [['destroy', '--region', 'eu-west-1', '--run-id', 'nocreds']],
    [['sweep', '--region', 'eu-west-1']],
    [['query', '--target', 'aws', '--region', 'eu-west-1', '--log-group', '/aws/lambda/fn', 'fields @message']],
    [['pr-stacks', '--pr', '42', '--region', 'eu-west-1']],
  ])('%j exits 2 saying what to set, before creating anything or printing a destroy command', async (argv) => {
    // Act
    const { code, out, err, createdRunFiles } = await harness(argv);

    // Assess
    expect(code).toBe(ExitCode.Usage);
    expect(err).toMatch(
      /^error \[CredentialsMissing\]: no AWS credentials found \(.+\): set AWS_PROFILE .+ or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(err).toContain('eu-west-1');
    expect(`${out.join('\n')}\n${err}`).not.toMatch(/destroy --run-id|deploying stack/);
    expect(createdRunFiles).toBe(false);
  });

  it('asks for the region first when there is none either', async () => {
    const { code, err } = await harness(['deploy', '--run-id', 'nocreds']);
    expect(code).toBe(ExitCode.Usage);
    expect(err).toMatch(/^error \[RegionMissing\]: no AWS region given: pass --region/);
  });
});

describe('requireAwsCredentials', () => {
  const client = (credentials: () => Promise<unknown>) => ({ config: { credentials } });

  it('resolves when the provider chain finds credentials', async () => {
    await expect(
      requireAwsCredentials(
        client(async () => ({ accessKeyId: 'a', secretAccessKey: 'b' })),
        'eu-west-1',
      ),
    ).resolves.toBeUndefined();
  });

  it('calls a missing configuration a usage error and any other failure an infrastructure error', async () => {
    // Prepare
    const missing = Object.assign(new Error('Profile prod could not be found'), { name: 'CredentialsProviderError' });
    const network = new Error('connect ETIMEDOUT sts.amazonaws.com');

    // Act
    const usage = await requireAwsCredentials(
      client(() => Promise.reject(missing)),
      'eu-west-1',
    ).catch((e: unknown) => e);
    const infra = await requireAwsCredentials(
      client(() => Promise.reject(network)),
      'eu-west-1',
    ).catch((e: unknown) => e);

    // Assess
    expect(usage).toBeInstanceOf(HarnessError);
    expect(usage).toMatchObject({ code: 'CredentialsMissing', exitCode: ExitCode.Usage });
    expect((usage as Error).message).toContain('(Profile prod could not be found)');
    expect(infra).toMatchObject({ code: 'CredentialsUnavailable', exitCode: ExitCode.Infrastructure });
  });
});
