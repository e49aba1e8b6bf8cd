/**
 * The stack's settings, read from CDK context (`-c key=value`, `cdk.json`, or `new App({ context })`).
 * Context values from the command line arrive as strings, so every number is parsed here, checked
 * against its range, and a bad value stops synthesis with a message that names the key.
 */
import type { IConstruct } from 'constructs';
import { StackConfigError } from './errors.js';
import { runIdProblem } from './names.js';

export { StackConfigError } from './errors.js';

/** pino's level names; the handler reads the chosen one from `LOG_LEVEL`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The retention periods CloudWatch Logs accepts, in days (never-expire is left out on purpose). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Everything the stack needs to know about one run. */
export interface StackConfig {
  /** @default 'dev' */
  readonly runId: string;
  /** API Gateway stage name, the first path segment of the invoke URL. @default 'bench' */
  readonly stage: string;
  /** @default 512 */
  readonly memorySizeMb: number;
  /** @default 10 (below API Gateway's 29 s integration timeout) */
  readonly timeoutSeconds: number;
  /** Stage-wide steady-state limit, requests per second. @default 100 */
  readonly throttleRateLimit: number;
  /** Stage-wide burst (token bucket size), requests. @default 200 */
  readonly throttleBurstLimit: number;
  /** @default undefined (no reservation: reserving can fail deploys on new accounts) */
  readonly reservedConcurrency: number | undefined;
  /** @default 1 */
  readonly logRetentionDays: number;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /** ISO-8601 UTC time after which a janitor may delete the stack. @default now + 2 h */
  readonly expiresAt: string;
  /** Who started the run. @default `$USER`, else 'unknown' */
  readonly creator: string;
  /**
   * A random value the harness picks for each deploy and tags the stack with, so a deploy that fails can
   * tell its own stack from one another run created under the same name. @default undefined (no tag)
   */
  readonly deployToken?: string;
}

/** The context keys this module reads. */
export const CONTEXT_KEYS = [
  'runId',
  'stage',
  'memorySizeMb',
  'timeoutSeconds',
  'throttleRateLimit',
  'throttleBurstLimit',
  'reservedConcurrency',
  'logRetentionDays',
  'logLevel',
  'expiresAt',
  'creator',
  'deployToken',
] as const satisfies readonly (keyof StackConfig)[];
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** How long a run's stack may live before a janitor removes it (docs/failure-model.md#expiry-tags-and-the-sweep). */
export const DEFAULT_LIFETIME_MS = 2 * 60 * 60 * 1000;

/** Defaults of the settings that do not depend on the clock or the environment. */
export const CONFIG_DEFAULTS = {
  runId: 'dev',
  stage: 'bench',
  memorySizeMb: 512,
  // Well below API Gateway's 29 s integration timeout, so a slow invoke is reported by Lambda
  // (Status: timeout) rather than cut off by API Gateway with a 504.
  timeoutSeconds: 10,
  throttleRateLimit: 100,
  throttleBurstLimit: 200,
  reservedConcurrency: undefined,
  logRetentionDays: 1,
  logLevel: 'info',
} as const satisfies Partial<StackConfig>;

// Bounds, with where they come from.
const MEMORY_MB = { min: 128, max: 10_240 }; // Lambda's memory range
const TIMEOUT_SECONDS = { min: 1, max: 900 }; // Lambda's maximum is 15 minutes
const RATE_RPS = { min: 1, max: 10_000 }; // 10,000 rps is the regional account-level API Gateway limit
const BURST = { min: 1, max: 5_000 }; // 5,000 is the account-level API Gateway burst
// At most (account limit − 100) can be reserved; the default account limit is 1,000.
const RESERVED = { min: 1, max: 900 };
const STAGE_PATTERN = /^[A-Za-z0-9_-]{1,128}$/; // API Gateway: letters, digits, '-' and '_', up to 128
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// Characters AWS allows in a tag value, and its 256-character cap.
const TAG_VALUE_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;
const TAG_VALUE_FORBIDDEN = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;
const DEPLOY_TOKEN_PATTERN = /^[A-Za-z0-9]{8,64}$/;

/** Options for {@link parseStackConfig}: the clock and environment, injectable for tests. */
export interface ParseStackConfigOptions {
  /** @default new Date() */
  readonly now?: Date;
  /** Where `USER` is read for the default creator. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Parses and validates the stack settings from a context map; throws {@link StackConfigError}. */
export function parseStackConfig(
  context: Readonly<Record<string, unknown>>,
  options: ParseStackConfigOptions = {},
): StackConfig {
  const now = options.now ?? new Date();
  const env = options.env ?? process.env;
  const given = (key: ContextKey): unknown => {
    const value = context[key];
    return value === undefined || value === null ? undefined : value;
  };

  return {
    runId: parseRunId(given('runId')),
    stage: parseStage(given('stage')),
    memorySizeMb: parseInteger('memorySizeMb', given('memorySizeMb'), CONFIG_DEFAULTS.memorySizeMb, MEMORY_MB),
    timeoutSeconds: parseInteger(
      'timeoutSeconds',
      given('timeoutSeconds'),
      CONFIG_DEFAULTS.timeoutSeconds,
      TIMEOUT_SECONDS,
    ),
    throttleRateLimit: parseRate(given('throttleRateLimit')),
    throttleBurstLimit: parseInteger(
      'throttleBurstLimit',
      given('throttleBurstLimit'),
      CONFIG_DEFAULTS.throttleBurstLimit,
      BURST,
    ),
    reservedConcurrency: parseReservedConcurrency(given('reservedConcurrency')),
    logRetentionDays: parseRetention(given('logRetentionDays')),
    logLevel: parseLogLevel(given('logLevel')),
    expiresAt: parseExpiresAt(given('expiresAt'), now),
    creator: parseCreator(given('creator'), env),
    deployToken: parseDeployToken(given('deployToken')),
  };
}

/** Reads {@link CONTEXT_KEYS} from a construct's context and parses them with {@link parseStackConfig}. */
export function readStackConfig(scope: IConstruct, options: ParseStackConfigOptions = {}): StackConfig {
  const context: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) context[key] = scope.node.tryGetContext(key);
  return parseStackConfig(context, options);
}

