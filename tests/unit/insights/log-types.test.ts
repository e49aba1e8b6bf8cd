import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { importFilterLogEvents } from '../../../harness/insights/import.js';
import { queryEvents, queryLogStore } from '../../../harness/insights/index.js';

// Conformance-style cases for the AWS log types `logs import --log-type` knows (docs/aws-behaviour.md#log-type-discovery):
// for each type, a few lines written from AWS's documented format, a query in the spirit of AWS's sample queries
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-examples.html), and the rows worked
// out by hand. Each store is built through the importer, as a user would.

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

interface Import {
  readonly group: string;
  readonly streams: Record<string, readonly string[]>;
  readonly logType?: string;
  /** Milliseconds between events of one stream. @default 1000 */
  readonly step?: number;
  /** When each stream's first event happened. @default T0 */
  readonly start?: Record<string, number>;
}

/** Imports lines into a fresh store as `aws logs filter-log-events --output json` would have saved them. */
async function store(...imports: readonly Import[]): Promise<string> {
  const logDir = await mkdtemp(path.join(tmpdir(), 'insights-log-types-'));
  dirs.push(logDir);
  let n = 0;
  for (const spec of imports) {
    const events = Object.entries(spec.streams).flatMap(([stream, lines]) =>
      lines.map((message, i) => ({
        logStreamName: stream,
        timestamp: (spec.start?.[stream] ?? T0) + i * (spec.step ?? 1000),
        message: `${message}\n`,
        ingestionTime: T0 + 60_000,
        eventId: `e${n++}`,
      })),
    );
    const file = path.join(logDir, `export-${n}.json`);
    await writeFile(file, JSON.stringify({ events }, null, 2));
    await importFilterLogEvents({ file, logDir, logGroupName: spec.group, logType: spec.logType });
    await rm(file);
  }
  return logDir;
}

async function run(logDir: string, group: string, query: string, start = T0, end = T0 + 3_600_000) {
  return queryLogStore({ logDir, logGroupNames: [group], queryString: query, startTimeMs: start, endTimeMs: end });
}

async function rows(logDir: string, group: string, query: string, start = T0, end = T0 + 3_600_000) {
  const result = await run(logDir, group, query, start, end);
  // Stores of the right shape have nothing to warn about.
  expect(result.warnings).toBeUndefined();
  return result.rows.map(({ '@ptr': _ptr, ...row }) => row);
}

async function warnedRows(logDir: string, group: string, query: string) {
  const result = await run(logDir, group, query);
  return { rows: result.rows.map(({ '@ptr': _ptr, ...row }) => row), warnings: result.warnings };
}

// VPC flow logs, default format (version 2), from the records and examples of
// https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html and
// https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
const ENI = 'eni-1235b8ca123456789';
const VPC_TRAFFIC = [
  `2 123456789010 ${ENI} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`,
  `2 123456789010 ${ENI} 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK`,
  `2 123456789010 ${ENI} 172.31.16.139 172.31.16.21 20642 22 6 10 1000 1418530070 1418530130 ACCEPT OK`,
  `2 123456789010 ${ENI} 172.31.16.139 198.51.100.7 53000 53 17 2 150 1418530070 1418530130 ACCEPT OK`,
];
// No traffic, and records skipped during the capture window: every flow field is `-`.
const VPC_NO_DATA = [
  `2 123456789010 ${ENI} - - - - - - - 1431280876 1431280934 - NODATA`,
  `2 123456789010 eni-11111111111111111 - - - - - - - 1431280876 1431280934 - SKIPDATA`,
  `2 123456789010 eni-11111111111111111 - - - - - - - 1431280934 1431280994 - SKIPDATA`,
];
const LATER = T0 + 2 * 3_600_000;

