import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { HarnessError } from '../../../harness/errors.js';
import { QuerySyntaxError, queryLogStore, streamFilePath } from '../../../harness/insights/index.js';

// Conformance suite: queries over the hand-written store in tests/fixtures/insights (see its README), each with
// the rows worked out by hand from the documented semantics (docs/aws-behaviour.md#logs-insights-semantics and the CWL_QuerySyntax pages).
// Choices the docs leave open are named in the engine's comments and marked "choice" here.

const STORE = fileURLToPath(new URL('../../fixtures/insights/store', import.meta.url));
const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const WINDOW_END = T0 + 180_000;
const A = '/aws/lambda/rda-demo-fn';
const B = '/aws/lambda/rda-worker-fn';
const C = '/custom/web';
const A1 = '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const A2 = '2024/05/01/[$LATEST]f9e8d7c6b5a4938271605f4e3d2c1b0a';

const R1 = '11111111-1111-4111-8111-111111111111';
const R2 = '22222222-2222-4222-8222-222222222222';
const R3 = '33333333-3333-4333-8333-333333333333';
const R4 = '44444444-4444-4444-8444-444444444444';
const R5 = '55555555-5555-4555-8555-555555555555';
const C1 = 'c0000001-0000-4000-8000-000000000001';
const C2 = 'c0000002-0000-4000-8000-000000000002';
const C4 = 'c0000004-0000-4000-8000-000000000004';
const C5 = 'c0000005-0000-4000-8000-000000000005';

const REPORT_R3 = `REPORT RequestId: ${R3}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tStatus: timeout`;
const END_R3 = `END RequestId: ${R3}`;
const ERROR_R3 = `2024-05-01T12:02:00.500Z\t${R3}\tERROR\tInvoke Error \t{"errorType":"TimeoutError","errorMessage":"upstream took too long","stack":["TimeoutError: upstream took too long","    at fetchUpstream (/var/task/index.js:10:11)"]}`;

interface Case {
  readonly name: string;
  readonly query: string;
  readonly groups?: readonly string[];
  readonly start?: number;
  readonly end?: number;
  readonly limit?: number;
  readonly fields: readonly string[];
  /** Whether rows are events (with `@ptr`); by default, when the query has no stats or pattern. */
  readonly eventRows?: boolean;
  /** Rows without `@ptr` (checked separately: on every event row, on no stats row). */
  readonly rows: readonly Record<string, string>[];
}

async function run(
  query: string,
  options: { groups?: readonly string[]; start?: number; end?: number; limit?: number } = {},
) {
  return queryLogStore({
    logDir: STORE,
    logGroupNames: options.groups ?? [A],
    queryString: query,
    startTimeMs: options.start ?? T0,
    endTimeMs: options.end ?? WINDOW_END,
    limit: options.limit,
  });
}

function withoutPtr(rows: readonly Record<string, string>[]): Record<string, string>[] {
  return rows.map(({ '@ptr': _ptr, ...rest }) => rest);
}

const ts = (hms: string) => `2024-05-01 ${hms}`;

