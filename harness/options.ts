/**
 * What one `bench` run is asked to do: the flag table (types, defaults, one sentence each), and the pure
 * validation that turns parsed flags into {@link RunOptions}. Every check happens here, before anything is
 * deployed, so a typo costs a second and not a stack.
 */
import { randomBytes } from 'node:crypto';
import { runIdProblem, stackName } from '../stack/names.js';
import { parseSlo, type Slo, sloUsesLatency } from './check/slo.js';
import { type DurationRange, parseDurationMs } from './duration.js';
import { UsageError } from './errors.js';
import { DEFAULT_MIX_NAME, type MixEntry, resolveMix } from './load/mix.js';
import {
  type ContextLayer,
  type ContextSource,
  checkStackContext,
  mergeContext,
  parseContextFlags,
} from './target/cdk-context.js';
import type { TargetKind } from './target/target.js';

/** `open`: constant arrival rate, latency from each request's due time. `peak`: autocannon closed loop. */
export type LoadMode = 'open' | 'peak';

/** How the load phase runs. */
export interface LoadOptions {
  readonly mode: LoadMode;
  /** Target arrival rate of the open model, requests per second. @default 20 */
  readonly rateRps: number;
  /** Length of the measured phase. @default 20 */
  readonly durationSeconds: number;
  /** Length of the warm-up phase before it (reported, not gated). @default 2 */
  readonly warmupSeconds: number;
  /** Keep-alive connections in the pool; requests queue when all are busy. @default 10 */
  readonly connections: number;
  /** Requests as data, sent in proportion to their weights. @default the `default` mix */
  readonly mix: readonly MixEntry[];
  /** A request without a complete response after this long is an error of kind `timeout`. @default 30000 */
  readonly requestTimeoutMs: number;
}

/** See {@link RunOptions.sloSource}. */
export type SloSource = 'defaults' | 'flags' | 'defaults+flags';

/** Everything `run()` needs, validated. */
export interface RunOptions {
  readonly target: TargetKind;
  readonly runId: string;
  /** `rda-<runId>`. */
  readonly stackName: string;
  /** ISO time after which `sweep` may delete the stack (`--ttl` from the start). */
  readonly expiresAt: string;
  readonly creator: string;
  /** AWS region, for `--target aws` only. @default AWS_REGION, else AWS_DEFAULT_REGION (the AWS target checks it) */
  readonly region: string | undefined;
  /** Function memory as CDK context; the stack's default when undefined. */
  readonly memorySizeMb: number | undefined;
  readonly load: LoadOptions;
  readonly slos: readonly Slo[];
  /**
   * Where the SLOs came from, for the report: `defaults` (no --slo), `flags` (every SLO from --slo, because
   * of --no-default-slos or because each default's metric was given), `defaults+flags` (the defaults, with
   * --slo replacing the default on the same metric and adding the others).
   */
  readonly sloSource: SloSource;
  /** Correlate this many requests (evenly spaced); all when undefined. */
  readonly sample: number | undefined;
  /** Give up polling the logs for missing ids after this long. @default 30 s local, 5 min aws */
  readonly logsTimeoutMs: number;
  readonly reportDir: string;
  /** Skip destroy (warned in the output and the report). @default false */
  readonly keep: boolean;
  /** Send the load here instead of the deployment's `baseUrl` (a custom domain in front of the stage). */
  readonly apiUrl: string | undefined;
  /** Emulator knobs for `--target local`. */
  readonly local: LocalKnobs;
  /**
   * CDK context handed to `target.deploy()`, resolved as `cdk synth` would (`-c` over `cdk.json` over
   * `cdk.context.json` over `~/.cdk.json`) with the run's own keys on top (tags, memory, throttling sized for the rate).
   */
  readonly stackContext: Readonly<Record<string, unknown>>;
  /** Where each key of `stackContext` came from, for the report's settings table. */
  readonly contextSources: Readonly<Record<string, ContextSource>>;
}

