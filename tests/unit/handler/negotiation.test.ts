import { describe, expect, it } from 'vitest';
import { csvField, negotiate } from '../../../handler/render.js';
import { apiEvent, invoke, postEvent } from './fixtures.js';

describe('negotiate', () => {
  it.each([
    [undefined, 'application/json'],
    ['', 'application/json'],
    ['application/json', 'application/json'],
    ['text/plain', 'text/plain'],
    ['text/csv', 'text/csv'],
    ['TEXT/CSV', 'text/csv'],
    ['text/csv; charset=utf-8', 'text/csv'],
    ['*/*', 'application/json'],
    ['text/*', 'text/plain'],
    ['application/xml', 'application/json'],
    ['image/png, text/csv', 'text/csv'],
    ['text/csv;q=0.5, text/plain', 'text/plain'],
    ['text/csv, text/plain;q=0.9', 'text/csv'],
    ['application/json;q=0, text/csv', 'text/csv'],
    ['text/*;q=0.2, text/csv;q=0.1', 'text/plain'],
    ['*/*;q=0.1, text/csv', 'text/csv'],
    ['text/plain;q=abc', 'application/json'],
    [';;;,,,/', 'application/json'],
    ['text/csv/extra', 'application/json'],
  ])('maps Accept %j to %s', (accept, media) => {
    expect(negotiate(accept)).toBe(media);
  });
});

describe('csvField', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    [42, '42'],
    [true, 'true'],
  ])('writes %j as %j (RFC 4180)', (value, field) => {
    expect(csvField(value)).toBe(field);
  });
});

describe('content negotiation of GET /random/{type}', () => {
  const query = { items: 'a', count: '3' };

  it('answers text/plain with one value per line', () => {
    const { result } = invoke(
      apiEvent({ path: '/random/int', query: { min: '7', max: '7', count: '3' }, headers: { Accept: 'text/plain' } }),
    );
    expect(result.headers?.['content-type']).toBe('text/plain; charset=utf-8');
    expect(result.body).toBe('7\n7\n7\n');
  });

  it('answers text/csv with one column and no header row', () => {
    const { result } = invoke(apiEvent({ path: '/random/choice', query, headers: { accept: 'text/csv' } }));
    expect(result.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(result.body).toBe('a\r\na\r\na\r\n');
  });

  it('escapes commas and quotes in CSV values', () => {
    const event = apiEvent({
      path: '/random/color',
      query: { format: 'rgb', count: '5' },
      headers: { Accept: 'text/csv' },
    });
    for (const line of invoke(event).result.body.trimEnd().split('\r\n')) {
      expect(line).toMatch(/^"rgb\(\d{1,3}, \d{1,3}, \d{1,3}\)"$/);
    }
  });

  it('falls back to JSON for an unsupported Accept', () => {
    const { result, json } = invoke(
      apiEvent({ path: '/random/choice', query, headers: { Accept: 'application/xml' } }),
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(json).toEqual({ type: 'choice', count: 3, seed: null, data: ['a', 'a', 'a'] });
  });

  it('answers errors in JSON whatever the Accept', () => {
    const { result, json } = invoke(
      apiEvent({ path: '/random/int', query: { count: '0' }, headers: { Accept: 'text/csv' } }),
    );
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(json).toMatchObject({ error: { code: 'InvalidParameter', param: 'count' } });
  });

  it('serves booleans and numbers as text', () => {
    const { result } = invoke(
      apiEvent({ path: '/random/bool', query: { p: '1', count: '2' }, headers: { Accept: 'text/plain' } }),
    );
    expect(result.body).toBe('true\ntrue\n');
  });
});

describe('POST /random records', () => {
  // Single-item choices make every value known whatever the Rng, so bodies can be compared exactly.
  const fields = {
    x: { type: 'choice', items: ['a,b'] },
    y: { type: 'choice', items: ['say "hi"'] },
    z: { type: 'choice', items: ['plain'] },
    n: { type: 'int', min: 3, max: 3 },
  };

  it('returns count records with every field, in JSON', () => {
    expect(invoke(postEvent({ count: 2, fields })).json).toEqual({
      type: 'records',
      count: 2,
      seed: null,
      data: [
        { x: 'a,b', y: 'say "hi"', z: 'plain', n: 3 },
        { x: 'a,b', y: 'say "hi"', z: 'plain', n: 3 },
      ],
    });
  });

  it('returns CSV with a header row and RFC 4180 escaping', () => {
    const { result } = invoke(postEvent({ count: 2, fields }, { Accept: 'text/csv' }));
    expect(result.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(result.body).toBe('x,y,z,n\r\n"a,b","say ""hi""",plain,3\r\n"a,b","say ""hi""",plain,3\r\n');
  });

  it('returns one JSON record per line under text/plain', () => {
    const { result } = invoke(postEvent({ count: 2, fields: { n: fields.n } }, { Accept: 'text/plain' }));
    expect(result.body).toBe('{"n":3}\n{"n":3}\n');
  });

  it('generates every type as a field', () => {
    // Prepare
    const all = {
      i: { type: 'int' },
      f: { type: 'float', decimals: 2 },
      b: { type: 'bool' },
      u: { type: 'uuid', version: 7 },
      s: { type: 'string', length: 4 },
      by: { type: 'bytes', encoding: 'base64' },
      c: { type: 'choice', items: ['p', 'q'], weights: [1, 2] },
      d: { type: 'date', format: 'epoch' },
      g: { type: 'gaussian', mean: 5 },
      di: { type: 'dice', notation: '2d6' },
      co: { type: 'color' },
      v4: { type: 'ipv4' },
      v6: { type: 'ipv6' },
      w: { type: 'word' },
      l: { type: 'lorem', words: 3 },
    };
    // Act
    const { result, json } = invoke(postEvent({ count: 3, seed: 'all', fields: all }));
    // Assess
    expect(result.statusCode).toBe(200);
    const { data } = json as { data: Record<string, unknown>[] };
    expect(data).toHaveLength(3);
    for (const record of data) expect(Object.keys(record)).toEqual(Object.keys(all));
  });

  it('defaults count to 1', () => {
    expect(invoke(postEvent({ fields: { n: fields.n } })).json).toMatchObject({ count: 1, data: [{ n: 3 }] });
  });
});
