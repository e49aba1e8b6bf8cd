import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../harness/errors.js';
import { type BenchArgs, DEFAULTS, generateRunId, parseBenchOptions, parseDurationMs } from '../../../harness/options.js';

const context = { now: new Date('2030-06-01T12:00:00Z'), env: { USER: 'ada lovelace', AWS_REGION: 'eu-west-1' } };
const parse = (args: BenchArgs) => parseBenchOptions(args, context);

function usageError(args: BenchArgs): UsageError {
  try {
    parse(args);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a usage error');
}

describe('parseBenchOptions', () => {
  it('applies the defaults table: local target, 20 req/s for 20 s, the 50–100 ms SLOs, 30 s logs deadline', () => {
    const options = parse({ runId: 'demo' });
    expect(options).toMatchObject({
      target: 'local',
      runId: 'demo',
      stackName: 'rda-demo',
      expiresAt: '2030-06-01T14:00:00.000Z',
      creator: 'ada lovelace',
      region: undefined,
      logsTimeoutMs: 30_000,
      reportDir: 'reports',
      keep: false,
      sloSource: 'defaults',
      load: { mode: 'open', rateRps: DEFAULTS.rateRps, durationSeconds: 20, warmupSeconds: 2, connections: 10, requestTimeoutMs: 30_000 },
    });
    expect(options.slos.map((s) => s.metric)).toEqual(['warm.p50', 'warm.p99', 'errors', 'coverage']);
    expect(options.stackContext).toEqual({ runId: 'demo', expiresAt: '2030-06-01T14:00:00.000Z', creator: 'ada lovelace' });
  });

  it('waits 5 minutes for logs on AWS and takes the region from the environment', () => {
    expect(parse({ runId: 'demo', target: 'aws' })).toMatchObject({ logsTimeoutMs: 300_000, region: 'eu-west-1' });
    expect(parse({ runId: 'demo', target: 'aws', region: 'us-west-2' }).region).toBe('us-west-2');
  });

  it('sends the load to --api-url when given, normalised to end in a slash, and to the stack otherwise', () => {
    expect(parse({ runId: 'demo' }).apiUrl).toBeUndefined();
    expect(parse({ runId: 'demo', apiUrl: 'https://api.example.com/bench' }).apiUrl).toBe('https://api.example.com/bench/');
    expect(parse({ runId: 'demo', apiUrl: 'http://127.0.0.1:8080/' }).apiUrl).toBe('http://127.0.0.1:8080/');
  });

  it.each([
    ['api.example.com/bench', /not an absolute URL/],
    ['ftp://api.example.com/', /must use http or https/],
    ['https://api.example.com/bench?x=1', /must not carry a query/],
  ])('rejects --api-url %s with a message that says what to give', (apiUrl, message) => {
    const error = usageError({ runId: 'demo', apiUrl });
    expect(error.code).toBe('InvalidApiUrl');
    expect(error.message).toMatch(message);
  });

  it('generates a short lowercase run id when none is given', () => {
    const id = parse({}).runId;
    expect(id).toMatch(/^r[0-9a-z]{8}$/);
    expect(generateRunId(() => new Uint8Array(5))).toBe('r00000000');
  });

  it('raises the stage throttle for rates the default (100 req/s) would reject', () => {
    expect(parse({ runId: 'x', rate: 200 }).stackContext).toMatchObject({ throttleRateLimit: '300', throttleBurstLimit: '600' });
    expect(parse({ runId: 'x', rate: 60 }).stackContext.throttleRateLimit).toBeUndefined();
  });

  it.each<[BenchArgs, string, RegExp]>([
    [{ runId: 'Bad_Id' }, 'InvalidRunId', /--run-id: run id 'Bad_Id' may hold only lowercase/],
    [{ rate: 0 }, 'OutOfRange', /--rate '0' is out of range: give a number from 0.1 to 20000/],
    [{ duration: -1 }, 'OutOfRange', /--duration '-1'/],
    [{ connections: 1.5 }, 'OutOfRange', /--connections '1.5' must be a whole number/],
    [{ ttl: 'forever' }, 'InvalidDuration', /--ttl 'forever' is not a duration/],
    [{ ttl: '10s' }, 'OutOfRange', /--ttl '10000ms' is out of range/],
    [{ logsTimeout: '0s' }, 'InvalidDuration', /must be longer than zero/],
    [{ target: 'gcp' }, 'InvalidChoice', /--target 'gcp' is not one of: local, aws/],
    [{ mode: 'closed' }, 'InvalidChoice', /--mode 'closed'/],
    [{ slo: ['p97<=1ms'] }, 'UnknownSloMetric', /unknown metric 'p97': valid metrics are/],
    [{ mix: 'int,bogus' }, 'UnknownMixEntry', /unknown request 'bogus'/],
    [{ region: 'eu-west-1' }, 'ConflictingFlags', /--region 'eu-west-1' applies to --target aws only/],
    [{ target: 'aws', logDir: '/tmp/x' }, 'ConflictingFlags', /--log-dir configures the local emulator only/],
    [{ target: 'aws', port: 8080 }, 'ConflictingFlags', /--port configures the local emulator only/],
    [{ keep: true }, 'ConflictingFlags', /--keep leaves an AWS stack deployed, but the local emulator lives in this process/],
    [{ mode: 'peak', rate: 10 }, 'ConflictingFlags', /--mode peak sends as fast as it can/],
    [{ mode: 'peak', slo: ['errors<=1%', 'p99<=5ms'] }, 'ConflictingFlags', /'p99<=5ms' judges latency, but --mode peak/],
  ])('rejects %j with %s', (args, code, message) => {
    const error = usageError(args);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('accepts peak mode with the default SLOs (latency ones are reported, not judged)', () => {
    expect(parse({ runId: 'p', mode: 'peak' }).load.mode).toBe('peak');
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1.5h', 5_400_000],
    ['45', 45_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDurationMs('--x', text)).toBe(ms);
  });
});
