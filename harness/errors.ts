/** Exit codes of every harness command; set only in `cli.ts`. */
export const ExitCode = {
  Pass: 0,
  Fail: 1,
  Usage: 2,
  Infrastructure: 3,
  Inconclusive: 4,
  Sigint: 130,
  Sigterm: 143,
  Sighup: 129,
} as const;

/** What went wrong, in two families: the user's input (exit 2) or the world around us (exit 3). */
export type ErrorKind = 'usage' | 'infrastructure';

/**
 * The one error type the harness throws on purpose. `code` is PascalCase and stable (tests and
 * reports key on it); `message` is lowercase, quotes the wrong value and says what to change.
 */
export class HarnessError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: ErrorKind = 'infrastructure',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HarnessError';
  }

  get exitCode(): number {
    return this.kind === 'usage' ? ExitCode.Usage : ExitCode.Infrastructure;
  }
}

/** A bad flag, config value or query: the user can fix it, exit code 2. */
export class UsageError extends HarnessError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 'usage', options);
    this.name = 'UsageError';
  }
}

/** Something outside the user's input failed (deploy, socket, AWS API): exit code 3. */
export class InfraError extends HarnessError {
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(code, message, 'infrastructure', options);
    this.name = 'InfraError';
  }
}

/** Thrown when an AbortSignal fires (SIGINT/SIGTERM/SIGHUP); carries the signal name. */
export class InterruptedError extends HarnessError {
  constructor(readonly signal: NodeJS.Signals, phase?: string) {
    super('Interrupted', `interrupted by ${signal}${phase ? ` during ${phase}` : ''}`, 'infrastructure');
    this.name = 'InterruptedError';
  }

  override get exitCode(): number {
    return signalExitCode(this.signal);
  }
}

/** 128 + signal number, as shells report it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  if (signal === 'SIGINT') return ExitCode.Sigint;
  if (signal === 'SIGTERM') return ExitCode.Sigterm;
  if (signal === 'SIGHUP') return ExitCode.Sighup;
  return ExitCode.Infrastructure;
}

/**
 * The signal an AbortSignal was aborted with: cli.ts aborts with the signal's name. Any other reason (an
 * abort from a test, a crash) reads as SIGINT, the user's interrupt.
 */
export function abortSignalName(reason: unknown): NodeJS.Signals {
  return typeof reason === 'string' && /^SIG[A-Z]+$/.test(reason) ? (reason as NodeJS.Signals) : 'SIGINT';
}

/**
 * Why an aborted operation stopped: the HarnessError it was aborted with (cli.ts aborts with one when the
 * process hit an unexpected error, so cleanup still runs), else the interruption by the signal.
 */
export function abortError(signal: AbortSignal, phase?: string): HarnessError {
  if (signal.reason instanceof HarnessError) return signal.reason;
  return new InterruptedError(abortSignalName(signal.reason), phase);
}
