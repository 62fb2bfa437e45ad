/*
 * GitHub as far as the portal talks to it, served locally from recorded
 * answers (fixtures/github, written after GitHub's documented APIs): GraphQL
 * for the organisation's members, teams and repositories, the REST contents
 * API for a repository's catalog-info.yaml, and the OAuth app's endpoints for
 * sign-in. Used by the organisation-sync test (in process) and the image test
 * (the portal in its container).
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';

const repoRoot = path.resolve(__dirname, '../../../..');
const fixtures = path.join(repoRoot, 'fixtures/github');
const fixture = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(fixtures, name), 'utf8'));

export const ORG = 'acme-commerce';
export const TOKEN = 'ghp_recordedIntegrationToken';
export interface GraphqlCall {
  path: string;
  operation: string;
  variables: Record<string, unknown>;
  authorization?: string;
  status?: number;
}

/**
 * GitHub as far as the portal talks to it: GraphQL for the organisation
 * (answered from the fixtures by operation and cursor), repository files
 * (fixtures/github/contents) and the OAuth app's endpoints for sign-in
 * (code -> token -> GET /user).
 */
export async function startFakeGithub() {
  const graphql: GraphqlCall[] = [];
  const pages: Record<string, string[]> = {
    users: ['org-members.page1.json', 'org-members.page2.json'],
    teams: ['org-teams.page1.json', 'org-teams.page2.json'],
    repositories: [
      'org-repositories.page1.json',
      'org-repositories.page2.json',
    ],
    'members:checkout': [
      'team-members.checkout.page1.json',
      'team-members.checkout.page2.json',
    ],
  };
  // Files read through the REST contents API.
  const contents: Array<{
    repo: string;
    file: string;
    ref: string | null;
    authorization?: string;
  }> = [];
  // An access token per person who "authorised the OAuth app".
  const tokens = new Map<string, string>();

  const answer = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    type = 'application/json; charset=utf-8',
  ) => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  const onGraphql = (req: http.IncomingMessage, body: string) => {
    const { query, variables = {} } = JSON.parse(body);
    const operation = /query\s+(\w+)/.exec(query)?.[1] ?? '';
    graphql.push({
      path: req.url ?? '',
      operation,
      variables,
      authorization: req.headers.authorization,
    });
    // GitHub takes a token as `Bearer` or `token`.
    if (
      !/^(Bearer|token) /.test(req.headers.authorization ?? '') ||
      req.headers.authorization?.split(' ')[1] !== TOKEN
    ) {
      return { status: 401, body: { message: 'Bad credentials' } };
    }
    if (variables.org !== ORG) {
      return {
        status: 200,
        body: {
          data: { organization: null },
          errors: [
            {
              type: 'NOT_FOUND',
              path: ['organization'],
              message: `Could not resolve to an Organization with the login of '${variables.org}'.`,
            },
          ],
        },
      };
    }
    const key =
      operation === 'members' ? `members:${variables.teamSlug}` : operation;
    const files = pages[key];
    if (!files) {
      return {
        status: 200,
        body: { errors: [{ message: `no recorded answer for ${key}` }] },
      };
    }
    // Page n+1 is asked for with the endCursor of page n.
    let index = 0;
    if (variables.cursor) {
      index = files.findIndex(
        (_, i) =>
          i > 0 &&
          JSON.stringify(fixture(files[i - 1])).includes(
            `"endCursor":"${variables.cursor}"`,
          ),
      );
    }
    if (index < 0) {
      return {
        status: 200,
        body: { errors: [{ message: `unknown cursor ${variables.cursor}` }] },
      };
    }
    return { status: 200, body: fixture(files[index]) };
  };

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://github.local');
      if (req.method === 'POST' && /^(\/api)?\/graphql$/.test(url.pathname)) {
        const { status, body: out } = onGraphql(req, body);
        graphql[graphql.length - 1].status = status;
        answer(res, status, out);
      } else if (
        req.method === 'POST' &&
        url.pathname === '/login/oauth/access_token'
      ) {
        // GitHub answers the OAuth app's code exchange form-encoded.
        const form = new URLSearchParams(body);
        const login = /^code-for-(.+)$/.exec(form.get('code') ?? '')?.[1];
        if (!login || form.get('client_id') !== 'client-id') {
          answer(
            res,
            200,
            'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.',
            'application/x-www-form-urlencoded; charset=utf-8',
          );
          return;
        }
        const token = `gho_${login.replace(/-/g, '')}0000000000`;
        tokens.set(token, login);
        answer(
          res,
          200,
          `access_token=${token}&scope=read%3Auser&token_type=bearer`,
          'application/x-www-form-urlencoded; charset=utf-8',
        );
      } else if (
        req.method === 'GET' &&
        /^\/api\/v3\/repos\/[^/]+\/[^/]+\/contents\//.test(url.pathname)
      ) {
        // A file of a repository, as the GitHub URL reader asks for it
        // (raw, at the location's branch): fixtures/github/contents/<repo>.
        const [, owner, repo, file] =
          /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/.exec(
            url.pathname,
          ) ?? [];
        contents.push({
          repo: `${owner}/${repo}`,
          file,
          ref: url.searchParams.get('ref'),
          authorization: req.headers.authorization,
        });
        const local = path.join(fixtures, 'contents', repo, file);
        if (
          req.headers.authorization?.split(' ')[1] !== TOKEN ||
          owner !== ORG ||
          !fs.existsSync(local)
        ) {
          answer(res, 404, {
            message: 'Not Found',
            documentation_url: 'https://docs.github.com/rest',
          });
          return;
        }
        answer(
          res,
          200,
          fs.readFileSync(local, 'utf8'),
          'application/vnd.github.v3.raw',
        );
      } else if (req.method === 'GET' && url.pathname === '/api/v3/user') {
        const token = (req.headers.authorization ?? '').split(' ')[1];
        const login = tokens.get(token);
        if (!login) {
          answer(res, 401, {
            message: 'Bad credentials',
            documentation_url: 'https://docs.github.com/rest',
          });
          return;
        }
        answer(res, 200, fixture(`user.${login}.json`));
      } else {
        answer(res, 404, {
          message: 'Not Found',
          documentation_url: 'https://docs.github.com/rest',
        });
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    graphql,
    contents,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

/** The cookies a browser would keep (a Max-Age=0 cookie is a removal). */
export const cookiesOf = (res: request.Response) =>
  ((res.headers['set-cookie'] as unknown as string[]) ?? [])
    .filter(c => !/;\s*Max-Age=0(;|$)/i.test(c))
    .map(c => c.split(';')[0]);

/** The response the sign-in popup posts to the app. */
export const popupMessage = (html: string) => {
  const encoded = /decodeURIComponent\('([^']*)'\)/.exec(html)?.[1];
  return JSON.parse(decodeURIComponent(encoded ?? 'null'));
};

