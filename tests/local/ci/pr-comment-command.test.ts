import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { GitHubClient, upsertPrComment } from '../../../harness/ci/github-api.js';
import { COMMENT_MARKER, composeCommentBody, GITHUB_ACTIONS_LOGIN } from '../../../harness/ci/pr-comment.js';
import { main } from '../../../harness/cli.js';
import { HarnessError } from '../../../harness/errors.js';
import { type FakeGitHub, startFakeGitHub } from './helpers/fake-github.js';

const OWNER = 'octo-org';
const REPO = 'octo-repo';
const PR = 42;
const BOT_TOKEN = 'workflow-token';

type Run = (
  report: string | undefined,
  env?: Record<string, string | undefined>,
  flags?: Record<string, string>,
  extraArgv?: string[],
) => Promise<{ code: number; out: string[]; err: string[] }>;

async function setup(): Promise<{ github: FakeGitHub; dir: string; run: Run }> {
  const github = await startFakeGitHub({
    owner: OWNER,
    repo: REPO,
    tokens: { [BOT_TOKEN]: GITHUB_ACTIONS_LOGIN, 'alice-token': 'alice', 'codecov-token': 'codecov[bot]' },
  });
  const dir = await mkdtemp(join(tmpdir(), 'rda-pr-comment-'));
  onTestFinished(async () => {
    await github.close();
    await rm(dir, { recursive: true, force: true });
  });
  const run: Run = async (report, extra = {}, flags = {}, extraArgv = []) => {
    if (report !== undefined) await writeFile(join(dir, 'latest.md'), report);
    const out: string[] = [];
    const err: string[] = [];
    const argv = Object.entries({ file: 'latest.md', pr: String(PR), ...flags }).flatMap(([k, v]) => [`--${k}`, v]);
    const code = await main(['pr-comment', ...argv, ...extraArgv], {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      cwd: dir,
      env: {
        GITHUB_TOKEN: BOT_TOKEN,
        GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
        GITHUB_API_URL: github.apiUrl,
        ...extra,
      },
    });
    return { code, out, err };
  };
  return { github, dir, run };
}

function ourComments(github: FakeGitHub) {
  return (github.issues.get(PR) ?? []).filter((c) => c.body.startsWith(COMMENT_MARKER));
}

