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
import Ajv from 'ajv';
import { Router } from 'express';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ProductEconomicsService } from '../metrics/economics';
import { biPlugin } from '../plugin';
import { createRouter } from '../router';
import { spec } from './openapi';

type Spec = {
  paths: Record<
    string,
    Record<
      string,
      {
        operationId: string;
        responses: Record<
          string,
          { content?: Record<string, { schema: object }> }
        >;
      }
    >
  >;
  components: object;
};
const doc = spec as unknown as Spec;
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** The spec's operations, as express routes: `GET /products/:kind/...`. */
function specRoutes(): string[] {
  return Object.entries(doc.paths).flatMap(([route, item]) =>
    METHODS.filter(method => item[method]).map(
      method => `${method.toUpperCase()} ${route.replace(/\{(\w+)\}/g, ':$1')}`,
    ),
  );
}

/** The route the validated router adds itself: the spec, as JSON. */
const SPEC_ROUTE = 'GET /openapi.json';

describe('the router and src/schema/openapi.yaml', () => {
  it('serves every operation of the spec, and only those', async () => {
    const permissions = mockServices.permissions();
    const router = await createRouter({
      httpAuth: mockServices.httpAuth(),
      auth: mockServices.auth(),
      catalog: catalogServiceMock(),
      permissions,
      authorization: new EntityAuthorization(permissions),
      economics: {} as ProductEconomicsService,
      machines: MachineIdentities.fromConfig(new ConfigReader({})),
    });
    const served = (router.stack as any[])
      .filter(layer => layer.route)
      .flatMap(layer =>
        Object.keys(layer.route.methods)
          .filter(method => method !== '_all')
          .map(method => `${method.toUpperCase()} ${layer.route.path}`),
      );
    expect(served).toContain(SPEC_ROUTE);
    expect(served.filter(route => route !== SPEC_ROUTE).sort()).toEqual(
      specRoutes().sort(),
    );
  });

  describe('answers what the spec says', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    /** `${operationId} ${status}` of each response checked. */
    const checked = new Set<string>();

    function operationOf(method: string, url: string) {
      const pathname = new URL(url, 'http://x').pathname.replace(
        /^\/api\/bi/,
        '',
      );
      for (const [route, item] of Object.entries(doc.paths)) {
        const pattern = new RegExp(`^${route.replace(/\{\w+\}/g, '[^/]+')}$`);
        const operation = item[method.toLowerCase()];
        if (pattern.test(pathname) && operation) return operation;
      }
      throw new Error(`${method} ${pathname} is not in the spec`);
    }

    /** Sends a request and checks its answer against the spec. */
    async function call(
      server: Parameters<typeof request>[0],
      url: string,
      authorization?: string,
    ) {
      let req = request(server).get(url);
      if (authorization) req = req.set('authorization', authorization);
      const res = await req;
      const operation = operationOf('GET', url);
      const response = operation.responses[String(res.status)];
      if (!response) {
        throw new Error(
          `${operation.operationId} answered ${
            res.status
          }, which the spec does not document: ${JSON.stringify(res.body)}`,
        );
      }
      const schema = response.content?.['application/json']?.schema;
      if (schema) {
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const validate = ajv.compile({
          ...schema,
          components: doc.components,
        });
        if (!validate(res.body)) {
          throw new Error(
            `${operation.operationId} ${
              res.status
            } does not match the spec: ${ajv.errorsText(
              validate.errors,
            )}\n${JSON.stringify(res.body, null, 2)}`,
          );
        }
      }
      checked.add(`${operation.operationId} ${res.status}`);
      return res;
    }

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
      const documented = Object.values(doc.paths).flatMap(item =>
        METHODS.filter(method => item[method]).flatMap(method =>
          Object.keys(item[method].responses)
            .filter(status => status !== '500')
            .map(status => `${item[method].operationId} ${status}`),
        ),
      );
      expect([...checked].sort()).toEqual(documented.sort());
    });
  });
});

describe('the generated code', () => {
  const root = path.resolve(__dirname, '../../../..');
  const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
  const sha256 = (text: string) =>
    crypto.createHash('sha256').update(text).digest('hex');
  const files = [
    'plugins/bi-backend/src/schema/openapi/generated',
    'plugins/bi-common/src/schema/openapi/generated',
  ].flatMap(dir =>
    (
      fs.readdirSync(path.join(root, dir), {
        recursive: true,
      }) as string[]
    )
      .filter(file => file.endsWith('.ts'))
      .map(file => path.join(dir, file)),
  );

  it.each(files)(
    '%s is what `yarn generate:openapi` makes of the spec today',
    file => {
      const text = read(file);
      const expected = `openapi.yaml sha256 ${sha256(
        read('plugins/bi-backend/src/schema/openapi.yaml'),
      )}, generator sha256 ${sha256(read('scripts/generate-openapi.mjs'))}`;
      const content = /^\/\/ content sha256 (\w+)\n\n/m.exec(text);
      expect(text).toContain(`// ${expected}\n`);
      expect(content).not.toBeNull();
      expect(sha256(text.slice(content!.index + content![0].length))).toBe(
        content![1],
      );
    },
  );
});
