import { describe, expect, it } from 'vitest';
import {
  COMMENT_MARKER,
  composeCommentBody,
  findMarkerComment,
  GITHUB_ACTIONS_LOGIN,
  GITHUB_COMMENT_MAX_CHARS,
  type IssueComment,
  nextPageUrl,
  parseRepository,
  planCommentUpsert,
} from '../../../harness/ci/pr-comment.js';
import { HarnessError } from '../../../harness/errors.js';

const BOT = GITHUB_ACTIONS_LOGIN;

function comment(id: number, login: string, body: string | null): IssueComment {
  return { id, user: { login }, body, html_url: `https://github.com/o/r/pull/1#issuecomment-${id}` };
}

/** A busy pull request: people, other bots (with their own hidden markers), and other workflows of ours. */
function busyThread(): IssueComment[] {
  return [
    comment(1, 'alice', 'LGTM once the bench passes'),
    comment(2, 'codecov[bot]', '<!-- codecov-comment -->\n## Coverage report'),
    comment(3, BOT, '<!-- some-other-workflow -->\nlint results'),
    comment(4, 'bob', `I copied your comment:\n${COMMENT_MARKER}\n(quoted, not at the start)`),
    comment(5, 'mallory', `${COMMENT_MARKER}\nfake report posted by a person`),
    comment(6, 'dependabot[bot]', null),
    comment(7, BOT, `${COMMENT_MARKER}\n# Verdict: pass`),
    comment(8, BOT, `${COMMENT_MARKER}\n# A duplicate from an old race`),
  ];
}

describe('findMarkerComment', () => {
  it('finds our comment among people, other bots and other workflows of the same bot', () => {
    // Act
    const found = findMarkerComment(busyThread(), { author: BOT });
    // Assess
    expect(found?.id).toBe(7);
  });

  it('ignores a comment that only quotes the marker further down, and one by another author', () => {
    const thread = busyThread().filter((c) => c.id !== 7 && c.id !== 8);
    expect(findMarkerComment(thread, { author: BOT })).toBeUndefined();
    // Without an author filter, a person's comment that starts with the marker would count.
    expect(findMarkerComment(thread)?.id).toBe(5);
  });

  it('takes the first of several marker comments in GitHub order (oldest first), so every run edits the same one', () => {
    const twins = [comment(20, BOT, `${COMMENT_MARKER}\nolder`), comment(30, BOT, `${COMMENT_MARKER}\nnewer`)];
    expect(findMarkerComment(twins, { author: BOT })?.id).toBe(20);
  });

  it('honours a custom marker, so two workflows can keep separate comments', () => {
    expect(findMarkerComment(busyThread(), { marker: '<!-- some-other-workflow -->', author: BOT })?.id).toBe(3);
  });

  it('finds nothing on a pull request without comments', () => {
    expect(findMarkerComment([], { author: BOT })).toBeUndefined();
  });
});

describe('planCommentUpsert', () => {
  it('creates a comment when none of ours exists', () => {
    expect(planCommentUpsert(undefined, 'body')).toEqual({ kind: 'create', body: 'body' });
  });

  it('updates our comment in place when the report changed', () => {
    expect(planCommentUpsert(comment(7, BOT, 'old'), 'new')).toEqual({ kind: 'update', commentId: 7, body: 'new' });
  });

  it('leaves our comment alone when the report is identical (a re-run of the same commit)', () => {
    expect(planCommentUpsert(comment(7, BOT, 'same'), 'same')).toEqual({ kind: 'unchanged', commentId: 7 });
  });
});

