/**
 * The one reader of duration flags (`--ttl`, `--since`, `--older-than`, `--logs-timeout`, `--request-timeout`):
 * a positive number and a unit, e.g. `250ms`, `30s`, `15m`, `1.5h`, `7d`, `1w`. A bare number is refused,
 * because `15` reads as seconds to one reader and minutes to another. A value too large to be a number
 * (`1000…0s`, Infinity) is refused here; each flag's own bounds are given by its caller as a {@link DurationRange}.
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

/** The bounds of one duration flag, inclusive, in milliseconds, and a value to suggest when outside them. */
export interface DurationRange {
  readonly minMs: number;
  readonly maxMs: number;
  readonly example: string;
}

/**
 * Text of a duration flag to milliseconds; throws UsageError `InvalidDuration` quoting `flag` and the text as typed,
 * or `OutOfRange` (with the range and an example) when `range` is given and the value lies outside it.
 */
export function parseDurationMs(flag: string, text: string, range?: DurationRange): number {
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
  if (!Number.isFinite(ms)) {
    throw new UsageError(
      'InvalidDuration',
      `${flag} '${typed}' is too large to be a duration${range ? `: give one ${rangeHint(range)}` : ''}`,
    );
  }
  if (ms <= 0) throw new UsageError('InvalidDuration', `${flag} '${typed}' must be longer than zero`);
  if (range && (ms < range.minMs || ms > range.maxMs)) {
    throw new UsageError('OutOfRange', `${flag} '${typed}' is out of range: give a duration ${rangeHint(range)}`);
  }
  return ms;
}

/** Milliseconds in the largest unit that divides them exactly, as a flag would be typed: `60000` → `1m`, `1500` → `1500ms`, a week → `7d`. */
export function formatDurationMs(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const unitMs = DURATION_UNITS_MS[unit]!;
    if (ms >= unitMs && ms % unitMs === 0) return `${ms / unitMs}${unit}`;
  }
  return `${ms}ms`;
}

/** `from 1s to 1h, e.g. 5m`: the allowed range of a flag, as both duration errors phrase it. */
function rangeHint(range: DurationRange): string {
  return `from ${formatDurationMs(range.minMs)} to ${formatDurationMs(range.maxMs)}, e.g. ${range.example}`;
}