/** Options only the local emulator reads. */
export interface LocalKnobs {
  /** Log store folder; a temporary one when undefined. */
  readonly logDir: string | undefined;
  /** Keep the log store after destroy. @default false */
  readonly keepLogs: boolean;
  /** Emulator port. @default 0 (any free port) */
  readonly port: number;
  /** Execution environments alive at once on this machine; invocations beyond wait (and the report says so). @default 10 */
  readonly maxEnvironments: number | undefined;
}

/** Defaults in one table, as autocannon keeps them; the flag help prints them from here. */
export const DEFAULTS = {
  target: 'local' as TargetKind,
  ttl: '2h',
  rateRps: 20,
  durationSeconds: 20,
  // Warm-up has to outlast the first burst of cold starts and the queue they build: Init Duration is
  // 0.13–0.35 s on AWS (docs/measurement.md#reference-figures) but 0.45–0.7 s in the local emulator on a busy 2-core machine,
  // where a 1 s warm-up left the first 0.3 s of measurement queued behind them (p99 246 ms vs 28 ms).
  warmupSeconds: 2,
  connections: 10,
  mode: 'open' as LoadMode,
  mix: DEFAULT_MIX_NAME,
  reportDir: 'reports',
  logsTimeoutLocal: '30s',
  logsTimeoutAws: '5m',
  requestTimeout: '30s',
  port: 0,
  /** The 50–100 ms target of the issue: warm p50 ≤ 50 ms, warm p99 ≤ 100 ms, errors ≤ 0.1 %, coverage 100 %. */
  slos: ['p50<=50ms', 'p99<=100ms', 'errors<=0.1%', 'coverage>=100%'],
} as const;

/** Bounds of the duration flags of `bench` (and `deploy`'s `--ttl`); out of range is a UsageError `OutOfRange`. */
export const DURATION_LIMITS = {
  // At least a minute (the sweeper runs on a schedule), at most a week (forgotten stacks cost money).
  ttl: { minMs: 60_000, maxMs: 7 * 86_400_000, example: '2h' },
  // Polling the logs for stragglers: a second is the shortest poll that can see anything (CloudWatch delivers
  // in seconds); an hour is far past any delivery delay, and a run should not wait longer for its verdict.
  logsTimeout: { minMs: 1_000, maxMs: 3_600_000, example: '5m' },
  // A timer resolution of 1 ms; 15 min is Lambda's longest timeout (API Gateway gives up at 29 s by default).
  requestTimeout: { minMs: 1, maxMs: 900_000, example: '10s' },
} as const satisfies Record<string, DurationRange>;

/** Bounds that keep a run on a laptop sane; each is checked with a message naming the flag. */
const LIMITS = {
  rateRps: { min: 0.1, max: 20_000 },
  durationSeconds: { min: 1, max: 3_600 },
  warmupSeconds: { min: 0, max: 600 },
  connections: { min: 1, max: 1_024 },
  memorySizeMb: { min: 128, max: 10_240 },
  port: { min: 0, max: 65_535 },
  // Each environment is a node process of ~40 MB; 1,000 is Lambda's default account concurrency.
  maxEnvironments: { min: 1, max: 1_000 },
};

// The stack's stage throttle defaults to 100 rps / burst 200 (stack/config.ts); a run asking for more
// would measure API Gateway's 429s instead of the function, so the throttle is raised to 1.5 x the rate.
const STAGE_THROTTLE_DEFAULT_RPS = 100;
const THROTTLE_HEADROOM = 1.5;

/**
 * A numeric flag as given: text from the command line (declared as a string so `--rate abc` reaches us as
 * `abc`, not as yargs' NaN, and the message can quote it), or a number from a `--config` file or a test.
 */
export type NumberFlag = number | string | readonly (number | string)[];