describe('composeCommentBody', () => {
  it('puts the marker on the first line, then the report', () => {
    const body = composeCommentBody('# Verdict: pass\n\n| slo | value |\n');
    expect(body).toBe(`${COMMENT_MARKER}\n# Verdict: pass\n\n| slo | value |\n`);
    expect(findMarkerComment([comment(1, BOT, body)], { author: BOT })?.id).toBe(1);
  });

  it('keeps a report that exactly fits and cuts one that does not, within the limit', () => {
    const fits = 'x'.repeat(GITHUB_COMMENT_MAX_CHARS - COMMENT_MARKER.length - 2);
    expect(composeCommentBody(fits)).toBe(`${COMMENT_MARKER}\n${fits}\n`);
    const lines = Array.from({ length: 5000 }, (_, i) => `| request ${i} | ${'9'.repeat(20)} ms |`).join('\n');
    const body = composeCommentBody(lines);
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
    expect(body.startsWith(`${COMMENT_MARKER}\n| request 0 |`)).toBe(true);
    expect(body).toContain('**Report cut:**');
    expect(body).toContain('step summary');
    // Cut at a line boundary: the last table row before the note is whole.
    const beforeNote = body.slice(0, body.indexOf('\n\n> **Report cut:**'));
    expect(beforeNote.split('\n').at(-1)).toMatch(/^\| request \d+ \| 9{20} ms \|$/);
  });

  it('closes a code fence (a Mermaid chart) left open by the cut', () => {
    const report = `# Verdict: pass\n\n\`\`\`mermaid\nxychart-beta\n${'  line [1, 2, 3]\n'.repeat(400)}\`\`\`\n`;
    const body = composeCommentBody(report, { maxChars: 2000 });
    expect(body.length).toBeLessThanOrEqual(2000);
    const fences = body.split('\n').filter((line) => line.startsWith('```')).length;
    expect(fences % 2).toBe(0);
    expect(body.indexOf('```\n\n> **Report cut:**')).toBeGreaterThan(0);
  });

  it('refuses a limit too small to hold anything, naming the minimum', () => {
    try {
      composeCommentBody('x'.repeat(500), { maxChars: 100 });
      expect.unreachable('a 100-character limit cannot hold the marker and the note');
    } catch (error) {
      expect(error).toBeInstanceOf(HarnessError);
      expect((error as HarnessError).message).toMatch(/allow at least \d+/);
    }
  });
});

describe('nextPageUrl', () => {
  it('reads the rel="next" link of GitHub\'s Link header', () => {
    const header =
      '<https://api.github.com/repositories/1/issues/5/comments?per_page=100&page=2>; rel="next", ' +
      '<https://api.github.com/repositories/1/issues/5/comments?per_page=100&page=4>; rel="last"';
    expect(nextPageUrl(header)).toBe('https://api.github.com/repositories/1/issues/5/comments?per_page=100&page=2');
  });

  it('returns nothing on the last page, with no header, or with a malformed one', () => {
    expect(nextPageUrl('<https://x/?page=1>; rel="prev", <https://x/?page=1>; rel="first"')).toBeUndefined();
    expect(nextPageUrl(null)).toBeUndefined();
    expect(nextPageUrl('')).toBeUndefined();
    expect(nextPageUrl('garbage; rel="next"')).toBeUndefined();
  });

  it('accepts rel lists and spacing variants', () => {
    expect(nextPageUrl('<https://x/?page=3>;rel=next')).toBe('https://x/?page=3');
    expect(nextPageUrl('<https://x/?page=1>; rel="prev first", <https://x/?page=3>; rel="next last"')).toBe(
      'https://x/?page=3',
    );
  });
});

describe('parseRepository', () => {
  it('splits owner/name as GITHUB_REPOSITORY holds it', () => {
    expect(parseRepository('octo-org/octo.repo_2')).toEqual({ owner: 'octo-org', repo: 'octo.repo_2' });
  });

  it('rejects anything else as a usage error that says what to pass', () => {
    for (const bad of ['', 'octo', 'a/b/c', '-x/y', 'x/..', 'x/y z', 'x/*']) {
      expect(() => parseRepository(bad), bad).toThrow(/is not 'owner\/name'/);
    }
  });
});
