/*
 * Production has no demo surface and no open door: the real backend (every
 * feature index.ts adds) starts with app-config.yaml and
 * app-config.production.yaml, NODE_ENV=production and the production
 * environment (SQLite in a temporary folder and an in-memory cache instead
 * of PostgreSQL and Redis, GitHub and Prometheus addresses that answer
 * nothing). Every route its express routers hold is then asked, without
 * credentials: each must answer 401, except the allow-list below, which
 * docs/pages/production.md documents.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FoundRoute } from './productionRoutes/backend';
import { freePort } from './__testUtils__/freePort';

const ROOT = path.resolve(__dirname, '../../..');

/**
 * What may answer without credentials in production, and why. Keep
 * docs/pages/production.md ("What answers without credentials") in step.
 * An entry with statuses must still refuse (the auth backend checks its own
 * routes and answers 403 or 404 rather than 401).
 */
const ALLOWED: Array<{
  method?: string;
  path: RegExp;
  why: string;
  statuses?: number[];
}> = [
  {
    path: /^\/\.backstage\/health\/v1\/(readiness|liveness)$/,
    why: 'health checks of the load balancer and Kubernetes',
  },
  {
    path: /^\/api\/(permission|signals)\/health$/,
    why: "plugins' own health checks (no data)",
  },
  {
    path: /^(\/api\/[^/]+)?\/\.backstage\/auth\/v1\/jwks\.json$/,
    why: "each plugin's public keys, which other services verify its tokens with",
  },
  {
    method: 'DELETE',
    path: /^(\/api\/[^/]+)?\/\.backstage\/auth\/v1\/cookie$/,
    why: "clears the caller's own session cookie",
  },
  {
    path: /^\/api\/auth\/github\/(start|handler\/frame|refresh|logout)$/,
    why: 'GitHub sign-in: starting it, its OAuth callback, refreshing and ending the session (the session cookie is the credential)',
  },
  {
    path: /^\/api\/auth\/\.well-known\/(openid-configuration|jwks\.json)$/,
    why: "the auth backend's public signing keys, which other services verify user tokens with",
  },
  {
    path: /^\/api\/auth\/\.well-known\/backstage\/permissions\/metadata$/,
    why: "the names of the auth backend's permissions and rules (no data)",
  },
  {
    method: 'GET',
    path: /^\/api\/auth\/\.backstage\/actions\/v1\/actions$/,
    why: "the list of the auth backend's actions (names and schemas; running one is refused)",
  },
  {
    path: /^\/api\/auth\//,
    why: 'the auth backend checks its own routes: refused, or not there',
    statuses: [401, 403, 404],
  },
  {
    method: 'GET',
    path: /^\/(?!api\/(?!app\/)|\.backstage\/)/,
    why: "the frontend's static files (the app holds no data), at / and /api/app",
  },
];

/** Paths that must not be served in production at all (demo surfaces). */
const MUST_BE_GONE = [
  '/api/sre/demo/metrics',
  '/api/auth/demo/start',
  '/api/auth/demo/refresh',
];

/** A concrete path for a route with :params and wildcards. */
const concrete = (routePath: string) =>
  routePath
    .replace(/:kind\b\??/g, 'component')
    .replace(/:namespace\b\??/g, 'default')
    .replace(/:[A-Za-z0-9_]+\??(\([^)]*\))?/g, 'x')
    .replace(/\*/g, 'x')
    .replace(/\/+/g, '/');

