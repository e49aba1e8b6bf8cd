/**
 * CDK context resolved the way the CDK CLI resolves it for `cdk synth` and `cdk deploy`, so `npm run bench`
 * (which synthesizes in-process) builds the stack `npx cdk deploy` would: `-c key=value` over the `context` of
 * `cdk.json`, over `cdk.context.json`, over the `context` of `~/.cdk.json`; the run's own keys go on top
 * (README of harness/emulator, "Concurrency, throttling, and the settings `cdk synth` uses"). The merge is
 * pure; {@link readContextFiles} is the only part that touches the disk.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_DEFAULTS, CONTEXT_KEYS, parseStackConfig, StackConfigError } from '../../stack/config.js';
import { UsageError } from '../errors.js';

/** Where a context value came from; `default` is the stack's own default (nothing set it). */
export type ContextSource = 'default' | '~/.cdk.json' | 'cdk.context.json' | 'cdk.json' | '-c' | 'run';

/** Sources lowest precedence first, as the CDK CLI looks them up (user-configuration.ts, loadConfigFiles). */
export const CONTEXT_PRECEDENCE: readonly Exclude<ContextSource, 'default'>[] = [
  '~/.cdk.json',
  'cdk.context.json',
  'cdk.json',
  '-c',
  'run',
];

/** One source's values. */
export interface ContextLayer {
  readonly source: Exclude<ContextSource, 'default'>;
  readonly values: Readonly<Record<string, unknown>>;
}

/** The merged context and where each key's value came from. */
export interface ResolvedContext {
  readonly values: Readonly<Record<string, unknown>>;
  readonly sources: Readonly<Record<string, ContextSource>>;
}

/** Merges layers by {@link CONTEXT_PRECEDENCE} whatever their order: a key takes the highest source's value. */
export function mergeContext(layers: readonly ContextLayer[]): ResolvedContext {
  const values: Record<string, unknown> = {};
  const sources: Record<string, ContextSource> = {};
  for (const source of CONTEXT_PRECEDENCE) {
    for (const layer of layers.filter((l) => l.source === source)) {
      for (const [key, value] of Object.entries(layer.values)) {
        // The CLI skips a source whose value is undefined and looks further down; JSON has no undefined.
        if (value === undefined) continue;
        values[key] = value;
        sources[key] = source;
      }
    }
  }
  return { values, sources };
}

/**
 * Keys the harness sets itself for every run, with the flag that sets them: a `-c` for one of them would be
 * overridden without a word, so it is refused.
 */
export const RUN_OWNED_KEYS: Readonly<Record<string, string>> = {
  runId: 'set it with --run-id',
  expiresAt: 'set it with --ttl',
  creator: 'the harness tags the run with $GITHUB_ACTOR, else $USER',
  deployToken: 'the harness picks one per deploy',
};

/**
 * `-c key=value` / `--context key=value` flags into a map, as the CDK CLI reads them: split at the first `=`,
 * values stay strings, the last of a repeated key wins, keys starting `aws:` are the CDK's own. Unlike the CLI
 * (which warns and goes on), a flag that is not `key=value` is an error: a typo must not deploy a default.
 */
export function parseContextFlags(flags: readonly string[]): Record<string, string> {
  const context: Record<string, string> = {};
  for (const flag of flags) {
    const at = flag.indexOf('=');
    const key = at === -1 ? '' : flag.slice(0, at).trim();
    if (at === -1 || key === '') {
      throw new UsageError(
        'InvalidContextFlag',
        `-c '${flag}' is not key=value: write e.g. -c memorySizeMb=1024 (repeat -c for more keys)`,
      );
    }
    if (key.startsWith('aws:')) {
      throw new UsageError(
        'InvalidContextFlag',
        `-c '${flag}': keys starting 'aws:' are reserved for the CDK itself, as in 'cdk synth': choose another key`,
      );
    }
    const owner = RUN_OWNED_KEYS[key];
    if (owner !== undefined) {
      throw new UsageError('ContextKeyReserved', `-c '${flag}': the harness sets '${key}' for every run: ${owner}`);
    }
    context[key] = flag.slice(at + 1);
  }
  return context;
}

