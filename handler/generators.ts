import { invalidParameter, quote } from './errors.js';
import { DATE_MAX_MS, type ParamSpec, type Params } from './params.js';
import type { Rng } from './rng.js';
import { LONGEST_WORD_LENGTH, WORDS } from './words.js';

/**
 * The random-data types: their parameters (specs shown by `/types`) and their generators. Each
 * `prepare` checks the rules that span several params, then returns a generator with a size bound.
 */

/** One generated value. */
export type Value = string | number | boolean;

/** What a generator may read besides the Rng. */
export interface GenerateContext {
  readonly rng: Rng;
  /** True under a seed: the output must then not depend on the clock. */
  readonly seeded: boolean;
  /** Epoch ms of the request, for uuid v7 without a seed. */
  readonly nowMs: number;
}

/** A type with its params checked, ready to produce values. */
export interface Generator {
  /** Upper bound of one value's size once encoded (JSON or CSV), separator included, in bytes. */
  readonly maxValueBytes: number;
  generate(context: GenerateContext, count: number): Value[];
}

/** One type of the catalog. */
export interface TypeDefinition {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  /** A query string that shows the type off, e.g. `min=1&max=6&count=3`. */
  readonly example: string;
  prepare(params: Params): Generator;
}

// Quotes (2) plus the widest separator (CRLF in CSV) around every value.
const VALUE_OVERHEAD_BYTES = 4;

