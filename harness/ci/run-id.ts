/**
 * Run ids for CI runs, derived from what GitHub knows about a run: the pull request number and the
 * commit, or a branch name and the commit. Pure functions: every result satisfies `runIdProblem`.
 */
import { createHash } from 'node:crypto';
import { RUN_ID_MAX_LENGTH, runIdProblem } from '../../stack/names.js';
import { UsageError } from '../errors.js';

/** Run ids of pull request runs start with this, so `pr-closed` can find every stack of one pull request. */
export const PR_RUN_ID_PREFIX = 'pr-';

/** Run ids of branch runs start with this, so a branch named `pr-12` never looks like pull request 12. */
export const BRANCH_RUN_ID_PREFIX = 'b-';

/** Commit characters kept: 7 hex digits, git's default abbreviation, tell apart the commits of one pull request. */
export const SHORT_SHA_LENGTH = 7;

/** Hex digits of the branch-name hash added when escaping lost information (`feat/x` vs `feat-x`). */
const BRANCH_HASH_LENGTH = 4;

/**
 * `pr-<number>-<sha7>`, e.g. `prRunId(42, 'A1B2C3D4…')` → `pr-42-a1b2c3d`. The longest pull request
 * number JavaScript holds exactly (16 digits) gives 27 characters, under the 32-character cap.
 */
export function prRunId(prNumber: number | string, sha: string): string {
  return checked(`${prRunIdPrefix(prNumber)}${shortSha(sha)}`);
}

/** `pr-<number>-`: every run id of that pull request starts with it (the trailing hyphen keeps 12 apart from 123). */
export function prRunIdPrefix(prNumber: number | string): string {
  return `${PR_RUN_ID_PREFIX}${parsePrNumber(prNumber)}-`;
}

/**
 * `b-<slug>-<sha7>` for a run that is not tied to a pull request. The branch name is lowercased,
 * stripped of accents, and every run of other characters becomes one hyphen; when that loses
 * information (or the slug is cut to fit), a 4-hex hash of the raw name keeps branches apart.
 */
export function branchRunId(branch: string, sha: string): string {
  const name = branch.trim().replace(/^refs\/heads\//, '');
  if (name.length === 0) {
    throw new UsageError('InvalidBranchName', `branch name '${branch}' is empty: pass the branch the commit is on`);
  }
  const short = shortSha(sha);
  const budget = RUN_ID_MAX_LENGTH - BRANCH_RUN_ID_PREFIX.length - 1 - SHORT_SHA_LENGTH;
  const slug = slugify(name);
  let body: string;
  if (slug === name && slug.length <= budget) {
    body = slug;
  } else {
    const hash = createHash('sha256').update(name).digest('hex').slice(0, BRANCH_HASH_LENGTH);
    const cut = trimHyphens(slug.slice(0, budget - BRANCH_HASH_LENGTH - 1));
    body = cut.length > 0 ? `${cut}-${hash}` : hash;
  }
  return checked(`${BRANCH_RUN_ID_PREFIX}${body}-${short}`);
}

/** A pull request number as GitHub shows it: a positive whole number without sign, spaces inside or leading zeros. */
export function parsePrNumber(value: number | string): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const parsed = Number(text);
  if (!/^[1-9][0-9]*$/.test(text) || !Number.isSafeInteger(parsed)) {
    throw new UsageError(
      'InvalidPrNumber',
      `pull request number '${value}' is not a positive whole number: pass the number GitHub shows, e.g. --pr 42`,
    );
  }
  return parsed;
}

/** The first 7 hex digits of a commit id, lowercased; rejects anything that is not 7 to 64 hex digits. */
export function shortSha(sha: string): string {
  const text = sha.trim();
  if (!/^[0-9a-fA-F]{7,64}$/.test(text)) {
    throw new UsageError(
      'InvalidCommitSha',
      `commit '${sha}' is not a git commit id: pass 7 to 64 hex digits, e.g. the output of 'git rev-parse HEAD'`,
    );
  }
  return text.slice(0, SHORT_SHA_LENGTH).toLowerCase();
}

function slugify(text: string): string {
  const ascii = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return trimHyphens(ascii.toLowerCase().replace(/[^a-z0-9]+/g, '-'));
}

function trimHyphens(text: string): string {
  return text.replace(/^-+|-+$/g, '');
}

function checked(runId: string): string {
  // Unreachable by construction (the unit tests prove it); kept so a change of the naming rules in
  // stack/names.ts fails here, loudly, rather than at deploy time.
  const problem = runIdProblem(runId);
  if (problem !== null) throw new UsageError('RunIdInvalid', problem);
  return runId;
}
