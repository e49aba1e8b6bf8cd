/**
 * Documented Logs Insights commands the offline engine does not run, with why and what to write instead
 * (docs/insights-limits.md#commands-not-supported-offline). The parser turns them into a `MalformedQuery` error
 * at the command's position instead of "unknown command", so the user learns the command is real.
 */
export interface OfflineCommand {
  /** The command as the docs spell it. */
  readonly name: string;
  /** Why its output cannot be reproduced offline. */
  readonly reason: string;
  /** What to write instead. */
  readonly instead: string;
}

const COMMANDS: readonly OfflineCommand[] = [
  {
    // CWL_QuerySyntax-Anomaly: machine-learning detection of unusual patterns.
    name: 'anomaly',
    reason: "it scores events with anomaly models that AWS trains on the log group's history",
    instead: 'count events over time with stats count(*) by bin(5m), or group messages with pattern @message',
  },
  {
    // CWL_QuerySyntax-Diff: compares with the previous period, previousDay, previousWeek or previousMonth.
    name: 'diff',
    reason:
      'it compares the log patterns of the time range with those of an earlier range through AWS pattern analysis',
    instead: 'run the query once per period (--start/--end) with pattern @message and compare the two results',
  },
  {
    // CWL_QuerySyntax-Logcompare: compares with a baseline window shifted back by a duration.
    name: 'logcompare',
    reason: 'it compares the time window with a shifted baseline window through AWS pattern analysis',
    instead: 'run the query once per window (--start/--end) with pattern @message and compare the two results',
  },
  {
    // CWL_QuerySyntax (command table): reveals content masked by a data protection policy.
    name: 'unmask',
    reason: 'the local store has no data protection policies, so nothing in it is masked',
    instead: 'remove unmask: the fields already hold the text as it was logged',
  },
  {
    // CWL_QuerySyntax-Lookup: enriches rows from a lookup table (CSV) uploaded to the AWS account.
    name: 'lookup',
    reason: 'lookup tables live in the AWS account (CreateLookupTable) and there are none offline',
    instead: 'export the rows with --format json and join them with the table outside the query',
  },
  {
    // CWL_QuerySyntax-Join: joins the rows with a second query over another source, (SOURCE '<group>').
    name: 'join',
    reason: 'it runs a second query over another log group and joins the two, and the engine runs one query at a time',
    instead:
      'query both groups in one query (--log-group twice) and combine them with stats ... by the shared key, e.g. stats count(*) by requestId',
  },
  {
    // CWL_QuerySyntax (command table): row and column totals of numeric fields.
    name: 'addtotals',
    reason: 'the local engine does not implement it',
    instead: 'compute totals with stats sum(field), e.g. stats sum(bytes) as total by host',
  },
];

/** The names of the documented commands that are refused offline. */
export const OFFLINE_COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.name);

const BY_NAME = new Map(COMMANDS.map((c) => [c.name.toLowerCase(), c]));

/** The documented-but-unsupported command named `word` (any case), or undefined. */
export function offlineCommand(word: string): OfflineCommand | undefined {
  return BY_NAME.get(word.toLowerCase());
}

/** The error text for an unsupported documented command. */
export function offlineCommandProblem(command: OfflineCommand, written: string): string {
  return `'${written}' is a documented Logs Insights command that is not supported offline (${command.reason}): ${command.instead}`;
}
