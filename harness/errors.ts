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
 * Every error code the harness throws, with its kind: the closed list that `UsageError`, `InfraError` and
 * `HarnessError` accept, so a typo or a second spelling of a known problem fails to compile. Codes are
 * PascalCase and stable (tests, reports and CI scripts key on them); a new one names its subject first
 * and the problem after (`RunIdInvalid`, `LogGroupNotFound`, `QueryFailed`) and goes in the group of the
 * area that throws it. `usage` codes exit 2 (the user can fix the input), `infrastructure` codes exit 3.
 */
export const ERROR_CODES = {
  // Command line and config: options.ts, cli.ts, commands/*.
  InvalidArguments: 'usage',
  InvalidChoice: 'usage',
  InvalidConfig: 'usage',
  InvalidDuration: 'usage',
  InvalidNumber: 'usage',
  OutOfRange: 'usage',
  ConflictingFlags: 'usage',
  RepeatedFlag: 'usage',
  InvalidApiUrl: 'usage',
  InvalidPort: 'usage',
  InvalidMix: 'usage',
  UnknownMixEntry: 'usage',
  InvalidSlo: 'usage',
  InvalidSloUnit: 'usage',
  UnknownSloMetric: 'usage',
  NoSlos: 'usage',
  UnknownAction: 'usage',
  UnknownFormat: 'usage',
  // CDK context: -c flags and the context files the CDK CLI reads (target/cdk-context.ts).
  InvalidContextFlag: 'usage',
  ContextKeyReserved: 'usage',
  ContextFileInvalid: 'usage',
  // Run ids and runs.
  RunIdInvalid: 'usage',
  RunIdMissing: 'usage',
  RunIdConflict: 'usage',
  RunIdInUse: 'usage',
  RunIdSourceAmbiguous: 'usage',
  RunStillRunning: 'usage',
  RunNotFinished: 'usage',
  PhaseFailed: 'infrastructure',
  DestroyFailed: 'infrastructure',
  NoLoad: 'infrastructure',
  Interrupted: 'infrastructure',
  Unexpected: 'infrastructure',
  // Local target and emulator.
  AssemblyNotFound: 'usage',
  AssemblyInvalid: 'usage',
  StackNotInAssembly: 'usage',
  UnsupportedTemplate: 'usage',
  UnsupportedIntrinsic: 'usage',
  AssetNotFound: 'usage',
  DeploymentDestroyed: 'usage',
  PortInUse: 'usage',
  EmulatorStartFailed: 'infrastructure',
  // AWS target.
  RegionMissing: 'usage',
  RegionInvalid: 'usage',
  CredentialsMissing: 'usage',
  DeploymentMethodInvalid: 'usage',
  InvalidStackContext: 'usage',
  InvalidSavedQuery: 'usage',
  StackNotManaged: 'usage',
  StackExists: 'usage',
  TerminationProtected: 'usage',
  CredentialsUnavailable: 'infrastructure',
  AwsRequestFailed: 'infrastructure',
  AwsAccessDenied: 'infrastructure',
  SynthFailed: 'infrastructure',
  StackNameMismatch: 'infrastructure',
  StackOutputMissing: 'infrastructure',
  DeployFailed: 'infrastructure',
  DestroyUnverified: 'infrastructure',
  SweepUnverified: 'infrastructure',
  // Logs Insights queries, local and AWS.
  QueryMissing: 'usage',
  QueryFileNotFound: 'usage',
  MalformedQuery: 'usage',
  InvalidParameter: 'usage',
  InvalidLimit: 'usage',
  InvalidTime: 'usage',
  InvalidTimeRange: 'usage',
  StartMissing: 'usage',
  LogDirMissing: 'usage',
  LogDirNotFound: 'usage',
  LogGroupMissing: 'usage',
  LogGroupNotFound: 'usage',
  InvalidLogGroups: 'usage',
  InvalidLogGroupName: 'usage',
  LogNameTooLong: 'usage',
  LogPathOutsideStore: 'infrastructure',
  ImportFileNotFound: 'usage',
  InvalidImportFile: 'usage',
  InvalidLogType: 'usage',
  StartQueryFailed: 'infrastructure',
  QueryThrottled: 'infrastructure',
  QueryFailed: 'infrastructure',
  QueryTimedOut: 'infrastructure',
  QueryCancelled: 'infrastructure',
  QueryStatusUnknown: 'infrastructure',
  QueryDeadlineExceeded: 'infrastructure',
  // CI: run ids from git, pull-request comments.
  InvalidBranchName: 'usage',
  InvalidCommitSha: 'usage',
  InvalidPrNumber: 'usage',
  InvalidRepository: 'usage',
  InvalidMarker: 'usage',
  GitHubTokenMissing: 'usage',
  ReportFileMissing: 'usage',
  ReportFileEmpty: 'usage',
  // harness compare: a file that is not a bench report it can read.
  ReportFileInvalid: 'usage',
  ReportVersionUnsupported: 'usage',
  ReportHasNoSamples: 'usage',
  CommentLimitTooSmall: 'usage',
  GitHubApiFailed: 'infrastructure',
  GitHubUnreachable: 'infrastructure',
  GitHubUnexpectedResponse: 'infrastructure',
  TooManyComments: 'infrastructure',
  // Performance suite.
  UnknownFlag: 'usage',
  MissingFlagValue: 'usage',
  UnexpectedFlagValue: 'usage',
  InvalidOnly: 'usage',
  InvalidOutDir: 'usage',
  InvalidRounds: 'usage',
  UnknownFigure: 'usage',
  OutDirNotWritable: 'usage',
} as const satisfies Record<string, ErrorKind>;

/** A registered harness error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
/** The codes of {@link ERROR_CODES} of one kind. */
export type ErrorCodeOf<K extends ErrorKind> = {
  [C in ErrorCode]: (typeof ERROR_CODES)[C] extends K ? C : never;
}[ErrorCode];
/** Codes a {@link UsageError} may carry (exit 2). */
export type UsageErrorCode = ErrorCodeOf<'usage'>;
/** Codes an {@link InfraError} may carry (exit 3). */
export type InfraErrorCode = ErrorCodeOf<'infrastructure'>;

/** True when `code` is a registered harness error code. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

/**
 * The one error type the harness throws on purpose. `code` is PascalCase and stable (tests and
 * reports key on it); `message` is lowercase, quotes the wrong value and says what to change.
 */
export class HarnessError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly kind: ErrorKind = ERROR_CODES[code],
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
  constructor(code: UsageErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, 'usage', options);
    this.name = 'UsageError';
  }
}

/** Something outside the user's input failed (deploy, socket, AWS API): exit code 3. */
export class InfraError extends HarnessError {
  constructor(code: InfraErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, 'infrastructure', options);
    this.name = 'InfraError';
  }
}

/** Thrown when an AbortSignal fires (SIGINT/SIGTERM/SIGHUP); carries the signal name. */
export class InterruptedError extends HarnessError {
  constructor(
    readonly signal: NodeJS.Signals,
    phase?: string,
  ) {
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
