import { describe, expect, it } from 'vitest';
import {
  clfTime,
  isUuid,
  newExtendedRequestId,
  newLogStreamName,
  newRequestId,
  newTraceRoot,
  stableId,
} from '../../../harness/emulator/ids.js';

describe('ids and times in AWS formats', () => {
  it('formats requestTime in CLF (docs/aws-behaviour.md#request-context)', () => {
    expect(clfTime(1589522469693)).toBe('15/May/2020:06:01:09 +0000');
    expect(clfTime(Date.UTC(2024, 0, 5, 3, 4, 5))).toBe('05/Jan/2024:03:04:05 +0000');
  });

  it('gives each second its own requestTime, whatever order the instants come in', () => {
    // Prepare: instants within one second, the next second, and back to an earlier day.
    const second = Date.UTC(2024, 11, 31, 23, 59, 59);
    // Act & Assess: the formatted second is reused within a second, and never across seconds.
    expect(clfTime(second)).toBe('31/Dec/2024:23:59:59 +0000');
    expect(clfTime(second + 999)).toBe('31/Dec/2024:23:59:59 +0000');
    expect(clfTime(second + 1000)).toBe('01/Jan/2025:00:00:00 +0000');
    expect(clfTime(second - 86_400_000)).toBe('30/Dec/2024:23:59:59 +0000');
    expect(clfTime(second + 999)).toBe('31/Dec/2024:23:59:59 +0000');
    expect(clfTime(-1)).toBe('31/Dec/1969:23:59:59 +0000');
  });

  it('makes 16-character extended request ids ending in = (docs/aws-behaviour.md#request-context)', () => {
    for (let i = 0; i < 50; i++) expect(newExtendedRequestId()).toMatch(/^[A-Za-z0-9+/]{15}=$/);
  });

  it('makes UUID request ids and recognises UUIDs', () => {
    expect(isUuid(newRequestId())).toBe(true);
    expect(isUuid('68c4fad4-ca27-49cb-a46d-9603999d8ea2')).toBe(true);
    expect(isUuid('not-a-uuid')).toBe(false);
  });

  it('names log streams YYYY/MM/DD/[$LATEST]<32 hex> by the UTC date (docs/aws-behaviour.md#log-groups-and-streams)', () => {
    const name = newLogStreamName(Date.UTC(2019, 5, 7, 23, 59));
    expect(name).toMatch(/^2019\/06\/07\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(newLogStreamName(0)).not.toBe(newLogStreamName(0));
  });

  it('makes X-Amzn-Trace-Id roots with the epoch seconds in hex (docs/aws-behaviour.md#response-headers)', () => {
    expect(newTraceRoot(0x5e6aa925 * 1000)).toMatch(/^Root=1-5e6aa925-[0-9a-f]{24}$/);
  });

  it('derives stable lowercase alphanumeric ids', () => {
    expect(stableId('a', 10)).toBe(stableId('a', 10));
    expect(stableId('a', 10)).not.toBe(stableId('b', 10));
    expect(stableId('a', 10)).toMatch(/^[a-z0-9]{10}$/);
  });
});
