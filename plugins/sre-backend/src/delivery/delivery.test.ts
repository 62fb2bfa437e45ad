import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Octokit } from '@octokit/rest';
import { testDatabaseIds } from '@portal/test-utils';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { SreStore } from '../database/SreStore';
import { DeliveryTask } from './DeliveryTask';
import { computeDora } from './dora';
import { octokitDeliveryClient } from './github';
import deployments from './__fixtures__/deployments.json';
import statuses from './__fixtures__/deployment-statuses.json';
import pulls from './__fixtures__/pulls.json';
import issues from './__fixtures__/issues.json';
import releases from './__fixtures__/releases.json';

const NOW = new Date('2026-11-20T12:00:00Z');
const ORIGIN = 'backstage.io/managed-by-origin-location';
const PAYMENTS_ORIGIN =
  'url:https://github.com/acme-commerce/payments-api/blob/main/catalog-info.yaml';
const SINCE = new Date(NOW.getTime() - 30 * 86_400_000);

/**
 * GitHub's REST API for one repository, from the recorded bodies: pages of
 * at most five items with GitHub's Link headers, deployments filtered by
 * environment, issues by label and `since`.
 */
function fakeGithub() {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://github');
    requests.push(`${url.pathname}${url.search}`);
    const q = url.searchParams;
    const prefix = '/repos/acme-commerce/payments-api';
    let items: any[] | undefined;
    const status = /\/deployments\/(\d+)\/statuses$/.exec(url.pathname);
    if (req.headers.authorization !== 'token gh-token') {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Bad credentials' }));
      return;
    }
    if (status) items = (statuses as Record<string, any[]>)[status[1]] ?? [];
    else if (url.pathname === `${prefix}/deployments`)
      items = deployments.filter(
        d => !q.get('environment') || d.environment === q.get('environment'),
      );
    else if (url.pathname === `${prefix}/pulls`) items = pulls;
    else if (url.pathname === `${prefix}/releases`) items = releases;
    else if (url.pathname === `${prefix}/issues`)
      items = issues.filter(
        i =>
          i.labels.some(l => l.name === q.get('labels')) &&
          (!q.get('since') || i.updated_at >= q.get('since')!),
      );
    if (!items) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
    const perPage = Math.min(Number(q.get('per_page') ?? 30), 5);
    const page = Number(q.get('page') ?? 1);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
    };
    if (page * perPage < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(page + 1));
      headers.link = `<http://${req.headers.host}${next.pathname}${next.search}>; rel="next"`;
    }
    res.writeHead(200, headers);
    res.end(JSON.stringify(items.slice((page - 1) * perPage, page * perPage)));
  });
  return { server, requests };
}

