/**
 * The few GitHub REST calls the pull request comment needs, over `fetch`: list a pull request's
 * comments page by page, create one, edit one. The decisions are the pure functions of `pr-comment.ts`.
 */
import { InfraError } from '../errors.js';
import { sleep } from '../sleep.js';
import {
  type CommentPlan,
  findMarkerComment,
  type IssueComment,
  nextPageUrl,
  planCommentUpsert,
} from './pr-comment.js';

/** GitHub's largest page of issue comments. */
const PER_PAGE = 100;

/** 100 pages of 100 comments: far beyond any real pull request, and a bound on a looping `Link` header. */
const MAX_PAGES = 100;

/** Each call gets 30 s: GitHub answers in well under a second; a hung socket must not eat the job's timeout. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface GitHubClientOptions {
  /** A token allowed to write pull request comments (the workflow's `GITHUB_TOKEN` with `pull-requests: write`). */
  readonly token: string;
  /** @default 'https://api.github.com' (GITHUB_API_URL on GitHub Enterprise Server differs) */
  readonly apiUrl?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  /** Pauses before retrying a GET or PATCH after a network error or a 5xx. POST is never retried. @default [1000, 3000] */
  readonly retryDelaysMs?: readonly number[];
}

export interface UpsertCommentOptions {
  readonly owner: string;
  readonly repo: string;
  readonly prNumber: number;
  /** The whole body, marker first (see `composeCommentBody`). */
  readonly body: string;
  readonly marker?: string;
  /** Only comments by this login count as ours. @default any author */
  readonly author?: string;
}

export interface UpsertCommentResult {
  readonly action: CommentPlan['kind'];
  readonly commentId: number;
  readonly url?: string;
  /** Comment pages read before the decision. */
  readonly pagesRead: number;
}

/** Minimal GitHub REST client: JSON in, JSON out, errors that name the call and what to check. */
export class GitHubClient {
  private readonly apiUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly retryDelaysMs: readonly number[];

  constructor(private readonly options: GitHubClientOptions) {
    this.apiUrl = (options.apiUrl ?? 'https://api.github.com').replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.retryDelaysMs = options.retryDelaysMs ?? [1000, 3000];
  }

  /**
   * Reads the pull request's comments oldest first, page by page, until `stop` returns a comment or
   * the pages end. Returns what `stop` found and how many pages it took.
   */
  async scanIssueComments(
    owner: string,
    repo: string,
    issueNumber: number,
    stop: (page: readonly IssueComment[]) => IssueComment | undefined,
  ): Promise<{ found: IssueComment | undefined; pagesRead: number }> {
    let url: string | undefined =
      `${this.apiUrl}/repos/${owner}/${repo}/issues/${issueNumber}/comments?per_page=${PER_PAGE}`;
    let pagesRead = 0;
    while (url !== undefined) {
      if (pagesRead >= MAX_PAGES) {
        throw new InfraError(
          'TooManyComments',
          `pull request ${issueNumber} has more than ${MAX_PAGES * PER_PAGE} comments: delete old ones or post the report elsewhere`,
        );
      }
      const response = await this.request('GET', url);
      const page = (await response.json()) as IssueComment[];
      if (!Array.isArray(page)) {
        throw new InfraError('GitHubUnexpectedResponse', `GET ${url} did not return a list of comments`);
      }
      pagesRead += 1;
      const found = stop(page);
      if (found !== undefined) return { found, pagesRead };
      url = nextPageUrl(response.headers.get('link'));
    }
    return { found: undefined, pagesRead };
  }

  async createIssueComment(owner: string, repo: string, issueNumber: number, body: string): Promise<IssueComment> {
    const url = `${this.apiUrl}/repos/${owner}/${repo}/issues/${issueNumber}/comments`;
    return (await (await this.request('POST', url, { body })).json()) as IssueComment;
  }

  async updateIssueComment(owner: string, repo: string, commentId: number, body: string): Promise<IssueComment> {
    const url = `${this.apiUrl}/repos/${owner}/${repo}/issues/comments/${commentId}`;
    return (await (await this.request('PATCH', url, { body })).json()) as IssueComment;
  }

  private async request(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown): Promise<Response> {
    const retries = method === 'POST' ? [] : this.retryDelaysMs;
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetchFn(url, {
          method,
          headers: {
            accept: 'application/vnd.github+json',
            authorization: `Bearer ${this.options.token}`,
            'x-github-api-version': '2022-11-28',
            'user-agent': 'random-data-api-harness',
            ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: payload === undefined ? undefined : JSON.stringify(payload),
          signal: this.callSignal(),
        });
      } catch (error) {
        if (this.options.signal?.aborted) throw error;
        if (attempt < retries.length) {
          await sleep(retries[attempt]!, this.options.signal);
          continue;
        }
        throw new InfraError(
          'GitHubUnreachable',
          `${method} ${url} failed: ${(error as Error).message}; check GITHUB_API_URL and the network`,
          { cause: error },
        );
      }
      if (response.ok) return response;
      if (response.status >= 500 && attempt < retries.length) {
        await response.body?.cancel();
        await sleep(retries[attempt]!, this.options.signal);
        continue;
      }
      throw await httpError(method, url, response);
    }
  }

  private callSignal(): AbortSignal {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
  }
}

/**
 * Finds our comment on the pull request and creates, updates or leaves it, so each pull request has
 * one report comment however many times it is pushed.
 */
export async function upsertPrComment(
  client: GitHubClient,
  options: UpsertCommentOptions,
): Promise<UpsertCommentResult> {
  const find = (page: readonly IssueComment[]) =>
    findMarkerComment(page, { marker: options.marker, author: options.author });
  const { found, pagesRead } = await client.scanIssueComments(options.owner, options.repo, options.prNumber, find);
  const plan = planCommentUpsert(found, options.body);
  if (plan.kind === 'unchanged')
    return { action: 'unchanged', commentId: plan.commentId, url: found?.html_url, pagesRead };
  const written =
    plan.kind === 'update'
      ? await client.updateIssueComment(options.owner, options.repo, plan.commentId, plan.body)
      : await client.createIssueComment(options.owner, options.repo, options.prNumber, plan.body);
  return { action: plan.kind, commentId: written.id, url: written.html_url, pagesRead };
}

async function httpError(method: string, url: string, response: Response): Promise<InfraError> {
  let detail = '';
  try {
    const parsed = (await response.json()) as { message?: string };
    detail = parsed.message ? `: ${parsed.message}` : '';
  } catch {
    // A non-JSON error page (a proxy, say): the status alone has to do.
  }
  const hint =
    response.status === 401
      ? 'the token was rejected: pass the workflow token as GITHUB_TOKEN'
      : response.status === 403 || response.status === 404
        ? "the token may not write here: give the job 'permissions: pull-requests: write', and note that fork pull requests get a read-only token"
        : 'see https://www.githubstatus.com and retry';
  return new InfraError('GitHubApiFailed', `${method} ${url} answered ${response.status}${detail}; ${hint}`);
}
