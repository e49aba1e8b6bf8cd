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
  /**
   * Local engine only: why fields may come back empty, e.g. a group typed `vpc-flow` whose events are in
   * another format (docs/aws-behaviour.md#log-type-discovery). Absent when there is nothing to say.
   */
  readonly warnings?: readonly string[];
}

export interface InsightsStatistics {
  readonly recordsMatched: number;
  readonly recordsScanned: number;
  readonly bytesScanned: number;
}
