/**
 * The plain settings the emulator runs from. `harness/emulator/assembly.ts` reads them from the synthesized
 * cloud assembly; tests build them by hand to run fixture handlers. Nothing here is a default copied from
 * the stack: every value comes from the template or from the caller.
 */

/** One API Gateway resource (a node of the REST API's resource tree) and the methods it has. */
export interface RouteConfig {
  /** Resource template, e.g. `/`, `/items`, `/{proxy+}`, `/users/{id}`. */
  readonly resourcePath: string;
  /** API Gateway's resource id, `requestContext.resourceId` (6 lowercase alphanumerics on AWS). */
  readonly resourceId: string;
  /** HTTP verbs in upper case, or `ANY`. */
  readonly methods: readonly string[];
}

/** Stage-wide token bucket; API Gateway answers 429 when it is empty (docs/aws-behaviour.md#throttling). */
export interface ThrottleConfig {
  /** Steady-state refill, requests per second. */
  readonly rateLimit: number;
  /** Bucket size, requests. */
  readonly burstLimit: number;
}

/** The REST API (v1) in front of the function. */
export interface ApiConfig {
  /** 10 lowercase alphanumerics, `requestContext.apiId`. */
  readonly apiId: string;
  readonly stageName: string;
  readonly deploymentId: string;
  /** `event.stageVariables`; null when the stage has none (docs/aws-behaviour.md#proxy-event). */
  readonly stageVariables: Readonly<Record<string, string>> | null;
  /** Content types whose bodies travel base64-encoded, e.g. `image/png`, `*\/*`. */
  readonly binaryMediaTypes: readonly string[];
  /** Null means no stage throttling configured: the account limits (10,000 rps, burst 5,000) apply. */
  readonly throttle: ThrottleConfig | null;
  /** How long API Gateway waits for the integration before answering 504. AWS default 29,000. */
  readonly integrationTimeoutMs: number;
  readonly routes: readonly RouteConfig[];
}

/** The Lambda function behind every route. */
export interface FunctionConfig {
  readonly functionName: string;
  /** `file.export`, e.g. `index.handler`; `file` is resolved inside `codeDir` as Lambda does (.js, .mjs, .cjs). */
  readonly handler: string;
  /** e.g. `nodejs24.x`; decides AWS_EXECUTION_ENV and whether callback handlers are accepted. */
  readonly runtime: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  /** The function's own environment variables (Lambda's reserved ones are added by the emulator). */
  readonly environment: Readonly<Record<string, string>>;
  /** Absolute path of the unzipped code (`LAMBDA_TASK_ROOT`). */
  readonly codeDir: string;
  /** `/aws/lambda/<name>` or the group set through `LoggingConfig.LogGroup`. */
  readonly logGroupName: string;
  /** Reserved concurrency; also the emulator's concurrency limit when set. */
  readonly reservedConcurrency?: number;
  /** `arm64` or `x86_64`; informational (the local CPU runs the code). */
  readonly architecture?: string;
}

/** Everything one emulated deployment needs. */
export interface EmulatorConfig {
  readonly stackName: string;
  readonly region: string;
  /** 12 digits; used in ARNs and `requestContext.accountId`. */
  readonly accountId: string;
  readonly api: ApiConfig;
  readonly function: FunctionConfig;
}

/** API Gateway's account-level defaults when a stage sets no throttling (docs/aws-behaviour.md#throttling). */
export const ACCOUNT_THROTTLE: ThrottleConfig = { rateLimit: 10_000, burstLimit: 5_000 };

/** API Gateway's default integration timeout (docs/aws-behaviour.md#integration-timeout). */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;
