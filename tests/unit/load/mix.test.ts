import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../harness/errors.js';
import { MIX_CATALOG, mixCycle, resolveMix, validateMix } from '../../../harness/load/mix.js';

describe('resolveMix', () => {
  it('spreads the default mix over every type of the API, a POST of records included', () => {
    const mix = resolveMix('default');
    const types = new Set(mix.map((e) => /^random\/([a-z0-9]+)/.exec(e.path)?.[1]).filter(Boolean));
    for (const type of [
      'int',
      'float',
      'bool',
      'uuid',
      'string',
      'bytes',
      'choice',
      'date',
      'gaussian',
      'dice',
      'color',
      'ipv4',
      'ipv6',
      'word',
      'lorem',
    ]) {
      expect(types).toContain(type);
    }
    expect(mix.some((e) => e.method === 'POST' && e.path === 'random' && JSON.parse(e.body!).fields)).toBe(true);
  });

  it('picks catalog entries by name with optional weights', () => {
    expect(resolveMix('int=5, post-records').map((e) => [e.name, e.weight])).toEqual([
      ['int', 5],
      ['post-records', 2],
    ]);
  });

  it('names the unknown entry and lists the catalog', () => {
    expect(() => resolveMix('int,nope')).toThrowError(/unknown request 'nope': choose from default, int,/);
  });

  it('reads a .json file of entries and rejects a bad one with the field that is wrong', () => {
    const file = JSON.stringify([
      { name: 'ping', path: 'types' },
      { name: 'teapot', path: 'random/int', expectStatus: 418, weight: 3 },
    ]);
    expect(resolveMix('mine.json', () => file)).toEqual([
      { name: 'ping', weight: 1, method: 'GET', path: 'types' },
      { name: 'teapot', weight: 3, method: 'GET', path: 'random/int', expectStatus: 418 },
    ]);
    expect(() => resolveMix('bad.json', () => '{')).toThrowError(UsageError);
    expect(() => validateMix([{ name: 'x', path: '/abs' }], 'f')).toThrowError(/relative to the API base URL/);
    expect(() => validateMix([{ name: 'x', path: 'a', weight: 0 }], 'f')).toThrowError(/weight 0/);
    expect(() => validateMix([{ name: 'x', path: 'a', body: '{}' }], 'f')).toThrowError(/GET with a body/);
    expect(() =>
      validateMix(
        [
          { name: 'x', path: 'a' },
          { name: 'x', path: 'b' },
        ],
        'f',
      ),
    ).toThrowError(/appears twice/);
    expect(() => validateMix([], 'f')).toThrowError(/non-empty array/);
  });
});

describe('mixCycle', () => {
  it('sends each entry in proportion to its weight, spread through the cycle', () => {
    const mix = validateMix(
      [
        { name: 'a', path: 'a', weight: 5 },
        { name: 'b', path: 'b', weight: 1 },
        { name: 'c', path: 'c', weight: 2 },
      ],
      't',
    );
    const cycle = Array.from(mixCycle(mix));
    expect(cycle).toHaveLength(8);
    expect(cycle.filter((i) => i === 0)).toHaveLength(5);
    expect(cycle.filter((i) => i === 1)).toHaveLength(1);
    expect(cycle.filter((i) => i === 2)).toHaveLength(2);
    // Smooth: the heavy entry never runs more than 3 times in a row in this mix.
    expect(cycle.join('')).not.toMatch(/0000/);
  });

  it('covers the whole catalog in one cycle', () => {
    const cycle = mixCycle(MIX_CATALOG);
    expect(new Set(cycle).size).toBe(MIX_CATALOG.length);
  });
});
