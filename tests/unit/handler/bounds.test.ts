import { describe, expect, it } from 'vitest';
import { MAX_DATA_BYTES, MAX_RESPONSE_BYTES } from '../../../handler/index.js';
import { apiEvent, getType, invoke, postEvent } from './fixtures.js';

// CONTRIBUTING.md#promises-the-tests-pin: the boundary table, each row with its exact expected status.
describe('count bounds', () => {
  it.each([
    ['1', 200],
    ['1000', 200],
    ['0', 400],
    ['1001', 400],
    ['-1', 400],
    ['1 ', 400],
    [' 1', 400],
    ['', 400],
    ['1e3', 400],
    ['abc', 400],
    ['01', 400],
    ['1.0', 400],
    ['+1', 400],
    ['0x10', 400],
    ['99999999999999999999', 400],
  ])('count=%j gives %i', (count, status) => {
    const { result, json } = getType('int', { count });
    expect(result.statusCode).toBe(status);
    if (status === 400) {
      expect(json).toEqual({
        error: {
          code: 'InvalidParameter',
          message: `count must be an integer from 1 to 1000; got '${count}'`,
          param: 'count',
        },
      });
    } else {
      expect((json as { data: unknown[] }).data).toHaveLength(Number(count));
    }
  });

  it('defaults count to 1', () => {
    expect(getType('int').json).toMatchObject({ count: 1, data: [expect.any(Number)] });
  });

  it.each([
    [0, 400],
    [1, 200],
    [1000, 200],
    [1001, 400],
    [1.5, 400],
    ['5', 400],
    [null, 400],
  ])('POST count %j gives %i', (count, status) => {
    const { result } = invoke(postEvent({ count, fields: { n: { type: 'int' } } }));
    expect(result.statusCode).toBe(status);
  });
});

