/**
 * The deploy half of the AWS target: toolkit-lib (1.40.0; pinned in package.json because newer
 * releases depend on a version the registry does not have, CONTRIBUTING.md#machines-and-versions) deploys a synthesized cloud
 * assembly and hands back the stack's outputs. A quiet IoHost forwards only progress worth a line.
 */
import type { IIoHost, IoMessage, IoRequest } from '@aws-cdk/toolkit-lib';
import type { DeploymentMethodName } from './config.js';

/** Message codes worth a progress line: deploy start, each stack event, total time (toolkit-lib's message registry). */
const FORWARDED_CODES: ReadonlySet<string> = new Set(['CDK_TOOLKIT_I5100', 'CDK_TOOLKIT_I5502', 'CDK_TOOLKIT_I5000']);

/** An IoHost that can also say when it has stopped toolkit-lib. */
export interface QuietIoHost extends IIoHost {
  /** Resolves once a message arrived after the abort and was held, i.e. toolkit-lib has stopped. */
  readonly halted: Promise<void>;
}

/**
 * An IoHost that prints warnings, errors and stack progress through `log` and answers every request with
 * its default (no prompts in CI). Once `signal` is aborted it never answers again: toolkit-lib awaits
 * its notifications, so it stops at its next message and makes no further AWS call. (Throwing instead
 * would crash the process: toolkit-lib's SDK logger notifies without awaiting, sdk-logger.ts, so the
 * rejection would be unhandled.)
 */
export function createQuietIoHost(log: (line: string) => void, signal?: AbortSignal): QuietIoHost {
  let onHalted: () => void = () => {};
  const halted = new Promise<void>((resolve) => {
    onHalted = resolve;
  });
  const hold = <T>(): Promise<T> => {
    onHalted();
    return new Promise<T>(() => {});
  };
  return {
    halted,
    async notify(message: IoMessage<unknown>): Promise<void> {
      if (signal?.aborted) return hold();
      const forward =
        message.level === 'error' ||
        message.level === 'warn' ||
        (message.code !== undefined && FORWARDED_CODES.has(message.code));
      if (forward) log(progressLine(message.message));
    },
    async requestResponse<T>(request: IoRequest<unknown, T>): Promise<T> {
      if (signal?.aborted) return hold<T>();
      return request.defaultResponse;
    },
  };
}

/** First line of a toolkit message, without ANSI colours or padding: one log line per event. */
export function progressLine(message: string): string {
  const plain = message.replace(/\u001b\[[0-9;]*m/g, '');
  return plain.split('\n')[0]!.replace(/\s+/g, ' ').trim();
}

/** Options of {@link deployWithToolkit}. */
export interface ToolkitDeployOptions {
  /** A synthesized cloud assembly directory. */
  readonly outdir: string;
  /** Id of the stack's artifact in that assembly. */
  readonly stackArtifactId: string;
  readonly region: string;
  readonly method: DeploymentMethodName;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** What a successful deploy returns. */
export interface ToolkitDeployResult {
  readonly stackArn: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** A deploy under way: its result, and a promise that resolves once an abort has stopped toolkit-lib. */
export interface ToolkitDeployment {
  readonly result: Promise<ToolkitDeployResult>;
  readonly halted: Promise<void>;
}

/** Starts deploying one stack of an assembly with toolkit-lib; `result` rejects with what toolkit-lib throws. */
export function startToolkitDeploy(options: ToolkitDeployOptions): ToolkitDeployment {
  const ioHost = createQuietIoHost(options.log, options.signal);
  return { result: deployWithToolkit(options, ioHost), halted: ioHost.halted };
}

async function deployWithToolkit(options: ToolkitDeployOptions, ioHost: IIoHost): Promise<ToolkitDeployResult> {
  // Loaded on first deploy: `destroy` and `sweep` never need toolkit-lib's ~1 s import.
  const { BaseCredentials, StackSelectionStrategy, Toolkit } = await import('@aws-cdk/toolkit-lib');
  const toolkit = new Toolkit({
    ioHost,
    emojis: false,
    color: false,
    sdkConfig: { baseCredentials: BaseCredentials.awsCliCompatible({ defaultRegion: options.region }) },
  });
  const source = await toolkit.fromAssemblyDirectory(options.outdir);
  const result = await toolkit.deploy(source, {
    stacks: { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH_SINGLE, patterns: [options.stackArtifactId] },
    deploymentMethod: { method: options.method },
  });
  const stack = result.stacks[0];
  return { stackArn: stack?.stackArn ?? '', outputs: { ...(stack?.outputs ?? {}) } };
}

/** A toolkit-lib error as one line: its name (e.g. `DeployStackFailed`) and message, minus decoration. */
export function describeToolkitError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = progressLine(error.message).replace(/^[^\w'"(]+/u, '');
  return `${error.name}: ${message}`;
}