describe('VPC flow logs (--log-type vpc-flow)', () => {
  const vpc = () =>
    store({
      group: 'vpc-flow-logs',
      logType: 'vpc-flow',
      streams: { [`${ENI}-all`]: VPC_TRAFFIC, 'eni-11111111111111111-all': VPC_NO_DATA },
      start: { [`${ENI}-all`]: T0, 'eni-11111111111111111-all': LATER },
    });

  test('top 10 byte transfers by source and destination IP: bytes are numbers, summed per pair', async () => {
    const logDir = await vpc();
    const query = 'stats sum(bytes) as bytesTransferred by srcAddr, dstAddr | sort bytesTransferred desc | limit 10';
    expect(await rows(logDir, 'vpc-flow-logs', query)).toEqual([
      { srcAddr: '172.31.16.139', dstAddr: '172.31.16.21', bytesTransferred: '5249' },
      { srcAddr: '172.31.9.69', dstAddr: '172.31.9.12', bytesTransferred: '4249' },
      { srcAddr: '172.31.16.139', dstAddr: '198.51.100.7', bytesTransferred: '150' },
    ]);
  });

  test('top packet transfers across hosts (AWS sample query)', async () => {
    const logDir = await vpc();
    const query =
      'stats sum(packets) as packetsTransferred by srcAddr, dstAddr | sort packetsTransferred desc | limit 15';
    expect(await rows(logDir, 'vpc-flow-logs', query)).toEqual([
      { srcAddr: '172.31.16.139', dstAddr: '172.31.16.21', packetsTransferred: '30' },
      { srcAddr: '172.31.9.69', dstAddr: '172.31.9.12', packetsTransferred: '20' },
      { srcAddr: '172.31.16.139', dstAddr: '198.51.100.7', packetsTransferred: '2' },
    ]);
  });

  test('IP addresses using UDP (protocol=17) and rejected sources: numeric and text filters', async () => {
    const logDir = await vpc();
    expect(await rows(logDir, 'vpc-flow-logs', 'filter protocol=17 | stats count(*) by srcAddr')).toEqual([
      { srcAddr: '172.31.16.139', 'count(*)': '1' },
    ]);
    // The line pre-check reads JSON keys; it must not drop records whose fields are not spelled in the line.
    expect(
      await rows(logDir, 'vpc-flow-logs', 'filter action = "REJECT" | stats count(*) as numRejections by srcAddr'),
    ).toEqual([{ srcAddr: '172.31.9.69', numRejections: '1' }]);
    expect(await rows(logDir, 'vpc-flow-logs', 'filter bytes > 2000 | stats count(*) as big')).toEqual([{ big: '2' }]);
  });

  test('every documented field is discovered, numbers as written', async () => {
    const logDir = await vpc();
    const query =
      'filter srcPort = 49761 | fields version, accountId, interfaceId, srcAddr, dstAddr, srcPort, dstPort, protocol, packets, bytes, startTime, endTime, action, logStatus';
    expect(await rows(logDir, 'vpc-flow-logs', query)).toEqual([
      {
        version: '2',
        accountId: '123456789010',
        interfaceId: ENI,
        srcAddr: '172.31.9.69',
        dstAddr: '172.31.9.12',
        srcPort: '49761',
        dstPort: '3389',
        protocol: '6',
        packets: '20',
        bytes: '4249',
        startTime: '1418530010',
        endTime: '1418530070',
        action: 'REJECT',
        logStatus: 'OK',
      },
    ]);
  });

  test('flow records skipped during the capture window, per hour (AWS sample query)', async () => {
    const logDir = await vpc();
    const query = 'filter logStatus="SKIPDATA" | stats count(*) by bin(1h) as t | sort t';
    expect(await rows(logDir, 'vpc-flow-logs', query, T0, LATER + 3_600_000)).toEqual([
      { t: '2024-05-01 14:00:00.000', 'count(*)': '2' },
    ]);
  });

  test('without --log-type, a stream whose first event is a flow record is sniffed as one', async () => {
    const logDir = await store({ group: 'flows', streams: { [`${ENI}-all`]: VPC_TRAFFIC } });
    const query = 'stats sum(bytes) as bytesTransferred by srcAddr | sort bytesTransferred desc';
    expect(await rows(logDir, 'flows', query)).toEqual([
      { srcAddr: '172.31.16.139', bytesTransferred: '5399' },
      { srcAddr: '172.31.9.69', bytesTransferred: '4249' },
    ]);
  });

  test('a custom-format flow log is not discovered (AWS discovers the default format only): parse it', async () => {
    // ${srcaddr} ${dstaddr} ${bytes} ${action}: three words too few for the default format.
    const custom = ['172.31.16.139 172.31.16.21 4249 ACCEPT', '172.31.9.69 172.31.9.12 100 REJECT'];
    const logDir = await store({ group: 'custom-flows', logType: 'vpc-flow', streams: { s: custom } });
    // The group is typed vpc-flow, so the empty answer comes with a warning saying why.
    expect(await warnedRows(logDir, 'custom-flows', 'stats count(*) as n by srcAddr')).toEqual({
      rows: [{ n: '2' }],
      warnings: [
        "log group 'custom-flows' is of type vpc-flow (logs import --log-type), but stream 's' starts with an event that is not VPC flow logs in the default (version 2) format: its fields are not discovered (AWS discovers the documented format only); name them with parse, or import the group again with the right --log-type",
      ],
    });
    const parsed =
      'parse @message "* * * *" as src, dst, size, verdict | stats sum(size) as total by verdict | sort total desc';
    expect((await warnedRows(logDir, 'custom-flows', parsed)).rows).toEqual([
      { verdict: 'ACCEPT', total: '4249' },
      { verdict: 'REJECT', total: '100' },
    ]);
  });
});

