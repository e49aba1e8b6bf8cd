/** One rule for every duration flag: a positive number and a unit; a bare number is refused everywhere. */
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../harness/commands/query.js';
import { parseDurationMs } from '../../../harness/duration.js';
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

  it('--since of query counts back from now and needs a unit like the others', () => {
    expect(parseRange({ since: '1w' }, 1_000_000_000_000, undefined).startTimeMs).toBe(1_000_000_000_000 - 604_800_000);
    expect(failure(() => parseRange({ since: '15' }, 0, undefined)).message).toBe(
      "--since '15' has no unit: write e.g. 15s, 15m or 15h",
    );
  });
});
