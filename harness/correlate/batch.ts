/**
 * Splits ids into `in [...]` lists small enough for one Logs Insights query: StartQuery rejects a query
 * longer than 10,000 characters (docs/aws-behaviour.md#insights-api), and each id brings back at least one row out of the
 * 10,000 a query returns by default.
 */
import { MAX_QUERY_LENGTH } from '../../stack/log-queries.js';

/** Ids per query at most, whatever their length: leaves room in the row limit for duplicates. */
export const MAX_IDS_PER_QUERY = 1000;

/**
 * Groups `ids` in order so that `build(batch).length <= maxChars` for every batch and every id is in
 * exactly one batch. Throws when a single id cannot fit (a query needs at least one id).
 */
export function batchIds(
  ids: readonly string[],
  build: (batch: readonly string[]) => string,
  maxChars = MAX_QUERY_LENGTH,
  maxIds = MAX_IDS_PER_QUERY,
): string[][] {
  const batches: string[][] = [];
  if (ids.length === 0) return batches;
  const overhead = build([]).length;
  // Cost of one more id in an `in [...]` list: its quoted literal plus the ", " separator. Measured from
  // the builder itself so escaping is counted; a final check guards the arithmetic.
  const costOf = (id: string) => build([id]).length - overhead + 2;
  let current: string[] = [];
  let length = overhead;
  for (const id of ids) {
    const cost = costOf(id);
    if (overhead + cost - 2 > maxChars) {
      throw new RangeError(`id '${id.slice(0, 80)}' alone makes a query longer than ${maxChars} characters`);
    }
    if (current.length > 0 && (length + cost > maxChars || current.length >= maxIds)) {
      batches.push(current);
      current = [];
      length = overhead;
    }
    length += current.length === 0 ? cost - 2 : cost;
    current.push(id);
  }
  batches.push(current);
  for (const batch of batches) {
    if (build(batch).length > maxChars) throw new RangeError(`batch query exceeds ${maxChars} characters`);
  }
  return batches;
}
