import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A comment as the fake stores it. */
export interface FakeComment {
  id: number;
  login: string;
  body: string;
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly body?: unknown;
}

/**
 * An in-memory stand-in for the three GitHub REST endpoints `pr-comment` calls, on 127.0.0.1 port 0:
 * list issue comments (paged with `per_page`/`page` and a `Link` header, as GitHub does), create one
 * (authored by the login the token maps to), edit one. `failNext` queues error statuses.
 */
export interface FakeGitHub {
  readonly apiUrl: string;
  readonly requests: FakeRequest[];
  /** Comments per issue number, oldest first. */
  readonly issues: Map<number, FakeComment[]>;
  /** The next requests matching `method` answer `status` instead (one entry per request). */
  failNext(method: string, status: number): void;
  close(): Promise<void>;
}

export async function startFakeGitHub(options: {
  owner: string;
  repo: string;
  tokens: Record<string, string>;
}): Promise<FakeGitHub> {
  const issues = new Map<number, FakeComment[]>();
  const requests: FakeRequest[] = [];
  const failures: { method: string; status: number }[] = [];
  let nextId = 1000;
  const base = `/repos/${options.owner}/${options.repo}`;

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const body = raw === '' ? undefined : JSON.parse(raw);
    requests.push({
      method: req.method ?? '',
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization,
      body,
    });
    const login = options.tokens[(req.headers.authorization ?? '').replace(/^Bearer /, '')];
    if (login === undefined) return send(res, 401, { message: 'Bad credentials' });
    const failure = failures.findIndex((f) => f.method === req.method);
    if (failure >= 0) {
      const { status } = failures.splice(failure, 1)[0]!;
      return send(res, status, { message: `injected ${status}` });
    }

    const list = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(url.pathname);
    const edit = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(url.pathname);
    if (list && req.method === 'GET') {
      const comments = issues.get(Number(list[1])) ?? [];
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const slice = comments.slice((page - 1) * perPage, page * perPage);
      const lastPage = Math.max(1, Math.ceil(comments.length / perPage));
      const link = (p: number) => `<${apiUrl}${list[0]}?per_page=${perPage}&page=${p}>`;
      const rels = [
        ...(page < lastPage ? [`${link(page + 1)}; rel="next"`, `${link(lastPage)}; rel="last"`] : []),
        ...(page > 1 ? [`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`] : []),
      ];
      return send(res, 200, slice.map(toApi), rels.length > 0 ? { link: rels.join(', ') } : {});
    }
    if (list && req.method === 'POST') {
      const created: FakeComment = { id: nextId++, login, body: (body as { body: string }).body };
      const thread = issues.get(Number(list[1])) ?? [];
      thread.push(created);
      issues.set(Number(list[1]), thread);
      return send(res, 201, toApi(created));
    }
    if (edit && req.method === 'PATCH') {
      const target = [...issues.values()].flat().find((c) => c.id === Number(edit[1]));
      if (!target) return send(res, 404, { message: 'Not Found' });
      if (target.login !== login) return send(res, 403, { message: 'Resource not accessible by integration' });
      target.body = (body as { body: string }).body;
      return send(res, 200, toApi(target));
    }
    return send(res, 404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl,
    requests,
    issues,
    failNext: (method, status) => failures.push({ method, status }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function toApi(comment: FakeComment) {
  return {
    id: comment.id,
    body: comment.body,
    user: { login: comment.login, type: comment.login.endsWith('[bot]') ? 'Bot' : 'User' },
    html_url: `https://github.com/fake/fake/pull/1#issuecomment-${comment.id}`,
  };
}

function send(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(payload));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}
