/**
 * A cache of synthesized cloud assemblies for the local target: synthesizing and bundling the stack takes
 * 2.6-4 s of every local bench run (docs/measurement.md#reference-figures), though the stack and handler rarely change between runs.
 *
 * The run id and expiry differ on every bench run, so the cached assembly is synthesized with placeholder values
 * for them, and each run gets its own copy with the placeholders replaced by its values.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Synthesizes the stack into `outdir`; the shape of `synthesize` in stack/build-app.ts. */
export type SynthesizeFn = (options: {
  outdir: string;
  context?: Readonly<Record<string, unknown>>;
}) => Promise<{ outdir: string; stackArtifactId: string }>;

/** Placeholder run id of a cached assembly: a legal run id no real run id contains by chance. */
export const PLACEHOLDER_RUN_ID = 'zzrdacacherunidzz';
/** Placeholder expiry of a cached assembly, in the canonical form the stack writes (`toISOString`). */
export const PLACEHOLDER_EXPIRES_AT = '2999-01-02T03:04:05.678Z';
// Bump when the layout of a cache entry changes, so old entries are never read.
const CACHE_FORMAT = 'rda-synth-cache-1';
const MARKER_FILE = 'rda-cache-complete.json';
/** Entries kept after a new one is written: a few, so switching between branches still hits. */
export const CACHE_ENTRIES_KEPT = 3;
// A temporary directory older than this is from a crashed run (a synthesis takes about 4 s).
const STALE_TEMP_MS = 10 * 60_000;

/** Whether `context` can be served from the cache: an expiry must already be canonical to substitute as is. */
export function cacheableContext(context: Readonly<Record<string, unknown>>): boolean {
  const expiresAt = context.expiresAt;
  if (expiresAt === undefined) return true;
  if (typeof expiresAt !== 'string') return false;
  const ms = Date.parse(expiresAt);
  return !Number.isNaN(ms) && new Date(ms).toISOString() === expiresAt;
}

/** The context a cached assembly is synthesized with: the per-run values replaced by placeholders. */
export function placeholderContext(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...context, runId: PLACEHOLDER_RUN_ID };
  if (context.expiresAt !== undefined) result.expiresAt = PLACEHOLDER_EXPIRES_AT;
  return result;
}

/**
 * Cache key: a SHA-256 over every file under `stack/` and `handler/`, `package-lock.json`, `cdk.json` (paths and
 * contents, sorted), the placeholder context sorted by key, and `USER` (the stack's default creator).
 */
export function synthCacheKey(options: {
  rootDir: string;
  context: Readonly<Record<string, unknown>>;
  env?: Readonly<Record<string, string | undefined>>;
}): string {
  const hash = createHash('sha256');
  const add = (label: string, value: string | Buffer) => {
    hash.update(`${label}\0${value.length}\0`);
    hash.update(value);
  };
  add('format', CACHE_FORMAT);
  const files = [
    ...listFiles(options.rootDir, 'stack'),
    ...listFiles(options.rootDir, 'handler'),
    'package-lock.json',
    'cdk.json',
  ];
  for (const file of files) {
    const full = path.join(options.rootDir, file);
    add(`file ${file}`, fs.existsSync(full) ? fs.readFileSync(full) : '<missing>');
  }
  const context = placeholderContext(options.context);
  // The resolved context, whatever set it (cdk.json, cdk.context.json, ~/.cdk.json, -c, the run): JSON keeps a
  // string apart from the number or boolean it reads as (a feature flag `true` is not the string "true").
  for (const key of Object.keys(context).sort()) add(`context ${key}`, JSON.stringify(context[key]) ?? 'undefined');
  if (context.creator === undefined) add('env USER', (options.env ?? process.env).USER ?? '<unset>');
  return hash.digest('hex').slice(0, 32);
}

/** Relative paths of every file under `root/dir`, sorted; `node_modules` and dot entries are skipped. */
function listFiles(root: string, dir: string): string[] {
  const result: string[] = [];
  const walk = (relative: string) => {
    const full = path.join(root, relative);
    if (!fs.existsSync(full)) return;
    for (const entry of fs.readdirSync(full, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) result.push(child);
    }
  };
  walk(dir);
  return result;
}

/** What {@link synthesizeCached} did. */
export interface CachedSynthResult {
  /** The run's own assembly directory (a copy; the caller removes it). */
  readonly outdir: string;
  readonly stackArtifactId: string;
  /** True when the assembly came from the cache without synthesizing. */
  readonly cacheHit: boolean;
  /** The shared cache entry used (never removed by the run). */
  readonly entryDir: string;
}

