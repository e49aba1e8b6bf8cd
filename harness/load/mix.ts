/**
 * The request mix as data: which requests a run sends and in what proportion, so a run exercises the
 * API's types and parameters rather than one path. Pure, apart from the injected file reader.
 */
import { UsageError } from '../errors.js';

/** One kind of request. Paths are relative to the deployment's base URL (which ends in the stage and `/`). */
export interface MixEntry {
  /** kebab-case name, shown in the report. */
  readonly name: string;
  /** Relative share of requests; a whole number from 1 to 1000. */
  readonly weight: number;
  readonly method: 'GET' | 'POST';
  /** e.g. `random/int?min=1&max=6` (no leading slash). */
  readonly path: string;
  /** JSON text for POST. */
  readonly body?: string;
  /** Extra request headers, e.g. `accept: text/csv`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Status that counts as success. @default 200 */
  readonly expectStatus?: number;
}

/** Name of the built-in mix that spreads requests over every type of the API. */
export const DEFAULT_MIX_NAME = 'default';

const RECORDS_BODY = JSON.stringify({
  count: 5,
  fields: {
    id: { type: 'uuid', version: 7 },
    age: { type: 'int', min: 18, max: 99 },
    score: { type: 'gaussian', mean: 50, stddev: 10 },
    nickname: { type: 'word' },
  },
});

/** Every request the built-in mixes can send (issue 2's types and parameters). */
export const MIX_CATALOG: readonly MixEntry[] = [
  { name: 'int', weight: 2, method: 'GET', path: 'random/int?min=1&max=1000&count=10' },
  { name: 'int-by-query', weight: 1, method: 'GET', path: 'random?type=int&min=-50&max=50&count=3' },
  { name: 'int-seeded', weight: 1, method: 'GET', path: 'random/int?min=1&max=6&count=20&seed=42' },
  { name: 'float', weight: 1, method: 'GET', path: 'random/float?min=0&max=1&decimals=4&count=10' },
  { name: 'bool', weight: 1, method: 'GET', path: 'random/bool?p=0.3&count=10' },
  { name: 'uuid-v4', weight: 1, method: 'GET', path: 'random/uuid?version=4&count=5' },
  { name: 'uuid-v7', weight: 1, method: 'GET', path: 'random/uuid?version=7&count=5' },
  { name: 'string', weight: 1, method: 'GET', path: 'random/string?length=24&charset=base64url&count=5' },
  { name: 'bytes', weight: 1, method: 'GET', path: 'random/bytes?length=32&encoding=base64' },
  { name: 'choice', weight: 1, method: 'GET', path: 'random/choice?items=red,green,blue&weights=1,2,3&count=10' },
  { name: 'date', weight: 1, method: 'GET', path: 'random/date?from=2020-01-01&to=2030-12-31&format=iso&count=3' },
  { name: 'gaussian', weight: 1, method: 'GET', path: 'random/gaussian?mean=100&stddev=15&count=10' },
  { name: 'dice', weight: 1, method: 'GET', path: 'random/dice?notation=3d6%2B2&count=4' },
  { name: 'color', weight: 1, method: 'GET', path: 'random/color?format=hsl&count=3' },
  { name: 'ipv4', weight: 1, method: 'GET', path: 'random/ipv4?count=5' },
  { name: 'ipv6', weight: 1, method: 'GET', path: 'random/ipv6?count=5' },
  { name: 'word', weight: 1, method: 'GET', path: 'random/word?count=5' },
  { name: 'lorem', weight: 1, method: 'GET', path: 'random/lorem?words=12&count=2' },
  { name: 'csv', weight: 1, method: 'GET', path: 'random/int?count=20', headers: { accept: 'text/csv' } },
  { name: 'text', weight: 1, method: 'GET', path: 'random/uuid?count=20', headers: { accept: 'text/plain' } },
  { name: 'types', weight: 1, method: 'GET', path: 'types' },
  {
    name: 'post-records',
    weight: 2,
    method: 'POST',
    path: 'random',
    body: RECORDS_BODY,
    headers: { 'content-type': 'application/json' },
  },
];

/**
 * Reads `--mix`: `default` (the whole catalog), a comma list of catalog names with optional weights
 * (`int=5,post-records`), or a `.json` file holding an array of {@link MixEntry}.
 */
