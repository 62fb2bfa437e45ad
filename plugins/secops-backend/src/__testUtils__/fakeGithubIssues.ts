/*
 * GitHub's issues API on a local port, answering with the recorded
 * responses of fixtures/github/issues/ (see the README there): a created
 * issue gets the next number and its own URL and title; a repository named
 * `*-unreachable` answers 404, as GitHub does for a repository the token
 * does not reach. Issues can be closed as a person would on github.com.
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';

/** The repository's fixtures/github/issues. */
const RECORDED = path.resolve(__dirname, '../../../../fixtures/github/issues');

const recorded = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(RECORDED, `${name}.json`), 'utf8'));

export interface FakeIssue {
  repository: string;
  number: number;
  title: string;
  body: string;
  labels: string[];
  closed: boolean;
  authorization?: string;
}

/** Listens on `port` (0: any free one) of 127.0.0.1. */
export async function fakeGithubIssues(port = 0) {
  const issues: FakeIssue[] = [];
  let reads = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const create = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(req.url ?? '');
      const read = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/.exec(
        req.url ?? '',
      );
      const repository = `${(create ?? read)?.[1]}/${(create ?? read)?.[2]}`;
      if (repository.endsWith('-unreachable')) {
        answer(404, recorded('not-found'));
        return;
      }
      if (create && req.method === 'POST') {
        const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const issue: FakeIssue = {
          repository,
          number: 42 + issues.length,
          title: input.title,
          body: input.body,
          labels: input.labels,
          closed: false,
          authorization: req.headers.authorization,
        };
        issues.push(issue);
        answer(201, toGithub(issue));
        return;
      }
      const found = read
        ? issues.find(
            i => i.repository === repository && i.number === Number(read[3]),
          )
        : undefined;
      if (found && req.method === 'GET') {
        reads++;
        answer(200, toGithub(found));
        return;
      }
      answer(404, recorded('not-found'));
    });
  });
  await new Promise<void>(resolve => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    issues,
    reads: () => reads,
    /** The integration that points Octokit here. */
    integrations: {
      github: [{ host: 'github.com', apiBaseUrl: url, token: 'gh-test-token' }],
    },
    close: () => server.close(),
  };
}

function toGithub(issue: FakeIssue) {
  const base = recorded(issue.closed ? 'issue.closed' : 'issue.open');
  const html = `https://github.com/${issue.repository}/issues/${issue.number}`;
  return {
    ...base,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    html_url: html,
    url: `https://api.github.com/repos/${issue.repository}/issues/${issue.number}`,
  };
}
