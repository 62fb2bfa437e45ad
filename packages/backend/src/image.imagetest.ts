/*
 * The production image, run as a cluster would run it: the image built from
 * the repo's Dockerfile (scripts/lib/image.mjs; `./portal test` builds it in
 * its `image` step and names it in PORTAL_TEST_IMAGE), started with the
 * production configuration against a real PostgreSQL and Redis, with the
 * restrictions of deploy/portal's Deployment (read-only root filesystem,
 * every capability dropped, no privilege escalation, writable /tmp and
 * /app/data only) and GitHub's answers served locally (testing/fakeGithub).
 *
 * Not part of the ordinary unit run (its file name is not *.test.ts): it
 * needs the image. Run it with `./portal test --only build,image`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  cookiesOf,
  signInWithGithub,
  startFakeGithub,
  TOKEN,
  ORG,
} from './__testUtils__/fakeGithub';
import { freePort } from './__testUtils__/freePort';

const IMAGE = process.env.PORTAL_TEST_IMAGE;
const POSTGRES = process.env.PORTAL_TEST_IMAGE_POSTGRES;
const REDIS = process.env.PORTAL_TEST_IMAGE_REDIS;
const DOCKER = fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const NAME = `portal-image-test-${process.pid}`;

function docker(...args: string[]) {
  const result = spawnSync(DOCKER, args, { encoding: 'utf8' });
  return {
    status: result.status,
    stdout: (result.stdout ?? '').trim(),
    stderr: (result.stderr ?? '').trim(),
  };
}

const containerLog = () => {
  const logs = spawnSync(DOCKER, ['logs', '--tail', '40', NAME], {
    encoding: 'utf8',
  });
  return `${logs.stdout ?? ''}${logs.stderr ?? ''}`;
};

const running = () =>
  docker('inspect', '--format', '{{.State.Running}}', NAME).stdout === 'true';

/** Polls `check` until it gives a value, failing with the container's log. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  attempts = 240,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    if (!running()) {
      throw new Error(`the container stopped ${what}:\n${containerLog()}`);
    }
    const value = await check().catch(() => undefined);
    if (value !== undefined) {
      return value;
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`gave up waiting ${what}:\n${containerLog()}`);
}

// Containers and sign-in take their time on a busy machine: every test waits
// for conditions, with this as the outer bound.
jest.setTimeout(600_000);

describe('the production image, run with the production configuration', () => {
  let github: Awaited<ReturnType<typeof startFakeGithub>>;
  let portal: string;
  let configDir: string;
  /** Maya's token, once she has signed in. */
  let token: string | undefined;

  beforeAll(async () => {
    if (!IMAGE || !POSTGRES || !REDIS) {
      throw new Error(
        'PORTAL_TEST_IMAGE, PORTAL_TEST_IMAGE_POSTGRES and PORTAL_TEST_IMAGE_REDIS are not set: run this test with ./portal test --only build,image, which builds the image and starts PostgreSQL and Redis',
      );
    }
    github = await startFakeGithub();
    const port = await freePort();
    portal = `http://127.0.0.1:${port}`;

    // What an organisation adds for its cluster: here, the port and GitHub's
    // address (local); everything else is app-config.production.yaml.
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-image-config-'));
    fs.chmodSync(configDir, 0o755);
    fs.writeFileSync(
      path.join(configDir, 'cluster.yaml'),
      [
        'backend:',
        `  listen: { port: ${port} }`,
        'integrations:',
        '  github:',
        '    - host: github.com',
        `      apiBaseUrl: ${github.url}/api/v3`,
        '      token: ${GITHUB_TOKEN}',
        'auth:',
        '  providers:',
        '    github:',
        '      production:',
        `        enterpriseInstanceUrl: ${github.url}`,
        'catalog:',
        '  providers:',
        '    githubOrg:',
        '      schedule:',
        '        frequency: { minutes: 30 }',
        '        timeout: { minutes: 5 }',
        '        initialDelay: { seconds: 1 }',
        // KEV and EPSS from a closed port, not the internet.
        'secops:',
        '  exploitability:',
        '    kevUrl: http://127.0.0.1:9/known_exploited_vulnerabilities.json',
        '    epssUrl: http://127.0.0.1:9/epss_scores-current.csv.gz',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );

    const pg = new URL(POSTGRES);
    const env = {
      PORTAL_BASE_URL: portal,
      POSTGRES_HOST: pg.hostname,
      POSTGRES_PORT: pg.port || '5432',
      POSTGRES_USER: decodeURIComponent(pg.username) || 'postgres',
      POSTGRES_PASSWORD: decodeURIComponent(pg.password) || 'unused',
      REDIS_URL: REDIS,
      AUTH_SESSION_SECRET: 'image-test-session-secret',
      AUTH_GITHUB_CLIENT_ID: 'client-id',
      AUTH_GITHUB_CLIENT_SECRET: 'client-secret',
      GITHUB_TOKEN: TOKEN,
      GITHUB_ORG: ORG,
      // Nothing answers there: the Reliability tabs say so.
      PROMETHEUS_URL: 'http://127.0.0.1:9',
    };
    docker('rm', '-f', NAME);
    const started = docker(
      'run',
      '--detach',
      '--name',
      NAME,
      // No bridge on this machine: the host's network, as a pod's own.
      '--network',
      'host',
      // deploy/portal/deployment.yaml's securityContext and volumes.
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges',
      '--tmpfs',
      '/tmp:rw,exec,size=512m',
      '--tmpfs',
      '/app/data:rw,uid=1000,gid=1000,size=512m',
      '--volume',
      `${configDir}:/config:ro`,
      ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      IMAGE,
      'node',
      'packages/backend',
      '--config',
      'app-config.yaml',
      '--config',
      'app-config.production.yaml',
      '--config',
      '/config/cluster.yaml',
    );
    if (started.status !== 0) {
      throw new Error(`docker run failed: ${started.stderr}`);
    }
    await eventually('for readiness', async () => {
      const res = await fetch(`${portal}/.backstage/health/v1/readiness`);
      return res.status === 200 ? true : undefined;
    });
  }, 600_000);

  afterAll(async () => {
    docker('rm', '-f', NAME);
    await github?.close();
    if (configDir) {
      fs.rmSync(configDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('is ready and live, with its data in PostgreSQL', async () => {
    expect(
      (await fetch(`${portal}/.backstage/health/v1/liveness`)).status,
    ).toBe(200);
    const databases = spawnSync(
      'psql',
      [
        POSTGRES!,
        '--no-align',
        '--tuples-only',
        '--command',
        "select datname from pg_database where datname like 'backstage_plugin_%'",
      ],
      { encoding: 'utf8' },
    );
    expect(databases.stderr).toBe('');
    expect(databases.stdout.trim().split('\n')).toEqual(
      expect.arrayContaining([
        'backstage_plugin_catalog',
        'backstage_plugin_auth',
        'backstage_plugin_secops',
        'backstage_plugin_finops',
        'backstage_plugin_sre',
      ]),
    );
  });

  it('runs as the non-root user node on a read-only root filesystem', () => {
    const user = docker('inspect', '--format', '{{.Config.User}}', NAME);
    expect(user.stdout).toBe('node');
    expect(docker('exec', NAME, 'id', '-u').stdout).toBe('1000');
    // Every process of the container, the backend among them (pid 1 is
    // tini), from /proc: the image has no ps.
    const processes = docker(
      'exec',
      NAME,
      'sh',
      '-c',
      'for p in /proc/[0-9]*; do echo "$(stat -c %u $p) $(tr "\\0" " " < $p/cmdline)"; done',
    ).stdout.split('\n');
    const backend = processes.find(line =>
      /node packages\/backend --config/.test(line),
    );
    expect(backend).toBeDefined();
    expect(processes.map(line => line.split(' ')[0])).not.toContain('0');
    const write = docker('exec', NAME, 'touch', '/app/written');
    expect(write.status).not.toBe(0);
    expect(write.stderr).toMatch(/read-only file system/i);
    expect(docker('exec', NAME, 'touch', '/app/data/written').status).toBe(0);
  });

  it('serves the frontend and its scripts', async () => {
    const page = await fetch(`${portal}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /<script[^>]+src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(new URL(script!, `${portal}/`));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('signs a GitHub member in as their catalog User and answers their API calls', async () => {
    // The organisation sync runs a second after start; sign-in works once
    // it has loaded the member.
    const signIn = await eventually('for the organisation sync', async () => {
      const attempt = await signInWithGithub({
        portal,
        githubUrl: github.url,
        login: 'maya-patel',
        origin: portal,
      });
      return attempt.message?.response ? attempt : undefined;
    });
    expect(signIn.authorizeUrl).toBe(signIn.expectedAuthorizeUrl);
    const { identity } = signIn.message.response.backstageIdentity;
    expect(identity.userEntityRef).toBe('user:default/maya-patel');
    expect(identity.ownershipEntityRefs).toEqual(
      expect.arrayContaining([
        'user:default/maya-patel',
        'group:default/engineering',
        'group:default/checkout',
      ]),
    );

    // The session cookie gives the app its token, as the browser's refresh.
    const refresh = await fetch(
      `${portal}/api/auth/github/refresh?env=production`,
      {
        headers: {
          'x-requested-with': 'XMLHttpRequest',
          cookie: cookiesOf(signIn.frame).join('; '),
        },
      },
    );
    expect(refresh.status).toBe(200);
    token = (await refresh.json()).backstageIdentity.token;
    const asMaya = { headers: { authorization: `Bearer ${token}` } };

    const me = await fetch(
      `${portal}/api/catalog/entities/by-name/user/default/maya-patel`,
      asMaya,
    );
    expect(me.status).toBe(200);
    expect(
      (await me.json()).metadata.annotations['github.com/user-login'],
    ).toBe('maya-patel');
    const teams = await fetch(
      `${portal}/api/catalog/entities/by-query?filter=kind=group&limit=50`,
      asMaya,
    );
    expect(teams.status).toBe(200);
    const { items } = await teams.json();
    expect(items.map((g: any) => g.metadata.name)).toEqual(
      expect.arrayContaining(['acme-commerce', 'engineering', 'checkout']),
    );

    // Without the token: refused.
    expect(
      (await fetch(`${portal}/api/catalog/entities/by-query`)).status,
    ).toBe(401);
  });

  it('refuses a GitHub account that is not a member', async () => {
    const attempt = await signInWithGithub({
      portal,
      githubUrl: github.url,
      login: 'sam-outsider',
      origin: portal,
    });
    expect(attempt.message.response).toBeUndefined();
    expect(attempt.message.error.message).toMatch(
      /unable to resolve user identity/i,
    );
  });

  it('serves no demo surface, even to a signed-in person', async () => {
    // Signed in, so that a missing route answers 404 rather than the 401
    // every route gives a stranger.
    expect(token).toBeDefined();
    for (const route of [
      '/api/auth/demo/start',
      '/api/auth/demo/refresh',
      '/api/sre/demo/metrics',
    ]) {
      const res = await fetch(`${portal}${route}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect([route, res.status]).toEqual([route, 404]);
    }
  });

  it("carries the personal-data scanner the golden path's CI runs from it", () => {
    // .github/workflows/golden-path.yml runs this very command in the image.
    const scan = docker(
      'exec',
      NAME,
      'node',
      'node_modules/@portal/plugin-secops-node/bin/portal-pii-scan.js',
      '/app/docs',
    );
    expect(scan.stderr).toBe('');
    expect(scan.status).toBe(0);
    expect(scan.stdout).toMatch(/\d+ files scanned, \d+ found/);
  });

  it('stops cleanly when asked to (SIGTERM through tini)', () => {
    const stopped = docker('stop', '--time', '60', NAME);
    expect(stopped.status).toBe(0);
    const state = JSON.parse(
      docker('inspect', '--format', '{{json .State}}', NAME).stdout,
    );
    expect([state.ExitCode, state.OOMKilled]).toEqual([0, false]);
  });
});
