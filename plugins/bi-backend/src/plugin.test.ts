import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import request from 'supertest';
import { DashboardCache } from './entries';
import { biPlugin } from './plugin';

function entity(
  kind: string,
  name: string,
  links: Array<{ url: string; title: string; type?: string }>,
  relations: Array<{ type: string; targetRef: string }> = [],
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', links },
    spec: {},
    relations,
  };
}

const entities: Entity[] = [
  entity(
    'Domain',
    'storefront',
    [
      {
        url: 'https://tableau.acme.example/#/views/Sales',
        title: 'Sales',
        type: 'dashboard',
      },
    ],
    [{ type: 'ownedBy', targetRef: 'group:default/business' }],
  ),
  entity(
    'System',
    'payments',
    [
      {
        url: 'https://metabase.acme.example/dashboard/31',
        title: 'Refunds',
        type: 'dashboard',
      },
      { url: 'https://runbooks.acme.example/payments', title: 'Runbook' },
    ],
    [
      { type: 'ownedBy', targetRef: 'group:default/team-checkout' },
      { type: 'partOf', targetRef: 'domain:default/storefront' },
    ],
  ),
  entity(
    'Component',
    'payments-api',
    [
      {
        url: 'https://superset.acme.example/superset/dashboard/auth/',
        title: 'Authorisations',
        type: 'dashboard',
      },
    ],
    [
      { type: 'ownedBy', targetRef: 'group:default/team-checkout' },
      { type: 'partOf', targetRef: 'system:default/payments' },
    ],
  ),
  entity('Component', 'no-dashboards', [
    { url: 'https://grafana.acme.example/d/x', title: 'Ops' },
  ]),
];

async function start(
  permission:
    | AuthorizeResult.ALLOW
    | AuthorizeResult.DENY = AuthorizeResult.ALLOW,
) {
  const { server } = await startTestBackend({
    features: [
      biPlugin,
      catalogServiceMock.factory({ entities }),
      mockServices.permissions.factory({ result: permission }),
      mockServices.rootConfig.factory({
        data: {
          machineIdentity: {
            grants: [{ subject: 'reporting', allow: ['bi.read'] }],
          },
        },
      }),
    ],
  });
  return server;
}