const cases: Case[] = [
  // --- fields, system fields, default columns (docs/aws-behaviour.md#insights-commands, #discovered-fields) ---
  {
    name: 'a query that names no fields shows @timestamp and @message, newest first',
    query: 'limit 3',
    fields: ['@timestamp', '@message'],
    // END and REPORT share a millisecond (docs/aws-behaviour.md#event-timing): newest first puts the later-written REPORT first.
    rows: [
      { '@timestamp': ts('12:02:03.000'), '@message': REPORT_R3 },
      { '@timestamp': ts('12:02:03.000'), '@message': END_R3 },
      { '@timestamp': ts('12:02:00.500'), '@message': ERROR_R3 },
    ],
  },
  {
    name: 'fields returns the system fields, timestamps rendered YYYY-MM-DD HH:MM:SS.mmm and @log as account:group',
    query: `filter @requestId = "${R2}" and @type = "START" | fields @timestamp, @logStream, @log, @ingestionTime`,
    fields: ['@timestamp', '@logStream', '@log', '@ingestionTime'],
    rows: [
      {
        '@timestamp': ts('12:01:00.000'),
        '@logStream': A1,
        '@log': `123456789012:${A}`,
        '@ingestionTime': ts('12:01:02.000'),
      },
    ],
  },
  // --- Lambda discovered fields (docs/aws-behaviour.md#discovered-fields) ---
  {
    name: '@type is discovered on START, END and REPORT lines only',
    query: 'stats count(*) by @type',
    fields: ['@type', 'count(*)'],
    rows: [
      { '@type': 'END', 'count(*)': '5' },
      { '@type': 'REPORT', 'count(*)': '5' },
      { '@type': 'START', 'count(*)': '5' },
      { 'count(*)': '8' },
    ],
  },
  {
    name: 'REPORT fields are Java doubles, memory in bytes (MB x 1,000,000)',
    query: `filter @requestId = "${R1}" and @type = "REPORT" | fields @duration, @billedDuration, @memorySize, @maxMemoryUsed, @initDuration`,
    fields: ['@duration', '@billedDuration', '@memorySize', '@maxMemoryUsed', '@initDuration'],
    rows: [
      {
        '@duration': '8.52',
        '@billedDuration': '9.0',
        '@memorySize': '1.28E8',
        '@maxMemoryUsed': '6.7E7',
        '@initDuration': '145.69',
      },
    ],
  },
  {
    name: '@initDuration is there on cold starts only',
    query: 'filter @type = "REPORT" and not ispresent(@initDuration) | fields @requestId',
    fields: ['@requestId'],
    rows: [{ '@requestId': R3 }, { '@requestId': R5 }, { '@requestId': R2 }],
  },
  {
    name: 'a timeout REPORT reports the timeout as duration and billed duration',
    query:
      'filter @type = "REPORT" and @duration >= 3000 | fields @requestId, @duration, @billedDuration, @message like /Status: timeout/ as timedOut',
    fields: ['@requestId', '@duration', '@billedDuration', 'timedOut'],
    rows: [{ '@requestId': R3, '@duration': '3000.0', '@billedDuration': '3000.0', timedOut: '1' }],
  },
  {
    name: 'a 1024 MB function reports @memorySize 1.024E9',
    query: 'filter @type = "REPORT" | fields @memorySize, @maxMemoryUsed, @duration, @billedDuration',
    groups: [B],
    fields: ['@memorySize', '@maxMemoryUsed', '@duration', '@billedDuration'],
    rows: [{ '@memorySize': '1.024E9', '@maxMemoryUsed': '9.0E7', '@duration': '298.4', '@billedDuration': '299.0' }],
  },
  {
    name: '@requestId on a runtime text line is its request id, and it has no @type',
    query: 'filter @message like "cache miss" | fields @requestId, @type',
    fields: ['@requestId', '@type'],
    rows: [{ '@requestId': R2 }],
  },
  {
    name: '@requestId is the first UUID on the line (OBS hyp3#1252), here the pino awsRequestId',
    query: `filter correlationId = "${C1}" | fields @requestId`,
    fields: ['@requestId'],
    rows: [{ '@requestId': R1 }],
  },
  {
    name: 'a group that is not Lambda discovers no Lambda fields, even on a START look-alike',
    query: 'filter @message like "START" | fields @type, @requestId, @message',
    groups: [C],
    fields: ['@type', '@requestId', '@message'],
    rows: [{ '@message': 'START RequestId: 77777777-7777-4777-8777-777777777777 Version: $LATEST' }],
  },
  // --- JSON discovery (docs/aws-behaviour.md#json-field-discovery) ---
  {
    name: 'nested JSON objects flatten with dots; backticks allow other characters',
    query: `filter correlationId = "${C1}" | fields \`req.headers.user-agent\` as ua, req.query.n`,
    fields: ['ua', 'req.query.n'],
    rows: [{ ua: 'curl/8.5.0', 'req.query.n': '3' }],
  },
  {
    name: 'arrays flatten by index; an empty array gives no field',
    query: 'filter ispresent(tags.0) | fields correlationId, tags.0, tags.1',
    fields: ['correlationId', 'tags.0', 'tags.1'],
    rows: [
      { correlationId: C4, 'tags.0': 'beta' },
      { correlationId: C1, 'tags.0': 'alpha', 'tags.1': 'beta' },
    ],
  },
  {
    name: 'arrays inside objects flatten too',
    query: 'filter user.id = 7 | fields user.roles.0, user.roles.1, user.id',
    fields: ['user.roles.0', 'user.roles.1', 'user.id'],
    rows: [{ 'user.roles.0': 'admin', 'user.roles.1': 'dev', 'user.id': '7' }],
  },
  {
    name: 'JSON booleans and numbers come back as written',
    query: `filter correlationId = "${C4}" | fields coldStart, status, durationMs`,
    fields: ['coldStart', 'status', 'durationMs'],
    rows: [{ coldStart: 'true', status: '200', durationMs: '2.75' }],
  },
  {
    name: 'the first JSON fragment after a text prefix is discovered (Invoke Error lines)',
    query: 'filter errorType = "TimeoutError" | fields errorMessage, stack.1, @requestId',
    fields: ['errorMessage', 'stack.1', '@requestId'],
    rows: [
      {
        errorMessage: 'upstream took too long',
        'stack.1': '    at fetchUpstream (/var/task/index.js:10:11)',
        '@requestId': R3,
      },
    ],
  },
  {
    name: 'a JSON key that starts with @ is named with an extra @',
    query: 'filter ispresent(@@timestamp) | fields @@timestamp, status',
    groups: [C],
    fields: ['@@timestamp', 'status'],
    rows: [{ '@@timestamp': '2024-05-01T12:00:50Z', status: '201' }],
  },
  // --- filter, comparisons, boolean logic (docs/aws-behaviour.md#insights-operators) ---
  {
    name: 'numeric comparison on a JSON field',
    query: 'filter status >= 400 | fields correlationId, status',
    fields: ['correlationId', 'status'],
    rows: [
      { correlationId: C5, status: '500' },
      { correlationId: C2, status: '404' },
    ],
  },
  {
    name: 'a numeric string equals the number',
    query: 'filter status = "404" | fields correlationId',
    fields: ['correlationId'],
    rows: [{ correlationId: C2 }],
  },
  {
    name: '!= is false where the field is missing (choice)',
    query: 'filter status != 200 | fields correlationId',
    fields: ['correlationId'],
    rows: [{ correlationId: C5 }, { correlationId: C2 }],
  },
  {
    name: 'and binds tighter than or',
    query: 'filter status = 200 and coldStart = "true" or status = 500 | fields correlationId',
    fields: ['correlationId'],
    rows: [{ correlationId: C5 }, { correlationId: C4 }, { correlationId: C1 }],
  },
  {
    name: 'not negates a function result',
    query: 'filter not ispresent(status) and @message like "RequestId" | stats count(*)',
    fields: ['count(*)'],
    rows: [{ 'count(*)': '15' }],
  },
  {
    name: 'like with a quoted string is a case-sensitive substring test',
    query: 'filter @message like "request done" | stats count(*)',
    fields: ['count(*)'],
    rows: [{ 'count(*)': '2' }],
  },
  {
    name: 'stats over no matching events returns no rows (choice)',
    query: 'filter @message like "Request done" | stats count(*)',
    fields: ['count(*)'],
    rows: [],
  },
  {
    name: 'like with a regular expression',
    query: 'filter @message like /Duration: \\d+\\.\\d+ ms/ | stats count(*)',
    fields: ['count(*)'],
    rows: [{ 'count(*)': '5' }],
  },
  {
    name: '=~ with (?i) matches case-insensitively',
    query: 'filter @message =~ /(?i)ROUTE NOT FOUND/ | fields correlationId',
    fields: ['correlationId'],
    rows: [{ correlationId: C2 }],
  },
  {
    name: 'a regex /^(?i)...$/ must match the whole value, in any case',
    query: 'filter msg =~ /^(?i)REQUEST DONE$/ | stats count(*)',
    fields: ['count(*)'],
    rows: [{ 'count(*)': '2' }],
  },
  {
    name: 'a flag after the closing slash applies to the regex (/i)',
    query: 'filter msg like /REQUEST/i | stats count(*) as n',
    fields: ['n'],
    rows: [{ n: '3' }],
  },
  {
    name: 'not like excludes matches',
    query: 'filter @type = "REPORT" and @message not like /Init Duration/ | fields @requestId',
    fields: ['@requestId'],
    rows: [{ '@requestId': R3 }, { '@requestId': R5 }, { '@requestId': R2 }],
  },
  {
    name: 'in [..] tests membership, numbers against numbers',
    query: 'filter status in [404, 500] | fields correlationId, status',
    fields: ['correlationId', 'status'],
    rows: [
      { correlationId: C5, status: '500' },
      { correlationId: C2, status: '404' },
    ],
  },
  {
    name: 'not in [..] keeps values outside the list, never missing ones',
    query: 'filter level not in ["info", "warn"] | fields correlationId, level',
    fields: ['correlationId', 'level'],
    rows: [{ correlationId: C5, level: 'error' }],
  },
  {
    name: 'in [..] with strings needs the complete string',
    query: 'filter path in ["/random"] | stats count(*)',
    fields: ['count(*)'],
    rows: [],
  },
  // --- arithmetic ---
  {
    name: 'arithmetic: precedence, right-associative ^, %, unary minus; doubles stay doubles',
    query: `filter @type = "REPORT" and @requestId = "${R1}" | fields @duration * 2 + 1 as a, 2 ^ 3 ^ 2 as p, 10 % 3 as m, (1 + 2) * 3 as q, -@duration as neg`,
    fields: ['a', 'p', 'm', 'q', 'neg'],
    rows: [{ a: '18.04', p: '512', m: '1', q: '9', neg: '-8.52' }],
  },
  {
    name: 'division gives a double; division by zero gives no value',
    query: `filter @type = "REPORT" and @requestId = "${R1}" | fields 7 / 2 as half, 4 / 2 as two, 1 / 0 as nothing`,
    fields: ['half', 'two', 'nothing'],
    rows: [{ half: '3.5', two: '2.0' }],
  },
  {
    name: 'arithmetic with a missing field gives no value',
    query: `filter correlationId = "${C2}" | fields durationMs + missingField as x, durationMs + 1 as y`,
    fields: ['x', 'y'],
    rows: [{ y: '2.25' }],
  },
  // --- functions (docs/aws-behaviour.md#insights-functions) ---
  {
    name: 'numeric functions: abs, ceil, floor, greatest, least, sqrt, log',
    query: `filter @type = "REPORT" and @requestId = "${R1}" | fields abs(-3) as a, ceil(@duration) as c, floor(@duration) as f, greatest(1, @duration, 5) as g, least(7, @duration) as l, sqrt(16) as s, log(1) as ln`,
    fields: ['a', 'c', 'f', 'g', 'l', 's', 'ln'],
    rows: [{ a: '3', c: '9', f: '8', g: '8.52', l: '7', s: '4.0', ln: '0.0' }],
  },
  {
    name: 'general functions: ispresent (1/0) and coalesce',
    query: `filter correlationId = "${C2}" | fields ispresent(user.id) as hasUser, ispresent(status) as hasStatus, coalesce(user.id, err.message, status) as firstSet`,
    fields: ['hasUser', 'hasStatus', 'firstSet'],
    rows: [{ hasUser: '0', hasStatus: '1', firstSet: '404' }],
  },
  {
    name: 'isempty and isblank',
    query: `filter @type = "REPORT" and @requestId = "${R1}" | fields isempty("") as e1, isempty(nothing) as e2, isempty("x") as e3, isblank("  ") as b1, isblank("a") as b2`,
    fields: ['e1', 'e2', 'e3', 'b1', 'b2'],
    rows: [{ e1: '1', e2: '1', e3: '0', b1: '1', b2: '0' }],
  },
  {
    name: 'concat, strlen, toupper, tolower',
    query: `filter correlationId = "${C1}" | fields concat(method, " ", path) as line, strlen(path) as n, toupper("get") as up, tolower("ABC") as low`,
    fields: ['line', 'n', 'up', 'low'],
    rows: [{ line: 'GET /random/int', n: '11', up: 'GET', low: 'abc' }],
  },
  {
    name: 'ltrim, rtrim and trim, with and without characters (the docs\u2019 examples)',
    query: `filter correlationId = "${C1}" | fields ltrim("xyZfooxyZ", "xyZ") as l, rtrim("xyZfooxyZ", "xyZ") as r, trim("xyZfooxyZ", "xyZ") as t, trim("  pad  ") as p`,
    fields: ['l', 'r', 't', 'p'],
    rows: [{ l: 'fooxyZ', r: 'xyZfoo', t: 'foo', p: 'pad' }],
  },
  {
    name: 'substr (0-based), replace (all occurrences), strcontains (1/0)',
    query: `filter correlationId = "${C1}" | fields substr("xyZfooxyZ", 3, 3) as s1, substr("xyZfooxyZ", 6) as s2, replace("foo", "o", "0") as r, strcontains(path, "random") as yes, strcontains("abc", "z") as no`,
    fields: ['s1', 's2', 'r', 'yes', 'no'],
    rows: [{ s1: 'foo', s2: 'xyZ', r: 'f00', yes: '1', no: '0' }],
  },
  {
    name: 'stats by bin(1m) rounds @timestamp down to the minute',
    query: 'filter @type = "REPORT" | stats count(*) by bin(1m)',
    fields: ['bin(1m)', 'count(*)'],
    rows: [
      { 'bin(1m)': ts('12:00:00.000'), 'count(*)': '2' },
      { 'bin(1m)': ts('12:01:00.000'), 'count(*)': '2' },
      { 'bin(1m)': ts('12:02:00.000'), 'count(*)': '1' },
    ],
  },
  {
    name: 'bin accepts unit words (2min)',
    query: 'filter @type = "REPORT" | stats count(*) as n by bin(2min)',
    fields: ['bin(2min)', 'n'],
    rows: [
      { 'bin(2min)': ts('12:00:00.000'), n: '4' },
      { 'bin(2min)': ts('12:02:00.000'), n: '1' },
    ],
  },
  {
    name: 'datefloor and dateceil; an aligned time stays where it is',
    query: `filter @requestId = "${R3}" and @type = "START" | fields datefloor(@timestamp, 1h) as h, dateceil(@timestamp, 1h) as up, dateceil(@timestamp, 1m) as same`,
    fields: ['h', 'up', 'same'],
    rows: [{ h: ts('12:00:00.000'), up: ts('13:00:00.000'), same: ts('12:02:00.000') }],
  },
  {
    name: 'datefloor on calendar units: month, quarter, year, and weeks starting Monday (choice)',
    query: `filter @requestId = "${R1}" and @type = "START" | fields datefloor(@timestamp, 1mo) as month, datefloor(@timestamp, 1q) as quarter, datefloor(@timestamp, 1y) as year, datefloor(@timestamp, 1w) as week, datefloor(@timestamp, 1d) as day`,
    fields: ['month', 'quarter', 'year', 'week', 'day'],
    rows: [
      {
        month: '2024-05-01 00:00:00.000',
        quarter: '2024-04-01 00:00:00.000',
        year: '2024-01-01 00:00:00.000',
        week: '2024-04-29 00:00:00.000',
        day: '2024-05-01 00:00:00.000',
      },
    ],
  },
  {
    name: 'toMillis and fromMillis; ingestion lag as in docs/aws-behaviour.md#discovered-fields',
    query: `filter correlationId = "${C1}" | fields toMillis(@timestamp) as t, fromMillis(0) as epoch, toMillis(@ingestionTime) - toMillis(@timestamp) as lagMs`,
    fields: ['t', 'epoch', 'lagMs'],
    rows: [{ t: '1714564800125', epoch: '1970-01-01 00:00:00.000', lagMs: '8500' }],
  },
  {
    name: 'IP functions: isValidIp, isValidIpV4, isValidIpV6 (and the inclusive end of the range)',
    query:
      'parse @message "* * * * *" as method, url, code, secs, ip | filter isValidIp(ip) | fields ip, isValidIpV4(ip) as v4, isValidIpV6(ip) as v6',
    groups: [C],
    fields: ['ip', 'v4', 'v6'],
    rows: [
      { ip: '192.168.1.11', v4: '1', v6: '0' },
      { ip: '2001:db8::1', v4: '0', v6: '1' },
      { ip: '10.0.0.5', v4: '1', v6: '0' },
      { ip: '192.168.1.10', v4: '1', v6: '0' },
    ],
  },
  {
    name: 'IP subnet functions: isIpInSubnet, isIpv4InSubnet, isIpv6InSubnet',
    query:
      'parse @message "* * * * *" as method, url, code, secs, ip | filter isIpInSubnet(ip, "192.168.0.0/16") or isIpv6InSubnet(ip, "2001:db8::/32") | fields ip, isIpv4InSubnet(ip, "192.168.1.0/24") as lan',
    groups: [C],
    fields: ['ip', 'lan'],
    rows: [
      { ip: '192.168.1.11', lan: '1' },
      { ip: '2001:db8::1', lan: '0' },
      { ip: '192.168.1.10', lan: '1' },
    ],
  },
  // --- the time range (docs/aws-behaviour.md#insights-api: both ends inclusive) ---
  {
    name: 'the time range includes both ends and nothing 1 ms outside',
    query: 'stats count(*)',
    groups: [C],
    fields: ['count(*)'],
    rows: [{ 'count(*)': '6' }],
  },
  {
    name: 'a 2 ms range holds exactly the events at its two ends',
    query: 'fields @message',
    groups: [C],
    start: T0 + 50_002,
    end: T0 + 50_003,
    fields: ['@message'],
    rows: [{ '@message': 'GET /admin 403 0.010 10.0.0.5' }, { '@message': 'GET /index.html 200 0.002 192.168.1.10' }],
  },
  // --- stats (docs/aws-behaviour.md#insights-functions) ---
  {
    name: 'count(*) counts events, count(field) only those that have it',
    query: 'stats count(*) as all, count(status) as withStatus, count(@duration) as reports',
    fields: ['all', 'withStatus', 'reports'],
    rows: [{ all: '23', withStatus: '4', reports: '5' }],
  },
  {
    name: 'count_distinct',
    query: 'stats count_distinct(@requestId) as ids, count_distinct(path) as paths',
    fields: ['ids', 'paths'],
    rows: [{ ids: '5', paths: '2' }],
  },
  {
    name: 'sum, avg, min, max of JSON numbers',
    query:
      'filter ispresent(durationMs) | stats sum(durationMs) as total, avg(durationMs) as mean, min(durationMs) as fastest, max(status) as worst',
    fields: ['total', 'mean', 'fastest', 'worst'],
    rows: [{ total: '20.75', mean: '5.1875', fastest: '1.25', worst: '500' }],
  },
  {
    name: 'a sum of integers stays an integer; avg is always a double',
    query: 'filter ispresent(status) | stats sum(status) as s, avg(status) as a',
    fields: ['s', 'a'],
    rows: [{ s: '1304', a: '326.0' }],
  },
  {
    name: 'stddev is the sample standard deviation (choice)',
    query:
      'filter ispresent(@initDuration) | stats stddev(@maxMemoryUsed / 1000000) as sd, stddev(@memorySize) as flat',
    fields: ['sd', 'flat'],
    rows: [{ sd: '0.7071067811865476', flat: '0.0' }],
  },
  {
    name: 'pct is the nearest-rank percentile and returns a value of the field',
    // Sorted: 3.01, 5.93, 8.52, 14.97, 3000; rank = ceil(p / 100 × 5): p61 is the 4th value, not the 3rd.
    query:
      'filter @type = "REPORT" | stats pct(@duration, 50) as p50, pct(@duration, 99) as p99, pct(@duration, 20) as p20, pct(@duration, 61) as p61',
    fields: ['p50', 'p99', 'p20', 'p61'],
    rows: [{ p50: '8.52', p99: '3000.0', p20: '3.01', p61: '14.97' }],
  },
  {
    name: 'earliest and latest pick by @timestamp',
    query: 'filter ispresent(path) | stats earliest(correlationId) as first, latest(correlationId) as last',
    fields: ['first', 'last'],
    rows: [{ first: C1, last: C5 }],
  },
  {
    name: 'sortsFirst and sortsLast follow the sort order',
    query: 'stats sortsFirst(path) as a, sortsLast(path) as z, sortsFirst(status) as s',
    fields: ['a', 'z', 's'],
    rows: [{ a: '/random/int', z: '/random/nope', s: '200' }],
  },
  {
    name: 'stats by several fields, rows ordered by the group values (choice)',
    query: 'filter ispresent(status) | stats count(*) as n by method, status',
    fields: ['method', 'status', 'n'],
    rows: [
      { method: 'GET', status: '200', n: '2' },
      { method: 'GET', status: '404', n: '1' },
      { method: 'POST', status: '500', n: '1' },
    ],
  },
  {
    name: 'stats items can do arithmetic on aggregates',
    query:
      'filter @type = "REPORT" | stats sum(@billedDuration) / count(*) as meanBilled, max(@duration) - min(@duration) as spread',
    fields: ['meanBilled', 'spread'],
    rows: [{ meanBilled: '606.8', spread: '2996.99' }],
  },
  {
    name: 'after stats, sort can name a column by the expression that made it',
    query: 'filter @type = "REPORT" | stats count(*) by bin(1m) | sort count(*) desc, bin(1m) desc | limit 2',
    fields: ['bin(1m)', 'count(*)'],
    rows: [
      { 'bin(1m)': ts('12:01:00.000'), 'count(*)': '2' },
      { 'bin(1m)': ts('12:00:00.000'), 'count(*)': '2' },
    ],
  },
  {
    name: 'a second stats aggregates the rows of the first',
    query:
      'filter @type = "REPORT" | stats count(*) as n by bin(1m) | stats max(n) as peak, avg(n) as mean, count(*) as bins',
    fields: ['peak', 'mean', 'bins'],
    rows: [{ peak: '2', mean: '1.6666666666666667', bins: '3' }],
  },
  {
    name: 'a second stats can group by a field of the first',
    query: 'filter ispresent(status) | stats count(*) as n by method, path | stats sum(n) as total by method',
    fields: ['method', 'total'],
    rows: [
      { method: 'GET', total: '3' },
      { method: 'POST', total: '1' },
    ],
  },
  {
    name: 'filter and fields work on stats rows',
    query: 'filter ispresent(status) | stats count(*) as n by path | filter n > 1 | fields path, n',
    fields: ['path', 'n'],
    rows: [{ path: '/random/int', n: '3' }],
  },
  {
    name: 'max(@timestamp) carried through the first stats feeds dateceil in the second (CWL_QuerySyntax-Stats)',
    query:
      'filter @type = "REPORT" | stats max(@timestamp) as @t, count(*) as n by @logStream | stats sum(n) as reports by dateceil(@t, 1h) as hour',
    fields: ['hour', 'reports'],
    rows: [{ hour: ts('13:00:00.000'), reports: '5' }],
  },
  // --- sort and limit ---
  {
    name: 'sort ascending by a field',
    query: 'filter @type = "REPORT" | sort @duration asc | fields @requestId, @duration',
    fields: ['@requestId', '@duration'],
    rows: [
      { '@requestId': R2, '@duration': '3.01' },
      { '@requestId': R4, '@duration': '5.93' },
      { '@requestId': R1, '@duration': '8.52' },
      { '@requestId': R5, '@duration': '14.97' },
      { '@requestId': R3, '@duration': '3000.0' },
    ],
  },
  {
    name: 'sort by several keys, each with its own order',
    query: 'filter ispresent(status) | sort status desc, durationMs asc | fields correlationId, status, durationMs',
    fields: ['correlationId', 'status', 'durationMs'],
    rows: [
      { correlationId: C5, status: '500', durationMs: '12.25' },
      { correlationId: C2, status: '404', durationMs: '1.25' },
      { correlationId: C4, status: '200', durationMs: '2.75' },
      { correlationId: C1, status: '200', durationMs: '4.5' },
    ],
  },
  {
    name: 'sort puts text before numbers and equal values in scan order',
    query:
      'parse @message "* * * * *" as method, url, code, secs, ip | filter ispresent(code) | sort code asc | fields code, url',
    groups: [C],
    fields: ['code', 'url'],
    rows: [
      { code: '77777777-7777-4777-8777-777777777777', url: 'RequestId:' },
      { code: '200', url: '/index.html' },
      { code: '200', url: '/last' },
      { code: '201', url: '/api' },
      { code: '403', url: '/admin' },
    ],
  },
  {
    name: 'missing values sort last when descending (choice)',
    query: 'sort durationMs desc | fields correlationId, durationMs | limit 5',
    fields: ['correlationId', 'durationMs'],
    rows: [
      { correlationId: C5, durationMs: '12.25' },
      { correlationId: C1, durationMs: '4.5' },
      { correlationId: C4, durationMs: '2.75' },
      { correlationId: C2, durationMs: '1.25' },
      {},
    ],
  },
  {
    name: 'missing values sort last when ascending too (choice)',
    query: 'sort durationMs | fields correlationId, durationMs | limit 5',
    fields: ['correlationId', 'durationMs'],
    rows: [
      { correlationId: C2, durationMs: '1.25' },
      { correlationId: C4, durationMs: '2.75' },
      { correlationId: C1, durationMs: '4.5' },
      { correlationId: C5, durationMs: '12.25' },
      {},
    ],
  },
  {
    name: 'limit without sort keeps the newest events',
    query: 'filter @type = "START" | limit 2 | fields @requestId',
    fields: ['@requestId'],
    rows: [{ '@requestId': R3 }, { '@requestId': R5 }],
  },
  {
    name: 'the limit option caps the rows like StartQuery limit',
    query: 'filter @type = "END" | fields @requestId',
    limit: 2,
    fields: ['@requestId'],
    rows: [{ '@requestId': R3 }, { '@requestId': R5 }],
  },
  {
    name: 'sort then limit keeps the top N',
    query: 'filter @type = "REPORT" | sort @duration desc | limit 2 | fields @requestId, @duration',
    fields: ['@requestId', '@duration'],
    rows: [
      { '@requestId': R3, '@duration': '3000.0' },
      { '@requestId': R5, '@duration': '14.97' },
    ],
  },
  // --- parse ---
  {
    name: 'glob parse: each * takes as little as it can, a trailing * the rest',
    query:
      'filter @message like "cache miss" | parse @message "\\tINFO\\t* for key *:*" as what, kind, id | fields what, kind, id',
    fields: ['what', 'kind', 'id'],
    rows: [{ what: 'cache miss', kind: 'user', id: '42' }],
  },
  {
    name: 'regex parse with named groups; events that do not match keep their row without the fields',
    query:
      'filter @type = "REPORT" | parse @message /Max Memory Used: (?<maxMb>\\d+) MB\\tInit Duration: (?<initMs>[\\d.]+)/ | fields @requestId, maxMb, initMs',
    fields: ['@requestId', 'maxMb', 'initMs'],
    rows: [
      { '@requestId': R3 },
      { '@requestId': R5 },
      { '@requestId': R2 },
      { '@requestId': R4, maxMb: '66', initMs: '160.02' },
      { '@requestId': R1, maxMb: '67', initMs: '145.69' },
    ],
  },
  {
    name: 'parse reads @message when no field is named, and its fields feed stats as numbers',
    query:
      'filter @type = "REPORT" | parse "Billed Duration: * ms" as billed | stats sum(billed) as total, count(billed) as n',
    fields: ['total', 'n'],
    rows: [{ total: '3034', n: '5' }],
  },
  {
    name: 'parse can read another field, here @logStream',
    query:
      'filter @type = "START" | parse @logStream "*/*/*/[*]*" as y, m, d, version, instance | stats count(*) by version, instance',
    fields: ['version', 'instance', 'count(*)'],
    rows: [
      { version: '$LATEST', instance: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'count(*)': '3' },
      { version: '$LATEST', instance: 'f9e8d7c6b5a4938271605f4e3d2c1b0a', 'count(*)': '2' },
    ],
  },
  {
    name: 'parse can read a field an earlier parse made',
    query:
      'filter @message like "cache miss" | parse @message "key *" as key | parse key "*:*" as kind, id | fields kind, id',
    fields: ['kind', 'id'],
    rows: [{ kind: 'user', id: '42' }],
  },
  // --- display and several fields commands (docs/aws-behaviour.md#insights-commands) ---
  {
    name: 'only the last display counts',
    query: 'filter @type = "REPORT" | fields @requestId, @duration | display @duration | display @requestId | limit 2',
    fields: ['@requestId'],
    rows: [{ '@requestId': R3 }, { '@requestId': R5 }],
  },
  {
    name: 'display can compute a field',
    query: 'filter ispresent(level) | display correlationId, level = "error" as isError',
    fields: ['correlationId', 'isError'],
    rows: [
      { correlationId: C5, isError: '1' },
      { correlationId: C2, isError: '0' },
      { correlationId: C4, isError: '0' },
      { correlationId: C1, isError: '0' },
    ],
  },
  {
    name: 'several fields commands show the union of their fields',
    query: `filter correlationId = "${C1}" | fields path | fields status, path`,
    fields: ['path', 'status'],
    rows: [{ path: '/random/int', status: '200' }],
  },
  // --- dedup (CWL_QuerySyntax-Dedup) ---
  {
    name: 'dedup keeps the newest row per value when there is no sort',
    query: 'filter ispresent(path) | fields correlationId, path | dedup path',
    fields: ['correlationId', 'path'],
    rows: [
      { correlationId: C5, path: '/random/int' },
      { correlationId: C2, path: '/random/nope' },
    ],
  },
  {
    name: 'dedup keeps the first row in an explicit sort order',
    query: 'filter ispresent(path) | fields correlationId, path, durationMs | sort durationMs asc | dedup path',
    fields: ['correlationId', 'path', 'durationMs'],
    rows: [
      { correlationId: C2, path: '/random/nope', durationMs: '1.25' },
      { correlationId: C4, path: '/random/int', durationMs: '2.75' },
    ],
  },
  {
    name: 'dedup keeps every row with a missing value',
    query: 'filter @type = "REPORT" or ispresent(path) | fields @requestId | dedup @memorySize',
    fields: ['@requestId'],
    rows: [
      { '@requestId': R3 },
      { '@requestId': R5 },
      { '@requestId': R2 },
      { '@requestId': R4 },
      { '@requestId': R1 },
    ],
  },
  {
    name: 'limit may follow dedup',
    query: 'filter ispresent(status) | fields status | dedup status | limit 2',
    fields: ['status'],
    rows: [{ status: '500' }, { status: '404' }],
  },
  // --- syntax details ---
  {
    name: 'comments, upper-case commands and function names',
    query: '# REPORT lines only\nFILTER @type = "REPORT"   # platform lines\n| STATS COUNT(*) AS n BY BIN(1h)',
    fields: ['BIN(1h)', 'n'],
    rows: [{ 'BIN(1h)': ts('12:00:00.000'), n: '5' }],
  },
  {
    name: 'backticks around field names and aliases',
    query: 'filter `status` = 404 | fields `req.query.n`, `correlationId` as `the id`',
    fields: ['req.query.n', 'the id'],
    rows: [{ 'the id': C2 }],
  },
  {
    name: 'a query spans several log groups and @log tells them apart',
    query: 'filter @type = "REPORT" | stats count(*) by @log',
    groups: [A, B],
    fields: ['@log', 'count(*)'],
    rows: [
      { '@log': `123456789012:${A}`, 'count(*)': '5' },
      { '@log': `123456789012:${B}`, 'count(*)': '1' },
    ],
  },
  // --- documented commands beyond the core set (issue 12 item 4; docs/aws-behaviour.md#insights-source and below) ---
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Source.html: namePrefix selects the
    // groups whose names start with a prefix; no groups are named outside the query.
    name: 'SOURCE logGroups(namePrefix: [...]) picks the groups of the store whose names start with a prefix',
    query: "SOURCE logGroups(namePrefix: ['/aws/lambda/']) | stats count(*) as n by @log",
    groups: [],
    fields: ['@log', 'n'],
    // Every line of A (23) and of B (5) is inside the window.
    rows: [
      { '@log': `123456789012:${A}`, n: '23' },
      { '@log': `123456789012:${B}`, n: '5' },
    ],
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Subqueries.html: `filter <field> in
    // ( <subquery> )`; the subquery runs over the same groups unless it names its own. Here: the REPORT lines of
    // the requests whose handler logged a 4xx or 5xx (R2 404, R5 500), slowest first.
    name: 'a subquery gives the values of the outer filter: REPORT lines of the requests that failed',
    query:
      'filter @type = "REPORT"\n| filter @requestId in (filter status >= 400 | fields @requestId)\n| fields @requestId, @duration\n| sort @duration desc',
    fields: ['@requestId', '@duration'],
    rows: [
      { '@requestId': R5, '@duration': '14.97' },
      { '@requestId': R2, '@duration': '3.01' },
    ],
  },
  {
    // Same page: `not in`, and a subquery ending in stats ... by the field. R1, R3 and R4 logged no 4xx/5xx.
    name: 'not in a subquery that ends with stats by the field',
    query:
      'filter @type = "REPORT" and @requestId not in (filter status >= 400 | stats count(*) by @requestId)\n| fields @requestId\n| sort @requestId',
    fields: ['@requestId'],
    rows: [{ '@requestId': R1 }, { '@requestId': R3 }, { '@requestId': R4 }],
    eventRows: true, // the stats is the subquery's
  },
  {
    // Same page, example 1's shape: SOURCE '<group>' inside the subquery reads another group. The worker's warn line
    // has status 200 (a number): the demo function's lines with that status are R1's and R4's.
    name: "a subquery over another group with SOURCE '<group>'",
    query:
      'filter status in (SOURCE \'/aws/lambda/rda-worker-fn\' | filter level = "warn" | fields status)\n| fields correlationId, status\n| sort correlationId',
    fields: ['correlationId', 'status'],
    rows: [
      { correlationId: C1, status: '200' },
      { correlationId: C4, status: '200' },
    ],
  },
  {
    // A subquery inside a subquery: R5's 500 picks R5, whose lines (all four with the id) come back, newest first.
    name: 'a subquery nested in a subquery',
    query:
      'filter @requestId in (filter @requestId in (filter status = 500 | fields @requestId) | fields @requestId)\n| fields @requestId, @type',
    fields: ['@requestId', '@type'],
    rows: [
      { '@requestId': R5, '@type': 'REPORT' },
      { '@requestId': R5, '@type': 'END' },
      { '@requestId': R5 },
      { '@requestId': R5, '@type': 'START' },
    ],
  },
  {
    // Same page: several prefixes, class STANDARD (every local group) and the local account together.
    name: 'SOURCE with two prefixes, class STANDARD and the local account identifier',
    query:
      "SOURCE logGroups(namePrefix: ['/custom', '/aws/lambda/rda-w'], class: ['STANDARD'], accountIdentifiers: ['123456789012'])\n| stats count(*) as n by @log",
    groups: [],
    fields: ['@log', 'n'],
    // C: six events in the window (one 1 ms before T0 and one 1 ms after the end are out); B: five.
    rows: [
      { '@log': `123456789012:${B}`, n: '5' },
      { '@log': `123456789012:${C}`, n: '6' },
    ],
  },
  {
    // Same page: logGroups() with no keyword selects every group of the account.
    name: 'SOURCE logGroups() selects every group of the store',
    query: 'source logGroups() | stats count(*) as n',
    groups: [],
    fields: ['n'],
    rows: [{ n: '34' }],
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-FilterIndex.html: filterIndex with in.
    // Choice (docs/insights-limits.md#filterindex): with no field indexes offline it keeps what filter would keep.
    name: 'filterIndex field in [...] keeps the events the equivalent filter keeps',
    query: 'filterIndex path in ["/random/nope", "/worker"] | fields path',
    groups: [A, B],
    fields: ['path'],
    // R2's pino line (T0+60.003 s) and B's JSON line (T0+45.002 s), newest first.
    rows: [{ path: '/random/nope' }, { path: '/worker' }],
  },
  {
    // Same page: filterIndex field = value.
    name: 'filterIndex field = value',
    query: 'filterIndex status = 404 | fields status, path',
    fields: ['status', 'path'],
    rows: [{ status: '404', path: '/random/nope' }],
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Unnest.html: a LIST from jsonParse
    // gives one record per item; the other fields come from the original record.
    name: 'unnest flattens a jsonParse list into one row per item',
    query:
      'filter @message like /roles/ | fields jsonParse(@message) as j | unnest j.user.roles into role | sort role asc | display role, j.path',
    fields: ['role', 'j.path'],
    rows: [
      { role: 'admin', 'j.path': '/random/int' },
      { role: 'dev', 'j.path': '/random/int' },
    ],
  },
  {
    // Same page: a MAP is a list with one item, so the row stays and its members can be read.
    name: 'unnest of a map keeps one row',
    query: 'filter @message like /roles/ | fields jsonParse(@message) as j | unnest j.user into u | display u.id',
    fields: ['u.id'],
    rows: [{ 'u.id': '7' }],
  },
  {
    // Same page: a string is a list with one item.
    name: 'unnest of a string keeps one row with the value',
    query: 'filter @message like /roles/ | unnest @logStream into s | display s',
    fields: ['s'],
    rows: [{ s: A2 }],
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Pattern.html: @pattern, @ratio (half the
    // events give 0.50), @sampleCount. Offline tokens: docs/insights-limits.md#pattern.
    name: 'pattern @message clusters START and END lines, half each',
    query: 'filter @message like /^(START|END) / | pattern @message',
    fields: ['@pattern', '@ratio', '@sampleCount', '@severityLabel'],
    // Five of each; equal counts order by pattern text (choice).
    rows: [
      { '@pattern': 'END RequestId: <Token-1>', '@ratio': '0.5', '@sampleCount': '5' },
      { '@pattern': 'START RequestId: <Token-1> Version: $LATEST', '@ratio': '0.5', '@sampleCount': '5' },
    ],
  },
  {
    // Same page: pattern combined with filter and sort on @sampleCount.
    name: 'pattern over REPORT lines tells the lines with Init Duration and Status apart',
    query: 'filter @type = "REPORT" | pattern @message | sort @sampleCount desc, @pattern asc',
    fields: ['@pattern', '@ratio', '@sampleCount', '@severityLabel'],
    // R2 and R5 (warm), R1 and R4 (cold, Init Duration), R3 (Status: timeout); 2/5, 2/5, 1/5.
    rows: [
      {
        '@pattern':
          'REPORT RequestId: <Token-1>\tDuration: <Token-2> ms\tBilled Duration: <Token-3> ms\tMemory Size: <Token-4> MB\tMax Memory Used: <Token-5> MB\t',
        '@ratio': '0.4',
        '@sampleCount': '2',
      },
      {
        '@pattern':
          'REPORT RequestId: <Token-1>\tDuration: <Token-2> ms\tBilled Duration: <Token-3> ms\tMemory Size: <Token-4> MB\tMax Memory Used: <Token-5> MB\tInit Duration: <Token-6> ms\t',
        '@ratio': '0.4',
        '@sampleCount': '2',
      },
      {
        '@pattern':
          'REPORT RequestId: <Token-1>\tDuration: <Token-2> ms\tBilled Duration: <Token-3> ms\tMemory Size: <Token-4> MB\tMax Memory Used: <Token-5> MB\tStatus: timeout',
        '@ratio': '0.2',
        '@sampleCount': '1',
      },
    ],
  },
  {
    // Same page: @severityLabel is the level (Error, Warning, Info, Debug); here the runtime's INFO word.
    name: 'pattern gives the severity label of a level word',
    query: 'filter @message like /cache miss/ | pattern @message',
    fields: ['@pattern', '@ratio', '@sampleCount', '@severityLabel'],
    rows: [
      {
        '@pattern': '<Token-1>\t<Token-2>\tINFO\tcache miss for key <Token-3>',
        '@ratio': '1',
        '@sampleCount': '1',
        '@severityLabel': 'Info',
      },
    ],
  },
  {
    // Same page: the input can be any string field. JSON punctuation separates tokens; a token's digits make it dynamic.
    name: 'pattern splits JSON and access-log lines into static and dynamic tokens',
    query: 'pattern @message',
    groups: [C],
    fields: ['@pattern', '@ratio', '@sampleCount', '@severityLabel'],
    // Six events, one each (1/6); ordered by pattern text: 'G' < 'P' < 'S' < '{'.
    rows: [
      { '@pattern': 'GET /admin <Token-1> <Token-2> <Token-3>', '@ratio': '0.16666666666666666', '@sampleCount': '1' },
      {
        '@pattern': 'GET /index.html <Token-1> <Token-2> <Token-3>',
        '@ratio': '0.16666666666666666',
        '@sampleCount': '1',
      },
      { '@pattern': 'GET /last <Token-1> <Token-2> <Token-3>', '@ratio': '0.16666666666666666', '@sampleCount': '1' },
      { '@pattern': 'POST /api <Token-1> <Token-2> <Token-3>', '@ratio': '0.16666666666666666', '@sampleCount': '1' },
      {
        '@pattern': 'START RequestId: <Token-1> Version: $LATEST',
        '@ratio': '0.16666666666666666',
        '@sampleCount': '1',
      },
      {
        '@pattern': '{"@timestamp":"<Token-1>","level":"info","msg":"hello","status":<Token-2>}',
        '@ratio': '0.16666666666666666',
        '@sampleCount': '1',
      },
    ],
  },
  // --- published queries (issue 12; docs/aws-behaviour.md#insights-commands, #insights-functions) ---
  {
    // Recorded: aws/aws-sdk-js-v3#6928 (https://github.com/aws/aws-sdk-js-v3/issues/6928), a REPORT parse with no
    // fields command, whose CLI results carry the parsed fields and @ptr only (no @timestamp, no @message).
    name: 'a query whose only named fields come from parse shows those fields (no @timestamp or @message)',
    query:
      'filter @type = "REPORT" | parse @message "Memory Size: * MB\\tMax Memory Used: * MB" as sizeMb, usedMb | sort usedMb desc | limit 20',
    fields: ['sizeMb', 'usedMb'],
    // Max Memory Used on the five REPORT lines: R3 70, R2 68, R1 67, R5 67, R4 66.
    rows: [
      { sizeMb: '128', usedMb: '70' },
      { sizeMb: '128', usedMb: '68' },
      { sizeMb: '128', usedMb: '67' },
      { sizeMb: '128', usedMb: '67' },
      { sizeMb: '128', usedMb: '66' },
    ],
  },
  {
    // Same source: a regex parse over every event; events it does not match keep their row, without the field.
    name: 'a regex parse with no fields command shows its named groups only',
    query: 'parse @message /Max Memory Used: (?<usedMb>\\d+) MB/ | sort usedMb desc | limit 6',
    fields: ['usedMb'],
    rows: [{ usedMb: '70' }, { usedMb: '68' }, { usedMb: '67' }, { usedMb: '67' }, { usedMb: '66' }, {}],
  },
  {
    // The Lambda "overprovisioned memory" query of https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-examples.html:
    // the last item subtracts two aliases of the same stats. 128 MB is 1.28E8 bytes, so /1000/1000 gives 128.0.
    name: 'a stats item may compute with the aliases of earlier items of the same stats (AWS sample query)',
    query: `filter @type = "REPORT"
| stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,
    min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,
    avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,
    max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,
    provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB`,
    fields: [
      'provisonedMemoryMB',
      'smallestMemoryRequestMB',
      'avgMemoryUsedMB',
      'maxMemoryUsedMB',
      'overProvisionedMB',
    ],
    // used MB: 67, 68, 70, 66, 67 -> min 66, avg 338 / 5 = 67.6, max 70; 128 - 70 = 58.
    rows: [
      {
        provisonedMemoryMB: '128.0',
        smallestMemoryRequestMB: '66.0',
        avgMemoryUsedMB: '67.6',
        maxMemoryUsedMB: '70.0',
        overProvisionedMB: '58.0',
      },
    ],
  },
  {
    // Same page, the shorter form, per group: each group's alias values feed its own difference.
    name: 'aliases inside one stats are computed per group',
    query:
      'filter @type = "REPORT" | stats max(@memorySize / 1000 / 1000) as provisionedMB, max(@maxMemoryUsed / 1000 / 1000) as usedMB, provisionedMB - usedMB as overMB by @log',
    groups: [A, B],
    fields: ['@log', 'provisionedMB', 'usedMB', 'overMB'],
    // B's only REPORT: Memory Size 1024 MB, Max Memory Used 90 MB.
    rows: [
      { '@log': `123456789012:${A}`, provisionedMB: '128.0', usedMB: '70.0', overMB: '58.0' },
      { '@log': `123456789012:${B}`, provisionedMB: '1024.0', usedMB: '90.0', overMB: '934.0' },
    ],
  },
  {
    // AWS Lambda Operator Guide, "Useful Insights queries" (https://serverlessland.com/content/service/lambda/guides/aws-lambda-operator-guide/useful-queries)
    // writes percentile(@billedDuration, 99): the same aggregation as pct.
    name: 'percentile(field, n) is pct(field, n)',
    query:
      'filter @type = "REPORT" | stats percentile(@billedDuration, 50) as p50, pct(@billedDuration, 50) as same, percentile(@billedDuration, 99) as p99',
    fields: ['p50', 'same', 'p99'],
    // Billed 4, 6, 9, 15, 3000 (doubles): nearest rank 3 of 5 is 9, rank 5 of 5 is 3000.
    rows: [{ p50: '9.0', same: '9.0', p99: '3000.0' }],
  },
  {
    // Same guide, "The top 100 highest billed invocations": sort by @billedDuration desc.
    name: "'sort by field' sorts like 'sort field'",
    query: 'filter @type = "REPORT" | fields @requestId, @billedDuration | sort by @billedDuration desc | limit 2',
    fields: ['@requestId', '@billedDuration'],
    rows: [
      { '@requestId': R3, '@billedDuration': '3000.0' },
      { '@requestId': R5, '@billedDuration': '15.0' },
    ],
  },
  {
    // The replacement the error for `sort @timestamp` after stats suggests (see the error cases below).
    name: 'after stats by bin(), sort on the bin column',
    query: 'filter @type = "REPORT" | stats count(*) as n by bin(1m) | sort bin(1m) desc',
    fields: ['bin(1m)', 'n'],
    rows: [
      { 'bin(1m)': ts('12:02:00.000'), n: '1' },
      { 'bin(1m)': ts('12:01:00.000'), n: '2' },
      { 'bin(1m)': ts('12:00:00.000'), n: '2' },
    ],
  },
  {
    // The VPC "SKIPDATA" sample (https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide/blob/master/doc_source/CWL_QuerySyntax-examples.md):
    // `stats count(*) by bin(1h) as t | sort t` names the time column and sorts on it.
    name: 'a bin() column can be named with as and sorted on by that name',
    query: 'filter @type = "REPORT" | stats count(*) by bin(1m) as t | sort t',
    fields: ['t', 'count(*)'],
    rows: [
      { t: ts('12:00:00.000'), 'count(*)': '2' },
      { t: ts('12:01:00.000'), 'count(*)': '2' },
      { t: ts('12:02:00.000'), 'count(*)': '1' },
    ],
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-operations-functions.html, arithmetic
    // operators: `2 ^ 3` returns `8`, `10 % 3` returns `1`. A power that is not whole is a double (choice).
    name: 'exponentiation of integers gives an integer, as the operators table shows',
    query: `filter @type = "REPORT" and @requestId = "${R1}" | fields 2 ^ 3 as p, 10 % 3 as m, 2 ^ -1 as half, 2.5 ^ 2 as sq`,
    fields: ['p', 'm', 'half', 'sq'],
    rows: [{ p: '8', m: '1', half: '0.5', sq: '6.25' }],
  },
  {
    // Same page, "Structure types" and "JSON functions": jsonParse makes a map or list of a JSON string, dots read
    // its members, jsonStringify writes it back. List items by index after a dot, like flattened JSON (choice).
    name: 'jsonParse makes a map of a JSON string; dots read members; jsonStringify writes JSON back',
    query:
      'filter errorType = "TimeoutError" | parse @message "Invoke Error \\t*" as raw | fields jsonParse(raw) as err | display err.errorType, err.stack.1, jsonStringify(err.stack) as stackJson, err.nothing',
    fields: ['err.errorType', 'err.stack.1', 'stackJson', 'err.nothing'],
    rows: [
      {
        'err.errorType': 'TimeoutError',
        'err.stack.1': '    at fetchUpstream (/var/task/index.js:10:11)',
        stackJson: '["TimeoutError: upstream took too long","    at fetchUpstream (/var/task/index.js:10:11)"]',
      },
    ],
  },
  {
    // Same page: `fields jsonParse(@message) as json_message`. Members are values like any other (arithmetic,
    // stats by); text that is not JSON gives no value (choice); a map shown as a column is its JSON (choice).
    name: 'jsonParse of @message: members in arithmetic and stats by; invalid JSON gives no value',
    query:
      'filter ispresent(@@timestamp) | fields jsonParse(@message) as doc | display doc.msg, doc.status + 1 as next, jsonParse("[1, 2]") as list, jsonParse(doc.msg) as bad',
    groups: [C],
    fields: ['doc.msg', 'next', 'list', 'bad'],
    rows: [{ 'doc.msg': 'hello', next: '202', list: '[1,2]' }],
  },
  {
    // The raw-line pre-check (prefilter.ts) must leave `doc.level` alone: no JSON key of the line is named so.
    name: 'filter can test members of a jsonParse map',
    query:
      'fields jsonParse(@message) as doc | filter doc.level = "info" and doc.msg like "hel" | display doc.msg, doc.status',
    groups: [C],
    fields: ['doc.msg', 'doc.status'],
    rows: [{ 'doc.msg': 'hello', 'doc.status': '201' }],
  },
  {
    name: 'stats can group by a member of a jsonParse map',
    query: 'fields jsonParse(@message) as doc | filter ispresent(doc.level) | stats count(*) as n by doc.level',
    groups: [C],
    fields: ['doc.level', 'n'],
    rows: [{ 'doc.level': 'info', n: '1' }],
  },
];