export function resolveMix(spec: string, readFile?: (path: string) => string): MixEntry[] {
  const text = spec.trim();
  if (text === DEFAULT_MIX_NAME) return [...MIX_CATALOG];
  if (text.endsWith('.json')) {
    if (!readFile) throw new UsageError('InvalidMix', `--mix '${spec}': mix files cannot be read here`);
    let raw: unknown;
    try {
      raw = JSON.parse(readFile(text));
    } catch (error) {
      throw new UsageError('InvalidMix', `--mix '${spec}' could not be read as JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return validateMix(raw, spec);
  }
  const entries = text.split(',').map((part) => {
    const [name = '', weightText] = part.split('=').map((s) => s.trim());
    const known = MIX_CATALOG.find((entry) => entry.name === name);
    if (!known) {
      throw new UsageError(
        'UnknownMixEntry',
        `--mix names unknown request '${name}': choose from ${DEFAULT_MIX_NAME}, ` +
          `${MIX_CATALOG.map((e) => e.name).join(', ')}, or give a .json file`,
      );
    }
    return weightText === undefined ? known : { ...known, weight: Number(weightText) };
  });
  return validateMix(entries, spec);
}

/** Checks a mix read from a file or flag; throws UsageError naming the entry and the field. */
export function validateMix(raw: unknown, source: string): MixEntry[] {
  const fail = (what: string) => new UsageError('InvalidMix', `--mix '${source}': ${what}`);
  if (!Array.isArray(raw) || raw.length === 0) throw fail('give a non-empty array of requests');
  const seen = new Set<string>();
  return raw.map((item, index): MixEntry => {
    if (typeof item !== 'object' || item === null) throw fail(`entry ${index} is not an object`);
    const entry = item as Record<string, unknown>;
    const name = entry.name;
    if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) {
      throw fail(`entry ${index} needs a kebab-case 'name'; got ${JSON.stringify(name)}`);
    }
    if (seen.has(name)) throw fail(`entry '${name}' appears twice: give each request its own name`);
    seen.add(name);
    const weight = entry.weight ?? 1;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1 || weight > 1000) {
      throw fail(`entry '${name}' has weight ${JSON.stringify(weight)}: give a whole number from 1 to 1000`);
    }
    const method = entry.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') throw fail(`entry '${name}' has method '${method}': use GET or POST`);
    const path = entry.path;
    if (typeof path !== 'string' || path.startsWith('/') || /^[a-z]+:/i.test(path)) {
      throw fail(`entry '${name}' needs a 'path' relative to the API base URL, e.g. 'random/int'; got '${path}'`);
    }
    const body =
      entry.body === undefined ? undefined : typeof entry.body === 'string' ? entry.body : JSON.stringify(entry.body);
    if (method === 'GET' && body !== undefined) throw fail(`entry '${name}' is a GET with a body: drop the body`);
    const headers = entry.headers;
    if (headers !== undefined && (typeof headers !== 'object' || headers === null || Array.isArray(headers))) {
      throw fail(`entry '${name}' has 'headers' that are not an object of strings`);
    }
    const expectStatus = entry.expectStatus;
    if (expectStatus !== undefined && (typeof expectStatus !== 'number' || expectStatus < 100 || expectStatus > 599)) {
      throw fail(`entry '${name}' has expectStatus ${JSON.stringify(expectStatus)}: give an HTTP status`);
    }
    return {
      name,
      weight,
      method,
      path,
      ...(body !== undefined ? { body } : {}),
      ...(headers !== undefined ? { headers: headers as Record<string, string> } : {}),
      ...(expectStatus !== undefined ? { expectStatus } : {}),
    };
  });
}

/**
 * The order entries are sent in: one cycle of smooth weighted round-robin (nginx's algorithm), so every
 * window of the run holds the mix in proportion and request i always gets the same entry.
 */
export function mixCycle(mix: readonly MixEntry[]): Uint16Array {
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const cycle = new Uint16Array(total);
  const current = mix.map(() => 0);
  for (let slot = 0; slot < total; slot++) {
    let best = 0;
    for (let i = 0; i < mix.length; i++) {
      current[i]! += mix[i]!.weight;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    cycle[slot] = best;
  }
  return cycle;
}

/** True when `status` is what the entry counts as success. */
export function isExpectedStatus(entry: MixEntry, status: number): boolean {
  return status === (entry.expectStatus ?? 200);
}
