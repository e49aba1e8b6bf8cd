import { describe, expect, it } from 'vitest';
import { batchIds } from '../../../harness/correlate/batch.js';
import { handlerLinesQuery, MAX_QUERY_LENGTH } from '../../../stack/log-queries.js';

describe('batchIds', () => {
  it('fits about 240 UUIDs in one handler-lines query of at most 10,000 characters', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const batches = batchIds(ids, (batch) => handlerLinesQuery(batch));
    expect(batches[0]!.length).toBeGreaterThan(230);
    expect(batches[0]!.length).toBeLessThan(250);
    expect(Math.max(...batches.map((b) => handlerLinesQuery(b).length))).toBeLessThanOrEqual(MAX_QUERY_LENGTH);
  });

  it('returns no batch for no ids, and refuses an id that cannot fit in any query', () => {
    expect(batchIds([], (batch) => handlerLinesQuery(batch))).toEqual([]);
    expect(() => batchIds(['x'.repeat(MAX_QUERY_LENGTH)], (batch) => handlerLinesQuery(batch))).toThrowError(
      RangeError,
    );
  });

  it('escapes quotes in ids so a query stays well formed', () => {
    expect(handlerLinesQuery(['a"b', 'c\\d'])).toContain('in ["a\\"b", "c\\\\d"]');
  });
});
