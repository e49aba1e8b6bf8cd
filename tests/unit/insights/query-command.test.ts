import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { main } from '../../../harness/cli.js';
import { parseRange, parseTime } from '../../../harness/commands/query.js';
import { formatResult } from '../../../harness/insights/index.js';

const STORE = fileURLToPath(new URL('../../fixtures/insights/store', import.meta.url));
const A = '/aws/lambda/rda-demo-fn';
const RANGE = ['--start', '2024-05-01T12:00:00Z', '--end', '2024-05-01T12:03:00Z'];

async function harness(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), env: {}, isTty: false });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('npm run harness -- query (local target)', () => {
  test('prints JSON rows as string maps and the statistics on stderr', async () => {
    const { code, out, err } = await harness([
      'query',
      '--log-dir',
      STORE,
      '--log-group',
      A,
      ...RANGE,
      '--format',
      'json',
      'filter @type = "REPORT" | stats count(*) as n, max(@duration) as worst by bin(1h)',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([{ 'bin(1h)': '2024-05-01 12:00:00.000', n: '5', worst: '3000.0' }]);
    expect(err).toContain('1 row(s); 5 records matched, 23 scanned');
  });

  test('queries every group of the folder when no --log-group is given, and prints an aligned table', async () => {
    const { code, out } = await harness([
      'query',
      '--log-dir',
      STORE,
      ...RANGE,
      'filter @type = "REPORT" | stats count(*) as n by @log',
    ]);
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      '@log                                    n',
      '--------------------------------------  -',
      '123456789012:/aws/lambda/rda-demo-fn    5',
      '123456789012:/aws/lambda/rda-worker-fn  1',
    ]);
  });

  test('reads the query from --query-file and honours --limit', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'insights-cmd-'));
    dirs.push(dir);
    const file = path.join(dir, 'q.insights');
    await writeFile(file, '# newest START lines\nfilter @type = "START"\n| fields @requestId');
    const { code, out } = await harness([
      'query',
      '--log-dir',
      STORE,
      '--log-group',
      A,
      ...RANGE,
      '--limit',
      '2',
      '--format',
      'csv',
      '--query-file',
      file,
    ]);
    expect(code).toBe(0);
    expect(out).toBe('@requestId\n33333333-3333-4333-8333-333333333333\n55555555-5555-4555-8555-555555555555');
  });

  test.each([
    [['--since', '15m', '--start', '2024-05-01T12:00:00Z'], /use either --since or --start\/--end, not both/],
    [['--start', 'yesterday-ish'], /--start 'yesterday-ish' is not a time/],
    [['--since', '15 minutes'], /--since '15 minutes' is not a duration/],
    [['--format', 'xml'], /unknown --format 'xml': use table, json, csv, markdown/],
    [['--limit', '0'], /--limit '0' is not a whole number from 1 to 100000/],
    [['--limit', 'abc'], /--limit 'abc' is not a whole number from 1 to 100000: give e.g. --limit 100/],
    [['--start', '2024-05-02T00:00:00Z', '--end', '2024-05-01T00:00:00Z'], /is after --end/],
  ])('refuses bad flags %j with exit 2', async (flags, message) => {
    const { code, err } = await harness(['query', '--log-dir', STORE, ...flags, 'fields @message']);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  test('a bad query exits 2 with the compiler-style message', async () => {
    const { code, err } = await harness(['query', '--log-dir', STORE, 'filter status >']);
    expect(code).toBe(2);
    expect(err).toBe(
      "error [MalformedQuery]: line 1, column 16: expected an expression after '>', found the end of the query\n  filter status >\n                 ^",
    );
  });

  test('a missing --log-dir or an unknown group is a usage error', async () => {
    expect((await harness(['query', 'fields @message'])).err).toMatch(/--log-dir is required with --target local/);
    const unknown = await harness(['query', '--log-dir', STORE, '--log-group', '/nope', 'fields @message']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("Log group '/nope' does not exist for account ID '123456789012'");
  });

  test('--target aws refuses --log-dir and needs --log-group', async () => {
    expect((await harness(['query', '--target', 'aws', '--log-dir', STORE, 'fields @message'])).err).toMatch(
      /--log-dir is for --target local/,
    );
    expect((await harness(['query', '--target', 'aws', 'fields @message'])).err).toMatch(
      /name at least one --log-group/,
    );
  });
});

describe('npm run harness -- logs import', () => {
  test('imports a filter-log-events export and reports counts', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'insights-cmd-'));
    dirs.push(dir);
    const file = path.join(dir, 'export.json');
    await writeFile(
      file,
      JSON.stringify({
        events: [{ logStreamName: 's', timestamp: 1000, message: 'hello\n', ingestionTime: 2000, eventId: '1' }],
      }),
    );
    const { code, out } = await harness([
      'logs',
      'import',
      file,
      '--log-dir',
      path.join(dir, 'logs'),
      '--log-group',
      '/aws/lambda/prod',
    ]);
    expect(code).toBe(0);
    expect(out).toBe(
      `imported 1 event(s) from 1 page(s) into log group '/aws/lambda/prod' (1 stream(s)) in '${path.join(dir, 'logs')}'`,
    );
    const query = await harness([
      'query',
      '--log-dir',
      path.join(dir, 'logs'),
      '--format',
      'csv',
      'fields @message, @ingestionTime',
    ]);
    expect(query.out).toBe('@message,@ingestionTime\nhello,1970-01-01 00:00:02.000');
  });

  test('--log-type is stored and reported; a bad value exits 2 naming it and the accepted types', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'insights-cmd-'));
    dirs.push(dir);
    const file = path.join(dir, 'flows.json');
    const message =
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
    await writeFile(file, JSON.stringify({ events: [{ logStreamName: 's', timestamp: 1000, message, eventId: '1' }] }));
    const logs = path.join(dir, 'logs');
    const bad = await harness(['logs', 'import', file, '--log-dir', logs, '--log-type', 'flowlogs']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("unknown log type 'flowlogs': use one of auto, vpc-flow, route53,");
    const good = await harness([
      'logs',
      'import',
      file,
      '--log-dir',
      logs,
      '--log-group',
      'f',
      '--log-type',
      'vpc-flow',
    ]);
    expect(good.code).toBe(0);
    expect(good.out).toMatch(/; log type vpc-flow$/);
    const query = await harness(['query', '--log-dir', logs, '--format', 'csv', 'stats sum(bytes) as b by srcAddr']);
    expect(query.out).toBe('srcAddr,b\n172.31.16.139,4249');
    // Typed wrongly: the query still answers, and says on stderr why the fields are empty.
    await harness(['logs', 'import', file, '--log-dir', logs, '--log-group', 'dns', '--log-type', 'route53']);
    const wrong = await harness(['query', '--log-dir', logs, '--log-group', 'dns', 'stats count(*) as n by queryName']);
    expect(wrong.code).toBe(0);
    expect(wrong.err).toContain("warning: log group 'dns' is of type route53 (logs import --log-type), but stream 's'");
  });

  test('a file that is not an export is a usage error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'insights-cmd-'));
    dirs.push(dir);
    const file = path.join(dir, 'x.json');
    await writeFile(file, '[1, 2]');
    const { code, err } = await harness(['logs', 'import', file, '--log-dir', dir]);
    expect(code).toBe(2);
    expect(err).toMatch(/has no "events" array/);
  });
});

describe('time flags and output formats', () => {
  test('--since counts back from now; no range means the whole store locally', () => {
    expect(parseRange({ since: '15m' }, 1_000_000_000, undefined)).toEqual({
      startTimeMs: 1_000_000_000 - 900_000,
      endTimeMs: 1_000_000_000,
    });
    expect(parseRange({}, 5, undefined).startTimeMs).toBe(0);
    expect(parseRange({ start: '1714564800', end: '1714564800999' }, 0, undefined)).toEqual({
      startTimeMs: 1714564800000,
      endTimeMs: 1714564800999,
    });
    expect(parseTime('2024-05-01 12:00', '--start')).toBe(Date.UTC(2024, 4, 1, 12));
  });

  test('csv quotes what needs quoting and markdown escapes pipes', () => {
    const rows: Record<string, string>[] = [{ a: 'x,"y"', b: 'p|q\nr' }, { a: 'plain' }];
    const result = { fields: ['a', 'b'], rows };
    expect(formatResult(result, 'csv')).toBe('a,b\n"x,""y""","p|q\nr"\nplain,');
    expect(formatResult(result, 'markdown')).toBe('| a | b |\n| --- | --- |\n| x,"y" | p\\|q<br>r |\n| plain |  |');
  });
});