describe('the production configuration', () => {
  let child: ChildProcess | undefined;
  let baseUrl = '';
  let routes: { found: FoundRoute[]; unreadable: string[] } = {
    found: [],
    unreadable: [],
  };
  const log: string[] = [];
  let dir = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-production-'));
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const routesFile = path.join(dir, 'routes.json');
    const override = path.join(dir, 'override.yaml');
    // JSON is YAML. Only what this machine cannot give changes: the
    // database, the cache, where files go, and this port on loopback.
    fs.writeFileSync(
      override,
      JSON.stringify({
        backend: {
          listen: { host: '127.0.0.1', port },
          database: {
            client: 'better-sqlite3',
            connection: {
              host: null,
              port: null,
              user: null,
              password: null,
              directory: path.join(dir, 'sqlite'),
            },
          },
          cache: { store: 'memory', connection: null },
        },
        integrations: {
          github: [
            {
              host: 'github.com',
              token: 'unused',
              apiBaseUrl: 'http://127.0.0.1:9/api',
            },
          ],
        },
        techdocs: {
          publisher: {
            type: 'local',
            local: { publishDirectory: path.join(dir, 'techdocs') },
          },
        },
        // KEV and EPSS are fetched from the internet in production: here
        // from a closed port, so the import fails fast and is only logged.
        secops: {
          exploitability: {
            kevUrl: 'http://127.0.0.1:9/known_exploited_vulnerabilities.json',
            epssUrl: 'http://127.0.0.1:9/epss_scores-current.csv.gz',
          },
        },
      }),
    );
    child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        path.join(ROOT, 'packages/backend/src/productionRoutes/backend.ts'),
        '--config',
        path.join(ROOT, 'app-config.yaml'),
        '--config',
        path.join(ROOT, 'app-config.production.yaml'),
        '--config',
        override,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          PORTAL_ROUTES_FILE: routesFile,
          PORTAL_DATA_DIR: dir,
          PORTAL_BASE_URL: baseUrl,
          POSTGRES_HOST: 'unused',
          POSTGRES_PORT: '5432',
          POSTGRES_USER: 'unused',
          POSTGRES_PASSWORD: 'unused',
          REDIS_URL: 'redis://127.0.0.1:9',
          GITHUB_TOKEN: 'unused',
          GITHUB_OIDC_JWKS_URL: 'http://127.0.0.1:9/jwks',
          AUTH_SESSION_SECRET: 'production-routes-test-session-secret',
          AUTH_GITHUB_CLIENT_ID: 'unused',
          AUTH_GITHUB_CLIENT_SECRET: 'unused',
          PROMETHEUS_URL: 'http://127.0.0.1:9',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let exited = false;
    const keep = (chunk: Buffer) => {
      log.push(chunk.toString());
      if (log.length > 400) log.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('exit', () => {
      exited = true;
    });
    // Started means: healthy, and the routes written after start.
    for (;;) {
      if (exited) {
        throw new Error(
          `the production backend exited; its log:\n${log
            .join('')
            .slice(-4000)}`,
        );
      }
      const ready = await fetch(`${baseUrl}/.backstage/health/v1/readiness`)
        .then(r => r.ok)
        .catch(() => false);
      if (ready && fs.existsSync(routesFile)) break;
      await new Promise(r => setTimeout(r, 500));
    }
    routes = JSON.parse(fs.readFileSync(routesFile, 'utf8'));
  }, 300_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise(r => child!.once('exit', r));
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        gone,
        new Promise(r => {
          timer = setTimeout(r, 20_000);
        }),
      ]);
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await gone;
      }
    }
    child?.stdout?.destroy();
    child?.stderr?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('enumerates the routes of every installed plugin', () => {
    const plugins = new Set(
      routes.found
        .map(r => /^\/api\/([^/]+)/.exec(r.path)?.[1])
        .filter(Boolean),
    );
    // The portal's own plugins and Backstage's main ones are all there.
    for (const id of [
      'auth',
      'catalog',
      'scaffolder',
      'techdocs',
      'permission',
      'search',
      'secops',
      'finops',
      'bi',
      'sre',
      'kubernetes',
    ]) {
      expect(plugins).toContain(id);
    }
    expect(routes.found.length).toBeGreaterThan(100);
  });

  it('answers 401 without credentials on every route but the documented allow-list, without stack traces', async () => {
    const table: string[] = [];
    const open: string[] = [];
    const stacks: string[] = [];
    const asked = new Set<string>();
    const targets = [
      ...routes.found.flatMap(r =>
        (r.methods.length ? r.methods : ['GET']).map(method => ({
          method,
          route: r.path,
        })),
      ),
      ...MUST_BE_GONE.map(route => ({ method: 'GET', route })),
    ];
    for (const { method, route } of targets) {
      const url = concrete(route);
      const key = `${method} ${url}`;
      if (asked.has(key) || method === 'OPTIONS') continue;
      asked.add(key);
      const res = await fetch(`${baseUrl}${url}`, {
        method,
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: ['GET', 'HEAD'].includes(method) ? undefined : '{}',
      });
      const body = method === 'HEAD' ? '' : await res.text();
      if (/"stack"\s*:/.test(body) || /\n\s+at .+:\d+:\d+/.test(body)) {
        stacks.push(`${key} ${res.status}`);
      }
      const allowed = ALLOWED.find(
        a =>
          a.path.test(url) &&
          (!a.method || a.method === method) &&
          (!a.statuses || a.statuses.includes(res.status)),
      );
      const gone =
        MUST_BE_GONE.includes(url) && [401, 404].includes(res.status);
      table.push(
        `${String(res.status).padEnd(4)} ${key}${
          allowed && res.status !== 401 ? `  (allowed: ${allowed.why})` : ''
        }`,
      );
      if (res.status !== 401 && !allowed && !gone) {
        open.push(`${key} -> ${res.status}`);
      }
    }
    // eslint-disable-next-line no-console
    console.log(
      `${asked.size} requests without credentials:\n${table.join('\n')}${
        routes.unreadable.length
          ? `\nrouters whose paths could not be read: ${routes.unreadable.join(
              ', ',
            )}`
          : ''
      }`,
    );
    expect(open).toEqual([]);
    expect(stacks).toEqual([]);
  }, 300_000);

  it('serves no demo surface: no demo metrics, no demo sign-in, no demo Prometheus', async () => {
    for (const p of MUST_BE_GONE) {
      const res = await fetch(`${baseUrl}${p}`);
      expect([401, 404]).toContain(res.status);
    }
    expect(routes.found.map(r => r.path)).not.toContain(
      '/api/sre/demo/metrics',
    );
    expect(fs.existsSync(path.join(dir, 'prometheus'))).toBe(false);
  });
});
