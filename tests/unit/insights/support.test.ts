import { describe, expect, it } from 'vitest';
import { AGGREGATE_FUNCTIONS, SCALAR_FUNCTIONS } from '../../../harness/insights/functions.js';
import { OFFLINE_COMMAND_NAMES } from '../../../harness/insights/offline-commands.js';
import { parseQuery } from '../../../harness/insights/parser.js';
import { offlineSupportText } from '../../../harness/insights/support.js';

describe('offlineSupportText (query --help)', () => {
  const text = offlineSupportText();

  it('names every function the engine has and every command it refuses', () => {
    for (const name of [...Object.keys(SCALAR_FUNCTIONS), ...Object.keys(AGGREGATE_FUNCTIONS)]) {
      expect(text).toMatch(new RegExp(`\\b${name}\\b`));
    }
    for (const name of OFFLINE_COMMAND_NAMES) expect(text).toContain(name);
    expect(text).toContain('docs/insights-limits.md');
  });

  it('lists as runnable only commands the parser accepts, and as refused only ones it refuses', () => {
    const runnable = /runs the commands (.*?); the stats/.exec(text)![1]!.split(/, | or /);
    const sample: Record<string, string> = {
      fields: 'fields @message',
      filter: 'filter x = 1',
      filterIndex: 'filterIndex x = 1',
      stats: 'stats count(*)',
      sort: 'sort x',
      limit: 'limit 1',
      parse: 'parse @message "a*" as b',
      display: 'display x',
      dedup: 'dedup x',
      unnest: 'unnest x into y',
      pattern: 'pattern @message',
      SOURCE: "SOURCE logGroups(namePrefix: ['/a'])",
    };
    for (const command of runnable) expect(() => parseQuery(sample[command]!), command).not.toThrow();
    for (const command of OFFLINE_COMMAND_NAMES)
      expect(() => parseQuery(`${command} x`), command).toThrow(/not supported offline/);
  });
});