describe('Logs Insights conformance over the fixture store', () => {
  test('the suite has at least 60 queries', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  test.each(cases)('$name', async (c) => {
    // Act
    const result = await run(c.query, c);

    // Assess
    expect(result.status).toBe('Complete');
    expect(result.fields).toEqual(c.fields);
    expect(withoutPtr(result.rows)).toEqual(c.rows);
    // stats and pattern make rows of their own, without @ptr.
    const eventRows = c.eventRows ?? !/\b(stats|pattern)\b/i.test(c.query);
    for (const row of result.rows) expect(typeof row['@ptr'] === 'string').toBe(eventRows);
  });
});

describe('statistics and pointers', () => {
  test('recordsScanned counts events in range, recordsMatched those that passed the filters, bytes the stored lines', async () => {
    // Prepare: every line of group A is inside the window, so bytes = file sizes minus one newline per line.
    const files = [streamFilePath(STORE, A, A1), streamFilePath(STORE, A, A2)];
    const texts = await Promise.all(files.map((f) => readFile(f)));
    const expectedBytes = texts.reduce((sum, buffer) => sum + buffer.length, 0) - 23;

    // Act
    const result = await run('filter @type = "REPORT" | stats count(*)');

    // Assess
    expect(result.statistics).toEqual({ recordsScanned: 23, recordsMatched: 5, bytesScanned: expectedBytes });
  });

  test('@ptr points at the group, stream and line of the event', async () => {
    const { decodePtr } = await import('../../../harness/insights/index.js');
    const result = await run(`filter @requestId = "${R4}" and @type = "REPORT" | fields @requestId`);
    expect(result.rows).toHaveLength(1);
    expect(decodePtr(result.rows[0]!['@ptr']!)).toEqual({ logGroupName: A, logStreamName: A2, lineNo: 4 });
  });
});

interface ErrorCase {
  readonly name: string;
  readonly query: string;
  readonly line: number;
  readonly column: number;
  readonly message: RegExp;
}

const errorCases: ErrorCase[] = [
  { name: 'an empty query', query: '   ', line: 1, column: 4, message: /the query is empty/ },
  {
    name: 'a missing operand',
    query: 'filter status >',
    line: 1,
    column: 16,
    message: /expected an expression after '>', found the end of the query/,
  },
  { name: 'an unknown command', query: 'fields a | selec b', line: 1, column: 12, message: /unknown command 'selec'/ },
  {
    name: 'a missing operand on a later line',
    query: 'fields a\n| filter b =\n| limit 3',
    line: 3,
    column: 1,
    message: /expected an expression after '=', found '\|'/,
  },
  { name: 'an unknown function', query: 'fields foo(1)', line: 1, column: 8, message: /unknown function 'foo'/ },
  { name: 'too many arguments', query: 'fields abs(1, 2)', line: 1, column: 8, message: /abs\(\) takes 1 argument/ },
  {
    name: 'an aggregate outside stats',
    query: 'filter count(*) > 1',
    line: 1,
    column: 8,
    message: /count\(\) is a stats function/,
  },
  {
    name: 'nested aggregates',
    query: 'stats max(sum(x))',
    line: 1,
    column: 11,
    message: /sum\(\) cannot be nested inside max\(\)/,
  },
  {
    name: 'a field outside an aggregate in stats',
    query: 'stats x',
    line: 1,
    column: 7,
    message: /field 'x' must be inside an aggregate function/,
  },
  {
    name: 'three stats commands',
    query: 'stats count(*) as a | stats count(*) as b | stats count(*) as c',
    line: 1,
    column: 45,
    message: /at most 2 stats commands/,
  },
  {
    name: 'sort before the second stats',
    query: 'stats count(*) as n by x | sort n | stats max(n)',
    line: 1,
    column: 28,
    message: /sort must come after the second stats command/,
  },
  {
    name: 'a command after dedup other than limit',
    query: 'dedup a | filter b = 1',
    line: 1,
    column: 11,
    message: /only limit can follow dedup, found filter/,
  },
  {
    name: 'a field that stats dropped',
    query: 'stats count(*) as n by path | filter status > 1',
    line: 1,
    column: 38,
    message: /field 'status' is not available after stats/,
  },
  {
    name: 'bin after stats',
    query: 'stats count(*) as n by @logStream | stats avg(n) by bin(5m)',
    line: 1,
    column: 53,
    message: /bin\(\) rounds @timestamp, which is not available after stats/,
  },
  {
    name: 'an unknown time unit',
    query: 'stats count(*) by bin(5x)',
    line: 1,
    column: 23,
    message: /unknown time unit 'x' in '5x'/,
  },
  {
    name: 'bin without a period',
    query: 'stats count(*) by bin(5)',
    line: 1,
    column: 23,
    message: /bin\(\) needs a time period such as 5m/,
  },
  {
    name: 'a time period outside bin',
    query: 'fields 5m',
    line: 1,
    column: 8,
    message: /a time period like 5m can only be an argument of bin\(\)/,
  },
  { name: 'an unterminated string', query: 'filter a = "abc', line: 1, column: 12, message: /unterminated string/ },
  {
    name: 'an unterminated regular expression',
    query: 'filter a like /abc',
    line: 1,
    column: 15,
    message: /unterminated regular expression/,
  },
  {
    name: 'an invalid regular expression',
    query: 'filter @message like /(/',
    line: 1,
    column: 22,
    message: /invalid regular expression \/\(\//,
  },
  {
    name: 'a glob with more names than stars',
    query: 'parse @message "a=*" as x, y',
    line: 1,
    column: 16,
    message: /has 1 '\*' but 2 field names/,
  },
  {
    name: 'a regex parse without named groups',
    query: 'parse @message /(\\d+)/',
    line: 1,
    column: 16,
    message: /no named groups/,
  },
  { name: 'limit 0', query: 'limit 0', line: 1, column: 1, message: /limit must be between 1 and 100000, got 0/ },
  {
    name: 'a chained comparison',
    query: 'filter a = 1 = 2',
    line: 1,
    column: 14,
    message: /comparisons cannot be chained/,
  },
  {
    name: 'pct outside 0..100',
    query: 'stats pct(x, 101)',
    line: 1,
    column: 14,
    message: /pct\(\) needs a percentile between 0 and 100/,
  },
  // Documented commands the engine does not run offline (docs/insights-limits.md#commands-not-supported-offline):
  // the error names the command as real, says why and what to write instead.
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Diff.html
    name: 'diff is documented but not supported offline',
    query: 'filter @type = "REPORT"\n| diff previousDay',
    line: 2,
    column: 3,
    message:
      /'diff' is a documented Logs Insights command that is not supported offline \(.*\): run the query once per period \(--start\/--end\)/,
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Anomaly.html
    name: 'anomaly is documented but not supported offline',
    query: 'pattern @message | anomaly',
    line: 1,
    column: 20,
    message:
      /'anomaly' is a documented .* not supported offline \(.*anomaly models.*\): count events over time with stats count\(\*\) by bin\(5m\)/,
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Lookup.html
    name: 'lookup is documented but not supported offline',
    query: 'lookup users id as userId OUTPUT name',
    line: 1,
    column: 1,
    message:
      /'lookup' is a documented .* not supported offline \(lookup tables live in the AWS account.*\): export the rows/,
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Join.html
    name: 'join is documented but not supported offline',
    query:
      "filter status >= 500\n| join type=inner left=api right=lambda where api.requestId=lambda.requestId (SOURCE '/aws/lambda/f')",
    line: 2,
    column: 3,
    message:
      /'join' is a documented .* not supported offline \(.*one query at a time\): query both groups in one query/,
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html (command table): unmask.
    name: 'unmask is documented but not supported offline',
    query: 'fields @message | unmask @message',
    line: 1,
    column: 19,
    message: /'unmask' is a documented .*: remove unmask/,
  },
  {
    // CWL_QuerySyntax-Subqueries: "The subquery must produce fields referenced by the outer query."
    name: 'a subquery that does not return the field the outer filter reads',
    query: 'filter @type = "REPORT"\n| filter @requestId in (filter status >= 400 | fields correlationId)',
    line: 2,
    column: 10,
    message: /the subquery returns 'correlationId', not '@requestId': end it with fields @requestId/,
  },
  {
    name: 'a subquery left open',
    query: 'filter @requestId in (filter status >= 400 | fields @requestId',
    line: 1,
    column: 63,
    message: /expected '\|' or '\)' to close the subquery after the fields command, found the end of the query/,
  },
  {
    name: 'an empty subquery',
    query: 'filter @requestId in ( )',
    line: 1,
    column: 24,
    message: /the subquery is empty: write a query inside the parentheses/,
  },
  {
    // The quoted form of SOURCE is the subquery's (CWL_QuerySyntax-Subqueries); a whole query uses logGroups(...).
    name: "SOURCE '<group>' at the start of a whole query",
    query: "SOURCE '/aws/lambda/rda-demo-fn' | fields @message",
    line: 1,
    column: 8,
    message:
      /SOURCE '<group>' names the log group of a subquery .*; at the start of a query name the groups with logGroups/,
  },
  {
    // CWL_QuerySyntax-FilterIndex shows only field = value and field in [...].
    name: 'filterIndex with a condition an index cannot answer',
    query: 'filterIndex status > 400',
    line: 1,
    column: 13,
    message: /filterIndex takes an indexed field compared with '=' or 'in'.*: write other conditions with filter/,
  },
  {
    // CWL_QuerySyntax-Source: "You can include as many as five prefixes in the list."
    name: 'SOURCE with six name prefixes',
    query: "SOURCE logGroups(namePrefix: ['a', 'b', 'c', 'd', 'e', 'f']) | fields @message",
    line: 1,
    column: 56,
    message: /'namePrefix' takes at most 5 values/,
  },
  {
    name: 'SOURCE with an unknown log class',
    query: "SOURCE logGroups(class: ['COLD'])",
    line: 1,
    column: 26,
    message: /unknown log class "COLD": use 'STANDARD' or 'INFREQUENT_ACCESS'/,
  },
  {
    name: 'SOURCE with an unknown keyword',
    query: "SOURCE logGroups(names: ['a'])",
    line: 1,
    column: 18,
    message: /expected namePrefix, class or accountIdentifiers in logGroups\(\.\.\.\), found 'names'/,
  },
  {
    name: 'SOURCE after another command',
    query: "fields @message\n| SOURCE logGroups(namePrefix: ['/aws/lambda/'])",
    line: 2,
    column: 3,
    message: /SOURCE must be the first command of the query: move it to the start/,
  },
  {
    name: 'SOURCE without logGroups(...)',
    query: 'SOURCE groups',
    line: 1,
    column: 8,
    message:
      /expected logGroups\(\.\.\.\) after SOURCE, e\.g\. SOURCE logGroups\(namePrefix: \['\/aws\/lambda\/my-fn'\]\), found 'groups'/,
  },
  {
    // CWL_QuerySyntax-Unnest: unnest field into unnested_field.
    name: 'unnest without into',
    query: 'unnest items as item',
    line: 1,
    column: 14,
    message: /expected 'into' and a field name after 'unnest items', found 'as'/,
  },
  {
    name: 'a field that pattern dropped',
    query: 'pattern @message | filter @logStream = "x"',
    line: 1,
    column: 27,
    message:
      /field '@logStream' is not available after stats: only '@pattern', '@ratio', '@sampleCount', '@severityLabel' are/,
  },
  { name: 'a stray character', query: 'filter a !b', line: 1, column: 10, message: /unexpected character '!'/ },
  { name: 'a keyword as a value', query: 'filter and = 1', line: 1, column: 8, message: /found the keyword 'and'/ },
  // --- issue 12 ---
  {
    name: 'sort on @timestamp after stats by bin() points at the bin column',
    query: 'stats count(*) as n by bin(5m) | sort @timestamp desc',
    line: 1,
    column: 39,
    message:
      /field '@timestamp' is not available after stats .*: use the time column of the stats, e.g. sort bin\(5m\) desc/,
  },
  {
    name: 'sort on @timestamp after stats by a named bin() points at that name',
    query: 'stats count(*) by bin(1h) as t | sort @timestamp',
    line: 1,
    column: 39,
    message: /use the time column of the stats, e.g. sort t desc/,
  },
  {
    name: 'sort on @timestamp after stats without bin() says how to carry it',
    query: 'stats count(*) as n by @logStream\n| sort @timestamp',
    line: 2,
    column: 8,
    message: /carry it through the stats, e.g. stats max\(@timestamp\) as lastSeen, \.\.\. \| sort lastSeen desc/,
  },
  {
    name: 'percentile outside 0..100',
    query: 'stats percentile(@duration, 101)',
    line: 1,
    column: 29,
    message:
      /percentile\(\) needs a percentile between 0 and 100 as its second argument, e.g. percentile\(@duration, 99\)/,
  },
  {
    name: 'sort by without a field',
    query: 'sort by',
    line: 1,
    column: 8,
    message: /expected an expression after 'sort by', found the end of the query/,
  },
  {
    name: 'a stats item that uses the name of a later item',
    query: 'stats x - 1 as y, count(*) as x',
    line: 1,
    column: 7,
    message:
      /field 'x' must be inside an aggregate function such as count\(x\), listed after 'by', or the name of an earlier item of this stats/,
  },
];

describe('bad queries get compiler-style errors', () => {
  test.each(errorCases)('$name', async (c) => {
    // Act
    const error = await run(c.query).catch((e: unknown) => e);

    // Assess: a UsageError (exit 2) with code MalformedQuery, the position, and the line with a caret.
    expect(error).toBeInstanceOf(QuerySyntaxError);
    const e = error as QuerySyntaxError;
    expect(e.code).toBe('MalformedQuery');
    expect(e.exitCode).toBe(2);
    expect({ line: e.line, column: e.column }).toEqual({ line: c.line, column: c.column });
    expect(e.problem).toMatch(c.message);
    const sourceLine = c.query.split('\n')[c.line - 1];
    expect(e.message).toContain(`line ${c.line}, column ${c.column}: `);
    expect(e.message).toContain(`\n  ${sourceLine}\n  ${' '.repeat(c.column - 1)}^`);
  });

  test('naming log groups and using SOURCE in the same query is refused (choice: docs/aws-behaviour.md#insights-source)', async () => {
    const error = await run("SOURCE logGroups(namePrefix: ['/aws/lambda/']) | fields @message", { groups: [A] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('ConflictingFlags');
    expect((error as HarnessError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/picks its log groups with SOURCE and log groups were named as well/);
  });

  test.each([
    ["SOURCE logGroups(class: ['INFREQUENT_ACCESS'])", 'no local group is INFREQUENT_ACCESS'],
    ["SOURCE logGroups(accountIdentifiers: ['111122223333'])", 'another account'],
    ["SOURCE logGroups(namePrefix: ['/nope/'])", 'no name starts with the prefix'],
  ])('SOURCE that selects no group of the store: %s (%s)', async (query) => {
    const error = await run(query, { groups: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('LogGroupNotFound');
    expect((error as Error).message).toMatch(/^SOURCE selects no log group of the local store/);
  });

  test('an unknown log group gets AWS wording and code LogGroupNotFound', async () => {
    const error = await run('fields @message', { groups: [A, '/aws/lambda/nope'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('LogGroupNotFound');
    expect((error as HarnessError).exitCode).toBe(2);
    expect((error as Error).message).toBe("Log group '/aws/lambda/nope' does not exist for account ID '123456789012'");
  });
});