describe('DORA measures', () => {
  const github = fakeGithub();
  let octokit: Octokit;

  beforeAll(async () => {
    await new Promise<void>(resolve =>
      github.server.listen(0, '127.0.0.1', resolve),
    );
    const { port } = github.server.address() as AddressInfo;
    octokit = new Octokit({
      auth: 'gh-token',
      baseUrl: `http://127.0.0.1:${port}`,
    });
  });
  afterAll(() => github.server.close());
  beforeEach(() => {
    github.requests.length = 0;
  });

  it('reads deployments, merged pull requests and incidents only as far back as the period', async () => {
    const history = await octokitDeliveryClient(octokit).history(
      { owner: 'acme-commerce', repo: 'payments-api' },
      {
        signal: 'deployments',
        environment: 'production',
        incidentLabel: 'incident',
        since: SINCE,
      },
    );
    expect(history.deploys).toHaveLength(9);
    expect(history.deploys.filter(d => d.failed)).toHaveLength(2);
    expect(history.merged).toHaveLength(9);
    // The incident-labelled pull request is not an incident.
    expect(history.incidents).toHaveLength(2);
    // Paging stopped at the period: the third page of deployments was never asked for.
    const deploymentPages = github.requests.filter(r =>
      /\/deployments\?/.test(r),
    );
    expect(deploymentPages.some(r => r.includes('page=3'))).toBe(false);
    expect(github.requests.filter(r => r.includes('/statuses'))).toHaveLength(
      9,
    );
  });

  it('computes frequency, lead time, change failure rate and time to restore', async () => {
    const history = await octokitDeliveryClient(octokit).history(
      { owner: 'acme-commerce', repo: 'payments-api' },
      {
        signal: 'deployments',
        environment: 'production',
        incidentLabel: 'incident',
        since: SINCE,
      },
    );
    expect(computeDora(history, 'deployments', 30, NOW)).toEqual({
      signal: 'deployments',
      periodDays: 30,
      deployments: 7,
      deploymentsPerDay: 7 / 30,
      leadTimeHours: 33,
      changeFailureRate: 4 / 9,
      timeToRestoreHours: 2,
      incidents: 2,
    });
  });

  it('counts published releases as deploys when the entity says so', async () => {
    const history = await octokitDeliveryClient(octokit).history(
      { owner: 'acme-commerce', repo: 'payments-api' },
      {
        signal: 'releases',
        environment: 'production',
        incidentLabel: 'incident',
        since: SINCE,
      },
    );
    const m = computeDora(history, 'releases', 30, NOW);
    expect(m).toMatchObject({
      deployments: 4,
      changeFailureRate: 0.5,
      incidents: 2,
    });
  });

  it('has no rates without deploys, rather than zeros that look good', () => {
    expect(
      computeDora(
        { deploys: [], merged: [], incidents: [] },
        'deployments',
        30,
        NOW,
      ),
    ).toMatchObject({
      deployments: 0,
      leadTimeHours: null,
      changeFailureRate: null,
      timeToRestoreHours: null,
    });
  });

  const databases = TestDatabases.create({ ids: testDatabaseIds() });
  it.each(databases.eachSupportedId())(
    'stores each entity’s measures, and keeps them with the error when GitHub fails, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await SreStore.create({
        database: mockServices.database({ knex }),
      });
      const entity = (name: string, annotations: Record<string, string>) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name, namespace: 'default', annotations },
        spec: {},
      });
      let token = 'gh-token';
      const task = new DeliveryTask({
        catalog: catalogServiceMock({
          entities: [
            entity('payments-api', {
              'github.com/project-slug': 'acme-commerce/payments-api',
              [ORIGIN]: PAYMENTS_ORIGIN,
            }),
            entity('odd', {
              'github.com/project-slug': 'acme-commerce/payments-api',
              'acme.example/dora-signal': 'vibes',
              [ORIGIN]: PAYMENTS_ORIGIN,
            }),
          ],
        }),
        auth: mockServices.auth(),
        store,
        logger: mockServices.logger.mock(),
        periodDays: 30,
        clientFor: async () =>
          octokitDeliveryClient(
            new Octokit({
              auth: token,
              baseUrl: `http://127.0.0.1:${
                (github.server.address() as AddressInfo).port
              }`,
            }),
          ),
      });
      expect(await task.run(NOW)).toEqual({ computed: 1, failed: 1 });
      const [odd, payments] = await store.delivery([
        'component:default/odd',
        'component:default/payments-api',
      ]);
      expect(payments).toMatchObject({
        deployments: 7,
        leadTimeHours: 33,
        computedAt: NOW.toISOString(),
      });
      expect(odd.lastError).toBe(
        'acme.example/dora-signal must be deployments or releases, not vibes',
      );

      token = 'expired';
      await task.run(new Date(NOW.getTime() + 3600_000));
      const [, after] = await store.delivery([
        'component:default/odd',
        'component:default/payments-api',
      ]);
      expect(after).toMatchObject({
        deployments: 7,
        computedAt: NOW.toISOString(),
        lastError: expect.stringMatching(
          /GitHub could not be read for acme-commerce\/payments-api \(401\): Bad credentials/,
        ),
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'does not read the repository a borrowed github.com/project-slug names, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await SreStore.create({
        database: mockServices.database({ knex }),
      });
      const entity = (name: string, slug: string, origin: string) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name,
          namespace: 'default',
          annotations: {
            'github.com/project-slug': slug,
            [ORIGIN]: `url:${origin}`,
          },
        },
        spec: {},
      });
      const task = new DeliveryTask({
        catalog: catalogServiceMock({
          entities: [
            entity(
              'payments-api',
              'acme-commerce/payments-api',
              'https://github.com/acme-commerce/payments-api/blob/main/catalog-info.yaml',
            ),
            // The attack: registered from the attacker's own repository,
            // naming the ledger team's repository to get its measures.
            entity(
              'ledger-copy',
              'acme-commerce/ledger',
              'https://github.com/mallory/side-project/blob/main/catalog-info.yaml',
            ),
            // Named by a central catalog file, allowed by an admin (the fake
            // GitHub has no such repository: it answers 404, but is asked).
            entity(
              'search-indexer',
              'acme-commerce/search',
              'https://github.com/acme-commerce/catalog/blob/main/all.yaml',
            ),
          ],
        }),
        auth: mockServices.auth(),
        store,
        logger: mockServices.logger.mock(),
        periodDays: 30,
        trusted: new Set(['component:default/search-indexer']),
        clientFor: async () =>
          octokitDeliveryClient(
            new Octokit({
              auth: 'gh-token',
              baseUrl: `http://127.0.0.1:${
                (github.server.address() as AddressInfo).port
              }`,
            }),
          ),
      });
      expect(await task.run(NOW)).toEqual({ computed: 1, failed: 2 });
      expect(
        github.requests.filter(r =>
          r.startsWith('/repos/acme-commerce/ledger'),
        ),
      ).toEqual([]);
      expect(
        github.requests.some(r => r.startsWith('/repos/acme-commerce/search/')),
      ).toBe(true);
      const [copy, payments] = await store.delivery([
        'component:default/ledger-copy',
        'component:default/payments-api',
      ]);
      expect(payments).toMatchObject({ deployments: 7 });
      expect(copy).toMatchObject({
        deployments: 0,
        lastError: expect.stringMatching(
          /not the repository this entity was registered from/,
        ),
      });
    },
    120_000,
  );
});
