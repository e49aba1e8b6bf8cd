import { isIPv4, isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { formatIpv6, parseDice, TYPES } from '../../../handler/generators.js';
import { Params } from '../../../handler/params.js';
import { createCryptoRng, createSeededRng } from '../../../handler/rng.js';
import { WORDS } from '../../../handler/words.js';
import { dataOf, getType, TEST_NOW_MS } from './fixtures.js';

// Values of one GET, typed for the assertions below.
function numbers(type: string, query: Record<string, string>): number[] {
  return dataOf(getType(type, query)) as number[];
}
function strings(type: string, query: Record<string, string>): string[] {
  return dataOf(getType(type, query)) as string[];
}

describe('int', () => {
  it('covers [min, max] inclusive and nothing outside it', () => {
    const values = numbers('int', { min: '1', max: '6', count: '1000', seed: 'dice-faces' });
    expect(new Set(values)).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });

  it('defaults to [0, 100]', () => {
    const values = numbers('int', { count: '1000', seed: 'defaults' });
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(100);
    expect(values.every(Number.isInteger)).toBe(true);
  });

  it('spans the whole safe-integer range when asked', () => {
    const values = numbers('int', { min: '-9007199254740991', max: '9007199254740991', count: '200' });
    expect(values.every(Number.isSafeInteger)).toBe(true);
    expect(values.some((value) => value < 0) && values.some((value) => value > 0)).toBe(true);
  });

  it('returns min when min equals max, also for negatives', () => {
    expect(numbers('int', { min: '-7', max: '-7', count: '3' })).toEqual([-7, -7, -7]);
  });
});

describe('float', () => {
  it('stays in [min, max] with full precision by default', () => {
    const values = numbers('float', { min: '-2.5', max: '2.5', count: '1000' });
    expect(values.every((value) => value >= -2.5 && value <= 2.5)).toBe(true);
    expect(values.some((value) => (String(value).split('.')[1]?.length ?? 0) > 6)).toBe(true);
  });

  it('rounds to the grid of decimals, including both ends', () => {
    const values = numbers('float', { min: '0.7', max: '0.9', decimals: '1', count: '300', seed: 'grid' });
    expect(new Set(values)).toEqual(new Set([0.7, 0.8, 0.9]));
  });

  it('gives integers-valued numbers with decimals=0', () => {
    const values = numbers('float', { min: '0', max: '3', decimals: '0', count: '200', seed: 'zero' });
    expect(new Set(values)).toEqual(new Set([0, 1, 2, 3]));
  });

  it('refuses decimals that cannot be exact at that magnitude, naming the allowed maximum', () => {
    const { result, json } = getType('float', { min: '0', max: '1000000000000000', decimals: '2' });
    expect(result.statusCode).toBe(400);
    expect(json).toEqual({
      error: {
        code: 'InvalidParameter',
        message: "decimals must be at most 0 when min or max reaches 1000000000000000; got '2'",
        param: 'decimals',
      },
    });
  });

  it('refuses a range that holds no number with that many decimals', () => {
    const { result, json } = getType('float', { min: '0.51', max: '0.55', decimals: '1' });
    expect(result.statusCode).toBe(400);
    expect((json as { error: { param: string } }).error.param).toBe('decimals');
  });
});

describe('bool', () => {
  it('is true about 25% of the time with p=0.25 over 10,000 values (CSPRNG)', () => {
    // Binomial(10000, 0.25): sd 43.3, so ±260 is 6 sd: a false failure about once in 10^9 runs.
    const values = dataOf(getType('bool', { p: '0.25', count: '1000' })).concat(
      ...Array.from({ length: 9 }, () => dataOf(getType('bool', { p: '0.25', count: '1000' }))),
    );
    const trues = values.filter((value) => value === true).length;
    expect(values).toHaveLength(10_000);
    expect(trues).toBeGreaterThan(2500 - 260);
    expect(trues).toBeLessThan(2500 + 260);
  });

  it('is always false with p=0 and always true with p=1', () => {
    expect(new Set(dataOf(getType('bool', { p: '0', count: '500' })))).toEqual(new Set([false]));
    expect(new Set(dataOf(getType('bool', { p: '1', count: '500' })))).toEqual(new Set([true]));
  });
});

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('uuid', () => {
  it('v4 (the default) has version nibble 4 and variant bits 10', () => {
    const values = strings('uuid', { count: '500' });
    for (const value of values) {
      expect(value).toMatch(UUID_PATTERN);
      expect(value[14]).toBe('4');
      expect('89ab').toContain(value[19]);
    }
    expect(new Set(values).size).toBe(500);
  });

  it('v7 carries the request time in its first 48 bits, version 7, variant 10, in strictly increasing order', () => {
    const values = strings('uuid', { version: '7', count: '1000' });
    for (const value of values) {
      expect(value).toMatch(UUID_PATTERN);
      expect(value[14]).toBe('7');
      expect('89ab').toContain(value[19]);
      expect(Number.parseInt(value.slice(0, 8) + value.slice(9, 13), 16)).toBe(TEST_NOW_MS);
    }
    const sorted = [...values].sort();
    expect(values).toEqual(sorted);
    expect(new Set(values).size).toBe(1000);
  });

  it('v7 under a seed takes a seeded instant in 2000..2029 instead of the clock', () => {
    const [value] = strings('uuid', { version: '7', seed: 'v7' });
    const timeMs = Number.parseInt(value!.slice(0, 8) + value!.slice(9, 13), 16);
    expect(timeMs).toBeGreaterThanOrEqual(Date.UTC(2000, 0, 1));
    expect(timeMs).toBeLessThan(Date.UTC(2030, 0, 1));
    expect(strings('uuid', { version: '7', seed: 'v7' })).toEqual([value]);
  });

  it('refuses versions other than 4 and 7', () => {
    expect(getType('uuid', { version: '5' }).json).toEqual({
      error: { code: 'InvalidParameter', message: "version must be one of 4, 7; got '5'", param: 'version' },
    });
  });
});

describe('string', () => {
  it.each([
    ['alpha', /^[A-Za-z]{24}$/],
    ['alnum', /^[A-Za-z0-9]{24}$/],
    ['numeric', /^[0-9]{24}$/],
    ['hex', /^[0-9a-f]{24}$/],
    ['base64url', /^[A-Za-z0-9_-]{24}$/],
  ])('draws only from charset %s', (charset, pattern) => {
    for (const value of strings('string', { charset, length: '24', count: '200' })) expect(value).toMatch(pattern);
  });

  it('defaults to 16 alphanumeric characters', () => {
    expect(strings('string', {})[0]).toMatch(/^[A-Za-z0-9]{16}$/);
  });

  it('draws from custom chars, counting an emoji as one character', () => {
    const values = strings('string', { chars: 'a😀', length: '10', count: '50', seed: 'emoji' });
    for (const value of values) {
      expect([...value]).toHaveLength(10);
      expect([...value].every((char) => char === 'a' || char === '😀')).toBe(true);
    }
    expect(values.join('')).toContain('😀');
  });

  it('refuses chars together with charset, and chars with control characters', () => {
    expect(getType('string', { chars: 'ab', charset: 'hex' }).json).toEqual({
      error: { code: 'InvalidParameter', message: 'give either chars or charset, not both', param: 'chars' },
    });
    expect(getType('string', { chars: 'a\nb' }).result.statusCode).toBe(400);
    expect(getType('string', { chars: 'a\u2028b' }).result.statusCode).toBe(400);
  });
});

describe('bytes', () => {
  it('encodes length bytes as hex by default', () => {
    for (const value of strings('bytes', { length: '7', count: '20' })) expect(value).toMatch(/^[0-9a-f]{14}$/);
  });

  it('encodes as base64 that decodes back to length bytes', () => {
    for (const value of strings('bytes', { length: '7', encoding: 'base64', count: '20' })) {
      expect(Buffer.from(value, 'base64')).toHaveLength(7);
      expect(Buffer.from(value, 'base64').toString('base64')).toBe(value);
    }
  });
});

describe('choice', () => {
  it('picks only given items, all of them over enough draws', () => {
    const values = strings('choice', { items: 'red,green,blue', count: '300' });
    expect(new Set(values)).toEqual(new Set(['red', 'green', 'blue']));
  });

  it('follows weights and never picks a zero-weight item', () => {
    const values = strings('choice', { items: 'a,b,c', weights: '1,0,3', count: '1000' });
    const share = values.filter((value) => value === 'c').length / 1000;
    expect(values).not.toContain('b');
    // 0.75 expected; sd 0.0137, so ±0.08 is about 6 sd.
    expect(share).toBeGreaterThan(0.67);
    expect(share).toBeLessThan(0.83);
  });

  it('requires items and one weight per item, not all zero', () => {
    expect(getType('choice', {}).json).toMatchObject({ error: { code: 'InvalidParameter', param: 'items' } });
    expect(getType('choice', { items: 'a,b', weights: '1' }).json).toEqual({
      error: {
        code: 'InvalidParameter',
        message: 'weights must have one weight per item (2); got 1',
        param: 'weights',
      },
    });
    expect(getType('choice', { items: 'a,b', weights: '0,0' }).json).toEqual({
      error: { code: 'InvalidParameter', message: 'weights must not all be zero', param: 'weights' },
    });
    expect(getType('choice', { items: 'a,,b' }).result.statusCode).toBe(400);
  });
});

describe('date', () => {
  it('stays in [from, to] and formats ISO 8601 by default', () => {
    const values = strings('date', { from: '2024-02-28', to: '2024-03-01T00:00:00Z', count: '500' });
    for (const value of values) {
      expect(value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const ms = Date.parse(value);
      expect(ms).toBeGreaterThanOrEqual(Date.UTC(2024, 1, 28));
      expect(ms).toBeLessThanOrEqual(Date.UTC(2024, 2, 1));
    }
  });

  it('defaults to 2000-01-01 .. 2030-01-01', () => {
    for (const value of strings('date', { count: '300' })) {
      expect(Date.parse(value)).toBeGreaterThanOrEqual(Date.UTC(2000, 0, 1));
      expect(Date.parse(value)).toBeLessThanOrEqual(Date.UTC(2030, 0, 1));
    }
  });

  it('gives epoch seconds and epoch milliseconds as integers', () => {
    const range = { from: '2024-01-01T00:00:00+01:00', to: '2024-01-01T00:00:00Z' };
    const seconds = numbers('date', { ...range, format: 'epoch', count: '100' });
    const millis = numbers('date', { ...range, format: 'epoch_ms', count: '100' });
    const start = Date.UTC(2023, 11, 31, 23);
    const end = Date.UTC(2024, 0, 1);
    expect(seconds.every((s) => Number.isInteger(s) && s >= start / 1000 && s <= end / 1000)).toBe(true);
    expect(millis.every((ms) => Number.isInteger(ms) && ms >= start && ms <= end)).toBe(true);
  });

  it.each(['2023-02-30', '2024-13-01', '2024-01-01T12:00:00', '1969-12-31', '31/01/2024', '2024-01-01T24:00:00Z'])(
    'refuses from=%s with a 400 naming from',
    (from) => {
      expect(getType('date', { from }).json).toMatchObject({ error: { code: 'InvalidParameter', param: 'from' } });
    },
  );

  it('refuses to before from', () => {
    expect(getType('date', { from: '2024-01-02', to: '2024-01-01' }).json).toEqual({
      error: {
        code: 'InvalidParameter',
        message: 'to must be at or after from (2024-01-02T00:00:00.000Z)',
        param: 'to',
      },
    });
  });
});

describe('gaussian', () => {
  it('has the asked mean and standard deviation over 10,000 values', () => {
    // Seeded, so this checks the transform, not luck: sample mean and sd within 7 standard errors.
    const values = Array.from({ length: 10 }, (_, i) =>
      numbers('gaussian', { mean: '100', stddev: '15', count: '1000', seed: `g${i}` }),
    ).flat();
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
    expect(Math.abs(mean - 100)).toBeLessThan(1.05);
    expect(Math.abs(sd - 15)).toBeLessThan(0.75);
  });

  it('returns the mean exactly when stddev is 0', () => {
    expect(numbers('gaussian', { mean: '-3.5', stddev: '0', count: '3' })).toEqual([-3.5, -3.5, -3.5]);
  });
});

describe('dice', () => {
  it.each([
    ['3d6+2', 5, 20],
    ['d20', 1, 20],
    ['1D2', 1, 2],
  ])('rolls %s within [%i, %i], reaching both ends', (notation, low, high) => {
    const values = numbers('dice', { notation, count: '1000', seed: notation });
    expect(Math.min(...values)).toBe(low);
    expect(Math.max(...values)).toBe(high);
  });

  it('rolls 2d% as two d100 and applies a negative modifier', () => {
    const values = numbers('dice', { notation: '2d%-1', count: '1000' });
    expect(values.every((value) => Number.isInteger(value) && value >= 1 && value <= 199)).toBe(true);
    // The sum of two d100 centres on 101 (minus 1): a mean far off means one die or the modifier is missing.
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(Math.abs(mean - 100)).toBeLessThan(8);
  });

  it('defaults to 1d6', () => {
    expect(new Set(numbers('dice', { count: '500', seed: 'd6' }))).toEqual(new Set([1, 2, 3, 4, 5, 6]));
  });

  it.each(['0d6', '3d1', '101d6', '3d1001', '3d6+10001', 'd', '3x6', '3d6+', '+3d6', '3d6*2'])(
    'refuses notation %s with a 400 naming notation',
    (notation) => {
      expect(getType('dice', { notation }).json).toMatchObject({
        error: { code: 'InvalidParameter', param: 'notation' },
      });
    },
  );

  it('hints at %2B when a + arrived as a space', () => {
    const { json } = getType('dice', { notation: '3d6 2' });
    expect((json as { error: { message: string } }).error.message).toContain('write + as %2B');
  });

  it('parses the parts of NdS±M', () => {
    expect(parseDice('3d6+2')).toEqual({ dice: 3, sides: 6, modifier: 2 });
    expect(parseDice('d%')).toEqual({ dice: 1, sides: 100, modifier: 0 });
    expect(parseDice('100d1000-10000')).toEqual({ dice: 100, sides: 1000, modifier: -10000 });
    expect(parseDice('3 d6')).toBeNull();
  });
});

describe('color', () => {
  it.each([
    ['hex', /^#[0-9a-f]{6}$/],
    ['rgb', /^rgb\((\d{1,3}), (\d{1,3}), (\d{1,3})\)$/],
    ['hsl', /^hsl\((\d{1,3}), (\d{1,3})%, (\d{1,3})%\)$/],
  ])('formats %s', (format, pattern) => {
    for (const value of strings('color', { format, count: '300' })) {
      const match = pattern.exec(value);
      expect(match).not.toBeNull();
      const parts = (match ?? []).slice(1).map(Number);
      if (format === 'rgb') expect(parts.every((part) => part <= 255)).toBe(true);
      if (format === 'hsl') expect(parts[0]! <= 359 && parts[1]! <= 100 && parts[2]! <= 100).toBe(true);
    }
  });
});

describe('ipv4 and ipv6', () => {
  it('gives addresses node:net accepts as IPv4', () => {
    for (const value of strings('ipv4', { count: '500' })) expect(isIPv4(value)).toBe(true);
  });

  it('gives IPv6 addresses node:net accepts, already in the canonical RFC 5952 form', () => {
    for (const value of strings('ipv6', { count: '500' })) {
      expect(isIPv6(value)).toBe(true);
      // WHATWG URL serialises IPv6 hosts in RFC 5952 form, an independent canonicaliser.
      expect(new URL(`http://[${value}]/`).hostname).toBe(`[${value}]`);
    }
  });

  it('compresses the longest zero run (first on a tie) and never a single zero group', () => {
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0, 1])).toBe('::1');
    expect(formatIpv6([0, 0, 0, 0, 0, 0, 0, 0])).toBe('::');
    expect(formatIpv6([1, 0, 0, 1, 0, 0, 0, 1])).toBe('1:0:0:1::1');
    expect(formatIpv6([1, 0, 0, 1, 1, 0, 0, 1])).toBe('1::1:1:0:0:1');
    expect(formatIpv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1])).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6([0xabcd, 0, 0, 0, 0, 0, 0, 0])).toBe('abcd::');
  });
});

