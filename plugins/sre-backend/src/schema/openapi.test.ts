/*
 * The contract: src/schema/openapi.yaml and the router agree. Every route
 * the router serves is an operation of the spec and every operation is
 * served; real responses of the plugin (started as in plugin.test.ts, with
 * an SLI source that answers, so SLOs carry values), one for each status the
 * spec documents, validate against the spec's schema for that status; and
 * the generated code (the spec as TypeScript here, the client and models in
 * @portal/plugin-sre-common) is what `yarn generate:openapi` makes of the
 * spec today.
 */
import {
  createBackendModule,
  DatabaseService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EntityAuthorization,
  MachineIdentities,
  OwnershipService,
} from '@portal/catalog-ownership';
import { sreSliSourcesExtensionPoint } from '@portal/plugin-sre-node';
import {
  describeGeneratedCode,
  expectServesSpec,
  openApiContract,
} from '@portal/test-utils/openapi';
import request from 'supertest';
import { SreStore } from '../database/SreStore';
import { srePlugin } from '../plugin';
import { createRouter, RouterOptions } from '../api/router';
import { SloDefinitions } from '../service/SloDefinitions';
import { SloEvaluator } from '../service/SloEvaluator';
import { entities } from '../testing/catalog';
import { spec } from './openapi';

/** A router with every option. */
function routerOptions(overrides: Partial<RouterOptions> = {}): RouterOptions {
  const permissions = mockServices.permissions();
  return {
    machines: MachineIdentities.fromConfig(new ConfigReader({})),
    httpAuth: mockServices.httpAuth(),
    permissions,
    authorization: new EntityAuthorization(permissions),
    auth: mockServices.auth(),
    auditor: mockServices.auditor.mock(),
    catalog: catalogServiceMock(),
    hierarchy: {} as OwnershipService,
    store: {} as SreStore,
    definitions: {} as SloDefinitions,
    evaluator: {} as SloEvaluator,
    linkTemplates: [],
    entityLabels: ['service'],
    status: () => ({ configured: false, sources: [] }),
    ...overrides,
  };
}

