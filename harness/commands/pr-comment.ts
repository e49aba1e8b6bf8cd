import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GitHubClient, upsertPrComment } from '../ci/github-api.js';
import { COMMENT_MARKER, composeCommentBody, GITHUB_ACTIONS_LOGIN, parseRepository } from '../ci/pr-comment.js';
import { parsePrNumber } from '../ci/run-id.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Command } from './command.js';

interface PrCommentArgs {
  file: string;
  pr: string;
  repo?: string;
  author: string;
  marker: string;
}

/**
 * `pr-comment`: posts a markdown file as the pull request's report comment, editing the same comment
 * on every push. Needs GITHUB_TOKEN; reads GITHUB_REPOSITORY and GITHUB_API_URL as Actions sets them.
 *
 * @example
 * npm run harness -- pr-comment --file reports/latest.md --pr 42
 */
export const prCommentCommand: Command<PrCommentArgs> = {
  builder: (y) =>
    y
      .option('file', { type: 'string', demandOption: true, desc: 'markdown file to post, e.g. reports/latest.md' })
      .option('pr', { type: 'string', demandOption: true, desc: 'pull request number' })
      .option('repo', { type: 'string', desc: 'owner/name of the repository (default: $GITHUB_REPOSITORY)' })
      .option('author', {
        type: 'string',
        default: GITHUB_ACTIONS_LOGIN,
        desc: "only this login's comments count as ours; '' accepts any author",
      })
      .option('marker', {
        type: 'string',
        default: COMMENT_MARKER,
        desc: 'hidden first line that identifies our comment',
      }),
  async run(args, ctx) {
    for (const flag of ['file', 'pr', 'repo', 'author', 'marker'] as const) {
      if (Array.isArray(args[flag]))
        throw new UsageError('RepeatedFlag', `--${flag} was given more than once: give it once`);
    }
    const prNumber = parsePrNumber(args.pr);
    const { owner, repo } = parseRepository(args.repo ?? ctx.env.GITHUB_REPOSITORY ?? '');
    const token = ctx.env.GITHUB_TOKEN;
    if (!token) {
      throw new UsageError(
        'GitHubTokenMissing',
        `GITHUB_TOKEN is not set: in a workflow step add 'env: GITHUB_TOKEN: \${{ github.token }}'`,
      );
    }
    if (!args.marker.startsWith('<!--') || !args.marker.endsWith('-->')) {
      throw new UsageError('InvalidMarker', `marker '${args.marker}' is not an HTML comment: use '<!-- some-name -->'`);
    }
    const report = await readReport(resolve(ctx.cwd, args.file), args.file);
    const client = new GitHubClient({ token, apiUrl: ctx.env.GITHUB_API_URL || undefined, signal: ctx.signal });
    const result = await upsertPrComment(client, {
      owner,
      repo,
      prNumber,
      body: composeCommentBody(report, { marker: args.marker }),
      marker: args.marker,
      author: args.author === '' ? undefined : args.author,
    });
    const verb = { create: 'created', update: 'updated', unchanged: 'left unchanged' }[result.action];
    ctx.out(
      `${verb} comment ${result.commentId} on ${owner}/${repo}#${prNumber}${result.url ? `: ${result.url}` : ''}`,
    );
    return ExitCode.Pass;
  },
};

async function readReport(path: string, shown: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      'ReportFileMissing',
      `report file '${shown}' cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): run the bench first or pass --file`,
      { cause: error },
    );
  }
  if (text.trim().length === 0) {
    throw new UsageError(
      'ReportFileEmpty',
      `report file '${shown}' is empty: refusing to replace the comment with nothing`,
    );
  }
  return text;
}
