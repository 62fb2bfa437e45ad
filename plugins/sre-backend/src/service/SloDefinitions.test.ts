import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { UrlReaderService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { testDatabaseIds } from '@portal/test-utils';
import { SreStore } from '../database/SreStore';
import { SloDefinitions } from './SloDefinitions';

const SLO = (name: string) => `apiVersion: openslo/v1
kind: SLO
metadata: { name: ${name} }
spec:
  timeWindow: [{ duration: 28d, isRolling: true }]
  indicator:
    spec:
      ratioMetric:
        good: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(ok[{{window}}]))' } } }
        total: { metricSource: { type: Prometheus, spec: { query: 'sum(rate(all[{{window}}]))' } } }
  objectives: [{ target: 0.995 }]
`;

const CATALOG_FILE =
  'https://github.com/acme-commerce/payments-api/blob/main/catalog-info.yaml';

const component = (name: string, openslo: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'acme.example/openslo': openslo,
      'backstage.io/managed-by-location': `url:${CATALOG_FILE}`,
      'backstage.io/managed-by-origin-location': `url:${CATALOG_FILE}`,
    },
  },
  spec: {},
});

describe('SloDefinitions', () => {
  const databases = TestDatabases.create({ ids: testDatabaseIds() });

  it.each(databases.eachSupportedId())(
    'reads SLO files by URL only next to the catalog file, never from another repository, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await SreStore.create({
        database: mockServices.database({ knex }),
      });
      const read: string[] = [];
      const reader = {
        async readUrl(url: string) {
          read.push(url);
          return { buffer: async () => Buffer.from(SLO('availability')) };
        },
      } as unknown as UrlReaderService;
      const definitions = new SloDefinitions(
        catalogServiceMock({
          entities: [
            component('payments-api', './openslo.yaml'),
            // The attack: another team's SLO file (and, through the
            // integration's token, another repository) by absolute URL or by
            // climbing out of the entity's folder.
            component(
              'absolute',
              'https://github.com/acme-commerce/ledger/blob/main/openslo.yaml',
            ),
            component('climbing', '../../../../ledger/blob/main/openslo.yaml'),
            component('other-host', '//evil.example/openslo.yaml'),
          ],
        }),
        mockServices.auth(),
        reader,
        store,
        mockServices.logger.mock(),
      );
      expect(await definitions.sync()).toEqual({ slos: 1, problems: 3 });
      expect(read).toEqual([
        'https://github.com/acme-commerce/payments-api/blob/main/openslo.yaml',
      ]);
      expect(
        definitions
          .currentProblems()
          .map(p => [p.entityRef, p.message.replace(/".*"/, '"…"')]),
      ).toEqual(
        expect.arrayContaining(
          ['absolute', 'climbing', 'other-host'].map(name => [
            `component:default/${name}`,
            `acme.example/openslo "…" points outside the entity's folder`,
          ]),
        ),
      );
      expect((await store.definitions()).map(d => d.entityRef)).toEqual([
        'component:default/payments-api',
      ]);
    },
    120_000,
  );
});