const ALPHABETS: Readonly<Record<string, readonly string[]>> = {
  alpha: [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'],
  alnum: [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'],
  numeric: [...'0123456789'],
  hex: [...'0123456789abcdef'],
  base64url: [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'],
};

const HEX_BYTE = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Seeded uuid v7 and date defaults span 2000-01-01 to 2030-01-01, so seeded output never reads the clock. */
const DEFAULT_FROM = '2000-01-01T00:00:00Z';
const DEFAULT_TO = '2030-01-01T00:00:00Z';
const DEFAULT_FROM_MS = Date.UTC(2000, 0, 1);
const DEFAULT_TO_MS = Date.UTC(2030, 0, 1);

function times<T>(count: number, make: () => T): T[] {
  const out = new Array<T>(count);
  for (let i = 0; i < count; i++) out[i] = make();
  return out;
}

function randomBytes(rng: Rng, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    let word = rng.uint32();
    for (let j = i; j < i + 4 && j < length; j++) {
      bytes[j] = word & 0xff;
      word >>>= 8;
    }
  }
  return bytes;
}

function hex(bytes: Uint8Array, from = 0, to = bytes.length): string {
  let out = '';
  for (let i = from; i < to; i++) out += HEX_BYTE[bytes[i]!];
  return out;
}

function formatUuid(bytes: Uint8Array): string {
  return `${hex(bytes, 0, 4)}-${hex(bytes, 4, 6)}-${hex(bytes, 6, 8)}-${hex(bytes, 8, 10)}-${hex(bytes, 10, 16)}`;
}

/** RFC 9562 §5.4: 122 random bits, version nibble 4, variant bits 10. */
function uuidV4(rng: Rng): string {
  const bytes = randomBytes(rng, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/**
 * RFC 9562 §5.7 with §6.2 method 1: a 48-bit ms timestamp, then a 12-bit counter in rand_a that starts
 * below 2048 and steps by one, so up to 2048 values of one batch share a timestamp and still sort in order.
 */
function uuidV7Batch(context: GenerateContext, count: number): string[] {
  const { rng } = context;
  const timestampMs = context.seeded ? rng.int(DEFAULT_FROM_MS, DEFAULT_TO_MS - 1) : context.nowMs;
  let counter = rng.int(0, 2047);
  return times(count, () => {
    const bytes = randomBytes(rng, 16);
    let time = timestampMs;
    for (let i = 5; i >= 0; i--) {
      bytes[i] = time % 256;
      time = Math.floor(time / 256);
    }
    bytes[6] = 0x70 | ((counter >>> 8) & 0x0f);
    bytes[7] = counter & 0xff;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    counter++;
    return formatUuid(bytes);
  });
}

/** RFC 5952 text form: lowercase, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const text = groups.map((group) => group.toString(16));
  if (bestStart < 0) return text.join(':');
  return `${text.slice(0, bestStart).join(':')}::${text.slice(bestStart + bestLength).join(':')}`;
}

/** Bytes a character takes once encoded: UTF-8 length, or 2 for `"` and `\` (escaped in JSON, doubled in CSV). */
function encodedCharBytes(char: string): number {
  if (char === '"' || char === '\\') return 2;
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code < 0x10000) return 3;
  return 4;
}

function encodedBytes(text: string): number {
  let bytes = 0;
  for (const char of text) bytes += encodedCharBytes(char);
  return bytes;
}

/** Rounds x·10^d up or down to an integer, treating values within 4 ulps of an integer as that integer. */
function scaleToInteger(x: number, scale: number, direction: 'up' | 'down'): number {
  const scaled = x * scale;
  const nearest = Math.round(scaled);
  if (Math.abs(scaled - nearest) <= 4 * Number.EPSILON * Math.max(1, Math.abs(scaled))) return nearest;
  return direction === 'up' ? Math.ceil(scaled) : Math.floor(scaled);
}

const DICE_PATTERN = /^([0-9]{1,3})?[dD]([0-9]{1,4}|%)([+-][0-9]{1,5})?$/;
const DICE_LIMITS = { dice: 100, sides: 1000, modifier: 10_000 } as const;

/** A parsed dice expression: roll `dice` dice of `sides` sides, add `modifier`. */
export interface DiceRoll {
  readonly dice: number;
  readonly sides: number;
  readonly modifier: number;
}

/** Parses `NdS+M` (`d20`, `3d6+2`, `2d%-1`), or returns null when the text is not valid notation. */
export function parseDice(notation: string): DiceRoll | null {
  const match = DICE_PATTERN.exec(notation);
  if (match === null) return null;
  const dice = match[1] === undefined ? 1 : Number(match[1]);
  const sides = match[2] === '%' ? 100 : Number(match[2]);
  const modifier = match[3] === undefined ? 0 : Number(match[3]);
  if (dice < 1 || dice > DICE_LIMITS.dice || sides < 2 || sides > DICE_LIMITS.sides) return null;
  if (Math.abs(modifier) > DICE_LIMITS.modifier) return null;
  return { dice, sides, modifier };
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const intType: TypeDefinition = {
  name: 'int',
  description: 'uniform integers in [min, max], both inclusive',
  params: [
    { name: 'min', kind: 'integer', min: -MAX_SAFE, max: MAX_SAFE, default: 0, description: 'lowest value' },
    { name: 'max', kind: 'integer', min: -MAX_SAFE, max: MAX_SAFE, default: 100, description: 'highest value, ≥ min' },
  ],
  example: 'min=1&max=6&count=5',
  prepare(params) {
    const min = params.number('min');
    const max = params.number('max');
    if (min > max) {
      throw invalidParameter(params.path('max'), `${params.path('max')} must be ≥ min (${min}); got ${quote(max)}`);
    }
    return {
      maxValueBytes: Math.max(String(min).length, String(max).length) + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) => times(count, () => rng.int(min, max)),
    };
  },
};

const FLOAT_BOUND = 1e15;
const floatType: TypeDefinition = {
  name: 'float',
  description: 'uniform numbers in [min, max]; with decimals, uniform over the multiples of 10^-decimals in that range',
  params: [
    { name: 'min', kind: 'number', min: -FLOAT_BOUND, max: FLOAT_BOUND, default: 0, description: 'lowest value' },
    { name: 'max', kind: 'number', min: -FLOAT_BOUND, max: FLOAT_BOUND, default: 1, description: 'upper bound, ≥ min' },
    {
      name: 'decimals',
      kind: 'integer',
      min: 0,
      max: 15,
      description: 'digits after the decimal point; omit for full double precision',
    },
  ],
  example: 'min=-10&max=10&decimals=2&count=3',
  prepare(params) {
    const min = params.number('min');
    const max = params.number('max');
    const decimals = params.optionalNumber('decimals');
    if (min > max) {
      throw invalidParameter(params.path('max'), `${params.path('max')} must be ≥ min (${min}); got ${quote(max)}`);
    }
    const maxValueBytes = 24 + VALUE_OVERHEAD_BYTES;
    if (decimals === undefined) {
      return {
        maxValueBytes,
        generate: ({ rng }, count) => times(count, () => (min === max ? min : min + rng.float() * (max - min))),
      };
    }
    const path = params.path('decimals');
    const magnitude = Math.max(Math.abs(min), Math.abs(max));
    const scale = 10 ** decimals;
    // The grid of multiples must stay within exact integers (2^53), or rounding would skew it.
    if (magnitude * scale > MAX_SAFE) {
      const allowed = Math.max(0, Math.floor(Math.log10(MAX_SAFE / magnitude)));
      throw invalidParameter(
        path,
        `${path} must be at most ${allowed} when min or max reaches ${magnitude}; got ${quote(decimals)}`,
      );
    }
    const low = scaleToInteger(min, scale, 'up');
    const high = scaleToInteger(max, scale, 'down');
    if (low > high) {
      throw invalidParameter(
        path,
        `no number with ${decimals} decimals lies in [${min}, ${max}]; raise ${path} or widen the range`,
      );
    }
    return { maxValueBytes, generate: ({ rng }, count) => times(count, () => rng.int(low, high) / scale) };
  },
};

const boolType: TypeDefinition = {
  name: 'bool',
  description: 'true with probability p',
  params: [{ name: 'p', kind: 'number', min: 0, max: 1, default: 0.5, description: 'probability of true' }],
  example: 'p=0.25&count=4',
  prepare(params) {
    const p = params.number('p');
    return {
      maxValueBytes: 5 + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) => times(count, () => rng.float() < p),
    };
  },
};

const uuidType: TypeDefinition = {
  name: 'uuid',
  description:
    'RFC 9562 UUIDs; v7 values of one response share a timestamp (the request time, or a seeded instant in 2000..2029) and sort in order',
  params: [{ name: 'version', kind: 'enum', values: [4, 7], default: 4, description: 'UUID version' }],
  example: 'version=7&count=2',
  prepare(params) {
    const version = params.choice('version');
    return {
      maxValueBytes: 36 + VALUE_OVERHEAD_BYTES,
      generate: (context, count) =>
        version === 7 ? uuidV7Batch(context, count) : times(count, () => uuidV4(context.rng)),
    };
  },
};

const stringType: TypeDefinition = {
  name: 'string',
  description: 'random strings from a named charset or from custom chars (repeat a character to weight it)',
  params: [
    { name: 'length', kind: 'integer', min: 1, max: 256, default: 16, description: 'characters per string' },
    {
      name: 'charset',
      kind: 'enum',
      values: Object.keys(ALPHABETS),
      default: 'alnum',
      description: 'named alphabet; not together with chars',
    },
    {
      name: 'chars',
      kind: 'string',
      minLength: 1,
      maxLength: 256,
      description: 'custom alphabet (printable characters); not together with charset',
    },
  ],
  example: 'length=12&charset=hex&count=2',
  prepare(params) {
    const length = params.number('length');
    const chars = params.optionalString('chars');
    if (chars !== undefined && params.isGiven('charset')) {
      throw invalidParameter(params.path('chars'), `give either ${params.path('chars')} or charset, not both`);
    }
    const alphabet = chars === undefined ? ALPHABETS[params.string('charset')]! : [...chars];
    const widestChar = alphabet.reduce((widest, char) => Math.max(widest, encodedCharBytes(char)), 1);
    return {
      maxValueBytes: length * widestChar + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) =>
        times(count, () => {
          let text = '';
          for (let i = 0; i < length; i++) text += alphabet[rng.int(0, alphabet.length - 1)];
          return text;
        }),
    };
  },
};

const bytesType: TypeDefinition = {
  name: 'bytes',
  description: 'random bytes, encoded',
  params: [
    { name: 'length', kind: 'integer', min: 1, max: 256, default: 16, description: 'bytes per value' },
    { name: 'encoding', kind: 'enum', values: ['hex', 'base64'], default: 'hex', description: 'text encoding' },
  ],
  example: 'length=8&encoding=base64&count=2',
  prepare(params) {
    const length = params.number('length');
    const base64 = params.choice('encoding') === 'base64';
    return {
      maxValueBytes: (base64 ? Math.ceil(length / 3) * 4 : length * 2) + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) =>
        times(count, () => {
          const bytes = randomBytes(rng, length);
          return base64 ? Buffer.from(bytes.buffer, bytes.byteOffset, length).toString('base64') : hex(bytes);
        }),
    };
  },
};

