/** The registry of error codes: its shape, and that each kind maps to the class and the exit code. */
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES,
  type ErrorCode,
  ExitCode,
  HarnessError,
  InfraError,
  type InfraErrorCode,
  isErrorCode,
  UsageError,
  type UsageErrorCode,
} from '../../harness/errors.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

describe('ERROR_CODES', () => {
  it('holds PascalCase codes only', () => {
    for (const code of codes) expect(code).toMatch(/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*$/);
  });

  it('knows the codes the harness throws and nothing else', () => {
    expect(isErrorCode('RunIdInvalid')).toBe(true);
    expect(isErrorCode('InvalidRunId')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });

  it('gives each usage code exit 2 through UsageError and HarnessError alike', () => {
    for (const code of codes.filter((c): c is UsageErrorCode => ERROR_CODES[c] === 'usage')) {
      expect(new UsageError(code, 'x').exitCode).toBe(ExitCode.Usage);
      expect(new HarnessError(code, 'x').exitCode).toBe(ExitCode.Usage);
    }
  });

  it('gives each infrastructure code exit 3 through InfraError and HarnessError alike', () => {
    for (const code of codes.filter((c): c is InfraErrorCode => ERROR_CODES[c] === 'infrastructure')) {
      expect(new InfraError(code, 'x').exitCode).toBe(ExitCode.Infrastructure);
      expect(new HarnessError(code, 'x').exitCode).toBe(ExitCode.Infrastructure);
    }
  });

  it('refuses, at compile time, a code that is not registered or of the other kind', () => {
    // @ts-expect-error a second spelling of RunIdInvalid is not a code
    expect(new UsageError('InvalidRunId', 'x').code).toBe('InvalidRunId');
    // @ts-expect-error AwsRequestFailed is an infrastructure code
    expect(new UsageError('AwsRequestFailed', 'x').exitCode).toBe(ExitCode.Usage);
  });
});