/**
 * Gives the run an assembly in `outdir` synthesized with `context`, from `cacheDir` when an entry with the same
 * key is complete, else by synthesizing once into the cache (atomically: a temporary directory renamed into place
 * after its marker file is written) and keeping the newest {@link CACHE_ENTRIES_KEPT} entries.
 */
export async function synthesizeCached(options: {
  cacheDir: string;
  rootDir: string;
  outdir: string;
  context: Readonly<Record<string, unknown>>;
  synthesize: SynthesizeFn;
  log?: (message: string) => void;
}): Promise<CachedSynthResult> {
  const { cacheDir, context } = options;
  const runId = String(context.runId);
  const key = synthCacheKey({ rootDir: options.rootDir, context });
  const entryDir = path.join(cacheDir, `assembly-${key}`);
  let marker = readMarker(entryDir);
  const cacheHit = marker !== undefined;
  if (marker === undefined) {
    fs.mkdirSync(cacheDir, { recursive: true });
    removeStaleTemps(cacheDir);
    // An entry without its marker was not written by this code (the rename is atomic): rebuild it.
    fs.rmSync(entryDir, { recursive: true, force: true });
    const temp = fs.mkdtempSync(path.join(cacheDir, 'tmp-'));
    try {
      options.log?.(`synthesizing the stack into the cache ${entryDir}`);
      const synth = await options.synthesize({ outdir: temp, context: placeholderContext(context) });
      marker = { stackArtifactId: synth.stackArtifactId };
      fs.writeFileSync(path.join(temp, MARKER_FILE), JSON.stringify(marker));
      try {
        fs.renameSync(temp, entryDir);
      } catch (error) {
        // Another run wrote the same entry first: use theirs.
        const code = (error as NodeJS.ErrnoException).code;
        if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || readMarker(entryDir) === undefined) throw error;
      }
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
    pruneEntries(cacheDir, entryDir);
  } else {
    options.log?.(`reusing the synthesized assembly ${entryDir}`);
    // Marks the entry as recently used for pruning.
    const now = new Date();
    fs.utimesSync(entryDir, now, now);
  }
  const substitute = (text: string) => {
    let result = text.replaceAll(PLACEHOLDER_RUN_ID, runId);
    if (context.expiresAt !== undefined) result = result.replaceAll(PLACEHOLDER_EXPIRES_AT, String(context.expiresAt));
    return result;
  };
  materialize(entryDir, options.outdir, substitute);
  return { outdir: options.outdir, stackArtifactId: substitute(marker.stackArtifactId), cacheHit, entryDir };
}

function readMarker(entryDir: string): { stackArtifactId: string } | undefined {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(entryDir, MARKER_FILE), 'utf8')) as {
      stackArtifactId?: unknown;
    };
    return typeof marker.stackArtifactId === 'string' ? { stackArtifactId: marker.stackArtifactId } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Copies an entry into `outdir`: top-level files (manifest, templates, asset manifests, tree) with the
 * placeholders substituted in their names and contents; asset directories (the handler bundle, which holds no
 * run value) as they are.
 */
function materialize(entryDir: string, outdir: string, substitute: (text: string) => string): void {
  fs.mkdirSync(outdir, { recursive: true });
  for (const entry of fs.readdirSync(entryDir, { withFileTypes: true })) {
    if (entry.name === MARKER_FILE) continue;
    const from = path.join(entryDir, entry.name);
    const to = path.join(outdir, substitute(entry.name));
    if (entry.isDirectory()) fs.cpSync(from, to, { recursive: true });
    else fs.writeFileSync(to, substitute(fs.readFileSync(from, 'utf8')));
  }
}

/** Removes all but the newest entries (by modification time; `keep` always stays). */
function pruneEntries(cacheDir: string, keep: string): void {
  const entries = fs
    .readdirSync(cacheDir)
    .filter((name) => name.startsWith('assembly-'))
    .map((name) => path.join(cacheDir, name))
    .filter((dir) => dir !== keep)
    .map((dir) => ({ dir, mtimeMs: statMtime(dir) }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { dir } of entries.slice(CACHE_ENTRIES_KEPT - 1)) fs.rmSync(dir, { recursive: true, force: true });
}

function removeStaleTemps(cacheDir: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(cacheDir)) {
    if (!name.startsWith('tmp-')) continue;
    const dir = path.join(cacheDir, name);
    if (now - statMtime(dir) > STALE_TEMP_MS) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function statMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