const choiceType: TypeDefinition = {
  name: 'choice',
  description: 'picks among items, uniformly or by weights',
  params: [
    {
      name: 'items',
      kind: 'list',
      of: 'string',
      minItems: 1,
      maxItems: 100,
      maxItemLength: 64,
      required: true,
      description: 'the items to pick from (query: comma-separated; JSON: array of strings)',
    },
    {
      name: 'weights',
      kind: 'list',
      of: 'number',
      minItems: 1,
      maxItems: 100,
      min: 0,
      max: 1e6,
      description: 'one non-negative weight per item, not all zero; omit for uniform',
    },
  ],
  example: 'items=red,green,blue&weights=1,1,2&count=4',
  prepare(params) {
    const items = params.strings('items') ?? [];
    const weights = params.numbers('weights');
    const maxValueBytes =
      items.reduce((widest, item) => Math.max(widest, encodedBytes(item)), 0) + VALUE_OVERHEAD_BYTES;
    if (weights === undefined) {
      return { maxValueBytes, generate: ({ rng }, count) => times(count, () => items[rng.int(0, items.length - 1)]!) };
    }
    const path = params.path('weights');
    if (weights.length !== items.length) {
      throw invalidParameter(path, `${path} must have one weight per item (${items.length}); got ${weights.length}`);
    }
    const cumulative: number[] = [];
    let total = 0;
    for (const weight of weights) cumulative.push((total += weight));
    if (total <= 0) throw invalidParameter(path, `${path} must not all be zero`);
    return {
      maxValueBytes,
      generate: ({ rng }, count) =>
        times(count, () => {
          const target = rng.float() * total;
          // The first item whose cumulative weight exceeds the target; zero-weight items are never picked.
          let index = 0;
          while (index < items.length - 1 && cumulative[index]! <= target) index++;
          return items[index]!;
        }),
    };
  },
};

