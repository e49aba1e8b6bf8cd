/**
 * How a run ended, and the exit code that says so: a verdict (0 pass, 1 fail, 4 inconclusive), an
 * interruption by a signal (130/143/129, once cleanup is done), or an error (2 usage, 3 infrastructure).
 */
import { type ErrorCode, ExitCode, signalExitCode } from '../errors.js';
import type { Verdict } from './slo.js';

/** Phases of a run, in order. */
export type PhaseName = 'deploy' | 'load' | 'correlate' | 'destroy' | 'report';

export type MeasuredOutcome =
  | { readonly kind: 'verdict'; readonly verdict: Verdict; readonly reasons: readonly string[] }
  | { readonly kind: 'interrupted'; readonly signal: NodeJS.Signals; readonly phase: PhaseName }
  | {
      readonly kind: 'error';
      readonly code: ErrorCode;
      readonly message: string;
      readonly phase: PhaseName;
      /** 2 for a usage error, 3 for everything else. */
      readonly exitCode: number;
    };

/** The process exit code of an outcome. */
export function exitCodeFor(outcome: MeasuredOutcome): number {
  switch (outcome.kind) {
    case 'verdict':
      return outcome.verdict === 'pass'
        ? ExitCode.Pass
        : outcome.verdict === 'fail'
          ? ExitCode.Fail
          : ExitCode.Inconclusive;
    case 'interrupted':
      return signalExitCode(outcome.signal);
    case 'error':
      return outcome.exitCode;
  }
}