// Route 53 public DNS query logs: the example records of
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html, plus one SERVFAIL written in the same format.
const ROUTE53 = [
  '1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -',
  '1.0 2017-12-13T08:15:50.235Z Z123412341234 example.com AAAA NOERROR TCP IAD12 192.168.3.1 192.168.222.0/24',
  '1.0 2017-12-13T08:16:03.983Z Z123412341234 example.com ANY NOERROR UDP FRA6 2001:db8::1234 2001:db8:abcd::/48',
  '1.0 2017-12-13T08:15:50.342Z Z123412341234 bad.example.com A NXDOMAIN UDP IAD12 192.168.3.1 192.168.111.0/24',
  '1.0 2017-12-13T08:16:05.744Z Z123412341234 txt.example.com TXT NOERROR UDP JFK5 192.168.1.2 -',
  '1.0 2017-12-13T08:16:06.100Z Z123412341234 api.example.com A SERVFAIL UDP IAD12 192.168.3.1 -',
];

describe('Route 53 public DNS query logs (--log-type route53, or a /aws/route53/ group)', () => {
  test('the DNS resolvers with the most requests (AWS sample query), found through the group name', async () => {
    const logDir = await store({ group: '/aws/route53/example.com', streams: { 'Z123412341234/FRA6': ROUTE53 } });
    const query = 'stats count(*) as numRequests by resolverIp | sort numRequests desc | limit 1';
    expect(await rows(logDir, '/aws/route53/example.com', query)).toEqual([
      { resolverIp: '192.168.3.1', numRequests: '3' },
    ]);
  });

  test('records where the server failed (AWS sample query) and the documented fields, all text', async () => {
    const logDir = await store({ group: 'dns', logType: 'route53', streams: { 'Z123412341234/IAD12': ROUTE53 } });
    expect(await rows(logDir, 'dns', 'filter responseCode="SERVFAIL" | stats count(*) by queryName')).toEqual([
      { queryName: 'api.example.com', 'count(*)': '1' },
    ]);
    const query =
      'filter queryType = "AAAA" | fields version, queryTimestamp, hostZoneId, queryName, queryType, responseCode, protocol, edgeLocation, resolverIp, ednsClientSubnet';
    expect(await rows(logDir, 'dns', query)).toEqual([
      {
        version: '1.0',
        queryTimestamp: '2017-12-13T08:15:50.235Z',
        hostZoneId: 'Z123412341234',
        queryName: 'example.com',
        queryType: 'AAAA',
        responseCode: 'NOERROR',
        protocol: 'TCP',
        edgeLocation: 'IAD12',
        resolverIp: '192.168.3.1',
      },
    ]);
  });

  test('sniffed without a type or a telling group name', async () => {
    const logDir = await store({ group: 'dns-export', streams: { s: ROUTE53 } });
    expect(await rows(logDir, 'dns-export', 'stats count(*) as n by queryType | sort n desc | limit 1')).toEqual([
      { queryType: 'A', n: '3' },
    ]);
  });
});

