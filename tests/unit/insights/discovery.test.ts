import { describe, expect, test } from 'vitest';
import {
  firstJsonObject,
  flattenJson,
  isLambdaStream,
  jsonField,
  lambdaFields,
} from '../../../harness/insights/discovery.js';
import {
  LOG_TYPES,
  parseLogType,
  ROUTE53_QUERY_FORMAT,
  sniffTextFormat,
  streamDiscovery,
  VPC_FLOW_FORMAT,
} from '../../../harness/insights/log-types.js';
import { DoubleValue, renderValue } from '../../../harness/insights/values.js';

const ID = '76269889-7d50-4d6d-a3f1-9b4f5322f47c';

function rendered(fields: ReadonlyMap<string, unknown>): Record<string, string | null> {
  return Object.fromEntries([...fields].map(([k, v]) => [k, renderValue(v as never)]));
}

describe('Lambda platform lines (docs/aws-behaviour.md#lambda-platform-lines, #discovered-fields)', () => {
  test('a cold REPORT line gives every REPORT field, as the recorded dump shows them', () => {
    // The exact line of docs/aws-behaviour.md#lambda-report-line and the values of the 2023-12 GetQueryResults dump of #discovered-fields.
    const line = `REPORT RequestId: ${ID}\tDuration: 14.97 ms\tBilled Duration: 15 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\tInit Duration: 145.69 ms\t`;
    expect(rendered(lambdaFields(line))).toEqual({
      '@type': 'REPORT',
      '@requestId': ID,
      '@duration': '14.97',
      '@billedDuration': '15.0',
      '@memorySize': '1.28E8',
      '@maxMemoryUsed': '6.7E7',
      '@initDuration': '145.69',
    });
  });

  test('X-Ray ids on a REPORT line become @xrayTraceId and @xraySegmentId', () => {
    const line = `REPORT RequestId: ${ID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\nXRAY TraceId: 1-5d9d007f-0a8c7fd02xmpl480aed55ef0\tSegmentId: 3d752xmpl1bbe37e\tSampled: true`;
    const fields = lambdaFields(line);
    expect(fields.get('@xrayTraceId')).toBe('1-5d9d007f-0a8c7fd02xmpl480aed55ef0');
    expect(fields.get('@xraySegmentId')).toBe('3d752xmpl1bbe37e');
  });

  test('START and END give @type and @requestId; INIT_START gives neither', () => {
    expect(rendered(lambdaFields(`START RequestId: ${ID} Version: $LATEST`))).toEqual({
      '@type': 'START',
      '@requestId': ID,
    });
    expect(rendered(lambdaFields(`END RequestId: ${ID}`))).toEqual({ '@type': 'END', '@requestId': ID });
    expect(
      lambdaFields(
        'INIT_START Runtime Version: nodejs:18.v18\tRuntime Version ARN: arn:aws:lambda:us-east-2::runtime:d949',
      ).size,
    ).toBe(0);
  });

  test('any other line gets the first UUID on it as @requestId (OBS hyp3#1252)', () => {
    expect(lambdaFields(`Handling subscription 9aee4065-5d41-4733-bdc5-3513bae278d9 for ${ID}`).get('@requestId')).toBe(
      '9aee4065-5d41-4733-bdc5-3513bae278d9',
    );
    expect(lambdaFields('2023-12-05T22:10:47.468Z\tundefined\tINFO\tLoading function').size).toBe(0);
  });

  test('durations are doubles', () => {
    expect(
      lambdaFields(
        `REPORT RequestId: ${ID}\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB\t`,
      ).get('@duration'),
    ).toEqual(new DoubleValue(3));
  });

  test('a stream is Lambda by its group or by its name', () => {
    expect(isLambdaStream('/aws/lambda/fn', 'anything')).toBe(true);
    expect(isLambdaStream('prod-logs', '2023/12/05/[$LATEST]e34ea4d32b8f441c96246bbee30ff465')).toBe(true);
    expect(isLambdaStream('prod-logs', 'web-1')).toBe(false);
  });
});

describe('JSON discovery (docs/aws-behaviour.md#json-field-discovery)', () => {
  test('finds the first JSON fragment after a text prefix in Lambda streams only', () => {
    const line = `2022-03-14T21:31:36.819Z\t${ID}\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"x {y}"} {"second":1}`;
    expect(firstJsonObject(line, true)).toEqual({ errorType: 'Error', errorMessage: 'x {y}' });
    expect(firstJsonObject(line, false)).toBeNull();
    expect(firstJsonObject('{"a":1}', false)).toEqual({ a: 1 });
  });

  test('only the first fragment counts: an invalid one hides later objects (choice)', () => {
    expect(firstJsonObject('set {a, b} then {"ok":true}', true)).toBeNull();
    expect(firstJsonObject('[1,2]', true)).toBeNull();
    expect(firstJsonObject('{"a":1} and more text', true)).toEqual({ a: 1 });
  });

  test('flattens objects with dots and arrays with indexes', () => {
    const object = { a: { b: [1, { c: 'x' }] }, d: null, e: true, '@k': 2, f: [] };
    expect([...flattenJson(object)]).toEqual([
      ['a.b.0', 1],
      ['a.b.1.c', 'x'],
      ['e', 'true'],
      ['@@k', 2],
    ]);
  });

  test('looks fields up by flattened name, keys with dots included', () => {
    const object = { 'a.b': { c: 1 }, x: { y: [10, 20] }, obj: { k: 1 } };
    expect(jsonField(object, 'a.b.c')).toBe(1);
    expect(jsonField(object, 'x.y.1')).toBe(20);
    expect(jsonField(object, 'obj')).toBeNull();
    expect(jsonField(object, 'x.y.2')).toBeNull();
  });
});