/** The flags as yargs parsed them (kebab-case keys as well as camelCase; only camelCase is read). */
export interface BenchArgs {
  readonly target?: string;
  readonly runId?: string;
  readonly ttl?: string;
  readonly rate?: NumberFlag;
  readonly duration?: NumberFlag;
  readonly warmup?: NumberFlag;
  readonly connections?: NumberFlag;
  readonly mode?: string;
  readonly mix?: string;
  readonly slo?: readonly string[] | string;
  /** False (`--no-default-slos`) judges only the --slo given. @default true */
  readonly defaultSlos?: boolean;
  readonly sample?: NumberFlag;
  readonly logsTimeout?: string;
  readonly requestTimeout?: string;
  readonly reportDir?: string;
  /** Opens the HTML report when done; the bench command's concern, not the run's. */
  readonly open?: boolean;
  readonly keep?: boolean;
  readonly region?: string;
  readonly apiUrl?: string;
  readonly memory?: NumberFlag;
  readonly logDir?: string;
  readonly keepLogs?: boolean;
  readonly port?: NumberFlag;
  /** `-c key=value` / `--context key=value`, repeatable: CDK context, as `cdk synth -c` takes it. */
  readonly context?: readonly string[] | string;
  readonly maxEnvironments?: NumberFlag;
}

/** The clock, environment and mix files, injectable so parsing stays pure in tests. */
export interface ParseContext {
  readonly now: Date;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a `--mix file.json`; throws on a missing file. */
  readonly readFile?: (path: string) => string;
  /** Random bytes for a generated run id. @default node:crypto */
  readonly randomBytes?: (size: number) => Uint8Array;
  /** The context files the CDK CLI would read (`readContextFiles` of target/cdk-context.ts). @default none */
  readonly contextFiles?: readonly ContextLayer[];
}

/** Validates parsed flags into {@link RunOptions}; throws {@link UsageError} naming the flag and the fix. */
export function parseBenchOptions(args: BenchArgs, context: ParseContext): RunOptions {
  const target = oneOf('--target', args.target ?? DEFAULTS.target, ['local', 'aws'] as const);
  const mode = oneOf('--mode', args.mode ?? DEFAULTS.mode, ['open', 'peak'] as const);
  checkConflicts(args, target, mode);

  const runId = args.runId ?? generateRunId(context.randomBytes);
  const problem = runIdProblem(runId);
  if (problem !== null) throw new UsageError('RunIdInvalid', `--run-id: ${problem}`);

  const ttlMs = parseTtlMs(args.ttl ?? DEFAULTS.ttl);
  const rateRps = within('--rate', args.rate, DEFAULTS.rateRps, LIMITS.rateRps);
  const durationSeconds = within('--duration', args.duration, DEFAULTS.durationSeconds, LIMITS.durationSeconds);
  const warmupSeconds = within('--warmup', args.warmup, DEFAULTS.warmupSeconds, LIMITS.warmupSeconds);
  const connections = integer('--connections', args.connections, DEFAULTS.connections, LIMITS.connections);
  const memorySizeMb = args.memory === undefined ? undefined : integer('--memory', args.memory, 0, LIMITS.memorySizeMb);
  const port = integer('--port', args.port, DEFAULTS.port, LIMITS.port);
  const maxEnvironments =
    args.maxEnvironments === undefined
      ? undefined
      : integer('--max-environments', args.maxEnvironments, 0, LIMITS.maxEnvironments);
  const sample =
    args.sample === undefined ? undefined : integer('--sample', args.sample, 0, { min: 1, max: 10_000_000 });
  const logsTimeoutMs = parseDurationMs(
    '--logs-timeout',
    args.logsTimeout ?? (target === 'aws' ? DEFAULTS.logsTimeoutAws : DEFAULTS.logsTimeoutLocal),
    DURATION_LIMITS.logsTimeout,
  );
  const requestTimeoutMs = parseDurationMs(
    '--request-timeout',
    args.requestTimeout ?? DEFAULTS.requestTimeout,
    DURATION_LIMITS.requestTimeout,
  );

  const { slos, sloSource, flagSlos } = resolveSlos(toList(args.slo), args.defaultSlos ?? true);
  const latencyFlag = flagSlos.find(sloUsesLatency);
  if (mode === 'peak' && latencyFlag !== undefined) {
    throw new UsageError(
      'ConflictingFlags',
      `--slo '${latencyFlag.text}' judges latency, but --mode peak measures ` +
        'closed-loop service times that cannot prove a latency SLO: use --mode open for latency SLOs',
    );
  }

  checkMixWeights(args.mix ?? DEFAULTS.mix);
  const mix = resolveMix(args.mix ?? DEFAULTS.mix, context.readFile);
  const creator = creatorFrom(context.env);
  const expiresAt = new Date(context.now.getTime() + ttlMs).toISOString();
  const apiUrl = args.apiUrl === undefined ? undefined : parseApiUrl(args.apiUrl);
  const region =
    target === 'aws' ? (args.region ?? context.env.AWS_REGION ?? context.env.AWS_DEFAULT_REGION) : undefined;

  return {
    target,
    runId,
    stackName: stackName(runId),
    expiresAt,
    creator,
    region,
    memorySizeMb,
    load: { mode, rateRps, durationSeconds, warmupSeconds, connections, mix, requestTimeoutMs },
    slos,
    sloSource,
    sample,
    logsTimeoutMs,
    reportDir: args.reportDir ?? DEFAULTS.reportDir,
    keep: args.keep ?? false,
    apiUrl,
    local: { logDir: args.logDir, keepLogs: args.keepLogs ?? false, port, maxEnvironments },
    ...resolveStackContext(
      toList(args.context),
      stackContextFor({ runId, expiresAt, creator, memorySizeMb, rateRps, mode }),
      context,
    ),
  };
}