function parseRunId(value: unknown): string {
  if (value === undefined) return CONFIG_DEFAULTS.runId;
  if (typeof value !== 'string') {
    throw new StackConfigError('runId', value, 'give 1 to 32 lowercase letters, digits or single hyphens');
  }
  const problem = runIdProblem(value);
  if (problem !== null) throw new StackConfigError('runId', value, problem);
  return value;
}

function parseStage(value: unknown): string {
  if (value === undefined) return CONFIG_DEFAULTS.stage;
  if (typeof value !== 'string' || !STAGE_PATTERN.test(value)) {
    throw new StackConfigError('stage', value, 'give 1 to 128 letters, digits, hyphens or underscores');
  }
  return value;
}

function parseInteger(key: ContextKey, value: unknown, fallback: number, range: { min: number; max: number }): number {
  if (value === undefined) return fallback;
  const allowed = `give an integer from ${range.min} to ${range.max}`;
  const parsed = toNumber(value, /^-?\d+$/);
  if (parsed === undefined || !Number.isInteger(parsed) || parsed < range.min || parsed > range.max) {
    throw new StackConfigError(key, value, allowed);
  }
  return parsed;
}

function parseRate(value: unknown): number {
  if (value === undefined) return CONFIG_DEFAULTS.throttleRateLimit;
  const parsed = toNumber(value, /^-?\d+(\.\d+)?$/);
  if (parsed === undefined || parsed < RATE_RPS.min || parsed > RATE_RPS.max) {
    throw new StackConfigError(
      'throttleRateLimit',
      value,
      `give requests per second from ${RATE_RPS.min} to ${RATE_RPS.max}`,
    );
  }
  return parsed;
}

function parseReservedConcurrency(value: unknown): number | undefined {
  if (value === undefined || value === '' || value === 'none') return undefined;
  return parseInteger('reservedConcurrency', value, 0, RESERVED);
}

function parseRetention(value: unknown): number {
  if (value === undefined) return CONFIG_DEFAULTS.logRetentionDays;
  const parsed = toNumber(value, /^\d+$/);
  if (parsed === undefined || !(LOG_RETENTION_DAYS as readonly number[]).includes(parsed)) {
    throw new StackConfigError('logRetentionDays', value, `give one of ${LOG_RETENTION_DAYS.join(', ')} days`);
  }
  return parsed;
}

function parseLogLevel(value: unknown): LogLevel {
  if (value === undefined) return CONFIG_DEFAULTS.logLevel;
  if (typeof value !== 'string' || !(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new StackConfigError('logLevel', value, `give one of ${LOG_LEVELS.join(', ')}`);
  }
  return value as LogLevel;
}

function parseExpiresAt(value: unknown, now: Date): string {
  if (value === undefined) return new Date(now.getTime() + DEFAULT_LIFETIME_MS).toISOString();
  const allowed = "give an ISO-8601 time with a zone, e.g. '2030-01-31T12:00:00Z'";
  if (typeof value !== 'string' || !ISO_8601.test(value)) throw new StackConfigError('expiresAt', value, allowed);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new StackConfigError('expiresAt', value, allowed);
  return new Date(ms).toISOString();
}

function parseCreator(value: unknown, env: Readonly<Record<string, string | undefined>>): string {
  if (value === undefined) {
    // $USER is not ours to validate: make it a legal tag value instead of failing the run.
    const user = (env.USER ?? '').replace(TAG_VALUE_FORBIDDEN, '-').slice(0, 256);
    return user.length > 0 ? user : 'unknown';
  }
  if (typeof value !== 'string' || !TAG_VALUE_PATTERN.test(value)) {
    throw new StackConfigError(
      'creator',
      value,
      'give 1 to 256 letters, digits, spaces or any of _ . : / = + - @ (it becomes a tag value)',
    );
  }
  return value;
}

function parseDeployToken(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DEPLOY_TOKEN_PATTERN.test(value)) {
    throw new StackConfigError('deployToken', value, 'give 8 to 64 letters or digits (it becomes a tag value)');
  }
  return value;
}

/** A number, or a string that matches `pattern` exactly (no spaces, no empty string); else undefined. */
function toNumber(value: unknown, pattern: RegExp): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && pattern.test(value)) return Number(value);
  return undefined;
}
