import { createHash } from 'node:crypto';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import { TYPES } from '../../../handler/generators.js';
import { createCryptoRng, createSeededRng, type RngFactory } from '../../../handler/rng.js';
import { apiEvent, dataOf, getType, invoke, postEvent } from './fixtures.js';

// Query strings that exercise each type; `choice` needs items.
const PARAMS: Readonly<Record<string, Record<string, string>>> = Object.fromEntries(
  TYPES.map((type): [string, Record<string, string>] => [
    type.name,
    type.name === 'choice' ? { items: 'a,b,c,d,e,f,g,h' } : {},
  ]),
);

describe('seeded determinism', () => {
  it.each(TYPES.map((type) => type.name))('%s: the same seed and params give the same data', (type) => {
    const first = dataOf(getType(type, { ...PARAMS[type], count: '50', seed: 'same' }));
    const second = dataOf(getType(type, { ...PARAMS[type], count: '50', seed: 'same' }));
    expect(second).toEqual(first);
  });

  it.each(TYPES.map((type) => type.name))('%s: a different seed gives different data', (type) => {
    const first = dataOf(getType(type, { ...PARAMS[type], count: '50', seed: 'one' }));
    const second = dataOf(getType(type, { ...PARAMS[type], count: '50', seed: 'two' }));
    expect(second).not.toEqual(first);
  });

  it('pins the output of one seed, so a change of PRNG, hashing or distribution is noticed', () => {
    // Golden values: recorded from this implementation (SHA-256 → xoroshiro128+ → pure-rand uniformInt).
    expect(dataOf(getType('int', { min: '1', max: '1000', count: '5', seed: 'golden' }))).toEqual(GOLDEN.int);
    expect(dataOf(getType('uuid', { seed: 'golden' }))).toEqual([GOLDEN.uuid]);
    expect(dataOf(getType('string', { length: '12', seed: 'golden' }))).toEqual([GOLDEN.string]);
  });

  it('seeds xoroshiro128+ with the first 128 bits of the SHA-256 of the seed text', () => {
    // Rebuilt here from the libraries alone, so the seed-to-state mapping is pinned, not just its output.
    const digest = createHash('sha256').update('golden', 'utf8').digest();
    const state = [0, 4, 8, 12].map((offset) => digest.readInt32LE(offset));
    const reference = xoroshiro128plusFromState(state);
    const expected = Array.from({ length: 5 }, () => uniformInt(reference, 1, 1000));
    const rng = createSeededRng('golden');
    expect(Array.from({ length: 5 }, () => rng.int(1, 1000))).toEqual(expected);
    expect(expected).toEqual(GOLDEN.int);
  });

  it('echoes the seed, and null without one', () => {
    expect(getType('int', { seed: 'abc' }).json).toMatchObject({ seed: 'abc' });
    expect(getType('int').json).toMatchObject({ seed: null });
  });

  it('gives a POST field the same data as the GET of that type with the same seed', () => {
    const get = dataOf(getType('int', { min: '1', max: '100', count: '20', seed: '42' }));
    const post = dataOf(invoke(postEvent({ count: 20, seed: 42, fields: { v: { type: 'int', min: 1, max: 100 } } })));
    expect(post.map((record) => (record as { v: number }).v)).toEqual(get);
    expect(invoke(postEvent({ seed: 42, fields: { v: { type: 'int' } } })).json).toMatchObject({ seed: '42' });
  });

  it('gives the same data under text/plain and JSON for one seed', () => {
    const json = dataOf(getType('word', { count: '5', seed: 's' }));
    const plain = invoke(
      apiEvent({ path: '/random/word', query: { count: '5', seed: 's' }, headers: { Accept: 'text/plain' } }),
    );
    expect(plain.result.body).toBe(`${json.join('\n')}\n`);
  });
});

describe('rng choice', () => {
  it('asks the factory for a seeded Rng with the seed, and a CSPRNG without one', () => {
    // Prepare
    const seen: (string | null)[] = [];
    const createRng: RngFactory = (seed) => {
      seen.push(seed);
      return seed === null ? createCryptoRng() : createSeededRng(seed);
    };
    // Act
    getType('int', { seed: 'abc' }, { createRng });
    getType('int', {}, { createRng });
    invoke(postEvent({ seed: 7, fields: { n: { type: 'int' } } }), { createRng });
    // Assess
    expect(seen).toEqual(['abc', null, '7']);
  });

  it('gives different data on every unseeded request', () => {
    const first = dataOf(getType('uuid', { count: '5' }));
    const second = dataOf(getType('uuid', { count: '5' }));
    expect(new Set([...first, ...second]).size).toBe(10);
  });

  it('keeps seeded streams independent of how many unseeded requests ran before', () => {
    const before = dataOf(getType('int', { count: '5', seed: 'x' }));
    for (let i = 0; i < 3; i++) getType('int', { count: '1000' });
    expect(dataOf(getType('int', { count: '5', seed: 'x' }))).toEqual(before);
  });

  it('draws uint32, int and float within their ranges from both sources', () => {
    for (const rng of [createCryptoRng(), createSeededRng('ranges')]) {
      for (let i = 0; i < 2000; i++) {
        const word = rng.uint32();
        const float = rng.float();
        const int = rng.int(-3, 3);
        expect(Number.isInteger(word) && word >= 0 && word <= 0xffffffff).toBe(true);
        expect(float >= 0 && float < 1).toBe(true);
        expect(Number.isInteger(int) && int >= -3 && int <= 3).toBe(true);
      }
    }
  });
});

/** Recorded once from this implementation; a failing match means seeded output changed for users. */
const GOLDEN = {
  int: [985, 577, 811, 586, 269],
  uuid: '7803dffb-18ef-4268-82d4-67ec59a3594c',
  string: 'Qyk9cyL9jjId',
};