describe('parameter bounds', () => {
  it.each([
    ['string', 'length', '0', 400],
    ['string', 'length', '1', 200],
    ['string', 'length', '256', 200],
    ['string', 'length', '257', 400],
    ['string', 'length', '9'.repeat(40), 400],
    ['bytes', 'length', '0', 400],
    ['bytes', 'length', '1', 200],
    ['bytes', 'length', '256', 200],
    ['bytes', 'length', '257', 400],
    ['lorem', 'words', '0', 400],
    ['lorem', 'words', '1', 200],
    ['lorem', 'words', '100', 200],
    ['lorem', 'words', '101', 400],
    ['float', 'decimals', '-1', 400],
    ['float', 'decimals', '0', 200],
    ['float', 'decimals', '15', 200],
    ['float', 'decimals', '16', 400],
    ['float', 'min', '-1000000000000000', 200],
    ['float', 'min', '-1000000000000001', 400],
    ['float', 'max', '1e3', 400],
    ['float', 'max', '.5', 400],
    ['bool', 'p', '-0.1', 400],
    ['bool', 'p', '0', 200],
    ['bool', 'p', '1', 200],
    ['bool', 'p', '1.01', 400],
    ['bool', 'p', '0.5 ', 400],
    ['bool', 'p', 'NaN', 400],
    ['int', 'min', '-9007199254740991', 200],
    ['int', 'min', '-9007199254740992', 400],
    ['int', 'max', '9007199254740991', 200],
    ['int', 'max', '9007199254740992', 400],
    ['int', 'max', '1.5', 400],
    ['gaussian', 'stddev', '-1', 400],
    ['gaussian', 'stddev', '0', 200],
    ['gaussian', 'mean', '1000000000000', 200],
    ['gaussian', 'mean', '1000000000001', 400],
    ['uuid', 'version', '4', 200],
    ['uuid', 'version', '7', 200],
    ['uuid', 'version', '6', 400],
    ['color', 'format', 'HEX', 400],
    ['bytes', 'encoding', 'base32', 400],
    ['date', 'format', 'unix', 400],
    ['string', 'charset', 'emoji', 400],
    ['string', 'chars', 'x'.repeat(256), 200],
    ['string', 'chars', 'x'.repeat(257), 400],
    ['dice', 'notation', '100d1000+10000', 200],
    ['dice', 'notation', '3d6+2 ', 400],
  ])('%s %s=%j gives %i', (type, param, value, status) => {
    const { result, json } = getType(type, { [param]: value });
    expect(result.statusCode).toBe(status);
    if (status === 400) expect(json).toMatchObject({ error: { code: 'InvalidParameter', param } });
  });

  it.each([
    ['a'.repeat(128), 200],
    ['a'.repeat(129), 400],
    ['', 400],
    ['tab\there', 400],
    ['😀'.repeat(128), 200],
  ])('seed of %j gives %i', (seed, status) => {
    expect(getType('int', { seed }).result.statusCode).toBe(status);
  });

  it('takes up to 100 choice items of up to 64 characters', () => {
    const items = (n: number, length = 3) => Array.from({ length: n }, (_, i) => String(i).padStart(length, 'x'));
    expect(getType('choice', { items: items(100).join(',') }).result.statusCode).toBe(200);
    expect(getType('choice', { items: items(101).join(',') }).json).toMatchObject({ error: { param: 'items' } });
    expect(getType('choice', { items: items(2, 64).join(',') }).result.statusCode).toBe(200);
    expect(getType('choice', { items: items(2, 65).join(',') }).json).toMatchObject({ error: { param: 'items' } });
  });

  it('refuses an unknown parameter, naming it and the allowed ones', () => {
    expect(getType('int', { mn: '1' }).json).toEqual({
      error: {
        code: 'InvalidParameter',
        message: "unknown parameter 'mn' for type int; allowed: min, max",
        param: 'mn',
      },
    });
  });

  it('refuses a repeated parameter', () => {
    const { result, json } = invoke(apiEvent({ path: '/random/int', query: { count: ['1', '2'] } }));
    expect(result.statusCode).toBe(400);
    expect(json).toEqual({
      error: { code: 'InvalidParameter', message: 'count is given 2 times; give it once', param: 'count' },
    });
  });
});

describe('response size bound', () => {
  it('serves the largest allowed response under the documented body bound', () => {
    // Prepare: 4-byte characters, 256 per value: 1,028 bytes per value, so 510 values fit 512 KiB.
    const query = { chars: '😀', length: '256' };
    // Act
    const over = getType('string', { ...query, count: '511' });
    const most = getType('string', { ...query, count: '510' });
    // Assess
    expect(over.json).toEqual({
      error: {
        code: 'InvalidParameter',
        message: `count 511 with these parameters could make up to 525308 bytes of data; the limit is ${MAX_DATA_BYTES}: use count ≤ 510 or shorter values`,
        param: 'count',
      },
    });
    expect(most.result.statusCode).toBe(200);
    expect(Buffer.byteLength(most.result.body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(Buffer.byteLength(most.result.body)).toBeGreaterThan(500_000);
  });

  it('bounds POST records by all their fields, CSV included', () => {
    // Prepare: 20 fields of 64 emoji-long choices: about 291 bytes per field, 5.8 KB per record.
    const fields = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`field_${i}`, { type: 'choice', items: ['😀'.repeat(64)] }]),
    );
    // Act
    const over = invoke(postEvent({ count: 1000, fields }));
    const allowed = Number(/count ≤ (\d+)/.exec((over.json as { error: { message: string } }).error.message)?.[1]);
    const json = invoke(postEvent({ count: allowed, fields }));
    const csv = invoke(postEvent({ count: allowed, fields }, { Accept: 'text/csv' }));
    // Assess
    expect(over.result.statusCode).toBe(400);
    expect(allowed).toBeGreaterThan(50);
    for (const { result } of [json, csv]) {
      expect(result.statusCode).toBe(200);
      expect(Buffer.byteLength(result.body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    }
  });
});
