import { describe, expect, test } from 'vitest';
import { compileQuery } from '../../../harness/insights/compile.js';
import { parseQuery } from '../../../harness/insights/parser.js';
import { buildLinePrefilter } from '../../../harness/insights/prefilter.js';
import { formatStoredEvent } from '../../../harness/logstore/store.js';

function prefilterFor(query: string) {
  return buildLinePrefilter(compileQuery(parseQuery(query)).eventFilters);
}

const line = (message: string) => formatStoredEvent({ timestamp: 1, ingestionTime: 1, message });

const REPORT =
  'REPORT RequestId: 76269889-7d50-4d6d-a3f1-9b4f5322f47c\tDuration: 14.97 ms\tBilled Duration: 15 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t';
const PINO = '{"level":"info","path":"/items","status":503,"msg":"done"}';

describe('the raw-line pre-check', () => {
  test('@type = "REPORT" skips every line that is not a REPORT line', () => {
    const check = prefilterFor('filter @type = "REPORT" | stats avg(@duration) by bin(1m)');
    expect(check?.(line(REPORT))).toBe(true);
    expect(check?.(line(PINO))).toBe(false);
    expect(check?.(line('END RequestId: 76269889-7d50-4d6d-a3f1-9b4f5322f47c'))).toBe(false);
  });

  test('a JSON field comparison needs the top-level key on the line', () => {
    const check = prefilterFor('filter status >= 500 | stats count(*) by path');
    expect(check?.(line(PINO))).toBe(true);
    expect(check?.(line(REPORT))).toBe(false);
  });

  test('an escaped key in the message disables the check for that line, so \\u0073tatus still counts', () => {
    const check = prefilterFor('filter status >= 500');
    expect(check?.(line('{"\\u0073tatus":503}'))).toBe(true);
  });

  test('a line that writes the key with a \\u escape (another writer than ours) still counts', () => {
    // The line's JSON decodes `\u0073` to `s`: the message is {"status":503}, though the line never says "status".
    const escaped = String.raw`{"timestamp":1,"ingestionTime":1,"message":"{\"\u0073tatus\":503}"}`;
    expect(JSON.parse(JSON.parse(escaped).message)).toEqual({ status: 503 });
    expect(prefilterFor('filter status >= 500')?.(escaped)).toBe(true);
    expect(prefilterFor('filter status')?.(escaped)).toBe(true);
  });

  test('a value that could be a number gives no text to look for', () => {
    const check = prefilterFor('filter status = "503.0"');
    // "503.0" equals the JSON number 503, written without ".0": only the key is required.
    expect(check?.(line('{"status":503}'))).toBe(true);
  });

  test('or needs one side, not needs nothing', () => {
    const either = prefilterFor('filter path like "items" or @type = "REPORT"');
    expect(either?.(line(REPORT))).toBe(true);
    expect(either?.(line(PINO))).toBe(true);
    expect(either?.(line('plain text'))).toBe(false);
    expect(prefilterFor('filter not ispresent(status)')).toBeNull();
  });

  test('a field computed before the filter gives no text to look for', () => {
    expect(prefilterFor('fields concat(a, "x") as status | filter status = "zx"')).toBeNull();
    expect(prefilterFor('parse @message "s=*" as status | filter status > 1')).toBeNull();
  });

  test('@message like "text" needs the text; a stats filter does not run on raw lines', () => {
    const check = prefilterFor('filter @message like "timed out" | stats count(*) as n by path | filter n > 1');
    expect(check?.(line('task timed out after 3 s'))).toBe(true);
    expect(check?.(line('fine'))).toBe(false);
  });
});
