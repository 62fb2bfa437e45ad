import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { DatabaseSecopsStore } from '../database/DatabaseSecopsStore';
import { testDatabaseIds } from '@portal/test-utils';
import { AlertsClient, pullAlerts } from './GithubAlertsSource';
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
      const store = await DatabaseSecopsStore.create({
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
});
