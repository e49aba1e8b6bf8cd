import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { main } from '../../../harness/cli.js';
import { type LocatedEvent, queryEvents, selectsOwnLogGroups } from '../../../harness/insights/index.js';
import { patternOf } from '../../../harness/insights/pattern.js';

// Edges of SOURCE, unnest and pattern (issue 12 item 4) that the fixture store does not hold; the AWS facts are in
// docs/aws-behaviour.md#insights-source, #insights-unnest and #insights-pattern, the offline limits in
// docs/insights-limits.md.

const T = Date.UTC(2024, 4, 1, 12, 0, 0);

function event(logGroupName: string, message: string, offsetMs = 0): LocatedEvent {
  return { logGroupName, logStreamName: 's', timestamp: T + offsetMs, ingestionTime: T + offsetMs, message };
}

function query(queryString: string, events: LocatedEvent[]) {
  const result = queryEvents({ queryString, events, startTimeMs: T, endTimeMs: T + 60_000 });
  return result.rows.map(({ '@ptr': _ptr, ...rest }) => rest);
}

describe('unnest (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Unnest.html)', () => {
  test('the page example: a list of two objects gives two rows, read with dots', () => {
    const rows = query(
      'fields jsonParse(@message) as json_message | unnest json_message.events into event | display event.name',
      [event('/g', '{"events":[{"name":"exception"},{"name":"user action"}]}')],
    );
    expect(rows.map((r) => r['event.name']).sort()).toEqual(['exception', 'user action']);
  });

  test('an empty list gives no row, and the rows made count for stats', () => {
    const rows = query(
      'fields jsonParse(@message) as j | unnest j.items into item | stats count(*) as n, sum(item) as total',
      [event('/g', '{"items":[]}'), event('/g', '{"items":[1,2,3]}', 1)],
    );
    expect(rows).toEqual([{ n: '3', total: '6' }]);
  });

  test('choice: a missing field keeps the row, with the new field missing', () => {
    const rows = query('fields jsonParse(@message) as j | unnest j.items into item | display @message, item', [
      event('/g', '{"other":1}'),
    ]);
    expect(rows).toEqual([{ '@message': '{"other":1}' }]);
  });
});

describe('SOURCE over events in memory (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Source.html)', () => {
  test('only the events of the selected groups are scanned', () => {
    const events = [event('/aws/lambda/a', 'one'), event('/custom/b', 'two', 1), event('/aws/lambda/c', 'three', 2)];
    const result = queryEvents({
      queryString: "SOURCE logGroups(namePrefix: ['/aws/lambda/']) | stats count(*) as n",
      events,
      startTimeMs: T,
      endTimeMs: T + 60_000,
    });
    expect(result.rows).toEqual([{ n: '2' }]);
    expect(result.statistics.recordsScanned).toBe(2);
  });
});

describe('selectsOwnLogGroups: whether the command line may leave the groups out', () => {
  test.each([
    ["SOURCE logGroups(namePrefix: ['/a'])", true],
    ['  source logGroups() | limit 1', true],
    ['# picks its groups\nSOURCE logGroups()', true],
    ['fields source', false],
    ['sources | x', false],
    ['filter x = 1 | SOURCE logGroups()', false],
  ])('%s → %s', (query, expected) => {
    expect(selectsOwnLogGroups(query)).toBe(expected);
  });
});

describe('the query command with SOURCE', () => {
  test('a query starting with SOURCE runs without --log-group over the groups it selects', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const store = fileURLToPath(new URL('../../fixtures/insights/store', import.meta.url));
    const code = await main(
      [
        'query',
        '--log-dir',
        store,
        '--start',
        '2024-05-01T12:00:00Z',
        '--end',
        '2024-05-01T12:03:00Z',
        '--format',
        'json',
        "SOURCE logGroups(namePrefix: ['/custom/']) | stats count(*) as n by @log",
      ],
      { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, isTty: false },
    );
    expect(err.join('\n')).toContain('1 row(s)');
    expect(code).toBe(0);
    expect(JSON.parse(out.join('\n'))).toEqual([{ '@log': '123456789012:/custom/web', n: '6' }]);
  });
});

describe('pattern tokens (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Pattern.html)', () => {
  test('the page example: the number of "[INFO] Request time: 327 ms" is dynamic, [INFO] gives Info', () => {
    expect(patternOf('[INFO] Request time: 327 ms')).toEqual({
      pattern: '[INFO] Request time: <Token-1> ms',
      severity: 'Info',
    });
  });

  test('level words: ERROR, WARN and WARNING, DEBUG; lower-case words are not levels (choice)', () => {
    expect(patternOf('ERROR: disk 3 full').severity).toBe('Error');
    expect(patternOf('WARN slow').severity).toBe('Warning');
    expect(patternOf('[WARNING] slow').severity).toBe('Warning');
    expect(patternOf('DEBUG x=1').severity).toBe('Debug');
    expect(patternOf('error in handler').severity).toBeNull();
  });

  test('punctuation around a dynamic core stays; separators stay as written', () => {
    expect(patternOf('id=(42),\tuser "bob7"').pattern).toBe('id=(<Token-1>),\tuser "<Token-2>"');
  });

  test('rows whose input is missing are in no pattern and not counted in @ratio (choice)', () => {
    const rows = query('parse @message "took * ms" as took | pattern took', [
      event('/g', 'took 5 ms'),
      event('/g', 'took 7 ms', 1),
      event('/g', 'unrelated', 2),
    ]);
    expect(rows).toEqual([{ '@pattern': '<Token-1>', '@ratio': '1', '@sampleCount': '2' }]);
  });
});
