/**
 * The one reader of duration flags (`--ttl`, `--since`, `--older-than`, `--logs-timeout`, `--request-timeout`):
 * a positive number and a unit, e.g. `250ms`, `30s`, `15m`, `1.5h`, `7d`, `1w`. A bare number is refused,
 * because `15` reads as seconds to one reader and minutes to another.
 */
import { UsageError } from './errors.js';

/** Milliseconds per duration unit. */
export const DURATION_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Text of a duration flag to milliseconds; throws UsageError `InvalidDuration` quoting `flag` and the text as typed. */
export function parseDurationMs(flag: string, text: string): number {
  const typed = String(text);
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/.exec(typed);
  if (match && match[2] === '') {
    throw new UsageError(
      'InvalidDuration',
      `${flag} '${typed}' has no unit: write e.g. ${match[1]}s, ${match[1]}m or ${match[1]}h`,
    );
  }
  const unitMs = match ? DURATION_UNITS_MS[match[2]!] : undefined;
  if (!match || unitMs === undefined) {
    throw new UsageError(
      'InvalidDuration',
      `${flag} '${typed}' is not a duration: write a number and a unit (ms, s, m, h, d, w), e.g. 30s, 15m or 2h`,
    );
  }
  const ms = Number(match[1]) * unitMs;
  if (ms <= 0) throw new UsageError('InvalidDuration', `${flag} '${typed}' must be longer than zero`);
  return ms;
}
