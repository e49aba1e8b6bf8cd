/**
 * The Logs Insights queries asked of a run's logs, in one module: the harness runs them, the report
 * prints them, and the stack saves the static ones as `AWS::Logs::QueryDefinition`s.
 */
export interface SavedQuery {
  /** Short kebab-case name; the QueryDefinition is named `rda/<runId>/<name>`. */
  readonly name: string;
  readonly description: string;
  readonly queryString: string;
}

/** Queries worth keeping in the CloudWatch console for a run's log group. */
export const savedQueries: readonly SavedQuery[] = [];
