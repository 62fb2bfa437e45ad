/*
 * GitHub's issues API on a local port, answering with the recorded
 * responses of fixtures/github/issues (plugins/secops-backend's
 * fakeGithubIssues), for the end-to-end tests: the e2e step of
 * `./portal test` starts it and points the portal's GitHub integration at
 * it, so that "Open GitHub issue" runs through Octokit as in production.
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     scripts/fake-github.ts --port 7098
 *   APP_CONFIG_integrations_github='[{"host":"github.com","apiBaseUrl":"http://127.0.0.1:7098","token":"e2e"}]' \
 *     ./portal start
 *
 * It prints one line when it listens and one per issue opened, and stops
 * on SIGTERM or SIGINT.
 */
import { fakeGithubIssues } from '../plugins/secops-backend/src/__testUtils__/fakeGithubIssues';

function option(name: string) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const port = Number(option('--port') ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, not ${option('--port')}`);
  }
  const github = await fakeGithubIssues(port);
  let seen = 0;
  const report = setInterval(() => {
    for (const issue of github.issues.slice(seen)) {
      process.stdout.write(
        `fake GitHub: opened ${issue.repository}#${issue.number} ${issue.title}\n`,
      );
    }
    seen = github.issues.length;
  }, 500);
  process.stdout.write(`fake GitHub listening at ${github.url}\n`);
  const stop = () => {
    clearInterval(report);
    github.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(`${error}\n`);
  process.exit(1);
});
