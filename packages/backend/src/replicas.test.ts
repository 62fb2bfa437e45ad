/*
 * Two backend replicas on one PostgreSQL and one Redis, as deploy/ runs
 * them: two processes (src/replicas/replica.ts) with the production
 * configuration on the PostgreSQL and the Redis that `./portal test`
 * starts. Shown here:
 *   - a scheduled task (global scope) runs once per period across both,
 *     never on both at once, and the survivor takes it over;
 *   - a token issued by one replica is accepted by the other;
 *   - a report uploaded to one is read on the other;
 *   - a replica killed in the middle of an ingest leaves no partial data;
 *   - the survivor goes on serving.
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { freePort } from './__testUtils__/freePort';

const ROOT = path.resolve(__dirname, '../../..');
const required = process.env.PORTAL_TEST_POSTGRES;
const postgresUrl =
  required &&
  process.env[
    `BACKSTAGE_TEST_DATABASE_${required.replace('_', '')}_CONNECTION_STRING`
  ];
const redisUrl = process.env.PORTAL_TEST_REDIS_URL;

const SCANNER_TOKEN = 'replica-test-scanner-token';
const DEADLINE_MS = Number(process.env.PORTAL_REPLICA_DEADLINE_MS ?? 240_000);

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  deadlineMs = DEADLINE_MS,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what} did not happen in time (${last ?? 'no answer'})`,
      );
    }
    await new Promise(r => setTimeout(r, 500));
  }
}

type Replica = {
  id: string;
  url: string;
  process: ChildProcess;
  log: string[];
  exited: boolean;
};

describe('two replicas on one PostgreSQL and one Redis', () => {
  const prefix = `replicas_${process.pid}_${Date.now()}_`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-replicas-'));
  const replicas: Replica[] = [];
  let probeDb: Knex;

  async function startReplica(id: string): Promise<Replica> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const config = path.join(dir, `${id}.yaml`);
    fs.writeFileSync(
      config,
      JSON.stringify({
        app: { baseUrl: 'http://localhost:3000' },
        backend: {
          baseUrl: url,
          listen: { host: '127.0.0.1', port },
          database: { prefix },
          auth: {
            externalAccess: [
              {
                type: 'static',
                options: { token: SCANNER_TOKEN, subject: 'replica-scanner' },
                accessRestrictions: [{ plugin: 'secops' }],
              },
            ],
          },
        },
        // Real GitHub sign-in cannot run here: the demo provider signs in
        // a catalog user the same way (it refuses NODE_ENV=production).
        auth: { providers: { demo: {} } },
        machineIdentity: {
          grants: [{ subject: 'replica-scanner', allow: ['secops.upload'] }],
        },
        // KEV and EPSS from a closed port instead of the internet: the
        // import fails fast and is only logged.
        secops: {
          exploitability: {
            kevUrl: 'http://127.0.0.1:9/known_exploited_vulnerabilities.json',
            epssUrl: 'http://127.0.0.1:9/epss_scores-current.csv.gz',
          },
        },
        catalog: {
          locations: [
            {
              type: 'file',
              target: path.join(ROOT, 'catalog/all.yaml'),
              rules: [
                {
                  allow: [
                    'Component',
                    'System',
                    'API',
                    'Resource',
                    'Location',
                    'Group',
                    'User',
                    'Domain',
                  ],
                },
              ],
            },
          ],
        },
      }),
    );
    const {
      hostname,
      port: pgPort,
      username,
      password,
    } = new URL(postgresUrl!);
    const child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli-node/config/nodeTransform.cjs'),
        path.join(ROOT, 'packages/backend/src/replicas/replica.ts'),
        '--config',
        path.join(ROOT, 'app-config.yaml'),
        '--config',
        path.join(ROOT, 'app-config.production.yaml'),
        '--config',
        config,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          NODE_ENV: 'development',
          REPLICA_ID: id,
          PORTAL_BASE_URL: url,
          POSTGRES_HOST: hostname,
          POSTGRES_PORT: pgPort,
          POSTGRES_USER: decodeURIComponent(username),
          POSTGRES_PASSWORD: decodeURIComponent(password),
          REDIS_URL: redisUrl,
          GITHUB_TOKEN: 'unused',
          AUTH_SESSION_SECRET: 'replica-test-session-secret',
          AUTH_GITHUB_CLIENT_ID: 'unused',
          AUTH_GITHUB_CLIENT_SECRET: 'unused',
          // The demo organisation's teams hold the portal's roles, named as
          // production names them (no role group by default): grace-liu,
          // who reads every entity here, is in team-platform, the admins.
          PORTAL_ADMIN_TEAM: 'team-platform',
          PORTAL_SECURITY_TEAM: 'security',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const replica: Replica = {
      id,
      url,
      process: child,
      log: [],
      exited: false,
    };
    const keep = (chunk: Buffer) => {
      const text = chunk
        .toString()
        .split('\n')
        .filter(line => !line.includes('incomingRequest'))
        .join('\n');
      if (!text.trim()) return;
      replica.log.push(text);
      if (replica.log.length > 400) replica.log.shift();
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('exit', () => {
      replica.exited = true;
    });
    replicas.push(replica);
    try {
      await until(`replica ${id} answering`, async () => {
        if (replica.exited) throw new Error(`replica ${id} exited`);
        const res = await fetch(`${url}/.backstage/health/v1/readiness`);
        return res.ok ? true : undefined;
      });
    } catch (error) {
      throw new Error(
        `${(error as Error).message}; its log:\n${replica.log
          .join('')
          .slice(-3000)}`,
      );
    }
    return replica;
  }

  async function signIn(replica: Replica, user: string) {
    return until(`sign-in of ${user} on ${replica.id}`, async () => {
      const res = await fetch(`${replica.url}/api/auth/demo/refresh`, {
        headers: { 'x-requested-with': 'XMLHttpRequest', 'x-demo-user': user },
      });
      if (!res.ok) return undefined;
      const body = await res.json();
      return body.backstageIdentity.token as string;
    });
  }

  const summary = async (replica: Replica, token: string, name: string) => {
    const res = await fetch(
      `${replica.url}/api/secops/entities/component/default/${name}/summary`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(res.status).toBe(200);
    return res.json();
  };

  const upload = (replica: Replica, entity: string, body: Buffer) =>
    fetch(
      `${replica.url}/api/secops/reports?entityRef=component:default/${entity}&tool=trivy`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${SCANNER_TOKEN}`,
          'content-type': 'application/octet-stream',
        },
        body,
      },
    );

  beforeAll(async () => {
    if (!postgresUrl || !redisUrl) {
      throw new Error(
        'The replica test needs the PostgreSQL and Redis that ./portal test starts (PORTAL_TEST_POSTGRES, PORTAL_TEST_REDIS_URL)',
      );
    }
    // One after the other, as a rolling deployment starts them: two
    // backends migrating one fresh database at the same instant make the
    // second fail on the catalog's migration lock (Kubernetes restarts it;
    // see docs/pages/production.md).
    await startReplica('a');
    await startReplica('b');
    const { hostname, port, username, password } = new URL(postgresUrl);
    probeDb = knexFactory({
      client: 'pg',
      connection: {
        host: hostname,
        port: Number(port),
        user: decodeURIComponent(username),
        password: decodeURIComponent(password),
        database: `${prefix}probe`,
      },
    });
  }, DEADLINE_MS * 2);

  afterAll(async () => {
    for (const replica of replicas) {
      if (!replica.exited) replica.process.kill('SIGKILL');
    }
    await probeDb?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const runs = async () =>
    (await probeDb('probe_runs').select().orderBy('started_ms', 'asc')).map(
      r => ({
        replica: r.replica as string,
        started: Number(r.started_ms),
        ended: Number(r.ended_ms),
      }),
    );

  it(
    'runs a scheduled task once per period across both, never on both at once',
    async () => {
      const seen = await until('ten runs of the probe task', async () => {
        const all = await runs();
        return all.length >= 10 ? all : undefined;
      });
      for (let i = 1; i < seen.length; i++) {
        // Each run starts after the one before it ended: one runner at a time.
        expect(seen[i].started).toBeGreaterThanOrEqual(seen[i - 1].ended);
      }
      // At most one run per period (a second), whichever replica ran it.
      const span = seen[seen.length - 1].started - seen[0].started;
      expect(seen.length - 1).toBeLessThanOrEqual(Math.ceil(span / 1000) + 1);
    },
    DEADLINE_MS,
  );

  it(
    'accepts on one replica a token issued by the other, and reads there what was uploaded to the first',
    async () => {
      const [a, b] = replicas;
      const token = await signIn(a, 'grace-liu');
      // The catalog (shared) knows payments-api once either replica has
      // processed the demo organisation.
      await until('payments-api in the catalog', async () => {
        const res = await fetch(
          `${b.url}/api/catalog/entities/by-name/component/default/payments-api`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        return res.ok ? true : undefined;
      });
      const report = fs.readFileSync(
        path.join(ROOT, 'fixtures/trivy/trivy-alpine-310-image.json'),
      );
      const uploaded = await upload(a, 'payments-api', report);
      expect(uploaded.status).toBe(201);
      const created = (await uploaded.json()).created;
      expect(created).toBeGreaterThan(0);
      const onB = await summary(b, token, 'payments-api');
      const open = Object.values(onB.open as Record<string, number>);
      expect(open.reduce((n, v) => n + v, 0)).toBe(created);
    },
    DEADLINE_MS,
  );

  it(
    'leaves no partial data when a replica dies in the middle of an ingest, and the survivor goes on',
    async () => {
      const [a, b] = replicas;
      const token = await signIn(b, 'grace-liu');
      await until('cart-service in the catalog', async () => {
        const res = await fetch(
          `${b.url}/api/catalog/entities/by-name/component/default/cart-service`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        return res.ok ? true : undefined;
      });
      // A large report: many findings, so that A is still parsing or
      // storing when it is killed.
      const big = {
        SchemaVersion: 2,
        ArtifactName: 'cart-service',
        ArtifactType: 'container_image',
        Results: [
          {
            Target: 'cart-service (debian 12)',
            Class: 'os-pkgs',
            Type: 'debian',
            Vulnerabilities: Array.from({ length: 20_000 }, (_, i) => ({
              VulnerabilityID: `CVE-2026-${10000 + i}`,
              PkgName: `pkg-${i}`,
              InstalledVersion: '1.0.0',
              FixedVersion: '1.0.1',
              Severity: 'HIGH',
              Title: `Problem ${i}`,
            })),
          },
        ],
      };
      const body = Buffer.from(JSON.stringify(big));
      const pending = upload(a, 'cart-service', body).catch(() => undefined);
      // Kill A as soon as it has the whole body (it answers only after the
      // ingest's transaction commits).
      await new Promise(r => setTimeout(r, 150));
      a.process.kill('SIGKILL');
      const answer = await pending;
      await until('replica a gone', async () => (a.exited ? true : undefined));

      // Either the whole report was stored (A finished first) or nothing.
      const onB = await summary(b, token, 'cart-service');
      const stored = Object.values(onB.open as Record<string, number>).reduce(
        (n, v) => n + v,
        0,
      );
      expect([0, 20_000]).toContain(stored);
      expect(answer === undefined || answer.status === 201).toBe(true);

      // B goes on: it takes the upload, and the scheduled task.
      const again = await upload(b, 'cart-service', body);
      expect(again.status).toBe(201);
      const after = await summary(b, token, 'cart-service');
      expect(after.open.high).toBe(20_000);
      const killedAt = Date.now();
      await until('the probe task running on b after a died', async () => {
        const all = await runs();
        return all.some(r => r.replica === 'b' && r.started > killedAt)
          ? true
          : undefined;
      });
    },
    DEADLINE_MS,
  );
});