// Route 53 Resolver query logs are JSON, one object per query, with the fields of
// https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html
const resolver = (name: string, type: string, rcode: string, src: string, answer?: string) =>
  JSON.stringify({
    version: '1.100000',
    account_id: '111122223333',
    region: 'us-east-1',
    vpc_id: 'vpc-0123456789abcdef0',
    query_timestamp: '2024-05-01T12:00:01Z',
    query_name: name,
    query_type: type,
    query_class: 'IN',
    rcode,
    answers: answer === undefined ? [] : [{ Rdata: answer, Type: type, Class: 'IN' }],
    srcaddr: src,
    srcport: '53248',
    transport: 'UDP',
    srcids: { instance: 'i-0123456789abcdef0' },
  });

describe('Route 53 Resolver query logs (--log-type route53-resolver): JSON discovery', () => {
  test('queries per source address and the first answer, nested names flattened', async () => {
    const lines = [
      resolver('example.com.', 'A', 'NOERROR', '10.0.1.15', '93.184.216.34'),
      resolver('nothing.example.com.', 'A', 'NXDOMAIN', '10.0.1.15'),
      resolver('example.com.', 'AAAA', 'NOERROR', '10.0.2.20', '2606:2800:220:1::'),
    ];
    const logDir = await store({
      group: 'resolver',
      logType: 'route53-resolver',
      streams: { 'vpc-0123456789abcdef0': lines },
    });
    expect(await rows(logDir, 'resolver', 'stats count(*) as n by srcaddr | sort n desc')).toEqual([
      { srcaddr: '10.0.1.15', n: '2' },
      { srcaddr: '10.0.2.20', n: '1' },
    ]);
    expect(
      await rows(
        logDir,
        'resolver',
        'filter rcode = "NOERROR" and query_type = "A" | fields answers.0.Rdata, srcids.instance',
      ),
    ).toEqual([{ 'answers.0.Rdata': '93.184.216.34', 'srcids.instance': 'i-0123456789abcdef0' }]);
  });
});

// CloudTrail events as CloudTrail delivers them to CloudWatch Logs, one JSON record per event
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
const trail = (eventName: string, eventSource: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', accountId: '123456789012', userName: 'Alice' },
    eventTime: '2024-05-01T12:00:00Z',
    eventSource,
    eventName,
    awsRegion: 'us-east-2',
    sourceIPAddress: '203.0.113.5',
    ...extra,
  });

describe('CloudTrail (--log-type cloudtrail): JSON discovery', () => {
  const events = [
    trail('StartInstances', 'ec2.amazonaws.com'),
    trail('StartInstances', 'ec2.amazonaws.com'),
    trail('CreateUser', 'iam.amazonaws.com', {
      requestParameters: { userName: 'Bob' },
      responseElements: { user: { arn: 'arn:aws:iam::123456789012:user/Bob', userName: 'Bob' } },
    }),
    trail('UpdateTrail', 'cloudtrail.amazonaws.com', {
      errorCode: 'TrailNotFoundException',
      errorMessage: 'Unknown trail',
    }),
  ];

  test('the AWS sample queries for CloudTrail', async () => {
    const group = 'aws-cloudtrail-logs-123456789012-0a1b2c3d';
    const logDir = await store({
      group,
      logType: 'cloudtrail',
      streams: { '123456789012_CloudTrail_us-east-2': events },
    });
    expect(
      await rows(logDir, group, 'stats count(*) as n by eventSource, eventName, awsRegion | sort n desc | limit 1'),
    ).toEqual([{ eventSource: 'ec2.amazonaws.com', eventName: 'StartInstances', awsRegion: 'us-east-2', n: '2' }]);
    expect(
      await rows(
        logDir,
        group,
        'filter eventName="CreateUser" | fields awsRegion, requestParameters.userName, responseElements.user.arn',
      ),
    ).toEqual([
      {
        awsRegion: 'us-east-2',
        'requestParameters.userName': 'Bob',
        'responseElements.user.arn': 'arn:aws:iam::123456789012:user/Bob',
      },
    ]);
    expect(
      await rows(
        logDir,
        group,
        'filter eventName="UpdateTrail" and ispresent(errorCode) | stats count(*) by errorCode, errorMessage',
      ),
    ).toEqual([{ errorCode: 'TrailNotFoundException', errorMessage: 'Unknown trail', 'count(*)': '1' }]);
  });
});

