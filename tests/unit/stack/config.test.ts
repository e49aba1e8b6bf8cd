import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_DEFAULTS,
  DEFAULT_LIFETIME_MS,
  parseStackConfig,
  readStackConfig,
  StackConfigError,
} from '../../../stack/config.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const ENV = { USER: 'alice' };

function parse(context: Record<string, unknown>) {
  return parseStackConfig(context, { now: NOW, env: ENV });
}

/** Runs `parse` and returns the StackConfigError it throws (the test fails if it does not throw one). */
function errorOf(context: Record<string, unknown>): StackConfigError {
  try {
    parse(context);
  } catch (error) {
    if (error instanceof StackConfigError) return error;
    throw error;
  }
  throw new Error(`expected a StackConfigError for ${JSON.stringify(context)}`);
}

describe('parseStackConfig', () => {
  it('fills every setting with its default when the context is empty', () => {
    // Act
    const config = parse({});

    // Assess
    expect(config).toEqual({
      runId: 'dev',
      stage: 'bench',
      memorySizeMb: 512,
      timeoutSeconds: 10,
      throttleRateLimit: 100,
      throttleBurstLimit: 200,
      reservedConcurrency: undefined,
      logRetentionDays: 1,
      logLevel: 'info',
      expiresAt: '2030-01-01T02:00:00.000Z',
      creator: 'alice',
    });
  });

  it('keeps the default function timeout below the 29 s API Gateway integration timeout', () => {
    // docs/aws-behaviour.md#api-hardening: a slower function is cut off by API Gateway with a 504 instead of timing out itself.
    expect(CONFIG_DEFAULTS.timeoutSeconds).toBeLessThan(29);
  });

  it('expires the stack two hours after synthesis by default', () => {
    expect(Date.parse(parse({}).expiresAt) - NOW.getTime()).toBe(DEFAULT_LIFETIME_MS);
    expect(DEFAULT_LIFETIME_MS).toBe(2 * 60 * 60 * 1000);
  });

  it('parses numbers that arrive as strings from -c key=value', () => {
    // Act
    const config = parse({
      memorySizeMb: '1024',
      timeoutSeconds: '28',
      throttleRateLimit: '12.5',
      throttleBurstLimit: '25',
      reservedConcurrency: '5',
      logRetentionDays: '14',
    });

    // Assess
    expect(config).toMatchObject({
      memorySizeMb: 1024,
      timeoutSeconds: 28,
      throttleRateLimit: 12.5,
      throttleBurstLimit: 25,
      reservedConcurrency: 5,
      logRetentionDays: 14,
    });
  });

  it('accepts numbers as numbers, as cdk.json delivers them', () => {
    expect(parse({ memorySizeMb: 256, logRetentionDays: 7 })).toMatchObject({ memorySizeMb: 256, logRetentionDays: 7 });
  });

  it.each([
    ['memorySizeMb', 128],
    ['memorySizeMb', 10_240],
    ['timeoutSeconds', 1],
    ['timeoutSeconds', 900],
    ['throttleRateLimit', 1],
    ['throttleRateLimit', 10_000],
    ['throttleBurstLimit', 1],
    ['throttleBurstLimit', 5_000],
    ['reservedConcurrency', 1],
    ['reservedConcurrency', 900],
    ['logRetentionDays', 3653],
  ])('accepts %s at its bound %d', (key, value) => {
    expect(parse({ [key]: String(value) })).toMatchObject({ [key]: value });
  });

  it.each(['', 'none'])('leaves reserved concurrency unset for %j', (value) => {
    expect(parse({ reservedConcurrency: value }).reservedConcurrency).toBeUndefined();
  });

  it('normalises expiresAt to UTC ISO-8601 with milliseconds', () => {
    expect(parse({ expiresAt: '2030-01-31T12:00:00+01:00' }).expiresAt).toBe('2030-01-31T11:00:00.000Z');
    expect(parse({ expiresAt: '2030-01-31T12:00Z' }).expiresAt).toBe('2030-01-31T12:00:00.000Z');
  });

  it('takes the creator from USER, made safe for a tag value, else "unknown"', () => {
    expect(parseStackConfig({}, { now: NOW, env: { USER: 'CORP\\bob' } }).creator).toBe('CORP-bob');
    expect(parseStackConfig({}, { now: NOW, env: {} }).creator).toBe('unknown');
    expect(parseStackConfig({}, { now: NOW, env: { USER: '' } }).creator).toBe('unknown');
  });

  it.each([
    // [key, bad value, what the message must say is allowed]
    ['runId', 'Bad_Id', 'lowercase letters, digits and single hyphens'],
    ['runId', '', 'run id is empty'],
    ['runId', 'a'.repeat(33), 'maximum is 32'],
    ['stage', 'has space', '1 to 128 letters, digits, hyphens or underscores'],
    ['stage', '', '1 to 128 letters, digits, hyphens or underscores'],
    ['memorySizeMb', '64', 'an integer from 128 to 10240'],
    ['memorySizeMb', '10241', 'an integer from 128 to 10240'],
    ['memorySizeMb', '512.5', 'an integer from 128 to 10240'],
    ['memorySizeMb', '1 ', 'an integer from 128 to 10240'],
    ['memorySizeMb', '', 'an integer from 128 to 10240'],
    ['memorySizeMb', 'lots', 'an integer from 128 to 10240'],
    ['timeoutSeconds', '0', 'an integer from 1 to 900'],
    ['timeoutSeconds', '901', 'an integer from 1 to 900'],
    ['timeoutSeconds', '-1', 'an integer from 1 to 900'],
    ['throttleRateLimit', '0', 'requests per second from 1 to 10000'],
    ['throttleRateLimit', '10001', 'requests per second from 1 to 10000'],
    ['throttleRateLimit', '1e3', 'requests per second from 1 to 10000'],
    ['throttleBurstLimit', '0', 'an integer from 1 to 5000'],
    ['throttleBurstLimit', '5001', 'an integer from 1 to 5000'],
    ['throttleBurstLimit', '1.5', 'an integer from 1 to 5000'],
    ['reservedConcurrency', '0', 'an integer from 1 to 900'],
    ['reservedConcurrency', '901', 'an integer from 1 to 900'],
    ['logRetentionDays', '2', 'one of 1, 3, 5, 7, 14, 30'],
    ['logRetentionDays', '9999', 'one of 1, 3, 5, 7, 14, 30'],
    ['logLevel', 'verbose', 'one of trace, debug, info, warn, error, fatal, silent'],
    ['expiresAt', 'tomorrow', 'an ISO-8601 time with a zone'],
    ['expiresAt', '2030-01-31', 'an ISO-8601 time with a zone'],
    ['expiresAt', '2030-01-31T12:00:00', 'an ISO-8601 time with a zone'],
    ['expiresAt', '2030-13-45T12:00:00Z', 'an ISO-8601 time with a zone'],
    ['creator', 'a,b', 'letters, digits, spaces or any of _ . : / = + - @'],
    ['creator', 'x'.repeat(257), '1 to 256'],
  ])('rejects %s = %j with a message naming the key, the value and what is allowed', (key, value, allowed) => {
    // Act
    const error = errorOf({ [key]: value });

    // Assess
    expect(error.code).toBe('InvalidStackContext');
    expect(error.key).toBe(key);
    expect(error.value).toBe(value);
    expect(error.message).toContain(`context '${key}' is '${value}'`);
    expect(error.message).toContain(allowed);
    expect(error.message).toContain(`-c ${key}=`);
  });

  it('rejects a number of the wrong kind given as a number, not only as a string', () => {
    expect(errorOf({ memorySizeMb: 100.5 }).message).toContain("context 'memorySizeMb' is '100.5'");
    expect(errorOf({ logLevel: 3 }).message).toContain("context 'logLevel' is '3'");
  });
});

describe('readStackConfig', () => {
  it('reads every setting from the app context', () => {
    // Prepare
    const app = new App({
      context: { runId: 'from-context', stage: 'v1', memorySizeMb: '2048', throttleBurstLimit: '10', creator: 'ci' },
    });

    // Act
    const config = readStackConfig(app, { now: NOW, env: ENV });

    // Assess
    expect(config).toMatchObject({
      runId: 'from-context',
      stage: 'v1',
      memorySizeMb: 2048,
      throttleBurstLimit: 10,
      creator: 'ci',
    });
  });

  it('throws for a bad context value on the app', () => {
    const app = new App({ context: { timeoutSeconds: '1000' } });
    expect(() => readStackConfig(app)).toThrow(/context 'timeoutSeconds' is '1000': give an integer from 1 to 900/);
  });
});
