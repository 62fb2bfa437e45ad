/*
 * The contract: src/schema/openapi.yaml and the router agree. Every route
 * the router serves is an operation of the spec and every operation is
 * served; real responses of the plugin (started as in plugin.test.ts), one
 * for each status the spec documents, validate against the spec's schema
 * for that status; and the generated code (the spec as TypeScript here, the
 * client and models in @portal/plugin-bi-common) is what `yarn
 * generate:openapi` makes of the spec today.
 */
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EntityAuthorization,
  MachineIdentities,
} from '@portal/catalog-ownership';
import {
  describeGeneratedCode,
  expectServesSpec,
  openApiContract,
} from '@portal/test-utils/openapi';
import { Router } from 'express';
import request from 'supertest';
import { ProductEconomicsService } from '../metrics/economics';
import { biPlugin } from '../plugin';
import { createRouter } from '../api/router';
import { BiService } from '../service/BiService';
import { spec } from './openapi';

describe('the router and src/schema/openapi.yaml', () => {
  it('serves every operation of the spec, and only those', async () => {
    const permissions = mockServices.permissions();
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      bi: new BiService({
        auth: mockServices.auth(),
        catalog: catalogServiceMock(),
        permissions,
        authorization: new EntityAuthorization(permissions),
        economics: {} as ProductEconomicsService,
        machines: MachineIdentities.fromConfig(new ConfigReader({})),
      }),
    });
    expectServesSpec(router, spec);
  });

  describe('answers what the spec says', () => {
    const contract = openApiContract(spec, '/api/bi');
    /** Sends a GET and checks its answer against the spec. */
    const call = (
      server: Parameters<typeof request>[0],
      url: string,
      authorization?: string,
    ) => {
      const req = request(server).get(url);
      return contract.send(
        authorization ? req.set('authorization', authorization) : req,
      );
    };

    const entities: Entity[] = [
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Domain',
        metadata: { name: 'storefront', namespace: 'default' },
        relations: [{ type: 'ownedBy', targetRef: 'group:default/business' }],
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'System',
        metadata: {
          name: 'payments',
          namespace: 'default',
          links: [
            {
              url: 'https://metabase.acme.example/dashboard/31',
              title: 'Refunds',
              type: 'dashboard',
            },
          ],
        },
        relations: [
          { type: 'ownedBy', targetRef: 'group:default/team-checkout' },
          { type: 'partOf', targetRef: 'domain:default/storefront' },
        ],
      },
      {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'payments-api',
          namespace: 'default',
          links: [
            {
              url: 'https://superset.acme.example/superset/dashboard/auth/',
              title: 'Authorisations',
              type: 'dashboard',
            },
          ],
        },
        relations: [{ type: 'partOf', targetRef: 'system:default/payments' }],
      },
    ];

    /** FinOps, as far as BI reads it: storefront's cost fails. */
    const finops = createBackendPlugin({
      pluginId: 'finops',
      register(env) {
        env.registerInit({
          deps: { httpRouter: coreServices.httpRouter },
          async init({ httpRouter }) {
            const router = Router();
            router.get('/entities/:kind/:namespace/:name/cost', (req, res) => {
              if (req.params.name === 'storefront') {
                res.status(500).json({ error: { name: 'Error' } });
                return;
              }
              res.json({
                currency: 'EUR',
                monthly: [
                  { period: '2026-10', amount: 120.5 },
                  { period: '2026-11', amount: 98 },
                ],
                demo: false,
              });
            });
            httpRouter.use(router);
          },
        });
      },
    });

    async function start(result: AuthorizeResult.ALLOW | AuthorizeResult.DENY) {
      const { server } = await startTestBackend({
        features: [
          biPlugin,
          finops,
          catalogServiceMock.factory({ entities }),
          mockServices.permissions.factory({ result }),
        ],
      });
      return server;
    }

    it('on the dashboards', async () => {
      const server = await start(AuthorizeResult.ALLOW);
      const page = await call(server, '/api/bi/dashboards?limit=1');
      expect(page.status).toBe(200);
      expect(page.body.nextCursor).toBe('1');
      await call(server, `/api/bi/dashboards?search=refunds&cursor=0`);
      const status = async (query: string, authorization?: string) =>
        (await call(server, `/api/bi/dashboards${query}`, authorization))
          .status;
      expect(await status('?limit=0')).toBe(400);
      expect(await status('?page=2')).toBe(400);
      expect(await status('', mockCredentials.none.header())).toBe(401);
      expect(await status('', mockCredentials.service.header())).toBe(403);
    });

    it('on product economics', async () => {
      const server = await start(AuthorizeResult.ALLOW);
      const economics = (ref: string, authorization?: string) =>
        call(server, `/api/bi/products/${ref}/economics`, authorization);
      const payments = await economics('system/default/payments');
      expect(payments.status).toBe(200);
      expect(payments.body).toMatchObject({
        ref: 'system:default/payments',
        cost: [120.5, 98],
      });
      expect((await economics('component/default/payments-api')).status).toBe(
        400,
      );
      expect(
        (
          await economics(
            'system/default/payments',
            mockCredentials.none.header(),
          )
        ).status,
      ).toBe(401);
      expect((await economics('system/default/nowhere')).status).toBe(404);
      expect((await economics('domain/default/storefront')).status).toBe(503);
      const denied = await start(AuthorizeResult.DENY);
      expect(
        (
          await call(
            denied,
            '/api/bi/products/system/default/payments/economics',
          )
        ).status,
      ).toBe(403);
    });

    it('for every status the spec documents but 500', () => {
      contract.expectEveryStatusChecked();
    });
  });
});

describeGeneratedCode('plugins/bi-backend', 'plugins/bi-common');