/**
 * The context the stack is synthesized with: the context files, then `-c`, then the run's own keys. A `-c` the
 * run would override (`--memory`, the throttle sized for `--rate`) is refused, and the stack's keys are
 * checked now, so a bad value costs a second and not a deploy.
 */
function resolveStackContext(
  flags: readonly string[],
  runContext: Readonly<Record<string, string>>,
  context: ParseContext,
): Pick<RunOptions, 'stackContext' | 'contextSources'> {
  const cli = parseContextFlags(flags);
  for (const key of Object.keys(cli)) {
    if (runContext[key] === undefined) continue;
    const why =
      key === 'memorySizeMb'
        ? '--memory sets it too: give one of them'
        : 'the run sizes the stage throttle for --rate/--mode: lower --rate or drop the -c';
    throw new UsageError('ConflictingFlags', `-c ${key}=${cli[key]} conflicts with the run's own ${key}: ${why}`);
  }
  const resolved = mergeContext([
    ...(context.contextFiles ?? []),
    { source: '-c', values: cli },
    { source: 'run', values: runContext },
  ]);
  checkStackContext(resolved, { now: context.now });
  return { stackContext: resolved.values, contextSources: resolved.sources };
}

/** `--api-url`: an absolute http(s) URL, normalised to end in `/` like a stage's invoke URL. */
function parseApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      'InvalidApiUrl',
      `--api-url '${text}' is not an absolute URL: give e.g. https://api.example.com/bench/`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError('InvalidApiUrl', `--api-url '${text}' must use http or https`);
  }
  if (url.search || url.hash) {
    throw new UsageError(
      'InvalidApiUrl',
      `--api-url '${text}' must not carry a query or fragment: give the base path only`,
    );
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** Flags that contradict each other or the target; checked before anything is deployed. */
function checkConflicts(args: BenchArgs, target: TargetKind, mode: LoadMode): void {
  const conflict = (message: string) => new UsageError('ConflictingFlags', message);
  if (target === 'local' && args.region !== undefined) {
    throw conflict(`--region '${args.region}' applies to --target aws only: drop it or add --target aws`);
  }
  if (target === 'local' && args.keep) {
    throw conflict(
      '--keep leaves an AWS stack deployed, but the local emulator lives in this process and ends with it: ' +
        'use --keep-logs to keep its log store, or add --target aws',
    );
  }
  if (target === 'aws') {
    for (const [flag, value] of [
      ['--log-dir', args.logDir],
      ['--keep-logs', args.keepLogs],
      ['--port', args.port],
      ['--max-environments', args.maxEnvironments],
    ] as const) {
      if (value !== undefined && value !== false) {
        throw conflict(`${flag} configures the local emulator only: drop it or use --target local`);
      }
    }
  }
  if (mode === 'peak' && args.rate !== undefined) {
    throw conflict('--rate sets the open-model arrival rate; --mode peak sends as fast as it can: drop one of them');
  }
}

/** CDK context for the stack (keys of stack/config.ts). */
function stackContextFor(run: {
  runId: string;
  expiresAt: string;
  creator: string;
  memorySizeMb: number | undefined;
  rateRps: number;
  mode: LoadMode;
}): Record<string, string> {
  const context: Record<string, string> = { runId: run.runId, expiresAt: run.expiresAt, creator: run.creator };
  if (run.memorySizeMb !== undefined) context.memorySizeMb = String(run.memorySizeMb);
  const neededRps = Math.ceil(run.rateRps * THROTTLE_HEADROOM);
  if (run.mode === 'open' && neededRps > STAGE_THROTTLE_DEFAULT_RPS) {
    context.throttleRateLimit = String(Math.min(10_000, neededRps));
    context.throttleBurstLimit = String(Math.min(5_000, neededRps * 2));
  }
  // A peak probe has no rate to size for: lift the stage throttle to the caps above (AWS's default account
  // limits), so the probe measures the function and not the throttle; 429s are still reported apart.
  if (run.mode === 'peak') {
    context.throttleRateLimit = '10000';
    context.throttleBurstLimit = '5000';
  }
  return context;
}

/** A short lowercase run id such as `k3x9qa2f`: 40 random bits, base-36. */
export function generateRunId(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = random(5);
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  // Start with a letter so the id never reads as a number in a tag or a file name.
  return `r${value.toString(36).padStart(8, '0')}`;
}

/** Who started the run, as a tag value: GitHub's actor in CI, else `$USER`. */
function creatorFrom(env: Readonly<Record<string, string | undefined>>): string {
  const raw = env.GITHUB_ACTOR ?? env.USER ?? 'unknown';
  const cleaned = raw.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '-').slice(0, 256);
  return cleaned.length > 0 ? cleaned : 'unknown';
}

