/**
 * What the local engine runs and what it refuses, in words for `query --help`, built from the parser's and
 * the function tables themselves so the help cannot drift from the engine.
 */
import { AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS } from './functions.js';
import { OFFLINE_COMMAND_NAMES } from './offline-commands.js';
import { COMMAND_LIST } from './parser.js';

/** The help text: supported commands and functions, then what is refused offline and where the limits are. */
export function offlineSupportText(): string {
  const scalars = Object.keys(SCALAR_FUNCTIONS).sort((a, b) => a.localeCompare(b));
  const aggregates = Object.keys(AGGREGATE_FUNCTIONS).sort((a, b) => a.localeCompare(b));
  return [
    `Offline (--target local) the engine runs the commands ${COMMAND_LIST}; the stats functions ` +
      `${aggregates.join(', ')}; the functions ${scalars.join(', ')}; and subqueries, filter x in (<query>).`,
    `Refused offline, with an error that says what to write instead: ${OFFLINE_COMMAND_NAMES.join(', ')}, ` +
      "regex backreferences and lookarounds. pattern is a local stand-in for AWS's " +
      'model. Every limit, and why: docs/insights-limits.md. With --target aws, AWS runs the query as written.',
  ].join('\n\n');
}
