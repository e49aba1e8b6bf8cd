import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BRANCH_RUN_ID_PREFIX,
  branchRunId,
  parsePrNumber,
  prRunId,
  prRunIdPrefix,
  shortSha,
} from '../../../harness/ci/run-id.js';
import { HarnessError } from '../../../harness/errors.js';
import { RUN_ID_MAX_LENGTH, runIdProblem } from '../../../stack/names.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const hexSha = fc.stringMatching(/^[0-9a-fA-F]{7,64}$/);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof HarnessError ? `${error.code}/${error.exitCode}` : `not a HarnessError: ${String(error)}`;
  }
  return undefined;
}

describe('prRunId', () => {
  it('names a run after the pull request number and the first 7 digits of the commit', () => {
    expect(prRunId(42, SHA)).toBe('pr-42-0123456');
    expect(prRunId('7', 'ABCDEF1')).toBe('pr-7-abcdef1');
  });

  it('stays within the run id rules for the smallest and the largest pull request numbers', () => {
    for (const pr of [1, 9, 10, 99_999, 2_147_483_647, Number.MAX_SAFE_INTEGER]) {
      const runId = prRunId(pr, SHA);
      expect(runIdProblem(runId), runId).toBeNull();
      expect(runId.length).toBeLessThanOrEqual(RUN_ID_MAX_LENGTH);
    }
    expect(prRunId(Number.MAX_SAFE_INTEGER, SHA)).toBe('pr-9007199254740991-0123456');
  });

  it('is always a valid run id that starts with its pull request prefix (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), hexSha, (pr, sha) => {
        const runId = prRunId(pr, sha);
        return runIdProblem(runId) === null && runId.startsWith(prRunIdPrefix(pr)) && runId.endsWith(shortSha(sha));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps pull request 12 apart from 123 through the trailing hyphen of the prefix', () => {
    expect(prRunIdPrefix(12)).toBe('pr-12-');
    expect(prRunId(123, SHA).startsWith(prRunIdPrefix(12))).toBe(false);
  });

  it('rejects pull request numbers that are not positive whole numbers, as usage errors', () => {
    for (const bad of [
      0,
      -1,
      1.5,
      Number.NaN,
      2 ** 53,
      '',
      ' ',
      '012',
      '1e3',
      '12abc',
      '+4',
      '0x10',
      '99999999999999999999',
    ]) {
      expect(
        codeOf(() => prRunId(bad as number | string, SHA)),
        String(bad),
      ).toBe('InvalidPrNumber/2');
    }
    expect(parsePrNumber(' 42 ')).toBe(42);
  });

  it('rejects commits that are not 7 to 64 hex digits, as usage errors', () => {
    for (const bad of [
      '',
      'abc123',
      'g123456',
      '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0',
      'main',
      '$(reboot)',
    ]) {
      expect(
        codeOf(() => prRunId(1, bad)),
        bad,
      ).toBe('InvalidCommitSha/2');
    }
  });
});

describe('branchRunId', () => {
  it('keeps a branch name that is already a valid slug as it is', () => {
    expect(branchRunId('main', SHA)).toBe('b-main-0123456');
    expect(branchRunId('refs/heads/release-2', SHA)).toBe('b-release-2-0123456');
  });

  it('escapes slashes, underscores, dots, case and accents, and adds a hash so escaped names stay apart', () => {
    const slash = branchRunId('feat/x', SHA);
    const hyphen = branchRunId('feat-x', SHA);
    expect(hyphen).toBe('b-feat-x-0123456');
    expect(slash).toMatch(/^b-feat-x-[0-9a-f]{4}-0123456$/);
    expect(branchRunId('Feature/Ünïcode_Stuff.v2', SHA)).toMatch(/^b-feature-unicode-s-[0-9a-f]{4}-0123456$/);
    expect(runIdProblem(branchRunId('Feature/Ünïcode_Stuff.v2', SHA))).toBeNull();
  });

  it('cuts long branch names to fit 32 characters without leaving a trailing hyphen', () => {
    const runId = branchRunId('dependabot/npm_and_yarn/aws-cdk-lib-2.999.0', SHA);
    expect(runId.length).toBeLessThanOrEqual(RUN_ID_MAX_LENGTH);
    expect(runIdProblem(runId)).toBeNull();
    expect(runId).toMatch(/^b-dependabot-npm-an-[0-9a-f]{4}-0123456$/);
  });

  it('gives branch names with no usable character a hash-only name', () => {
    expect(branchRunId('日本語', SHA)).toMatch(/^b-[0-9a-f]{4}-0123456$/);
    expect(branchRunId('___', SHA)).not.toBe(branchRunId('---', SHA));
  });

  it('never looks like a pull request run, even for a branch named pr-12', () => {
    expect(branchRunId('pr-12', SHA).startsWith(prRunIdPrefix(12))).toBe(false);
    expect(branchRunId('pr-12', SHA).startsWith(BRANCH_RUN_ID_PREFIX)).toBe(true);
  });

  it('is always a valid run id for any branch name (property)', () => {
    const branch = fc.oneof(
      fc.string({ minLength: 1, maxLength: 120 }),
      fc.stringMatching(/^[A-Za-z0-9._/-]{1,80}$/),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
    );
    fc.assert(
      fc.property(branch, hexSha, (name, sha) => {
        fc.pre(name.trim().replace(/^refs\/heads\//, '').length > 0);
        const runId = branchRunId(name, sha);
        return runIdProblem(runId) === null && runId.startsWith(BRANCH_RUN_ID_PREFIX);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects an empty branch name as a usage error', () => {
    expect(codeOf(() => branchRunId('  ', SHA))).toBe('InvalidBranchName/2');
    expect(codeOf(() => branchRunId('refs/heads/', SHA))).toBe('InvalidBranchName/2');
  });
});