describe('the router and src/schema/openapi.yaml', () => {
  it('serves every operation of the spec, and only those', async () => {
    expectServesSpec(await createRouter(routerOptions()), spec);
  });

  describe('answers what the spec says', () => {
    const contract = openApiContract(spec, '/api/sre');

    /** An SLI source that always answers: 99.9 % good on every window. */
    const answeringSource = createBackendModule({
      pluginId: 'sre',
      moduleId: 'contract-source',
      register(env) {
        env.registerInit({
          deps: { sources: sreSliSourcesExtensionPoint },
          async init({ sources }) {
            sources.addSliSource({
              type: 'Prometheus',
              describe: () => ({ name: 'test', url: 'http://prometheus' }),
              ratios: async (_query, windows) =>
                Object.fromEntries(windows.map(w => [w, 0.999])),
            });
          },
        });
      },
    });

    const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
    const OWNER = mockCredentials.user.header('user:default/checkout-dev');
    /** A service token granted nothing (no sre.read). */
    const UNGRANTED = mockCredentials.service.header();
    const ALERTMANAGER = mockCredentials.service.header({
      onBehalfOf: mockCredentials.service('alertmanager'),
      targetPluginId: 'sre',
    });

    async function start() {
      const knex = await databases.init('SQLITE_3');
      const { server } = await startTestBackend({
        features: [
          srePlugin,
          answeringSource,
          catalogServiceMock.factory({ entities }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              machineIdentity: {
                grants: [{ subject: 'alertmanager', allow: ['sre.alerts'] }],
              },
              sre: {
                observability: [
                  {
                    kind: 'dashboards',
                    title: 'Grafana',
                    url: 'https://grafana.acme.example/d/svc?var-service={{name}}',
                  },
                ],
              },
            },
          }),
        ],
      });
      // DORA measures come from GitHub on a schedule: stored here instead.
      const store = await SreStore.create({
        database: { getClient: async () => knex } as DatabaseService,
        skipMigrations: true,
      });
      await store.saveDelivery({
        entityRef: 'component:default/payments-api',
        signal: 'deployments',
        periodDays: 30,
        deployments: 12,
        deploymentsPerDay: 0.4,
        leadTimeHours: 20.5,
        changeFailureRate: 1 / 12,
        timeToRestoreHours: null,
        incidents: 1,
        computedAt: '2026-11-26T09:00:00.000Z',
      });
      return server;
    }

    const firing = (fingerprint: string) => ({
      status: 'firing',
      labels: {
        alertname: 'HighErrorRate',
        severity: 'page',
        service: 'payments-api',
      },
      annotations: { summary: 'More than 5% of payments fail' },
      startsAt: '2026-11-26T09:00:00Z',
      endsAt: '2026-11-26T09:30:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=x',
      fingerprint,
    });

    it('on every route, with values', async () => {
      const server = await start();
      const get = (url: string, authorization?: string) => {
        const req = request(server).get(`/api/sre${url}`);
        return contract.send(
          authorization ? req.set('authorization', authorization) : req,
        );
      };
      const post = (url: string, authorization?: string, body?: object) => {
        let req = request(server).post(`/api/sre${url}`);
        if (authorization) req = req.set('authorization', authorization);
        return contract.send(body ? req.send(body) : req);
      };

      const run = await post('/evaluate');
      expect(run.status).toBe(200);
      expect(run.body).toMatchObject({ slos: 1, problems: 1, evaluated: 1 });
      const webhook = await post('/alertmanager', ALERTMANAGER, {
        version: '4',
        receiver: 'portal',
        alerts: [firing('a1'), { ...firing('a2'), labels: { job: 'x' } }],
      });
      expect(webhook.status).toBe(202);

      const entity = '/entities/component/default/payments-api';
      const group = '/groups/default/team-checkout';
      const slos = await get(`${entity}/slos`);
      expect(slos.body.items[0]).toMatchObject({
        status: 'ok',
        burnRates: { '1h': expect.any(Number) },
      });
      const id = slos.body.items[0].id;
      const readRoutes = [
        '/status',
        `${entity}/slos`,
        `${entity}/observability`,
        `${entity}/delivery`,
        `${entity}/alerts`,
        `/slos/${id}/history`,
        `${group}/slos`,
        `${group}/delivery`,
        `${group}/alerts`,
      ];
      for (const url of readRoutes) {
        expect((await get(url)).status).toBe(200);
        // An unknown parameter, no credentials, a machine without sre.read.
        expect((await get(`${url}?sort=x`)).status).toBe(400);
        expect((await get(url, mockCredentials.none.header())).status).toBe(
          401,
        );
        expect((await get(url, UNGRANTED)).status).toBe(403);
      }
      expect((await get(`${entity}/delivery`)).body.metrics).toMatchObject({
        deployments: 12,
      });
      expect((await get(`${entity}/alerts`)).body.totalCount).toBe(1);
      expect((await get(`${entity}/slos?limit=501`)).status).toBe(400);
      expect((await get(`${group}/alerts?status=open`)).status).toBe(400);
      for (const url of ['slos', 'observability', 'delivery', 'alerts']) {
        const ghost = await get(`/entities/component/default/ghost/${url}`);
        expect(ghost.status).toBe(404);
      }
      for (const url of ['slos', 'delivery', 'alerts']) {
        expect((await get(`/groups/default/ghosts/${url}`)).status).toBe(404);
      }
      expect((await get('/slos/nope/history')).status).toBe(400);
      expect((await get(`/slos/${'a'.repeat(64)}/history`)).status).toBe(404);

      // Many entities' SLOs at once, and what it refuses.
      const briefs = (body: object, authorization?: string) =>
        post('/slos/by-entity', authorization, body);
      const byEntity = await briefs({
        entityRefs: ['component:default/payments-api'],
      });
      expect(byEntity.status).toBe(200);
      expect(byEntity.body.items[0].slos[0]).toMatchObject({ status: 'ok' });
      expect((await briefs({ entityRefs: [] })).status).toBe(400);
      expect(
        (await briefs({ entityRefs: Array(501).fill('component:default/x') }))
          .status,
      ).toBe(400);
      expect((await briefs({ refs: ['component:default/x'] })).status).toBe(
        400,
      );
      const refs = { entityRefs: ['component:default/payments-api'] };
      expect((await briefs(refs, mockCredentials.none.header())).status).toBe(
        401,
      );
      expect((await briefs(refs, UNGRANTED)).status).toBe(403);

      const summary = await get('/me/summary', OWNER);
      expect(summary.body).toMatchObject({ totalCount: 1 });
      expect((await get('/me/summary?x=1', OWNER)).status).toBe(400);
      expect(
        (await get('/me/summary', mockCredentials.none.header())).status,
      ).toBe(401);
      expect((await get('/me/summary', UNGRANTED)).status).toBe(403);

      // Alertmanager's webhook: its refusals.
      expect((await post('/alertmanager', ALERTMANAGER, {})).status).toBe(400);
      expect(
        (await post('/alertmanager', mockCredentials.none.header(), {})).status,
      ).toBe(401);
      expect(
        (await post('/alertmanager', undefined, { alerts: [] })).status,
      ).toBe(403);
      const big = await contract.send(
        request(server)
          .post('/api/sre/alertmanager')
          .set('authorization', ALERTMANAGER)
          .set('content-type', 'application/json')
          .send(JSON.stringify({ alerts: [], x: 'x'.repeat(1_100_000) })),
      );
      expect(big.status).toBe(413);

      expect((await post('/evaluate?x=1')).status).toBe(400);
      expect(
        (await post('/evaluate', mockCredentials.none.header())).status,
      ).toBe(401);
      expect((await post('/evaluate', UNGRANTED)).status).toBe(403);
    });

    it('for every status the spec documents but 500', () => {
      contract.expectEveryStatusChecked();
    });
  });
});

describeGeneratedCode('plugins/sre-backend', 'plugins/sre-common');
