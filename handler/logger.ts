import pino, { type DestinationStream, type Logger } from 'pino';

/** Headers whose values never reach the log, even at debug level (where the request line carries headers). */
export const REDACTED_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key'] as const;

/** The level to log at: LOG_LEVEL when it names a pino level (or `silent`), else `info`. */
export function resolveLevel(raw: string | undefined): string {
  const level = raw?.trim().toLowerCase() ?? '';
  return level === 'silent' || Object.hasOwn(pino.levels.values, level) ? level : 'info';
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Where lines go. @default pino.destination({ dest: 1, sync: true }) (fd 1, the function's log in Lambda) */
  readonly destination?: DestinationStream;
  /** Raw level name, usually `process.env.LOG_LEVEL`; invalid names fall back to `info`. @default 'info' */
  readonly level?: string;
}

/**
 * The handler's pino logger. Synchronous writes to fd 1, because Lambda may freeze the process as soon as
 * the handler returns and an async buffer would lose lines (pino docs/asynchronous.md). No pid/hostname:
 * they are the same on every line of an execution environment. `dest: 1` rather than pino's default
 * `process.stdout.fd`: the same fd, without building the process.stdout stream at cold start.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      base: undefined,
      level: resolveLevel(options.level),
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_HEADERS.map((name) => `headers["${name}"]`), censor: '[REDACTED]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
