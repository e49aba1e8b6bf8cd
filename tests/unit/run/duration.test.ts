/** One rule for every duration flag: a positive number and a unit; a bare number is refused everywhere. */
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../harness/commands/query.js';
import { formatDurationMs, parseDurationMs } from '../../../harness/duration.js';
import { UsageError } from '../../../harness/errors.js';
import { parseBenchOptions, parseTtlMs } from '../../../harness/options.js';

const context = { now: new Date('2030-06-01T12:00:00Z'), env: {} };

function failure(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a usage error');
}

describe('parseDurationMs', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1.5h', 5_400_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    [' 15 m ', 900_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDurationMs('--x', text)).toBe(ms);
  });

  it('refuses a bare number, quoting it and suggesting units', () => {
    const error = failure(() => parseDurationMs('--since', '15'));
    expect(error.code).toBe('InvalidDuration');
    expect(error.message).toBe("--since '15' has no unit: write e.g. 15s, 15m or 15h");
  });

  it.each(['soon', '15 minutes', '-5m', '5x', '', 'm'])(
    'refuses %j as not a duration, quoting what was typed',
    (text) => {
      const error = failure(() => parseDurationMs('--older-than', text));
      expect(error.code).toBe('InvalidDuration');
      expect(error.message).toContain(`--older-than '${text}' is not a duration: write a number and a unit`);
    },
  );

  it('refuses a value too large to be a number (Infinity), naming the flag, the value and the range', () => {
    const huge = `1${'0'.repeat(400)}s`;
    const error = failure(() =>
      parseDurationMs('--logs-timeout', huge, { minMs: 1_000, maxMs: 3_600_000, example: '5m' }),
    );
    expect(error.code).toBe('InvalidDuration');
    expect(error.message).toBe(
      `--logs-timeout '${huge}' is too large to be a duration: give one from 1s to 1h, e.g. 5m`,
    );
    expect(failure(() => parseDurationMs('--since', `9${'9'.repeat(320)}.5w`)).message).toContain(
      'is too large to be a duration',
    );
  });

  it('checks a range when given one, quoting the value, the range and an example', () => {
    const range = { minMs: 1_000, maxMs: 3_600_000, example: '5m' };
    expect(parseDurationMs('--x', '1s', range)).toBe(1_000);
    expect(parseDurationMs('--x', '60m', range)).toBe(3_600_000);
    const error = failure(() => parseDurationMs('--x', '999ms', range));
    expect(error.code).toBe('OutOfRange');
    expect(error.message).toBe("--x '999ms' is out of range: give a duration from 1s to 1h, e.g. 5m");
    expect(failure(() => parseDurationMs('--x', '61m', range)).code).toBe('OutOfRange');
  });

  it.each([
    [1, '1ms'],
    [1_500, '1500ms'],
    [60_000, '1m'],
    [900_000, '15m'],
    [3_600_000, '1h'],
    [7 * 86_400_000, '7d'],
  ])('formats %d ms as %j', (ms, text) => {
    expect(formatDurationMs(ms)).toBe(text);
  });

  it('refuses zero', () => {
    expect(failure(() => parseDurationMs('--logs-timeout', '0s')).message).toBe(
      "--logs-timeout '0s' must be longer than zero",
    );
  });
});

describe('each duration flag follows the one rule', () => {
  it('--ttl: a unit is required, and the value must lie from 1m to 7d', () => {
    expect(parseTtlMs('90m')).toBe(5_400_000);
    expect(failure(() => parseTtlMs('15')).code).toBe('InvalidDuration');
    expect(failure(() => parseTtlMs('8d')).message).toBe(
      "--ttl '8d' is out of range: give a duration from 1m to 7d, e.g. 2h",
    );
  });

  it('--logs-timeout and --request-timeout of bench', () => {
    const options = parseBenchOptions({ runId: 'd', logsTimeout: '1.5m', requestTimeout: '500ms' }, context);
    expect(options.logsTimeoutMs).toBe(90_000);
    expect(options.load.requestTimeoutMs).toBe(500);
    expect(failure(() => parseBenchOptions({ runId: 'd', logsTimeout: '30' }, context)).message).toContain(
      "--logs-timeout '30' has no unit",
    );
    expect(failure(() => parseBenchOptions({ runId: 'd', requestTimeout: '10' }, context)).message).toContain(
      "--request-timeout '10' has no unit",
    );
  });

  it.each([
    [
      { logsTimeout: `1${'0'.repeat(400)}s` },
      'InvalidDuration',
      /^--logs-timeout '10+s' is too large to be a duration: give one from 1s to 1h, e.g. 5m$/,
    ],
    [
      { logsTimeout: '500ms' },
      'OutOfRange',
      /^--logs-timeout '500ms' is out of range: give a duration from 1s to 1h, e.g. 5m$/,
    ],
    [{ logsTimeout: '2h' }, 'OutOfRange', /^--logs-timeout '2h' is out of range/],
    [
      { requestTimeout: '0.001ms' },
      'OutOfRange',
      /^--request-timeout '0.001ms' is out of range: give a duration from 1ms to 15m, e.g. 10s$/,
    ],
    [
      { requestTimeout: '16m' },
      'OutOfRange',
      /^--request-timeout '16m' is out of range: give a duration from 1ms to 15m/,
    ],
    [
      { requestTimeout: `1${'0'.repeat(400)}ms` },
      'InvalidDuration',
      /^--request-timeout '10+ms' is too large to be a duration/,
    ],
  ])('bench refuses %j with %s', (args, code, message) => {
    const error = failure(() => parseBenchOptions({ runId: 'd', ...args }, context));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('bench takes each timeout at the ends of its range', () => {
    const low = parseBenchOptions({ runId: 'd', logsTimeout: '1s', requestTimeout: '1ms' }, context);
    expect([low.logsTimeoutMs, low.load.requestTimeoutMs]).toEqual([1_000, 1]);
    const high = parseBenchOptions({ runId: 'd', logsTimeout: '1h', requestTimeout: '15m' }, context);
    expect([high.logsTimeoutMs, high.load.requestTimeoutMs]).toEqual([3_600_000, 900_000]);
  });

  it('--ttl refuses a value too large to be a number', () => {
    expect(failure(() => parseTtlMs(`1${'0'.repeat(400)}d`)).message).toMatch(
      /is too large to be a duration: give one from 1m to 7d, e.g. 2h$/,
    );
  });

  it('--since of query lies from 1s to 3653d', () => {
    expect(failure(() => parseRange({ since: '500ms' }, 0, undefined)).message).toBe(
      "--since '500ms' is out of range: give a duration from 1s to 3653d, e.g. 15m",
    );
    expect(failure(() => parseRange({ since: '3654d' }, 0, undefined)).code).toBe('OutOfRange');
    expect(failure(() => parseRange({ since: `1${'0'.repeat(400)}d` }, 0, undefined)).code).toBe('InvalidDuration');
    expect(parseRange({ since: '3653d' }, 1e15, undefined).startTimeMs).toBe(1e15 - 3_653 * 86_400_000);
  });

  it('--since of query counts back from now and needs a unit like the others', () => {
    expect(parseRange({ since: '1w' }, 1_000_000_000_000, undefined).startTimeMs).toBe(1_000_000_000_000 - 604_800_000);
    expect(failure(() => parseRange({ since: '15' }, 0, undefined)).message).toBe(
      "--since '15' has no unit: write e.g. 15s, 15m or 15h",
    );
  });
});