describe('bi backend', () => {
  it('lists the dashboards with entity, owner, system and domain, by domain', async () => {
    const server = await start();
    const res = await request(server).get('/api/bi/dashboards');
    expect(res.status).toBe(200);
    expect(res.body.totalCount).toBe(3);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        title: 'Sales',
        tool: 'Tableau',
        entityRef: 'domain:default/storefront',
        ownerRef: 'group:default/business',
        domainRef: 'domain:default/storefront',
      }),
      expect.objectContaining({
        title: 'Refunds',
        tool: 'Metabase',
        entityRef: 'system:default/payments',
        systemRef: 'system:default/payments',
        domainRef: 'domain:default/storefront',
      }),
      {
        title: 'Authorisations',
        url: 'https://superset.acme.example/superset/dashboard/auth/',
        tool: 'Superset',
        entityRef: 'component:default/payments-api',
        entityTitle: 'payments-api',
        kind: 'component',
        ownerRef: 'group:default/team-checkout',
        systemRef: 'system:default/payments',
        domainRef: 'domain:default/storefront',
      },
    ]);
  });

  it('searches every word and pages on the server', async () => {
    const server = await start();
    const found = await request(server)
      .get('/api/bi/dashboards')
      .query({ search: 'metabase checkout' });
    expect(found.body.items.map((i: any) => i.title)).toEqual(['Refunds']);
    const first = await request(server)
      .get('/api/bi/dashboards')
      .query({ limit: 2 });
    expect(first.body.items).toHaveLength(2);
    const second = await request(server)
      .get('/api/bi/dashboards')
      .query({ limit: 2, cursor: first.body.nextCursor });
    expect(second.body.items.map((i: any) => i.title)).toEqual([
      'Authorisations',
    ]);
    expect(second.body.nextCursor).toBeUndefined();
    const bad = await request(server)
      .get('/api/bi/dashboards')
      .query({ limit: 5000 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/limit/);
  });

  describe('a large catalog is not walked on every call', () => {
    const principalOf = (options: unknown) =>
      (options as { credentials: { principal: unknown } }).credentials
        .principal;

    /** A backend whose catalog counts its reads, with a catalog policy. */
    async function startCounting(
      catalogRead: 'allow' | 'deny' | 'conditional',
    ) {
      const catalog = catalogServiceMock({ entities });
      const reads = jest.spyOn(catalog, 'queryEntities');
      const { server } = await startTestBackend({
        features: [
          biPlugin,
          createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () => catalog,
          }),
          mockServices.permissions.mock({
            authorize: async requests =>
              requests.map(() => ({ result: AuthorizeResult.ALLOW })),
            authorizeConditional: async requests =>
              requests.map(() =>
                catalogRead === 'conditional'
                  ? {
                      result: AuthorizeResult.CONDITIONAL,
                      pluginId: 'catalog',
                      resourceType: 'catalog-entity',
                      conditions: {
                        rule: 'IS_ENTITY_OWNER',
                        resourceType: 'catalog-entity',
                        params: { claims: ['group:default/team-checkout'] },
                      },
                    }
                  : {
                      result:
                        catalogRead === 'allow'
                          ? AuthorizeResult.ALLOW
                          : AuthorizeResult.DENY,
                    },
              ),
          }).factory,
        ],
      });
      return { server, reads };
    }

    it('reads the dashboards once for everyone allowed the whole catalog', async () => {
      const { server, reads } = await startCounting('allow');
      for (const user of ['user:default/ana', 'user:default/ben']) {
        const res = await request(server)
          .get('/api/bi/dashboards')
          .set('authorization', mockCredentials.user.header(user));
        expect(res.status).toBe(200);
        expect(res.body.totalCount).toBe(3);
      }
      // One page of entities (and the systems' domains by ref), once.
      expect(reads).toHaveBeenCalledTimes(1);
      // With the backend's own credentials, not a person's.
      expect(principalOf(reads.mock.calls[0][1])).toMatchObject({
        type: 'service',
      });
    });

    it("walks the catalog with the caller's own credentials when the policy allows only part of it", async () => {
      const { server, reads } = await startCounting('conditional');
      const user = mockCredentials.user.header('user:default/ana');
      for (let i = 0; i < 2; i++) {
        const res = await request(server)
          .get('/api/bi/dashboards')
          .set('authorization', user);
        expect(res.status).toBe(200);
      }
      expect(reads).toHaveBeenCalledTimes(2);
      for (const [, options] of reads.mock.calls) {
        expect(principalOf(options)).toMatchObject({
          type: 'user',
          userEntityRef: 'user:default/ana',
        });
      }
    });

    it('lists nothing to those not allowed to read the catalog', async () => {
      const { server, reads } = await startCounting('deny');
      const res = await request(server)
        .get('/api/bi/dashboards')
        .set('authorization', mockCredentials.user.header('user:default/x'));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ items: [], totalCount: 0 });
      expect(reads).not.toHaveBeenCalled();
    });

    it('reads the catalog again after a minute, in the background, and after a failed read', async () => {
      let now = 0;
      const catalog = catalogServiceMock({ entities });
      const reads = jest.spyOn(catalog, 'queryEntities');
      const cache = new DashboardCache({
        catalog,
        auth: mockServices.auth(),
        now: () => now,
      });
      expect(await cache.get()).toHaveLength(3);
      now = 59_000;
      await cache.get();
      expect(reads).toHaveBeenCalledTimes(1);
      now = 60_000;
      // The last list at once, while the catalog is read again.
      expect(await cache.get()).toHaveLength(3);
      expect(reads).toHaveBeenCalledTimes(2);
      await new Promise(r => setTimeout(r, 0));
      reads.mockRejectedValueOnce(new Error('catalog down'));
      now = 120_000;
      // A failed read keeps the last list, and the next call reads again.
      expect(await cache.get()).toHaveLength(3);
      await new Promise(r => setTimeout(r, 0));
      expect(await cache.get()).toHaveLength(3);
      expect(reads).toHaveBeenCalledTimes(4);

      // Before any list, a failed read is the caller's.
      const cold = new DashboardCache({
        catalog,
        auth: mockServices.auth(),
        now: () => now,
      });
      reads.mockRejectedValueOnce(new Error('catalog down'));
      await expect(cold.get()).rejects.toThrow('catalog down');
    });
  });

  it('refuses requests without credentials', async () => {
    const server = await start();
    const res = await request(server)
      .get('/api/bi/dashboards')
      .set('authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('answers a machine only with the bi.read grant', async () => {
    const server = await start();
    const machine = (subject: string) =>
      mockCredentials.service.header({
        onBehalfOf: mockCredentials.service(subject),
        targetPluginId: 'bi',
      });
    const refused = await request(server)
      .get('/api/bi/dashboards')
      .set('authorization', mockCredentials.service.header());
    expect(refused.status).toBe(403);
    const granted = await request(server)
      .get('/api/bi/dashboards')
      .set('authorization', machine('reporting'));
    expect(granted.status).toBe(200);
  });

  it('keeps product economics for those the policy allows, and for products only', async () => {
    const denied = await start(AuthorizeResult.DENY);
    const refused = await request(denied).get(
      '/api/bi/products/system/default/payments/economics',
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toMatch(/for business, finance/);
    const server = await start();
    const notAProduct = await request(server).get(
      '/api/bi/products/component/default/payments-api/economics',
    );
    expect(notAProduct.status).toBe(400);
    // The spec's validator answers first, naming the parameter.
    expect(notAProduct.body.error.message).toMatch(
      /^request\/params\/kind must match pattern/,
    );
  });

  it("keeps a product's economics to what the policy's conditions allow, and says when the product is not in the catalog", async () => {
    const { server } = await startTestBackend({
      features: [
        biPlugin,
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.mock({
          authorize: async requests =>
            requests.map(() => ({ result: AuthorizeResult.ALLOW })),
          // A policy stricter than the portal's: products of one's teams.
          authorizeConditional: async requests =>
            requests.map(() => ({
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'catalog',
              resourceType: 'catalog-entity',
              conditions: {
                rule: 'IS_ENTITY_OWNER',
                resourceType: 'catalog-entity',
                params: { claims: ['group:default/team-checkout'] },
              },
            })),
        }).factory,
      ],
    });
    const economics = (path: string) =>
      request(server).get(`/api/bi/products/${path}/economics`);
    // Allowed: it goes on to ask FinOps, which this test backend does not
    // have, and says so with a 503 (not FinOps' 404, as if the product
    // were missing).
    const ours = await economics('system/default/payments');
    expect(ours.status).toBe(503);
    expect(ours.body.error.message).toMatch(
      /^FinOps could not give the cost of system:default\/payments: /,
    );
    const theirs = await economics('domain/default/storefront');
    expect(theirs.status).toBe(403);
    expect(theirs.body.error.message).toBe(
      'You may not see the economics of domain:default/storefront',
    );
    const unknown = await economics('system/default/nowhere');
    expect(unknown.status).toBe(404);
  }, 120_000);
});
