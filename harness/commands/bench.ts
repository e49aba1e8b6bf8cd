import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Argv, Options } from 'yargs';
import { validMetricsText } from '../check/slo.js';
import { HarnessError, UsageError } from '../errors.js';
import { DEFAULT_MIX_NAME, MIX_CATALOG } from '../load/mix.js';
import { type BenchArgs, DEFAULTS, parseBenchOptions, type RunOptions } from '../options.js';
import type { RunReport, SloView } from '../report/model.js';
import { openReport } from '../report/open.js';
import { createProgress } from '../report/progress.js';
import { ms, outcomeLine } from '../report/render.js';
import { run } from '../run.js';
import { readContextFiles } from '../target/cdk-context.js';
import type { Target } from '../target/target.js';
import type { Command, CommandContext } from './command.js';

/** The flags of `bench`, each with its type, default and one sentence (defaults come from DEFAULTS). */
export const BENCH_FLAGS = {
  target: {
    type: 'string',
    choices: ['local', 'aws'],
    default: DEFAULTS.target,
    desc: 'where to deploy: the embedded local emulator, or a real AWS account',
  },
  'run-id': {
    type: 'string',
    defaultDescription: 'generated, e.g. r0k3x9qa2',
    desc: 'names the stack rda-<run-id>: 1 to 32 lowercase letters, digits or single hyphens',
  },
  ttl: {
    type: 'string',
    default: DEFAULTS.ttl,
    desc: 'how long the stack may live before `sweep` may delete it (tag rda:expires-at), e.g. 90m or 2h',
  },
  // Numbers are declared as strings and parsed in options.ts, so `--rate abc` is quoted back as typed.
  rate: {
    type: 'string',
    defaultDescription: String(DEFAULTS.rateRps),
    desc: 'open-model arrival rate in requests per second: request i is sent at i/rate whatever came before',
  },
  duration: { type: 'string', default: DEFAULTS.durationSeconds, desc: 'seconds of measured load' },
  warmup: {
    type: 'string',
    default: DEFAULTS.warmupSeconds,
    desc: 'seconds of warm-up load before measuring (reported, not judged)',
  },
  connections: {
    type: 'string',
    default: DEFAULTS.connections,
    desc: 'keep-alive connections; when all are busy requests queue and the wait counts in their latency',
  },
  mode: {
    type: 'string',
    choices: ['open', 'peak'],
    default: DEFAULTS.mode,
    desc: 'open: constant arrival rate, latency from the scheduled send time; peak: autocannon closed loop for peak throughput',
  },
  mix: {
    type: 'string',
    default: DEFAULTS.mix,
    desc:
      `requests to send: "${DEFAULT_MIX_NAME}" (the whole catalog), catalog names with optional whole-number weights 1-1000 ` +
      `(e.g. int=3,post-records), or a .json file holding an array of requests ` +
      `{"name": "kebab-case", "path": "random/int?min=1" (relative to the stage URL), "weight": 1, "method": "GET"|"POST", ` +
      `"body": {...}, "headers": {...}, "expectStatus": 200} (only name and path are required); ` +
      `catalog: ${MIX_CATALOG.map((e) => e.name).join(', ')}`,
  },
  slo: {
    type: 'string',
    array: true,
    defaultDescription: DEFAULTS.slos.map((slo) => `'${slo}'`).join(' '),
    desc:
      `an objective such as 'p99<=100ms', 'errors<=0.1%' or 'coverage>=100%' (repeatable; quote it, as < and > are ` +
      'shell redirections). The defaults stay: a --slo on a metric a default judges replaces that default, one on ' +
      `another metric is added; --no-default-slos judges only yours. Metrics: ${validMetricsText()}`,
  },
  'default-slos': {
    type: 'boolean',
    default: true,
    desc: `judge the default SLOs (${DEFAULTS.slos.join(', ')}) next to any --slo; --no-default-slos judges only the --slo given`,
  },
  sample: {
    type: 'string',
    defaultDescription: 'all requests',
    desc: 'correlate only this many requests with the logs, evenly spaced over the run',
  },
  'logs-timeout': {
    type: 'string',
    defaultDescription: `${DEFAULTS.logsTimeoutLocal} local, ${DEFAULTS.logsTimeoutAws} aws`,
    desc: 'stop polling the logs for missing requests after this long, 1s to 1h, e.g. 30s or 5m',
  },
  'request-timeout': {
    type: 'string',
    default: DEFAULTS.requestTimeout,
    desc: 'a request without a complete response after this long (1ms to 15m, e.g. 10s) counts as a timeout error',
  },
  'report-dir': {
    type: 'string',
    default: DEFAULTS.reportDir,
    desc: 'folder for the .md, .json and .html reports and latest.md/.json/.html',
  },
  open: {
    type: 'boolean',
    default: false,
    desc: "open the HTML report in the desktop's browser when the run is done (says so and does nothing without a display)",
  },
  keep: {
    type: 'boolean',
    default: false,
    desc: 'leave the AWS stack deployed at the end, warned in the output and the report (--target aws only)',
  },
  region: {
    type: 'string',
    defaultDescription: '$AWS_REGION, then $AWS_DEFAULT_REGION',
    desc: 'AWS region (--target aws only)',
  },
  'api-url': {
    type: 'string',
    defaultDescription: "the stack's ApiUrl output",
    desc: 'send the load to this base URL instead, e.g. a custom domain mapped to the stage (logs are still read from the stack)',
  },
  memory: {
    type: 'string',
    defaultDescription: 'the stack default',
    desc: 'function memory in MB (CDK context memorySizeMb)',
  },
  'log-dir': {
    type: 'string',
    defaultDescription: 'a temporary folder',
    desc: 'local emulator log store folder (--target local only)',
  },
  'keep-logs': {
    type: 'boolean',
    defaultDescription: 'false',
    desc: "keep the local emulator's log store after the run (--target local only)",
  },
  port: {
    type: 'string',
    defaultDescription: `${DEFAULTS.port} (any free port)`,
    desc: 'local emulator port on 127.0.0.1 (--target local only)',
  },
  'max-environments': {
    type: 'string',
    defaultDescription: '10',
    desc:
      "execution environments the local emulator runs at once; requests beyond wait for one, and the report says this machine's cap was " +
      "reached (Lambda's own limit, reserved concurrency else 1,000, still answers 500 as on AWS) (--target local only)",
  },
  context: {
    alias: 'c',
    type: 'string',
    array: true,
    defaultDescription: 'none',
    desc:
      'CDK context key=value, repeatable, as `cdk synth -c` takes it: over the context of cdk.json, cdk.context.json and ' +
      '~/.cdk.json, under the keys the run sets itself (e.g. -c memorySizeMb=1024 -c reservedConcurrency=5)',
  },
} as const satisfies Record<string, Options>;