describe('pr-comment command', () => {
  it('creates the comment on the first push, edits that same comment on later pushes, and never adds a second', async () => {
    // Prepare
    const { github, run } = await setup();
    // Act
    const first = await run('# Verdict: fail\n');
    const second = await run('# Verdict: pass\n');
    const third = await run('# Verdict: pass\n');
    // Assess
    expect([first.code, second.code, third.code]).toEqual([0, 0, 0]);
    expect(first.out[0]).toMatch(/^created comment 1000 on octo-org\/octo-repo#42/);
    expect(second.out[0]).toMatch(/^updated comment 1000 /);
    expect(third.out[0]).toMatch(/^left unchanged comment 1000 /);
    expect(ourComments(github)).toEqual([
      { id: 1000, login: GITHUB_ACTIONS_LOGIN, body: `${COMMENT_MARKER}\n# Verdict: pass\n` },
    ]);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    expect(github.requests.every((r) => r.authorization === `Bearer ${BOT_TOKEN}`)).toBe(true);
  });

  it('finds its comment on the third page of a long thread full of other bots and people', async () => {
    // Prepare: 250 comments; ours is number 231, so it sits on page 3 of 100-comment pages.
    const { github, run } = await setup();
    const thread = Array.from({ length: 250 }, (_, i) => ({
      id: i + 1,
      login: ['alice', 'codecov[bot]', GITHUB_ACTIONS_LOGIN][i % 3]!,
      body: i % 3 === 1 ? '<!-- codecov -->\ncoverage' : `comment ${i + 1}`,
    }));
    thread[230] = { id: 231, login: GITHUB_ACTIONS_LOGIN, body: `${COMMENT_MARKER}\nold report` };
    github.issues.set(PR, thread);
    // Act
    const result = await run('new report');
    // Assess
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(/^updated comment 231 /);
    const gets = github.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(gets).toEqual([
      `/repos/${OWNER}/${REPO}/issues/${PR}/comments?per_page=100`,
      `/repos/${OWNER}/${REPO}/issues/${PR}/comments?per_page=100&page=2`,
      `/repos/${OWNER}/${REPO}/issues/${PR}/comments?per_page=100&page=3`,
    ]);
    expect(github.issues.get(PR)?.[230]?.body).toBe(`${COMMENT_MARKER}\nnew report\n`);
    expect(github.issues.get(PR)).toHaveLength(250);
  });

  it('reads every page before concluding there is no comment yet, then creates one', async () => {
    const { github, run } = await setup();
    github.issues.set(
      PR,
      Array.from({ length: 201 }, (_, i) => ({ id: i + 1, login: 'alice', body: `c${i}` })),
    );
    const result = await run('report');
    expect(result.out[0]).toMatch(/^created comment /);
    expect(github.requests.filter((r) => r.method === 'GET')).toHaveLength(3);
    expect(ourComments(github)).toHaveLength(1);
  });

  it("does not take over a person's comment that starts with the marker", async () => {
    const { github, run } = await setup();
    github.issues.set(PR, [{ id: 5, login: 'alice', body: `${COMMENT_MARKER}\nmy own notes` }]);
    const result = await run('report');
    expect(result.code).toBe(0);
    expect(github.issues.get(PR)?.map((c) => [c.id, c.login])).toEqual([
      [5, 'alice'],
      [1000, GITHUB_ACTIONS_LOGIN],
    ]);
    expect(github.issues.get(PR)?.[0]?.body).toBe(`${COMMENT_MARKER}\nmy own notes`);
  });

  it('cuts a report longer than GitHub allows instead of failing with 422', async () => {
    const { github, run } = await setup();
    const result = await run(`${'| row | 1 ms |\n'.repeat(6000)}`);
    expect(result.code).toBe(0);
    const [posted] = ourComments(github);
    expect(posted!.body.length).toBeLessThanOrEqual(65_536);
    expect(posted!.body).toContain('**Report cut:**');
  });

  it('exits 2 with a clear message when the token, the report or the pull request number is missing or wrong', async () => {
    const { github, run } = await setup();
    const noToken = await run('report', { GITHUB_TOKEN: undefined });
    expect(noToken.code).toBe(2);
    expect(noToken.err.join('\n')).toContain('error [GitHubTokenMissing]: GITHUB_TOKEN is not set');

    const noFile = await run(undefined, {}, { file: 'missing.md' });
    expect(noFile.code).toBe(2);
    expect(noFile.err.join('\n')).toContain("report file 'missing.md' cannot be read (ENOENT)");

    const empty = await run('  \n');
    expect(empty.code).toBe(2);
    expect(empty.err.join('\n')).toContain('ReportFileEmpty');

    const badPr = await run('report', {}, { pr: 'abc' });
    expect(badPr.code).toBe(2);
    expect(badPr.err.join('\n')).toContain("pull request number 'abc'");

    const twice = await run('report', {}, {}, ['--pr', '7']);
    expect(twice.code).toBe(2);
    expect(twice.err.join('\n')).toContain('--pr was given more than once');

    const noRepo = await run('report', { GITHUB_REPOSITORY: undefined });
    expect(noRepo.code).toBe(2);
    expect(noRepo.err.join('\n')).toContain('InvalidRepository');
    expect(github.requests.filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('exits 3 and names the missing permission when GitHub refuses to write (a read-only token)', async () => {
    const { github, run } = await setup();
    github.failNext('POST', 403);
    const result = await run('report');
    expect(result.code).toBe(3);
    expect(result.err.join('\n')).toMatch(
      /POST .*\/issues\/42\/comments answered 403: injected 403; .*pull-requests: write/,
    );
  });

  it('exits 3 when the token is rejected', async () => {
    const { run } = await setup();
    const result = await run('report', { GITHUB_TOKEN: 'expired' });
    expect(result.code).toBe(3);
    expect(result.err.join('\n')).toContain('answered 401: Bad credentials');
  });
});

describe('GitHubClient retries', () => {
  it('retries a listing after a 502 and then succeeds', async () => {
    const github = await startFakeGitHub({ owner: OWNER, repo: REPO, tokens: { [BOT_TOKEN]: GITHUB_ACTIONS_LOGIN } });
    onTestFinished(() => github.close());
    github.failNext('GET', 502);
    github.failNext('GET', 503);
    const client = new GitHubClient({ token: BOT_TOKEN, apiUrl: github.apiUrl, retryDelaysMs: [0, 0] });
    const result = await upsertPrComment(client, {
      owner: OWNER,
      repo: REPO,
      prNumber: PR,
      body: composeCommentBody('report'),
      author: GITHUB_ACTIONS_LOGIN,
    });
    expect(result.action).toBe('create');
    expect(github.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET', 'POST']);
  });

  it('never retries a create, which could post the comment twice', async () => {
    const github = await startFakeGitHub({ owner: OWNER, repo: REPO, tokens: { [BOT_TOKEN]: GITHUB_ACTIONS_LOGIN } });
    onTestFinished(() => github.close());
    github.failNext('POST', 502);
    const client = new GitHubClient({ token: BOT_TOKEN, apiUrl: github.apiUrl, retryDelaysMs: [0, 0] });
    const attempt = upsertPrComment(client, { owner: OWNER, repo: REPO, prNumber: PR, body: 'x' });
    await expect(attempt).rejects.toBeInstanceOf(HarnessError);
    await expect(attempt).rejects.toThrow(/answered 502/);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('reports an unreachable API after its retries, naming GITHUB_API_URL', async () => {
    const client = new GitHubClient({ token: BOT_TOKEN, apiUrl: 'http://127.0.0.1:1', retryDelaysMs: [0] });
    await expect(upsertPrComment(client, { owner: OWNER, repo: REPO, prNumber: PR, body: 'x' })).rejects.toThrow(
      /GET http:\/\/127\.0\.0\.1:1\/repos\/octo-org\/octo-repo\/issues\/42\/comments\?per_page=100 failed: .*check GITHUB_API_URL/,
    );
  });
});