describe('log types (docs/aws-behaviour.md#log-type-discovery)', () => {
  // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
  const FLOW =
    '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK';
  // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html
  const DNS = '1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -';

  test('a default-format flow record: numbers for counts, ports, protocol and times, text for the rest', () => {
    const fields = VPC_FLOW_FORMAT.parse(FLOW);
    expect(fields && Object.fromEntries(fields)).toEqual({
      version: 2,
      accountId: '123456789010',
      interfaceId: 'eni-1235b8ca123456789',
      srcAddr: '172.31.16.139',
      dstAddr: '172.31.16.21',
      srcPort: 20641,
      dstPort: 22,
      protocol: 6,
      packets: 20,
      bytes: 4249,
      startTime: 1418530010,
      endTime: 1418530070,
      action: 'ACCEPT',
      logStatus: 'OK',
    });
    // No data: the flow fields stay `-` as written, which no sum counts.
    const empty = VPC_FLOW_FORMAT.parse('2 123456789010 eni-1 - - - - - - - 1431280876 1431280934 - NODATA');
    expect(empty?.get('bytes')).toBe('-');
    expect(empty?.get('logStatus')).toBe('NODATA');
  });

  test('records of other shapes are not flow records', () => {
    expect(VPC_FLOW_FORMAT.parse(`${FLOW} extra`)).toBeNull();
    expect(VPC_FLOW_FORMAT.parse(FLOW.replace('ACCEPT', 'ALLOW'))).toBeNull();
    expect(VPC_FLOW_FORMAT.parse(FLOW.replace(' OK', ' FINE'))).toBeNull();
    expect(VPC_FLOW_FORMAT.parse('{"version": 2}')).toBeNull();
  });

  test('a Route 53 query record: nine fields, all text; the EDNS subnet is not discovered', () => {
    const fields = ROUTE53_QUERY_FORMAT.parse(DNS);
    expect(fields && Object.fromEntries(fields)).toEqual({
      version: '1.0',
      queryTimestamp: '2017-12-13T08:16:02.130Z',
      hostZoneId: 'Z123412341234',
      queryName: 'example.com',
      queryType: 'A',
      responseCode: 'NOERROR',
      protocol: 'UDP',
      edgeLocation: 'FRA6',
      resolverIp: '192.168.1.1',
    });
    expect(ROUTE53_QUERY_FORMAT.parse(DNS.replace('UDP', 'SCTP'))).toBeNull();
  });

  test('sniffing tells the two formats apart and leaves other lines alone', () => {
    expect(sniffTextFormat(FLOW)?.type).toBe('vpc-flow');
    expect(sniffTextFormat(DNS)?.type).toBe('route53');
    expect(sniffTextFormat('START RequestId: 1 Version: $LATEST')).toBeNull();
    expect(sniffTextFormat('{"srcAddr": "10.0.0.1"}')).toBeNull();
  });

  test('the rule: stored type, then group name, then the first event', () => {
    expect(streamDiscovery('vpc-flow', '/aws/route53/x', DNS).format?.type).toBe('vpc-flow');
    expect(streamDiscovery('cloudtrail', 'g', FLOW)).toEqual({ lambda: false, format: null });
    expect(streamDiscovery('lambda', 'g', null)).toEqual({ lambda: true, format: null });
    expect(streamDiscovery('auto', '/aws/route53/example.com', 'anything').format?.type).toBe('route53');
    expect(streamDiscovery(null, '/aws/lambda/fn', FLOW)).toEqual({ lambda: true, format: null });
    expect(streamDiscovery(null, 'g', FLOW).format?.type).toBe('vpc-flow');
    expect(streamDiscovery(null, 'g', null)).toEqual({ lambda: false, format: null });
  });

  test('parseLogType accepts the listed types in any case and names them when the value is unknown', () => {
    expect(LOG_TYPES).toEqual([
      'auto',
      'vpc-flow',
      'route53',
      'route53-resolver',
      'cloudtrail',
      'apigateway',
      'lambda',
      'other',
    ]);
    expect(parseLogType(' CloudTrail ')).toBe('cloudtrail');
    expect(() => parseLogType('vpc')).toThrow(/unknown log type 'vpc': use one of auto, vpc-flow, route53/);
  });
});
