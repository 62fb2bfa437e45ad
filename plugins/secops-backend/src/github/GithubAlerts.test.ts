import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createSecopsStores } from '../database/createSecopsStores';
import { testDatabaseIds } from '@portal/test-utils';
import { Octokit } from '@octokit/rest';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  AlertsClient,
  octokitAlertsClient,
  pullAlerts,
} from './GithubAlertsSource';
import { pullAllGithubAlerts } from './GithubAlertsTask';
import codeScanningAlerts from './__fixtures__/code-scanning-alerts.json';
import dependabotAlerts from './__fixtures__/dependabot-alerts.json';

/** A client that answers with recorded alerts, or with an HTTP error. */
function recordedClient(answers: {
  codeScanning: unknown[] | number;
  dependabot: unknown[] | number;
}): AlertsClient {
  const answer = (value: unknown[] | number) => async () => {
    if (typeof value === 'number') {
      throw Object.assign(new Error(`HTTP ${value}`), { status: value });
    }
    return value as any[];
  };
  return {
    listCodeScanningAlerts: answer(answers.codeScanning),
    listDependabotAlerts: answer(answers.dependabot),
  };
}

describe('GitHub alerts', () => {
  const logger = mockServices.logger.mock();

  it('reads code-scanning and Dependabot alerts as findings', async () => {
    const alerts = await pullAlerts(
      recordedClient({
        codeScanning: codeScanningAlerts,
        dependabot: dependabotAlerts,
      }),
      'acme-commerce/payments-api',
      logger,
    );
    expect(alerts.codeScanning).toEqual([
      expect.objectContaining({
        fingerprint: 'github-code-scanning/42',
        category: 'sast',
        severity: 'critical',
        ruleId: 'java/sql-injection',
        locationPath: 'src/main/java/com/acme/payments/RefundRepository.java',
        locationLine: 88,
        helpUrl:
          'https://github.com/acme-commerce/payments-api/security/code-scanning/42',
      }),
      expect.objectContaining({
        fingerprint: 'github-code-scanning/43',
        severity: 'medium',
      }),
    ]);
    expect(alerts.dependabot).toEqual([
      expect.objectContaining({
        category: 'sca',
        severity: 'critical',
        ruleId: 'CVE-2021-44228',
        aliases: ['GHSA-jfh8-c2jp-5v3q', 'CVE-2021-44228'],
        packageName: 'org.apache.logging.log4j:log4j-core',
        fixedVersion: '2.15.0',
        cvssScore: 10,
      }),
    ]);
  });

  it('skips a source the repository does not have, and fails on others', async () => {
    const alerts = await pullAlerts(
      recordedClient({ codeScanning: 404, dependabot: dependabotAlerts }),
      'acme-commerce/payments-api',
      logger,
    );
    expect(alerts.codeScanning).toBeUndefined();
    expect(alerts.dependabot).toHaveLength(1);
    await expect(
      pullAlerts(
        recordedClient({ codeScanning: 500, dependabot: [] }),
        'acme-commerce/payments-api',
        logger,
      ),
    ).rejects.toThrow('HTTP 500');
  });

  const databases = TestDatabases.create({ ids: testDatabaseIds() });

  it.each(databases.eachSupportedId())(
    'stores the alerts of every annotated entity on %p',
    async id => {
      const knex = await databases.init(id);
      const { findings: store } = await createSecopsStores({
        database: mockServices.database({ knex }),
      });
      const catalog = catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'payments-api',
              annotations: {
                'github.com/project-slug': 'acme-commerce/payments-api',
                'backstage.io/managed-by-origin-location':
                  'url:https://github.com/acme-commerce/payments-api/blob/main/catalog-info.yaml',
              },
            },
            spec: {},
          },
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'not-on-github' },
            spec: {},
          },
        ],
      });
      const asked: string[] = [];
      const run = () =>
        pullAllGithubAlerts({
          catalog,
          auth: mockServices.auth(),
          store,
          logger,
          clientFor: async slug => {
            asked.push(slug);
            return recordedClient({
              codeScanning: codeScanningAlerts,
              dependabot: dependabotAlerts,
            });
          },
        });
      await run();
      await run();
      expect(asked).toEqual([
        'acme-commerce/payments-api',
        'acme-commerce/payments-api',
      ]);
      const page = await store.listFindings({
        entityRef: 'component:default/payments-api',
        limit: 10,
      });
      expect(page.totalCount).toBe(3);
      expect(page.items.map(f => f.tool).sort()).toEqual([
        'github-code-scanning',
        'github-code-scanning',
        'github-dependabot',
      ]);
    },
  );

  /** GitHub's alert endpoints for any repository, recording every request. */
  function fakeGithub() {
    const requests: string[] = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://github');
      requests.push(url.pathname);
      let body: unknown[] | undefined;
      if (/^\/repos\/[^/]+\/[^/]+\/code-scanning\/alerts$/.test(url.pathname))
        body = codeScanningAlerts;
      if (/^\/repos\/[^/]+\/[^/]+\/dependabot\/alerts$/.test(url.pathname))
        body = dependabotAlerts;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { message: 'Not Found' }));
    });
    return { server, requests };
  }

  it.each(databases.eachSupportedId())(
    'does not read the repository a borrowed github.com/project-slug names, on %p',
    async id => {
      const knex = await databases.init(id);
      const { findings: store } = await createSecopsStores({
        database: mockServices.database({ knex }),
      });
      const component = (name: string, slug: string, origin: string) => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name,
          namespace: 'default',
          annotations: {
            'github.com/project-slug': slug,
            'backstage.io/managed-by-origin-location': `url:${origin}`,
          },
        },
        spec: {},
      });
      const catalog = catalogServiceMock({
        entities: [
          // Registered from its own repository: read.
          component(
            'payments-api',
            'acme-commerce/payments-api',
            'https://github.com/acme-commerce/payments-api/blob/main/catalog-info.yaml',
          ),
          // The attack: registered from the attacker's repository, naming
          // the ledger team's repository to see its alerts.
          component(
            'ledger-copy',
            'acme-commerce/ledger',
            'https://github.com/mallory/side-project/blob/main/catalog-info.yaml',
          ),
          // Registered from a central catalog file, allowed by an admin.
          component(
            'search-indexer',
            'acme-commerce/search',
            'https://github.com/acme-commerce/catalog/blob/main/all.yaml',
          ),
        ],
      });
      const github = fakeGithub();
      await new Promise<void>(resolve =>
        github.server.listen(0, '127.0.0.1', resolve),
      );
      try {
        const { port } = github.server.address() as AddressInfo;
        await pullAllGithubAlerts({
          catalog,
          auth: mockServices.auth(),
          store,
          logger,
          trusted: new Set(['component:default/search-indexer']),
          clientFor: async () =>
            octokitAlertsClient(
              new Octokit({ baseUrl: `http://127.0.0.1:${port}` }),
            ),
        });
      } finally {
        github.server.close();
      }
      expect(github.requests.filter(r => r.includes('/ledger/'))).toEqual([]);
      expect([...new Set(github.requests)].sort()).toEqual([
        '/repos/acme-commerce/payments-api/code-scanning/alerts',
        '/repos/acme-commerce/payments-api/dependabot/alerts',
        '/repos/acme-commerce/search/code-scanning/alerts',
        '/repos/acme-commerce/search/dependabot/alerts',
      ]);
      const findings = async (name: string) =>
        (
          await store.listFindings({
            entityRef: `component:default/${name}`,
            limit: 10,
          })
        ).totalCount;
      expect(await findings('ledger-copy')).toBe(0);
      expect(await findings('payments-api')).toBe(3);
      expect(await findings('search-indexer')).toBe(3);
    },
    120_000,
  );
});
