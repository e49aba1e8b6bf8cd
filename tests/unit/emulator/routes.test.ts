import { describe, expect, it } from 'vitest';
import { RouteTable } from '../../../harness/emulator/routes.js';

const table = new RouteTable([
  { resourcePath: '/', resourceId: 'root', methods: ['GET'] },
  { resourcePath: '/items', resourceId: 'items', methods: ['GET', 'POST'] },
  { resourcePath: '/items/special', resourceId: 'special', methods: ['ANY'] },
  { resourcePath: '/items/{id}', resourceId: 'item', methods: ['GET'] },
  { resourcePath: '/{proxy+}', resourceId: 'proxy', methods: ['ANY'] },
]);

function resourceOf(method: string, path: string) {
  const result = table.match(method, path);
  return result.kind === 'match' ? [result.match.route.resourceId, result.match.pathParameters] : result.kind;
}

describe('RouteTable', () => {
  it('prefers literal segments, then {param}, then {proxy+}', () => {
    expect(resourceOf('GET', '/items/special')).toEqual(['special', null]);
    expect(resourceOf('GET', '/items/42')).toEqual(['item', { id: '42' }]);
    expect(resourceOf('GET', '/items/42/more')).toEqual(['proxy', { proxy: 'items/42/more' }]);
    expect(resourceOf('GET', '/')).toEqual(['root', null]);
  });

  it('gives the greedy parameter the rest of the path, slashes kept, no leading slash (docs/aws-behaviour.md#proxy-event)', () => {
    expect(resourceOf('DELETE', '/a//b')).toEqual(['proxy', { proxy: 'a//b' }]);
  });

  it('leaves a trailing slash out of the greedy parameter (docs/aws-behaviour.md#proxy-event)', () => {
    // Recorded: `/test-path/` gives `{"proxy": "test-path"}`, while `path` keeps the slash.
    expect(resourceOf('GET', '/test-path/')).toEqual(['proxy', { proxy: 'test-path' }]);
    expect(resourceOf('GET', '/a//b/')).toEqual(['proxy', { proxy: 'a//b' }]);
  });

  it('treats a trailing slash as the same resource', () => {
    expect(resourceOf('GET', '/items/')).toEqual(['items', null]);
  });

  it('reports a known resource without the method separately from an unknown resource', () => {
    expect(resourceOf('DELETE', '/items/42')).toBe('no-method');
    expect(new RouteTable([{ resourcePath: '/a', resourceId: 'a', methods: ['GET'] }]).match('GET', '/b').kind).toBe(
      'no-resource',
    );
  });

  it('refuses a greedy segment that is not the last one', () => {
    expect(() => new RouteTable([{ resourcePath: '/{proxy+}/x', resourceId: 'x', methods: ['ANY'] }])).toThrow(
      /must be the last one/,
    );
  });
});