/**
 * GitHub's OAuth dance for a person who authorises the app, as the browser
 * goes through it: the portal's start redirects to GitHub's authorize page,
 * GitHub sends the person back to the handler with a code and the state.
 * `portal` is an http.Server or the portal's base URL.
 */
export async function signInWithGithub(options: {
  portal: http.Server | string;
  githubUrl: string;
  login: string;
  origin?: string;
}) {
  const { portal, githubUrl, login } = options;
  const start = await request(portal)
    .get('/api/auth/github/start')
    .query({
      env: 'production',
      scope: 'read:user',
      origin: options.origin ?? 'http://localhost:3000',
    });
  if (start.status !== 302) {
    throw new Error(
      `sign-in start answered ${start.status}: ${start.text.slice(0, 300)}`,
    );
  }
  const authorize = new URL(start.headers.location);
  const frame = await request(portal)
    .get('/api/auth/github/handler/frame')
    .query({
      code: `code-for-${login}`,
      state: authorize.searchParams.get('state'),
    })
    .set('cookie', cookiesOf(start).join('; '));
  return {
    start,
    authorize,
    authorizeUrl: `${authorize.origin}${authorize.pathname}`,
    expectedAuthorizeUrl: `${githubUrl}/login/oauth/authorize`,
    frame,
    message: popupMessage(frame.text),
    cookies: cookiesOf(frame),
  };
}