describe('word and lorem', () => {
  it('word picks from the vocabulary', () => {
    for (const value of strings('word', { count: '300' })) expect(WORDS).toContain(value);
  });

  it('lorem gives a capitalised sentence of the asked number of words, ending with a period', () => {
    for (const value of strings('lorem', { words: '5', count: '50' })) {
      expect(value).toMatch(/^[A-Z][a-z]*( [a-z]+){4}\.$/);
      const words = value.slice(0, -1).toLowerCase().split(' ');
      expect(words.every((word) => WORDS.includes(word))).toBe(true);
    }
  });
});

// The worst case of every size-driving param: each generated value must fit the bound its generator declares.
const WORST_CASE: Readonly<Record<string, Record<string, unknown>>> = {
  int: { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  float: { min: -1e15, max: 1e15 },
  string: { length: 256, chars: '"\\é€😀' },
  bytes: { length: 256, encoding: 'hex' },
  choice: { items: ['😀'.repeat(64), '"'.repeat(64)] },
  date: { from: '9999-12-31T23:59:59.999Z', to: '9999-12-31T23:59:59.999Z', format: 'iso' },
  gaussian: { mean: -1e12, stddev: 1e12 },
  dice: { notation: '100d1000-10000' },
  color: { format: 'hsl' },
  lorem: { words: 100 },
};

describe('size bounds', () => {
  it.each(TYPES.map((type) => type.name))(
    '%s values never exceed the declared maxValueBytes in JSON or CSV',
    (name) => {
      // Prepare
      const type = TYPES.find((candidate) => candidate.name === name);
      if (type === undefined) throw new Error(`no type ${name}`);
      const raw = new Map(Object.entries(WORST_CASE[name] ?? {}));
      const generator = type.prepare(Params.parse(type.params, raw, 'json', (param) => param, name));
      // Act
      const values = [
        ...generator.generate({ rng: createCryptoRng(), seeded: false, nowMs: TEST_NOW_MS }, 300),
        ...generator.generate({ rng: createSeededRng('worst'), seeded: true, nowMs: TEST_NOW_MS }, 300),
      ];
      // Assess
      for (const value of values) {
        const json = Buffer.byteLength(JSON.stringify(value)) + 1;
        const csv = Buffer.byteLength(`"${String(value).replace(/"/g, '""')}"\r\n`);
        expect(Math.max(json, csv)).toBeLessThanOrEqual(generator.maxValueBytes);
      }
    },
  );
});