/**
 * Adds the bench flags and `--config FILE` (JSON of the same flags) to a yargs parser. Its own fail handler
 * throws a UsageError (exit 2), so an unknown flag or a bad config file stops the run before it deploys.
 */
export function benchBuilder(y: Argv): Argv {
  return y
    .options(BENCH_FLAGS)
    .config('config', 'JSON file of flag values, e.g. {"rate": 50, "slo": ["p99<=80ms"]}', (file: string) => {
      try {
        return JSON.parse(readFileSync(path.resolve(file), 'utf8')) as object;
      } catch (error) {
        throw new UsageError(
          'InvalidConfig',
          `--config '${file}' could not be read as JSON: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    })
    .strict()
    .fail((message, error) => {
      if (error instanceof HarnessError) throw error;
      throw new UsageError('InvalidArguments', error?.message ?? message, { cause: error });
    });
}

/** Builds the target for a run; the AWS one is imported lazily so a local run never loads the AWS SDK. */
export type TargetFactory = (options: RunOptions, ctx: CommandContext) => Promise<Target>;

const defaultTargetFactory: TargetFactory = async (options, ctx) => {
  if (options.target === 'aws') {
    const { AwsAccount } = await import('../target/aws/index.js');
    // Before run(): no manifest, report or destroy hint for a stack that could never be created.
    return (await AwsAccount.open({ region: options.region, env: ctx.env })).target;
  }
  const { LocalTarget } = await import('../target/local/local-target.js');
  return new LocalTarget({
    logDir: options.local.logDir,
    keepLogs: options.local.keepLogs,
    port: options.local.port,
    maxEnvironments: options.local.maxEnvironments,
  });
};

/**
 * Test hook: `RDA_BENCH_HOLD_PHASE=<phase>[:ms]` holds that phase open at its start (default 20000 ms) so the
 * signal tests can interrupt any phase, including the short ones. A signal ends the hold, except in
 * `destroy`, which no signal interrupts: holding it stands for a slow teardown, such as waiting on AWS.
 */
function holdHook(env: CommandContext['env'], out: (line: string) => void) {
  const spec = env.RDA_BENCH_HOLD_PHASE;
  if (!spec) return undefined;
  const [phase, ms] = spec.split(':');
  const holdMs = Number(ms ?? 20_000);
  return async (name: string, signal: AbortSignal) => {
    if (name !== phase) return;
    if (name === 'destroy') {
      out(`phase ${name}: holding for ${holdMs} ms (RDA_BENCH_HOLD_PHASE)`);
      await sleep(holdMs);
      return;
    }
    if (signal.aborted) return;
    out(`phase ${name}: holding for up to ${holdMs} ms (RDA_BENCH_HOLD_PHASE)`);
    await sleep(holdMs, undefined, { signal }).catch(() => undefined);
  };
}

/** `bench` with a given target factory (tests pass a fake one). */
export function createBenchCommand(createTarget: TargetFactory = defaultTargetFactory): Command<BenchArgs> {
  return {
    builder: benchBuilder,
    async run(args, ctx) {
      const options = parseBenchOptions(args, {
        now: new Date(),
        env: ctx.env,
        readFile: (file) => readFileSync(path.resolve(ctx.cwd, file), 'utf8'),
        // The files `cdk synth` would read when run from here, so bench deploys what `npx cdk deploy` deploys.
        contextFiles: readContextFiles({ projectDir: ctx.cwd, homeDir: ctx.env.HOME }),
      });
      const target = await createTarget(options, ctx);
      try {
        const result = await run(options, {
          target,
          signal: ctx.signal,
          cwd: ctx.cwd,
          setCleanupHint: ctx.setCleanupHint,
          progress: createProgress(ctx),
          env: ctx.env,
          beforePhase: holdHook(ctx.env, ctx.out),
        });
        ctx.out(`verdict: ${outcomeLine(result.outcome, result.exitCode)}`);
        for (const line of verdictDetails(result.report)) ctx.out(`  ${line}`);
        ctx.out(`report: ${result.paths.markdown}`);
        ctx.out(`html report: ${result.paths.html}`);
        if (args.open) ctx.out(await openReport(result.paths.html, { env: ctx.env }));
        return result.exitCode;
      } finally {
        ctx.setCleanupHint(undefined);
      }
    },
  };
}

/**
 * The lines under the verdict that say why it is not a pass: each failed SLO with its measured value and
 * threshold, and for an inconclusive verdict its reasons. Nothing for a pass or an interrupted run.
 *
 * @example
 * verdictDetails(report) // ["SLO 'p99<=100ms' failed: warm.p99 was 143.2 ms, threshold <= 100 ms, missed by 43.2 ms (380 samples)"]
 */
export function verdictDetails(report: Pick<RunReport, 'outcome' | 'slos'>): string[] {
  if (report.outcome.kind !== 'verdict' || report.outcome.verdict === 'pass') return [];
  const failed = report.slos.filter((slo) => slo.status === 'fail').map(failedSloLine);
  if (report.outcome.verdict === 'fail') return failed;
  // Inconclusive: the reasons say what kept the run from a verdict; a failed SLO is still worth seeing.
  return [...report.outcome.reasons, ...failed];
}

function failedSloLine(slo: SloView): string {
  const missedBy = slo.margin === null ? '' : `, missed by ${withUnit(Math.abs(slo.margin), slo.unit)}`;
  return (
    `SLO '${slo.slo}' failed: ${slo.metric} was ${slo.value === null ? 'not measured' : withUnit(slo.value, slo.unit)}, ` +
    `threshold ${slo.comparator} ${withUnit(slo.threshold, slo.unit)}${missedBy} (${slo.n} samples)`
  );
}

function withUnit(value: number, unit: string): string {
  if (unit === 'ms') return `${ms(value)} ms`;
  if (unit === '%') return `${Number(value.toFixed(4))}%`;
  return String(Number(value.toFixed(2)));
}

/** `bench`: deploy, load, check, correlate, report, destroy. */
export const benchCommand: Command<BenchArgs> = createBenchCommand();
