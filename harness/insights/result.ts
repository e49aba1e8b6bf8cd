/**
 * What a Logs Insights query answers, in GetQueryResults' shape: the offline engine produces it and every
 * target's `query()` returns it, so the engine does not depend on the Target port.
 */

/** A row as GetQueryResults returns it: field name to string value, `@ptr` included. */
export type InsightsRow = Record<string, string>;

export interface InsightsResult {
  readonly status: 'Complete';
  /** Field names in the order the query produced them (rows are objects and lose that order). */
  readonly fields: readonly string[];
  readonly rows: readonly InsightsRow[];
  readonly statistics: InsightsStatistics;
}

export interface InsightsStatistics {
  readonly recordsMatched: number;
  readonly recordsScanned: number;
  readonly bytesScanned: number;
}
