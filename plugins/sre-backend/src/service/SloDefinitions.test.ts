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

  it.each(databases.eachSupportedId())(
    'keeps the SLOs of an entity a query misses while it still declares them, and drops them once it does not, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await SreStore.create({
        database: mockServices.database({ knex }),
      });
      const reader = {
        async readUrl() {
          return { buffer: async () => Buffer.from(SLO('availability')) };
        },
      } as unknown as UrlReaderService;
      const payments = component('payments-api', './openslo.yaml');
      const cart = component('cart-service', './openslo.yaml');
      let catalog = catalogServiceMock({ entities: [payments, cart] });
      const definitions = new SloDefinitions(
        {
          queryEntities: (...args: any[]) =>
            (catalog.queryEntities as any)(...args),
          getEntitiesByRefs: (...args: any[]) =>
            (catalog.getEntitiesByRefs as any)(...args),
        } as any,
        mockServices.auth(),
        reader,
        store,
        mockServices.logger.mock(),
      );
      const refs = async () =>
        [...new Set((await store.definitions()).map(d => d.entityRef))].sort();
      expect(await definitions.sync()).toEqual({ slos: 2, problems: 0 });

      // The filtered query misses cart-service (the catalog is processing
      // it); it is still there, with its annotation: its SLOs stay.
      const full = catalog;
      catalog = {
        ...full,
        queryEntities: async (request: any, options: any) => {
          const page = await full.queryEntities(request, options);
          return {
            ...page,
            items: page.items.filter(e => e.metadata.name !== 'cart-service'),
          };
        },
        getEntitiesByRefs: full.getEntitiesByRefs.bind(full),
      } as any;
      expect(await definitions.sync()).toEqual({ slos: 2, problems: 0 });
      expect(await refs()).toEqual([
        'component:default/cart-service',
        'component:default/payments-api',
      ]);

      // No longer declaring SLOs (or gone), it loses them.
      const withoutSlos: Entity = {
        ...cart,
        metadata: {
          ...cart.metadata,
          annotations: {
            'backstage.io/managed-by-location': `url:${CATALOG_FILE}`,
          },
        },
      };
      catalog = catalogServiceMock({ entities: [payments, withoutSlos] });
      expect(await definitions.sync()).toEqual({ slos: 1, problems: 0 });
      expect(await refs()).toEqual(['component:default/payments-api']);
    },
    120_000,
  );
});