/** Where {@link readContextFiles} looks, and how it reads (a seam for tests). */
export interface ContextFilesOptions {
  /** The project directory (`cdk.json`, `cdk.context.json`); the CLI uses its working directory. */
  readonly projectDir: string;
  /** The home directory of `~/.cdk.json`; undefined skips it. */
  readonly homeDir: string | undefined;
  /** Reads a file; undefined when it does not exist. @default node:fs */
  readonly readFile?: (file: string) => string | undefined;
}

/**
 * The context layers of the files the CDK CLI reads: `cdk.json`'s `context`, all of `cdk.context.json`, and
 * `~/.cdk.json`'s `context`. A missing file is no layer; one that cannot be read or parsed, or whose context is
 * not an object, is a UsageError naming the file and what to fix.
 */
export function readContextFiles(options: ContextFilesOptions): ContextLayer[] {
  const read = options.readFile ?? readIfExists;
  const layers: ContextLayer[] = [];
  const load = (source: ContextLayer['source'], file: string, whole: boolean) => {
    let text: string | undefined;
    try {
      text = read(file);
    } catch (error) {
      throw new UsageError(
        'ContextFileInvalid',
        `${file} could not be read (${(error as Error).message}): fix its permissions or remove it`,
        { cause: error },
      );
    }
    if (text === undefined) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new UsageError(
        'ContextFileInvalid',
        `${file} is not valid JSON (${(error as Error).message}): fix it as 'cdk synth' would need it`,
        { cause: error },
      );
    }
    if (!whole && !isObject(parsed)) {
      throw new UsageError('ContextFileInvalid', `${file} does not hold a JSON object: give it {"context": {...}}`);
    }
    const context = whole ? parsed : (parsed as Record<string, unknown>).context;
    if (context === undefined) return;
    if (!isObject(context)) {
      const what = whole ? 'its content' : 'its "context"';
      throw new UsageError('ContextFileInvalid', `${file}: ${what} is not a JSON object of key: value pairs`);
    }
    layers.push({ source, values: context });
  };
  if (options.homeDir !== undefined) load('~/.cdk.json', path.join(options.homeDir, '.cdk.json'), false);
  load('cdk.context.json', path.join(options.projectDir, 'cdk.context.json'), true);
  load('cdk.json', path.join(options.projectDir, 'cdk.json'), false);
  return layers;
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One effective setting, as the report shows it. */
export interface EffectiveSetting {
  readonly key: string;
  /** The value the stack uses: as given, or the stack's default (null when it has none, e.g. no reservation). */
  readonly value: string | number | boolean | null;
  readonly source: ContextSource;
}

/**
 * Checks the stack's keys of a resolved context as the stack will (stack/config.ts), so a bad value stops the
 * run before anything is deployed; the message names the key, the value, where it was set and what is allowed.
 */
export function checkStackContext(resolved: ResolvedContext, options: { now: Date }): void {
  try {
    parseStackConfig(resolved.values, { now: options.now, env: {} });
  } catch (error) {
    if (!(error instanceof StackConfigError)) throw error;
    const source = resolved.sources[error.key] ?? 'default';
    throw new UsageError('InvalidStackContext', `${error.message}; it came from ${source}`, { cause: error });
  }
}

/**
 * The settings the stack is synthesized with: each of its own keys with the value it uses and its source
 * (`default` when nothing set it), then every other context key (feature flags and the like) as given.
 */
export function effectiveSettings(resolved: ResolvedContext): EffectiveSetting[] {
  const defaults: Readonly<Record<string, unknown>> = CONFIG_DEFAULTS;
  const shown = (value: unknown): EffectiveSetting['value'] =>
    value === undefined || value === null
      ? null
      : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  const own: EffectiveSetting[] = CONTEXT_KEYS.filter((key) => key !== 'deployToken').map((key) => {
    const source = resolved.sources[key];
    return source === undefined
      ? { key, value: shown(defaults[key]), source: 'default' }
      : { key, value: shown(resolved.values[key]), source };
  });
  const stackKeys: readonly string[] = CONTEXT_KEYS;
  const others = Object.keys(resolved.values)
    .filter((key) => !stackKeys.includes(key))
    .sort()
    .map((key) => ({ key, value: shown(resolved.values[key]), source: resolved.sources[key] ?? 'default' }));
  return [...own, ...others];
}