const dateType: TypeDefinition = {
  name: 'date',
  description: 'uniform instants in [from, to], ms resolution',
  params: [
    { name: 'from', kind: 'date', default: DEFAULT_FROM, description: 'earliest instant (date-only means 00:00Z)' },
    { name: 'to', kind: 'date', default: DEFAULT_TO, description: 'latest instant, ≥ from' },
    {
      name: 'format',
      kind: 'enum',
      values: ['iso', 'epoch', 'epoch_ms'],
      default: 'iso',
      description: 'ISO 8601 string, epoch seconds or epoch milliseconds',
    },
  ],
  example: 'from=2024-01-01&to=2024-12-31&format=iso&count=2',
  prepare(params) {
    const from = params.number('from');
    const to = params.number('to');
    if (from > to) {
      const path = params.path('to');
      throw invalidParameter(path, `${path} must be at or after from (${new Date(from).toISOString()})`);
    }
    const format = params.choice('format');
    const toValue =
      format === 'epoch'
        ? (ms: number) => Math.floor(ms / 1000)
        : format === 'epoch_ms'
          ? (ms: number) => ms
          : (ms: number) => new Date(ms).toISOString();
    return {
      maxValueBytes: String(DATE_MAX_MS).length + 10 + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) => times(count, () => toValue(rng.int(from, to))),
    };
  },
};

const GAUSSIAN_BOUND = 1e12;
const gaussianType: TypeDefinition = {
  name: 'gaussian',
  description: 'normally distributed numbers (Box-Muller)',
  params: [
    { name: 'mean', kind: 'number', min: -GAUSSIAN_BOUND, max: GAUSSIAN_BOUND, default: 0, description: 'mean' },
    { name: 'stddev', kind: 'number', min: 0, max: GAUSSIAN_BOUND, default: 1, description: 'standard deviation' },
  ],
  example: 'mean=100&stddev=15&count=3',
  prepare(params) {
    const mean = params.number('mean');
    const stddev = params.number('stddev');
    return {
      maxValueBytes: 24 + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) =>
        times(count, () => {
          // 1 - u keeps the log's argument in (0, 1], so the result is finite (|z| ≤ 8.6).
          const radius = Math.sqrt(-2 * Math.log(1 - rng.float()));
          return mean + stddev * radius * Math.cos(2 * Math.PI * rng.float());
        }),
    };
  },
};

const diceType: TypeDefinition = {
  name: 'dice',
  description: `dice totals in NdS±M notation (N 1..${DICE_LIMITS.dice}, S 2..${DICE_LIMITS.sides} or %, |M| ≤ ${DICE_LIMITS.modifier})`,
  params: [
    {
      name: 'notation',
      kind: 'string',
      minLength: 2,
      maxLength: 16,
      default: '1d6',
      description: 'e.g. d20, 3d6+2, 2d%-1 (in a URL, write + as %2B)',
    },
  ],
  example: 'notation=3d6%2B2&count=3',
  prepare(params) {
    const path = params.path('notation');
    const notation = params.string('notation');
    const roll = parseDice(notation);
    if (roll === null) {
      const hint = notation.includes(' ') ? ' (in a URL, write + as %2B)' : '';
      throw invalidParameter(
        path,
        `${path} must be dice notation NdS±M like 3d6+2 (N 1..${DICE_LIMITS.dice}, S 2..${DICE_LIMITS.sides} or %, |M| ≤ ${DICE_LIMITS.modifier}); got ${quote(notation)}${hint}`,
      );
    }
    return {
      maxValueBytes: 8 + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) =>
        times(count, () => {
          let total = roll.modifier;
          for (let i = 0; i < roll.dice; i++) total += rng.int(1, roll.sides);
          return total;
        }),
    };
  },
};