/** `--ttl` of `bench` and `deploy`: a duration from 1m to 7d, quoted as typed (`5s`) when out of range. */
export function parseTtlMs(text: string): number {
  return parseDurationMs('--ttl', text, DURATION_LIMITS.ttl);
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError('InvalidChoice', `${flag} '${value}' is not one of: ${allowed.join(', ')}`);
  }
  return value as T;
}

/** What a message suggests instead of a flag value that is not a number. */
const NUMBER_EXAMPLES: Record<string, string> = {
  '--rate': '50',
  '--duration': '60',
  '--warmup': '2',
  '--connections': '10',
  '--memory': '1024',
  '--port': '3000',
  '--max-environments': '20',
  '--sample': '1000',
};

/**
 * A numeric flag: a number as is, or strict decimal text (`50`, `0.5`, `-1`); throws a UsageError that quotes
 * the text as typed. `fallback` applies when the flag is absent.
 */
function numberFlag(flag: string, value: NumberFlag | undefined, fallback: number): { value: number; text: string } {
  if (value === undefined) return { value: fallback, text: String(fallback) };
  if (Array.isArray(value)) {
    throw new UsageError(
      'RepeatedFlag',
      `${flag} is given ${value.length} times ('${value.join("', '")}'): give it once`,
    );
  }
  if (typeof value === 'number') return { value, text: String(value) };
  const text = String(value);
  if (!/^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(text)) {
    throw new UsageError(
      'InvalidNumber',
      `${flag} '${text}' is not a number: give digits, e.g. ${flag} ${NUMBER_EXAMPLES[flag] ?? fallback}`,
    );
  }
  return { value: Number(text), text: text.trim() };
}