// API Gateway access logs, in the JSON and CLF formats the console offers
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html).
const access = (method: string, resourcePath: string, status: string, id: string) =>
  JSON.stringify({
    requestId: id,
    ip: '192.0.2.10',
    caller: '-',
    user: '-',
    requestTime: '01/May/2024:12:00:00 +0000',
    httpMethod: method,
    resourcePath,
    status,
    protocol: 'HTTP/1.1',
    responseLength: '42',
  });

describe('API Gateway access logs (--log-type apigateway)', () => {
  test('JSON format: 4XX errors per resource (fields are discovered as JSON; status compares as a number)', async () => {
    const lines = [
      access('GET', '/pets', '200', 'r1'),
      access('GET', '/pets/{id}', '404', 'r2'),
      access('POST', '/pets', '400', 'r3'),
      access('GET', '/pets/{id}', '404', 'r4'),
      access('GET', '/pets', '502', 'r5'),
    ];
    const logDir = await store({ group: 'API-Gateway-Access-Logs', logType: 'apigateway', streams: { s: lines } });
    const query = 'filter status>=400 and status<=499 | stats count(*) as errors by resourcePath | sort errors desc';
    expect(await rows(logDir, 'API-Gateway-Access-Logs', query)).toEqual([
      { resourcePath: '/pets/{id}', errors: '2' },
      { resourcePath: '/pets', errors: '1' },
    ]);
  });

  test('CLF format: AWS discovers nothing in it, so parse names the fields', async () => {
    const clf = [
      '192.0.2.10 - - [01/May/2024:12:00:00 +0000] "GET /pets HTTP/1.1" 200 42 r1',
      '192.0.2.11 - - [01/May/2024:12:00:01 +0000] "GET /pets/7 HTTP/1.1" 404 17 r2',
      '192.0.2.10 - - [01/May/2024:12:00:02 +0000] "GET /pets/8 HTTP/1.1" 404 17 r3',
    ];
    const logDir = await store({ group: 'api-clf', logType: 'apigateway', streams: { s: clf } });
    expect(await warnedRows(logDir, 'api-clf', 'stats count(*) as n by status')).toEqual({
      rows: [{ n: '3' }],
      warnings: [
        "log group 'api-clf' holds API Gateway access logs that are not JSON (CLF?), starting with stream 's': AWS discovers no fields in them; name them with parse",
      ],
    });
    const parsed =
      'parse @message \'* * * [*] "* * *" * * *\' as ip, caller, user, requestTime, httpMethod, resourcePath, protocol, status, responseLength, requestId | stats count(*) as n by status | sort n desc';
    expect((await warnedRows(logDir, 'api-clf', parsed)).rows).toEqual([
      { status: '404', n: '2' },
      { status: '200', n: '1' },
    ]);
  });
});

describe('sniffing is safe', () => {
  test('ordinary text lines are not taken for flow or DNS records', async () => {
    const lines = [
      '2 apples and 3 pears cost 4 dollars at the 5 and 6 market 7 8 OK',
      '1.0 is the version of this app, not a DNS record',
      'GET /index.html 200 0.013',
    ];
    const logDir = await store({ group: 'app', streams: { s: lines } });
    expect(await rows(logDir, 'app', 'stats count(*) as n by srcAddr, queryName, version')).toEqual([{ n: '3' }]);
  });

  test('queryEvents (in memory) sniffs the first event of each stream the same way', () => {
    const result = queryEvents({
      queryString: 'stats sum(bytes) as total by action | sort total desc',
      events: VPC_TRAFFIC.map((message, i) => ({
        logGroupName: 'flows',
        logStreamName: `${ENI}-all`,
        timestamp: T0 + i,
        ingestionTime: T0 + i,
        message,
      })),
      startTimeMs: T0,
      endTimeMs: T0 + 10,
    });
    expect(result.rows).toEqual([
      { action: 'ACCEPT', total: '5399' },
      { action: 'REJECT', total: '4249' },
    ]);
  });
});