const colorType: TypeDefinition = {
  name: 'color',
  description: 'uniform sRGB colors',
  params: [
    {
      name: 'format',
      kind: 'enum',
      values: ['hex', 'rgb', 'hsl'],
      default: 'hex',
      description: '#rrggbb, rgb(r, g, b) or hsl(h, s%, l%)',
    },
  ],
  example: 'format=rgb&count=2',
  prepare(params) {
    const format = params.choice('format');
    return {
      maxValueBytes: 20 + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) =>
        times(count, () => {
          if (format === 'hsl') return `hsl(${rng.int(0, 359)}, ${rng.int(0, 100)}%, ${rng.int(0, 100)}%)`;
          const rgb = rng.uint32() & 0xffffff;
          if (format === 'rgb') return `rgb(${rgb >>> 16}, ${(rgb >>> 8) & 0xff}, ${rgb & 0xff})`;
          return `#${rgb.toString(16).padStart(6, '0')}`;
        }),
    };
  },
};

const ipv4Type: TypeDefinition = {
  name: 'ipv4',
  description: 'uniform IPv4 addresses, dotted quad',
  params: [],
  example: 'count=2',
  prepare: () => ({
    maxValueBytes: 15 + VALUE_OVERHEAD_BYTES,
    generate: ({ rng }, count) =>
      times(count, () => {
        const word = rng.uint32();
        return `${word >>> 24}.${(word >>> 16) & 0xff}.${(word >>> 8) & 0xff}.${word & 0xff}`;
      }),
  }),
};

const ipv6Type: TypeDefinition = {
  name: 'ipv6',
  description: 'uniform IPv6 addresses, RFC 5952 text form',
  params: [],
  example: 'count=2',
  prepare: () => ({
    maxValueBytes: 39 + VALUE_OVERHEAD_BYTES,
    generate: ({ rng }, count) =>
      times(count, () => {
        const groups: number[] = [];
        for (let i = 0; i < 4; i++) {
          const word = rng.uint32();
          groups.push(word >>> 16, word & 0xffff);
        }
        return formatIpv6(groups);
      }),
  }),
};

const wordType: TypeDefinition = {
  name: 'word',
  description: `one lowercase word from a ${WORDS.length}-word lorem ipsum vocabulary`,
  params: [],
  example: 'count=3',
  prepare: () => ({
    maxValueBytes: LONGEST_WORD_LENGTH + VALUE_OVERHEAD_BYTES,
    generate: ({ rng }, count) => times(count, () => WORDS[rng.int(0, WORDS.length - 1)]!),
  }),
};

const loremType: TypeDefinition = {
  name: 'lorem',
  description: 'a sentence of lorem ipsum words, capitalised, ending with a period',
  params: [{ name: 'words', kind: 'integer', min: 1, max: 100, default: 8, description: 'words per sentence' }],
  example: 'words=6&count=2',
  prepare(params) {
    const words = params.number('words');
    return {
      maxValueBytes: words * (LONGEST_WORD_LENGTH + 1) + VALUE_OVERHEAD_BYTES,
      generate: ({ rng }, count) =>
        times(count, () => {
          let sentence = '';
          for (let i = 0; i < words; i++) {
            const word = WORDS[rng.int(0, WORDS.length - 1)]!;
            sentence += i === 0 ? word[0]!.toUpperCase() + word.slice(1) : ` ${word}`;
          }
          return `${sentence}.`;
        }),
    };
  },
};

/** Every type, in catalog order. */
export const TYPES: readonly TypeDefinition[] = [
  intType,
  floatType,
  boolType,
  uuidType,
  stringType,
  bytesType,
  choiceType,
  dateType,
  gaussianType,
  diceType,
  colorType,
  ipv4Type,
  ipv6Type,
  wordType,
  loremType,
];

const TYPES_BY_NAME = new Map(TYPES.map((type) => [type.name, type]));

/** Looks a type up by its exact name. */
export function findType(name: string): TypeDefinition | undefined {
  return TYPES_BY_NAME.get(name);
}
