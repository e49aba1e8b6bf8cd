import { createHash } from 'node:crypto';

/**
 * Lambda's platform log lines in text format, byte for byte as docs/aws-behaviour.md#lambda-platform-lines records them. Messages
 * are returned without their trailing newline, as the log store keeps them.
 */

/** `START RequestId: <id> Version: $LATEST` (a space, not a tab, before `Version:`). */
export function startLine(requestId: string, version = '$LATEST'): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

/** `END RequestId: <id>`. */
export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/** What one REPORT line says. */
export interface ReportFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Only on the first invocation of an environment. */
  readonly initDurationMs?: number;
  /** `timeout` ends the line with `Status: timeout`; `error` with `Status: error\tError Type: <type>`. */
  readonly status?: { readonly kind: 'timeout' } | { readonly kind: 'error'; readonly errorType: string };
}

/** Duration rounded as printed (two decimals). */
export function printedDurationMs(durationMs: number): number {
  return Number(durationMs.toFixed(2));
}

/** Billed Duration = ceil(Duration) in whole ms, Init excluded (docs/aws-behaviour.md#billed-duration); at least 1 ms. */
export function billedDurationMs(durationMs: number): number {
  return Math.max(1, Math.ceil(printedDurationMs(durationMs)));
}

/**
 * `REPORT RequestId: <id>\tDuration: 14.97 ms\tBilled Duration: 15 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB\t`
 * then `Init Duration: 145.69 ms\t` on cold starts; a timeout ends in `Status: timeout` (docs/aws-behaviour.md#lambda-report-line).
 */
export function reportLine(fields: ReportFields): string {
  let line =
    `REPORT RequestId: ${fields.requestId}\tDuration: ${fields.durationMs.toFixed(2)} ms\t` +
    `Billed Duration: ${billedDurationMs(fields.durationMs)} ms\tMemory Size: ${fields.memorySizeMb} MB\t` +
    `Max Memory Used: ${fields.maxMemoryUsedMb} MB\t`;
  if (fields.initDurationMs !== undefined) line += `Init Duration: ${fields.initDurationMs.toFixed(2)} ms\t`;
  if (fields.status?.kind === 'timeout') line += 'Status: timeout';
  // Seen on AWS for runtime exits (OBS nishidemasami/contactform-api#29, cargo-lambda/cargo-lambda#572).
  else if (fields.status?.kind === 'error') line += `Status: error\tError Type: ${fields.status.errorType}`;
  return line;
}

/**
 * `INIT_START Runtime Version: nodejs:24.v<N>\tRuntime Version ARN: arn:aws:lambda:<region>::runtime:<64 hex>`,
 * once per environment before its first START (docs/aws-behaviour.md#lambda-platform-lines). The version and hash are stable stand-ins.
 */
export function initStartLine(runtime: string, region: string): string {
  const major = /^nodejs(\d+)/.exec(runtime)?.[1] ?? '0';
  const hash = createHash('sha256').update(`${runtime}:${process.version}`).digest('hex');
  return `INIT_START Runtime Version: nodejs:${major}.v${process.versions.node.split('.')[1] ?? '0'}\tRuntime Version ARN: arn:aws:lambda:${region}::runtime:${hash}`;
}

/**
 * The platform's line when the runtime process dies during an invocation:
 * `RequestId: <id> Error: Runtime exited with error: exit status 1` then `Runtime.ExitError`, one event
 * (OBS theam/aws-lambda-haskell-runtime#113, cargo-lambda/cargo-lambda#572).
 */
export function runtimeExitLine(requestId: string, exitCode: number | null, signal: string | null): string {
  const how = signal ? `signal: ${signal === 'SIGKILL' ? 'killed' : signal}` : `exit status ${exitCode ?? 0}`;
  return `RequestId: ${requestId} Error: Runtime exited with error: ${how}\nRuntime.ExitError`;
}
