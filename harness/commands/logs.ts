import { ExitCode, UsageError } from '../errors.js';
import { importFilterLogEvents } from '../insights/index.js';
import { LOG_TYPES } from '../insights/log-types.js';
import { MAX_EVENT_BYTES } from '../logstore/event-size.js';
import type { Command } from './command.js';

interface LogsArgs {
  action: string;
  file: string;
  'log-dir': string;
  'log-group'?: string;
  'log-type'?: string;
}

/**
 * `logs import FILE --log-dir DIR`: loads events saved with `aws logs filter-log-events --output json` into
 * the local log store, so `query` can run on exported production logs offline.
 *
 * @example
 * aws logs filter-log-events --log-group-name /aws/lambda/fn --output json > prod.json
 * npm run harness -- logs import prod.json --log-dir ./prod-logs --log-group /aws/lambda/fn
 * npm run harness -- logs import flows.json --log-dir ./prod-logs --log-group vpc-flows --log-type vpc-flow
 */
export const logsCommand: Command<LogsArgs> = {
  builder: (y) =>
    y
      .positional('action', { type: 'string', choices: ['import'], desc: 'what to do: import' })
      .positional('file', {
        type: 'string',
        desc: 'JSON from aws logs filter-log-events --output json (pages may be concatenated)',
      })
      .option('log-dir', {
        type: 'string',
        demandOption: true,
        desc: 'local log store folder to write to (created if missing)',
      })
      .option('log-group', {
        type: 'string',
        desc: 'log group to store the events under (default: the file name without .json)',
      })
      .option('log-type', {
        type: 'string',
        desc: `kind of log, so queries discover its fields: ${LOG_TYPES.join(', ')} (default: keep the group's, else auto)`,
      }),
  async run(args, ctx) {
    if (args.action !== 'import')
      throw new UsageError(
        'UnknownAction',
        `unknown logs action '${args.action}': use 'logs import FILE --log-dir DIR'`,
      );
    const report = await importFilterLogEvents({
      file: args.file,
      logDir: args['log-dir'],
      logGroupName: args['log-group'],
      logType: args['log-type'],
      signal: ctx.signal,
    });
    ctx.out(
      `imported ${report.events} event(s) from ${report.pages} page(s) into log group '${report.logGroupName}' ` +
        `(${report.streams.length} stream(s)) in '${args['log-dir']}'` +
        (report.logType ? `; log type ${report.logType}` : '') +
        (report.duplicates > 0 ? `; skipped ${report.duplicates} duplicate event id(s)` : '') +
        (report.alreadyStored > 0 ? `; skipped ${report.alreadyStored} event(s) an earlier import had stored` : '') +
        (report.truncated
          ? `; cut ${report.truncated} message(s) to CloudWatch's ${MAX_EVENT_BYTES}-byte event limit`
          : ''),
    );
    if (args['log-group'] === undefined)
      ctx.err(`the log group name came from the file name: pass --log-group to choose another`);
    return ExitCode.Pass;
  },
};
