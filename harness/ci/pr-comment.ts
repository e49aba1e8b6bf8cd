/**
 * The pull request comment that carries the AWS latency report: one comment per pull request, found
 * again by a hidden marker and edited in place on each push. Pure functions over plain data; the
 * GitHub calls live in `github-api.ts`.
 */
import { UsageError } from '../errors.js';

/** First line of our comment: invisible in the rendered markdown, stable across pushes. */
export const COMMENT_MARKER = '<!-- random-data-api-harness:pr-latency -->';

/** GitHub rejects comment bodies longer than 65,536 characters with 422 "body is too long". */
export const GITHUB_COMMENT_MAX_CHARS = 65_536;

/** The login GitHub shows for comments made with a workflow's `GITHUB_TOKEN`. */
export const GITHUB_ACTIONS_LOGIN = 'github-actions[bot]';

/** The fields of a GitHub issue comment we read (the REST API returns many more). */
export interface IssueComment {
  readonly id: number;
  readonly body?: string | null;
  readonly user?: { readonly login?: string } | null;
  readonly html_url?: string;
}

/** What to do with the comment: the GitHub call `github-api.ts` then makes, if any. */
export type CommentPlan =
  | { readonly kind: 'create'; readonly body: string }
  | { readonly kind: 'update'; readonly commentId: number; readonly body: string }
  | { readonly kind: 'unchanged'; readonly commentId: number };

export interface FindCommentOptions {
  /** @default COMMENT_MARKER */
  readonly marker?: string;
  /** Only comments by this login count; `undefined` accepts any author. @default any author */
  readonly author?: string;
}

/**
 * Our comment among `comments` (in the order GitHub lists them, oldest first): the first whose body
 * starts with the marker and, when `author` is given, was written by that login. A comment that only
 * quotes the marker further down, or another bot's comment with its own marker, is not ours.
 */
export function findMarkerComment(
  comments: readonly IssueComment[],
  options: FindCommentOptions = {},
): IssueComment | undefined {
  const marker = options.marker ?? COMMENT_MARKER;
  return comments.find(
    (comment) =>
      (comment.body ?? '').trimStart().startsWith(marker) &&
      (options.author === undefined || comment.user?.login === options.author),
  );
}

/** Update our comment when it exists and differs, leave it when it is identical, else create it. */
export function planCommentUpsert(existing: IssueComment | undefined, body: string): CommentPlan {
  if (existing === undefined) return { kind: 'create', body };
  if (existing.body === body) return { kind: 'unchanged', commentId: existing.id };
  return { kind: 'update', commentId: existing.id, body };
}

export interface ComposeOptions {
  /** @default COMMENT_MARKER */
  readonly marker?: string;
  /** @default GITHUB_COMMENT_MAX_CHARS */
  readonly maxChars?: number;
  /** Where the full report can be read when the comment has to be cut. @default the job's step summary and artifact */
  readonly fullReportHint?: string;
}

/**
 * The comment body: the marker line, then the report. A report too long for GitHub is cut at a line
 * boundary, an open code fence (a Mermaid chart, say) is closed, and a note says where the rest is.
 */
export function composeCommentBody(report: string, options: ComposeOptions = {}): string {
  const marker = options.marker ?? COMMENT_MARKER;
  const maxChars = options.maxChars ?? GITHUB_COMMENT_MAX_CHARS;
  const hint = options.fullReportHint ?? "the full report is in this run's step summary and its report artifact";
  const text = report.replace(/\s+$/, '');
  const whole = `${marker}\n${text}\n`;
  if (whole.length <= maxChars) return whole;

  const note = `\n\n> **Report cut:** it has ${text.length} characters and GitHub comments hold ${maxChars}; ${hint}.\n`;
  const fenceClose = '\n```';
  const room = maxChars - marker.length - 1 - note.length - fenceClose.length;
  if (room <= 0) {
    throw new UsageError(
      'CommentLimitTooSmall',
      `a comment limit of ${maxChars} characters leaves no room for the report: allow at least ${maxChars - room + 1}`,
    );
  }
  let kept = text.slice(0, room);
  const lastNewline = kept.lastIndexOf('\n');
  if (lastNewline > 0) kept = kept.slice(0, lastNewline);
  const fences = kept.split('\n').filter((line) => /^\s*(```|~~~)/.test(line)).length;
  return `${marker}\n${kept}${fences % 2 === 1 ? fenceClose : ''}${note}`;
}

/**
 * The `rel="next"` URL of a GitHub `Link` header, or `undefined` on the last page. GitHub writes
 * `<https://api.github.com/…&page=2>; rel="next", <…&page=5>; rel="last"`.
 */
export function nextPageUrl(linkHeader: string | null | undefined): string | undefined {
  if (!linkHeader) return undefined;
  for (const part of linkHeader.split(',')) {
    const match = /^\s*<([^>]+)>\s*;(.*)$/.exec(part);
    if (!match) continue;
    const rel = /\brel\s*=\s*"?([^";]+)"?/i.exec(match[2]!);
    if (rel?.[1]?.trim().split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

/** `owner/repo` as GITHUB_REPOSITORY holds it; returns both parts. */
export function parseRepository(value: string): { readonly owner: string; readonly repo: string } {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(value.trim());
  if (!match || match[2] === '.' || match[2] === '..') {
    throw new UsageError(
      'InvalidRepository',
      `repository '${value}' is not 'owner/name': pass --repo owner/name or set GITHUB_REPOSITORY`,
    );
  }
  return { owner: match[1]!, repo: match[2]! };
}