function within(
  flag: string,
  raw: NumberFlag | undefined,
  fallback: number,
  range: { min: number; max: number },
): number {
  const { value, text } = numberFlag(flag, raw, fallback);
  if (!Number.isFinite(value) || value < range.min || value > range.max) {
    throw new UsageError(
      'OutOfRange',
      `${flag} '${text}' is out of range: give a number from ${range.min} to ${range.max}`,
    );
  }
  return value;
}

function integer(
  flag: string,
  raw: NumberFlag | undefined,
  fallback: number,
  range: { min: number; max: number },
): number {
  const value = within(flag, raw, fallback, range);
  if (!Number.isInteger(value)) {
    throw new UsageError('OutOfRange', `${flag} '${numberFlag(flag, raw, fallback).text}' must be a whole number`);
  }
  return value;
}

/**
 * The SLOs to judge. The defaults stay unless `--no-default-slos`: a `--slo` on a metric a default judges
 * replaces that default in place (so `--slo 'p99<=80ms'` tightens p99 and keeps the errors and coverage
 * checks), and a `--slo` on any other metric is added after them.
 */
export function resolveSlos(
  texts: readonly string[],
  keepDefaults: boolean,
): { slos: Slo[]; sloSource: SloSource; flagSlos: Slo[] } {
  const flagSlos = texts.map(parseSlo);
  if (!keepDefaults && flagSlos.length === 0) {
    throw new UsageError(
      'NoSlos',
      "--no-default-slos leaves nothing to judge: add at least one --slo, e.g. --slo 'p99<=100ms'",
    );
  }
  if (!keepDefaults) return { slos: flagSlos, sloSource: 'flags', flagSlos };
  const placed = new Set<Slo>();
  const slos: Slo[] = [];
  let defaultsKept = 0;
  for (const fallback of DEFAULTS.slos.map(parseSlo)) {
    const replacing = flagSlos.filter((slo) => slo.metric === fallback.metric);
    if (replacing.length === 0) {
      slos.push(fallback);
      defaultsKept++;
      continue;
    }
    for (const slo of replacing) {
      if (!placed.has(slo)) slos.push(slo);
      placed.add(slo);
    }
  }
  slos.push(...flagSlos.filter((slo) => !placed.has(slo)));
  const sloSource: SloSource = flagSlos.length === 0 ? 'defaults' : defaultsKept === 0 ? 'flags' : 'defaults+flags';
  return { slos, sloSource, flagSlos };
}

/** Mix weights in `--mix int=3,uuid-v7` are checked here so the message quotes the text typed (`int=abc`). */
function checkMixWeights(spec: string): void {
  const text = spec.trim();
  if (text === DEFAULT_MIX_NAME || text.endsWith('.json')) return;
  for (const part of text.split(',')) {
    const [name = '', weight, ...rest] = part.split('=').map((s) => s.trim());
    if (weight === undefined) continue;
    const number = Number(weight);
    if (rest.length > 0 || !/^\d+$/.test(weight) || number < 1 || number > 1000) {
      throw new UsageError(
        'InvalidMix',
        `--mix '${spec}': weight '${part.slice(part.indexOf('=') + 1).trim()}' of '${name}' is not a whole number from 1 to 1000: write e.g. ${name}=3`,
      );
    }
  }
}

function toList(value: readonly string[] | string | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
