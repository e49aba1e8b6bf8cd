import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../harness/errors.js';
import { type BenchArgs, DEFAULTS, generateRunId, parseBenchOptions } from '../../../harness/options.js';

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
      load: {
        mode: 'open',
        rateRps: DEFAULTS.rateRps,
        durationSeconds: 20,
        warmupSeconds: 2,
        connections: 10,
        requestTimeoutMs: 30_000,
      },
    });
    expect(options.slos.map((s) => s.metric)).toEqual(['warm.p50', 'warm.p99', 'errors', 'coverage']);
    expect(options.stackContext).toEqual({
      runId: 'demo',
      expiresAt: '2030-06-01T14:00:00.000Z',
      creator: 'ada lovelace',
    });
  });

  it('waits 5 minutes for logs on AWS and takes the region from the environment', () => {
    expect(parse({ runId: 'demo', target: 'aws' })).toMatchObject({ logsTimeoutMs: 300_000, region: 'eu-west-1' });
    expect(parse({ runId: 'demo', target: 'aws', region: 'us-west-2' }).region).toBe('us-west-2');
  });

  it('sends the load to --api-url when given, normalised to end in a slash, and to the stack otherwise', () => {
    expect(parse({ runId: 'demo' }).apiUrl).toBeUndefined();
    expect(parse({ runId: 'demo', apiUrl: 'https://api.example.com/bench' }).apiUrl).toBe(
      'https://api.example.com/bench/',
    );
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

  it('resolves context as cdk synth does: -c over cdk.json, the run on top, each key with its source', () => {
    // Prepare: what readContextFiles found in cdk.json.
    const files = [{ source: 'cdk.json' as const, values: { memorySizeMb: 128, logLevel: 'warn' } }];
    // Act
    const fromFile = parseBenchOptions({ runId: 'ctx' }, { ...context, contextFiles: files });
    const overridden = parseBenchOptions(
      { runId: 'ctx', context: ['memorySizeMb=256', 'reservedConcurrency=5'] },
      { ...context, contextFiles: files },
    );
    // Assess
    expect(fromFile.stackContext).toMatchObject({ memorySizeMb: 128, logLevel: 'warn', runId: 'ctx' });
    expect(fromFile.contextSources).toMatchObject({ memorySizeMb: 'cdk.json', runId: 'run' });
    expect(overridden.stackContext).toMatchObject({ memorySizeMb: '256', reservedConcurrency: '5', logLevel: 'warn' });
    expect(overridden.contextSources).toMatchObject({
      memorySizeMb: '-c',
      reservedConcurrency: '-c',
      logLevel: 'cdk.json',
    });
    // --memory is the run's own key: it goes over cdk.json.
    const memory = parseBenchOptions({ runId: 'ctx', memory: 1024 }, { ...context, contextFiles: files });
    expect(memory.stackContext.memorySizeMb).toBe('1024');
    expect(memory.contextSources.memorySizeMb).toBe('run');
  });

  it.each<[BenchArgs, string, RegExp]>([
    [{ context: ['memorySizeMb=64'] }, 'InvalidStackContext', /^context 'memorySizeMb' is '64': .*; it came from -c$/],
    [{ context: 'memorySizeMb' }, 'InvalidContextFlag', /^-c 'memorySizeMb' is not key=value/],
    [{ context: ['runId=x'] }, 'ContextKeyReserved', /set it with --run-id/],
    [{ memory: 512, context: ['memorySizeMb=256'] }, 'ConflictingFlags', /--memory sets it too: give one of them$/],
    [{ rate: 200, context: ['throttleRateLimit=50'] }, 'ConflictingFlags', /the run sizes the stage throttle/],
  ])('refuses the context %j before anything is deployed', (args, code, message) => {
    const error = usageError({ runId: 'ctx', ...args });
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('takes --max-environments for the local target only', () => {
    expect(parse({ runId: 'x', maxEnvironments: '25' }).local.maxEnvironments).toBe(25);
    expect(parse({ runId: 'x' }).local.maxEnvironments).toBeUndefined();
    expect(usageError({ runId: 'x', maxEnvironments: '0' }).code).toBe('OutOfRange');
    expect(usageError({ runId: 'x', target: 'aws', maxEnvironments: '5' }).message).toBe(
      '--max-environments configures the local emulator only: drop it or use --target local',
    );
  });

  it('raises the stage throttle for rates the default (100 req/s) would reject', () => {
    expect(parse({ runId: 'x', rate: 200 }).stackContext).toMatchObject({
      throttleRateLimit: '300',
      throttleBurstLimit: '600',
    });
    expect(parse({ runId: 'x', rate: 60 }).stackContext.throttleRateLimit).toBeUndefined();
  });

  it.each<[BenchArgs, string, RegExp]>([
    [{ runId: 'Bad_Id' }, 'RunIdInvalid', /--run-id: run id 'Bad_Id' may hold only lowercase/],
    [{ rate: 0 }, 'OutOfRange', /--rate '0' is out of range: give a number from 0.1 to 20000/],
    [{ duration: -1 }, 'OutOfRange', /--duration '-1'/],
    [{ connections: 1.5 }, 'OutOfRange', /--connections '1.5' must be a whole number/],
    [{ ttl: 'forever' }, 'InvalidDuration', /--ttl 'forever' is not a duration/],
    [{ ttl: '10s' }, 'OutOfRange', /--ttl '10s' is out of range: give a duration from 1m to 7d/],
    [{ ttl: '5s' }, 'OutOfRange', /^--ttl '5s' is out of range/],
    [{ rate: 'abc' }, 'InvalidNumber', /^--rate 'abc' is not a number: give digits, e.g. --rate 50$/],
    [{ rate: '0' }, 'OutOfRange', /^--rate '0' is out of range/],
    [{ duration: '10s' }, 'InvalidNumber', /^--duration '10s' is not a number/],
    [{ connections: '1.5' }, 'OutOfRange', /^--connections '1.5' must be a whole number$/],
    [{ port: 'http' }, 'InvalidNumber', /^--port 'http' is not a number: give digits, e.g. --port 3000$/],
    [{ memory: '' }, 'InvalidNumber', /^--memory '' is not a number/],
    [{ rate: ['5', '10'] }, 'RepeatedFlag', /^--rate is given 2 times \('5', '10'\): give it once$/],
    [
      { mix: 'int=abc' },
      'InvalidMix',
      /^--mix 'int=abc': weight 'abc' of 'int' is not a whole number from 1 to 1000: write e.g. int=3$/,
    ],
    [{ mix: 'int=3,uuid-v7=0' }, 'InvalidMix', /weight '0' of 'uuid-v7'/],
    [{ mix: 'int=2=3' }, 'InvalidMix', /weight '2=3' of 'int'/],
    [{ defaultSlos: false }, 'NoSlos', /--no-default-slos leaves nothing to judge: add at least one --slo/],
    [{ logsTimeout: '0s' }, 'InvalidDuration', /must be longer than zero/],
    [{ target: 'gcp' }, 'InvalidChoice', /--target 'gcp' is not one of: local, aws/],
    [{ mode: 'closed' }, 'InvalidChoice', /--mode 'closed'/],
    [{ slo: ['p97<=1ms'] }, 'UnknownSloMetric', /unknown metric 'p97': valid metrics are/],
    [{ mix: 'int,bogus' }, 'UnknownMixEntry', /unknown request 'bogus'/],
    [{ region: 'eu-west-1' }, 'ConflictingFlags', /--region 'eu-west-1' applies to --target aws only/],
    [{ target: 'aws', logDir: '/tmp/x' }, 'ConflictingFlags', /--log-dir configures the local emulator only/],
    [{ target: 'aws', port: 8080 }, 'ConflictingFlags', /--port configures the local emulator only/],
    [
      { keep: true },
      'ConflictingFlags',
      /--keep leaves an AWS stack deployed, but the local emulator lives in this process/,
    ],
    [{ mode: 'peak', rate: 10 }, 'ConflictingFlags', /--mode peak sends as fast as it can/],
    [
      { mode: 'peak', slo: ['errors<=1%', 'p99<=5ms'] },
      'ConflictingFlags',
      /'p99<=5ms' judges latency, but --mode peak/,
    ],
  ])('rejects %j with %s', (args, code, message) => {
    const error = usageError(args);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('accepts peak mode with the default SLOs (latency ones are reported, not judged)', () => {
    expect(parse({ runId: 'p', mode: 'peak' }).load.mode).toBe('peak');
  });

  it('reads numbers typed on the command line as text, and numbers from a config file as numbers', () => {
    // Act
    const typed = parse({
      runId: 'n',
      rate: ' 12.5 ',
      duration: '3',
      warmup: '0',
      connections: '4',
      sample: '100',
      port: '8080',
    });
    const fromConfig = parse({ runId: 'n', rate: 12.5, duration: 3 });

    // Assess
    expect(typed.load).toMatchObject({ rateRps: 12.5, durationSeconds: 3, warmupSeconds: 0, connections: 4 });
    expect(typed).toMatchObject({ sample: 100, local: { port: 8080 } });
    expect(fromConfig.load).toMatchObject({ rateRps: 12.5, durationSeconds: 3 });
  });
});

describe('SLOs from --slo and the defaults', () => {
  const texts = (args: BenchArgs) => parse({ runId: 's', ...args }).slos.map((slo) => slo.text);

  it('keeps the defaults and replaces the one on the same metric in place', () => {
    // Act
    const options = parse({ runId: 's', slo: ['p99<=80ms'] });

    // Assess: errors and coverage are still judged
    expect(options.slos.map((slo) => slo.text)).toEqual(['p50<=50ms', 'p99<=80ms', 'errors<=0.1%', 'coverage>=100%']);
    expect(options.sloSource).toBe('defaults+flags');
  });

  it('adds an SLO on a metric no default judges after the defaults', () => {
    expect(texts({ slo: ['lambda.p99<=20ms', 'errors<=0%'] })).toEqual([
      'p50<=50ms',
      'p99<=100ms',
      'errors<=0%',
      'coverage>=100%',
      'lambda.p99<=20ms',
    ]);
  });

  it('judges only the --slo given with --no-default-slos, and says the SLOs came from flags', () => {
    // Act
    const options = parse({ runId: 's', slo: ['p99<=80ms'], defaultSlos: false });

    // Assess
    expect(options.slos.map((slo) => slo.text)).toEqual(['p99<=80ms']);
    expect(options.sloSource).toBe('flags');
  });

  it('says the SLOs came from flags when every default was replaced, and from the defaults without --slo', () => {
    expect(parse({ runId: 's', slo: ['coverage>=99%', 'errors<=1%', 'p99<=1s', 'p50<=1s'] }).sloSource).toBe('flags');
    expect(parse({ runId: 's' }).sloSource).toBe('defaults');
  });

  it('keeps two --slo on the same metric together where the default was', () => {
    expect(texts({ slo: ['p99>=1ms', 'p99<=80ms'] })).toEqual([
      'p50<=50ms',
      'p99>=1ms',
      'p99<=80ms',
      'errors<=0.1%',
      'coverage>=100%',
    ]);
  });

  it('lets peak mode keep the default latency SLOs (not judged) next to a non-latency --slo', () => {
    expect(texts({ mode: 'peak', slo: ['errors<=1%'] })).toEqual([
      'p50<=50ms',
      'p99<=100ms',
      'errors<=1%',
      'coverage>=100%',
    ]);
  });
});
